"""XLSX exports: an assessment as a workbook for people, and a model in the CSA CAIQ v4 layout for tools.

The assessment workbook is built from `export.export_data(state)`, the same dict as `export.json`,
so the two never disagree. Its "Controls" sheet is for people: answers, outcomes, risks, owners and
statuses are in the words the pages use ("Partly met", "We do, fully"); ids stay as they are
(control ids), and `export.json` keeps the machine values.

Written with XlsxWriter in constant-memory mode: each row goes to a temporary file as it is
written, so memory stays flat however large the model, and it writes cells several times faster
than openpyxl (which still reads CAIQ files, in `importers/`). Every text is written as a string
cell, never a formula: a note that starts with "=" would otherwise be stored as one, which a
spreadsheet runs. Characters XML cannot hold are removed, so odd input never fails the download.
"""

import io
import re
from datetime import date, datetime

import xlsxwriter
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ..models import Assessment, ControlReview, RemediationItem
from ..models.assessments import Claim, Mode
from ..models.catalog import Deployment, Owner, ResponsibilityModel, Severity
from ..selectors import catalog
from ..selectors.assessments import AssessmentState
from .context import OUTCOME_LABELS
from .export import export_data

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# XML 1.0 cannot hold C0 controls other than tab, LF and CR, nor surrogates, U+FFFE and U+FFFF
# (XlsxWriter would write the controls as _xHHHH_ escapes a reader shows as such, and fail on surrogates).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_SEPARATORS = re.compile("[\u2028\u2029]")  # shown by Excel as a box; a line break is what was meant
MAX_CELL = 32_767  # Excel's limit for the text of one cell: longer text makes the file "corrupt"

# Nothing is guessed from text: "=1+2", "0012" and "http://…" stay the text they are.
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def clean(text: str) -> str:
    text = LINE_SEPARATORS.sub("\n", ILLEGAL.sub("", text))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


class Book:
    """A workbook being written, with the three cell formats every sheet uses."""

    def __init__(self):
        self.out = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.out, OPTIONS)
        wrap = {"text_wrap": True, "valign": "top"}
        self.text = self.wb.add_format(wrap)
        self.header = self.wb.add_format({**wrap, "bold": True, "bg_color": "#E9ECEF", "pattern": 1})
        self.date = self.wb.add_format({**wrap, "num_format": "yyyy-mm-dd"})
        self.datetime = self.wb.add_format({**wrap, "num_format": "yyyy-mm-dd hh:mm"})

    def row(self, ws, r: int, values, *, header: bool = False) -> None:
        for c, value in enumerate(values):
            self.cell(ws, r, c, value, header=header)

    def cell(self, ws, r: int, c: int, value, *, header: bool = False) -> None:
        """One cell; text is always a string cell (never a formula, an error or a number)."""
        if value is None or value == "":
            if header:
                ws.write_blank(r, c, None, self.header)
        elif isinstance(value, str):
            ws.write_string(r, c, clean(value), self.header if header else self.text)
        elif isinstance(value, datetime):
            ws.write_datetime(r, c, value, self.datetime)
        elif isinstance(value, date):
            ws.write_datetime(r, c, value, self.date)
        else:
            ws.write_number(r, c, value, self.header if header else self.text)

    def close(self) -> bytes:
        self.wb.close()
        return self.out.getvalue()


def table_sheet(book: Book, title: str, columns: list[tuple[str, int]], rows, *, header_row: int = 1, before=()):
    """A sheet of `rows` under a frozen header with an autofilter; `before` are rows above the header."""
    ws = book.wb.add_worksheet(title)
    for i, (_name, width) in enumerate(columns):
        ws.set_column(i, i, width)
    ws.freeze_panes(header_row, 0)
    for r, values in enumerate(before):
        book.row(ws, r, values)
    book.row(ws, header_row - 1, [name for name, _width in columns], header=True)
    r = header_row - 1
    for r, values in enumerate(rows, start=header_row):  # the last r is where the filter ends
        book.row(ws, r, values)
    ws.autofilter(header_row - 1, 0, r, len(columns) - 1)
    return ws


def label(choices, value) -> str:
    return choices(value).label if value else ""


