"""The assessment export (JSON, CSV rows): one structure built from the gap engine's result."""

import csv
import io
from datetime import date

from django.utils import timezone
from django.utils.text import slugify

from ..selectors.assessments import AssessmentState
from ..selectors.remediation import assessment_entries
from ..selectors.rounds import round_export, since_previous
from .evidence import export_rows, state_evidence

CONTROL_FIELDS = (
    "id",
    "area",
    "severity",
    "owner",
    "partner",
    "answer",
    "first_answer",
    "outcome",
    "risk",
    "notes",
    "justification",
)


def export_data(state: AssessmentState) -> dict:
    """`{"assessment": {...}, "score": {...}, "controls": [...]}`; only asked controls are listed.

    Controls whose owner is `none` never arise, and those whose condition is unmet are not asked.
    """
    a = state.assessment
    evidence = state_evidence(state)  # one query, kept on the state for the other formats
    return {
        "assessment": {
            "id": str(a.pk),
            "title": a.title,
            "organization": a.organization.name,
            "status": a.status,
            "model": {"slug": a.model.slug, "version": a.model.version},
            "deployment": a.deployment.key,
            "mode": a.mode,
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
        },
        "round": round_export(a),
        "since_previous": since.changes.as_export() if (since := since_previous(state)) else None,
        "score": {
            "overall": state.evaluation.overall,
            "areas": dict(state.evaluation.area_scores),
            "understanding": state.evaluation.understanding,
        },
        "controls": [control_row(item, evidence.get(item.control.pk, ())) for item in state.items],
        # One per gap of a submitted assessment, in the order of the gaps; a draft has none.
        "remediation": [entry.export_row() for entry in assessment_entries(state)],
    }


def control_row(item, evidence=()) -> dict:
    answer = item.answer
    return {
        "id": item.control.control_id,
        "area": item.control.area.key,
        "severity": item.control.severity,
        "owner": item.owner,
        "partner": item.partner,
        "answer": answer.claim if answer else None,
        "first_answer": item.result.first_answer,
        "outcome": item.result.outcome,
        "risk": item.result.risk,
        "notes": answer.notes if answer else "",
        "justification": answer.justification if answer else "",
        # Files: name, size, sha256, content_type, description, added_by, added_at; links: url for size and hash.
        "evidence": export_rows(evidence),
    }


# Spreadsheets run a cell that starts with one of these as a formula ("CSV injection"); such cells
# get a leading apostrophe, which spreadsheets show as text and hide (OWASP's advice).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# The JSON export's fields, plus the control's title after its id: a spreadsheet is read by people,
# who should not need the model open beside it to know what "ENC-CMK" is.
CSV_FIELDS = ("id", "title", *CONTROL_FIELDS[1:])
# The remediation item of a gap (empty for other controls and for drafts); "owner" above is the model's.
REMEDIATION_FIELDS = ("remediation_owner", "remediation_due", "remediation_status")


def csv_rows(state: AssessmentState) -> list[list[str]]:
    """A header of CSV_FIELDS and REMEDIATION_FIELDS, then one row per control of the JSON export, in order."""
    data = export_data(state)
    rows = zip(data["controls"], state.items, strict=True)  # export_data lists state.items
    plan = {item["control"]: item for item in data["remediation"]}
    return [[*CSV_FIELDS, *REMEDIATION_FIELDS]] + [
        [csv_cell(item.control.title if name == "title" else row[name]) for name in CSV_FIELDS]
        + remediation_cells(plan.get(row["id"]))
        for row, item in rows
    ]


def remediation_cells(item: dict | None) -> list[str]:
    if item is None:
        return ["", "", ""]
    return [csv_cell(item["owner"]), csv_cell(item["due"]), csv_cell(item["status"])]


def export_csv(state: AssessmentState) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(state))
    return out.getvalue()


def download_filename(assessment, day: date, ext: str) -> str:
    """`<organization>-<title>-<YYYY-MM-DD>.<ext>`, slugified to ASCII."""
    stem = slugify(f"{assessment.organization.name}-{assessment.title}")[:120].strip("-") or "assessment"
    return f"{stem}-{day:%Y-%m-%d}.{ext}"


def export_filename(assessment, ext: str) -> str:
    return download_filename(assessment, timezone.now().date(), ext)
