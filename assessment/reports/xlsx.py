"""XLSX exports: an assessment as a workbook for people, and a model in the CSA CAIQ v4 layout for tools.

The assessment workbook is built from `export.export_data(state)`, the same dict as `export.json`,
so the two never disagree. Its "Controls" sheet is for people: answers, outcomes, risks, owners and
statuses are in the words the pages use ("Partly met", "We do, fully"); ids stay as they are
(control ids), and `export.json` keeps the machine values.

Cells are written with openpyxl's write-only mode (rows stream to a temporary file: constant memory
however large the model). Every text is a string cell: a note that starts with "=" would otherwise
be stored as a formula, which a spreadsheet runs. Characters XML cannot hold are removed, so odd
input never fails the download.
"""

import io
import re
from datetime import date

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..models import Assessment, ControlReview, RemediationItem
from ..models.assessments import Claim, Mode
from ..models.catalog import Deployment, Owner, ResponsibilityModel, Severity
from ..selectors import catalog
from ..selectors.assessments import AssessmentState
from .context import OUTCOME_LABELS
from .export import export_data

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# XML 1.0 cannot hold C0 controls other than tab, LF and CR, nor surrogates, U+FFFE and U+FFFF
# (openpyxl raises IllegalCharacterError on the controls and writes the rest into a broken file).
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_SEPARATORS = re.compile("[\u2028\u2029]")  # shown by Excel as a box; a line break is what was meant
MAX_CELL = 32_767  # Excel's limit for the text of one cell: longer text makes the file "corrupt"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"


def clean(text: str) -> str:
    text = LINE_SEPARATORS.sub("\n", ILLEGAL.sub("", text))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def cell(ws, value, *, header: bool = False, number_format: str | None = None) -> WriteOnlyCell:
    """One cell; text is always a string cell (never a formula, an error or a number)."""
    if isinstance(value, str):
        c = WriteOnlyCell(ws, value=clean(value))
        c.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error
    else:
        c = WriteOnlyCell(ws, value=value)
    c.alignment = WRAP
    if header:
        c.font, c.fill = HEADER_FONT, HEADER_FILL
    if number_format:
        c.number_format = number_format
    return c


def table_sheet(wb: Workbook, title: str, columns: list[tuple[str, int]], rows, *, header_row: int = 1, before=()):
    """A sheet of `rows` under a frozen header with an autofilter; `before` are rows above the header."""
    ws = wb.create_sheet(title)
    for i, (_name, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = f"A{header_row + 1}"  # set before the first row: write-only mode writes it first
    for row in before:
        ws.append([cell(ws, value) for value in row])
    ws.append([cell(ws, name, header=True) for name, _width in columns])
    count = 0
    for row in rows:
        ws.append([cell(ws, v, number_format=DATE_FORMAT if isinstance(v, date) else None) for v in row])
        count += 1
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{header_row + count}"
    return ws


def save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
]


def assessment_workbook(state: AssessmentState) -> bytes:
    """Sheets "Controls" (one row per asked control, as in export.json), "Summary" and "Model"."""
    data = export_data(state)
    wb = Workbook(write_only=True)
    table_sheet(wb, "Controls", CONTROL_COLUMNS, control_rows(state, data))
    summary_sheet(wb, state, data)
    model_sheet(wb, state.assessment.model)
    return save(wb)


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
            label(ControlReview.Verdict, review.verdict) if review else "",
            review.comment if review else "",
            (entry["owner"] or "") if entry else "",
            date.fromisoformat(entry["due"]) if entry and entry["due"] else None,
            label(RemediationItem.Status, entry["status"]) if entry else "",
        ]


def summary_sheet(wb: Workbook, state: AssessmentState, data: dict) -> None:
    a, score, evaluation = state.assessment, data["score"], state.evaluation
    ws = wb.create_sheet("Summary")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 36, 48
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
    for row in rows:
        cells = []
        for value in row:
            value, header = value if isinstance(value, tuple) else (value, False)
            fmt = "yyyy-mm-dd hh:mm" if hasattr(value, "hour") else None
            cells.append(cell(ws, value, header=header, number_format=fmt))
        ws.append(cells)


GUIDED = "Not measured: guided mode shows the owners while answering."


def percent(value: int | None):
    return "Not scored" if value is None else value


def model_sheet(wb: Workbook, model: ResponsibilityModel) -> None:
    """The model's responsibility matrix: every control, its owner under each deployment (4 queries)."""
    deployments = list(model.deployments.order_by("position"))
    columns = [("Area", 18), ("Control ID", 16), ("Title", 36), ("Severity", 10)]
    columns += [(d.name, 22) for d in deployments]
    rows = (
        [group.area.title, row.control.control_id, row.control.title, label(Severity, row.control.severity)]
        + [owner_label for _owner, owner_label in row.owners]
        for group in catalog.matrix(model, deployments)
        for row in group.rows
    )
    table_sheet(wb, "Model", columns, rows)


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
    wb = Workbook(write_only=True)
    title = f"CAIQ v4.0.3 layout (STAR Level 1): {model.title} v{model.version}, {deployment.name}"
    note = (
        f"“3rd-party outsourced” is {model.infrastructure_name}. A control the customer shares with "
        f"{model.infrastructure_name} has no CAIQ ownership of its own: it is given as “{SHARED}”."
    )
    rows = (caiq_row(control, ownership) for control, ownership in ownerships(model, deployment))
    table_sheet(wb, CAIQ_SHEET, CAIQ_COLUMNS, rows, header_row=2, before=[[title, "", "", note]])
    return save(wb)


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