# The assessment workbook ------------------------------------------------------------------------

CONTROL_COLUMNS = [
    ("Area", 18),
    ("Control ID", 16),
    ("Title", 30),
    ("Severity", 10),
    ("Statement", 60),
    ("Owner", 16),
    ("Partner", 16),
    ("Answer", 22),
    ("First answer", 22),
    ("Outcome", 14),
    ("Risk", 10),
    ("Notes", 40),
    ("Justification", 30),
    ("Reviewer verdict", 16),
    ("Reviewer comment", 30),
    ("Remediation owner", 24),
    ("Due date", 12),
    ("Remediation status", 16),
    ("Evidence", 50),
]


def assessment_workbook(state: AssessmentState) -> bytes:
    """Sheets "Controls" (one row per asked control, as in export.json), "Summary" and "Model"."""
    data = export_data(state)
    book = Book()
    table_sheet(book, "Controls", CONTROL_COLUMNS, control_rows(state, data))
    summary_sheet(book, state, data)
    model_sheet(book, state.assessment.model)
    return book.close()


def control_rows(state: AssessmentState, data: dict):
    model = state.assessment.model
    plan = {entry["control"]: entry for entry in data["remediation"]}
    for row, item in zip(data["controls"], state.items, strict=True):  # export_data lists state.items
        review, entry = item.review, plan.get(row["id"])
        yield [
            item.control.area.title,
            row["id"],
            item.control.title,
            label(Severity, row["severity"]),
            item.control.statement,
            model.party_name(row["owner"]),
            model.party_name(row["partner"]) if row["partner"] else "",
            label(Claim, row["answer"]),
            label(Claim, row["first_answer"]),
            OUTCOME_LABELS[row["outcome"]],
            label(Severity, row["risk"]),
            row["notes"],
            row["justification"],
            verdict_text(review),
            review.comment if review else "",
            (entry["owner"] or "") if entry else "",
            date.fromisoformat(entry["due"]) if entry and entry["due"] else None,
            label(RemediationItem.Status, entry["status"]) if entry else "",
            evidence_text(row["evidence"]),
        ]


def verdict_text(review) -> str:
    if review is None or not review.verdict:
        return ""
    missing = review.verdict == ControlReview.Verdict.NEEDS_WORK and review.evidence_missing
    return label(ControlReview.Verdict, review.verdict) + (" (evidence missing)" if missing else "")


def evidence_text(evidence: list[dict]) -> str:
    """One line per item of export.json's evidence: a file with its size and full SHA-256 (to match
    the audit package's copy), a link with its URL."""
    lines = []
    for e in evidence:
        described = f"{e['name']} — {e['description']}" if e["description"] else e["name"]
        if "url" in e:
            lines.append(described if e["url"] == e["name"] else f"{described}: {e['url']}")
        else:
            lines.append(f"{described} ({filesizeformat(e['size'])}, SHA-256 {e['sha256']})")
    return "\n".join(lines)


def summary_sheet(book: Book, state: AssessmentState, data: dict) -> None:
    a, score, evaluation = state.assessment, data["score"], state.evaluation
    ws = book.wb.add_worksheet("Summary")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 48)
    titles = {area.area.key: area.area.title for area in state.areas}
    blind = a.mode == Mode.BLIND
    submitted = timezone.localtime(a.submitted_at).replace(tzinfo=None) if a.submitted_at else "Not submitted yet"
    rows = [
        (("Assessment", True), (a.title, True)),
        ("Organization", a.organization.name),
        ("Model", f"{a.model.title} v{a.model.version}"),
        ("Deployment", a.deployment.name),
        ("Mode", Mode(a.mode).label),
        ("Status", Assessment.Status(a.status).label),
        ("Submitted", submitted),
        (),
        (("Score", True), ("%", True)),
        ("Overall", percent(score["overall"])),
        *((titles.get(key, key), percent(value)) for key, value in score["areas"].items()),
        (),
        ("Understanding (owners named before seeing them)", percent(score["understanding"]) if blind else GUIDED),
        (),
        (("Gaps by risk", True), ("Gaps", True)),
        *((Severity(risk).label, count) for risk, count in evaluation.gap_counts.items()),
        ("Total", sum(evaluation.gap_counts.values())),
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            value, header = value if isinstance(value, tuple) else (value, False)
            book.cell(ws, r, c, value, header=header)


GUIDED = "Not measured: guided mode shows the owners while answering."


def percent(value: int | None):
    return "Not scored" if value is None else value


def model_sheet(book: Book, model: ResponsibilityModel) -> None:
    """The model's responsibility matrix: every control, its owner under each deployment (4 queries)."""
    columns, rows = catalog.published_memo(model, "xlsx-model-sheet", lambda: _model_table(model))
    table_sheet(book, "Model", columns, rows)


def _model_table(model: ResponsibilityModel) -> tuple[list, list]:
    deployments = list(model.deployments.order_by("position"))
    columns = [("Area", 18), ("Control ID", 16), ("Title", 36), ("Severity", 10)]
    columns += [(d.name, 22) for d in deployments]
    rows = [
        [group.area.title, row.control.control_id, row.control.title, label(Severity, row.control.severity)]
        + [owner_label for _owner, owner_label in row.owners]
        for group in catalog.matrix(model, deployments)
        for row in group.rows
    ]
    return columns, rows


# The model in the CAIQ v4 layout ----------------------------------------------------------------

CAIQ_SHEET = "CAIQv4.0.3"
CAIQ_COLUMNS = [
    ("Question ID", 16),
    ("Question", 70),
    ("CSP CAIQ Answer", 12),
    ("SSRM Control Ownership", 22),
    ("CSP Implementation Description (Optional/Recommended)", 60),
    ("CSC Responsibilities (Optional/Recommended)", 60),
]
SHARED = "Shared CSP and CSC"
# CAIQ's SSRM ownership per owner; a control shared with the infrastructure has no CAIQ value of
# its own (CAIQ knows one CSP) and is given as shared, which the title row says.
CAIQ_OWNERSHIP = {
    Owner.PROVIDER: "CSP-owned",
    Owner.CUSTOMER: "CSC-owned",
    Owner.SHARED: SHARED,
    Owner.INFRASTRUCTURE: "3rd-party outsourced",
    Owner.NONE: "",
}


def caiq_workbook(model: ResponsibilityModel, deployment: Deployment) -> bytes:
    """One CAIQ sheet: a title row, the CAIQ headers on row 2, one row per control (5 queries)."""
    book = Book()
    title = f"CAIQ v4.0.3 layout (STAR Level 1): {model.title} v{model.version}, {deployment.name}"
    note = (
        f"“3rd-party outsourced” is {model.infrastructure_name}. A control the customer shares with "
        f"{model.infrastructure_name} has no CAIQ ownership of its own: it is given as “{SHARED}”."
    )
    rows = (caiq_row(control, ownership) for control, ownership in ownerships(model, deployment))
    table_sheet(book, CAIQ_SHEET, CAIQ_COLUMNS, rows, header_row=2, before=[[title, "", "", note]])
    return book.close()


def ownerships(model: ResponsibilityModel, deployment: Deployment):
    """(control, its ownership under `deployment`) in model order; controls without one are `none`."""
    for area in catalog.areas_with_controls(model):
        for control in area.controls.all():
            found = next((o for o in control.ownerships.all() if o.deployment_id == deployment.pk), None)
            yield control, found


def caiq_row(control, ownership) -> list:
    owner = ownership.owner if ownership else Owner.NONE
    if owner == Owner.NONE:
        return [control.control_id, control.statement, "NA", "", "", ""]
    customer = catalog.joined(control.customer_part, ownership.customer_part)
    partner = catalog.joined(control.provider_part, ownership.partner_part)
    guidance = catalog.joined(control.guidance, ownership.guidance)
    # Whoever holds a whole control is described by its guidance (how the provider does it, or what
    # the customer does); a shared one by its two parts.
    if owner in (Owner.PROVIDER, Owner.INFRASTRUCTURE):
        csp, csc = partner or guidance, customer
    elif owner == Owner.CUSTOMER:
        csp, csc = partner, customer or guidance
    else:
        csp, csc = partner, customer
    return [control.control_id, control.statement, "Yes", CAIQ_OWNERSHIP[owner], csp, csc]
