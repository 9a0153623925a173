"""A CSA CAIQ v4 workbook (STAR Level 1 layout) to a model: its SSRM columns give the owners.

One area per CCM domain (the id's prefix), one control per CCM control (questions `IAM-01.1` and
`IAM-01.2` form `IAM-01`), one deployment: the service the workbook describes. Published files vary
in spelling, title rows and merged cells, so sheet and headers are matched loosely; anything that
would change an owner silently (an unknown ownership, a formula, a question without an owner) is an
error naming the sheet, row and column.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .common import (
    MAX_BYTES,
    RANK,
    Errors,
    ImportedControl,
    ImportRefused,
    Options,
    build_model,
    clean_id,
    joined,
    owner_counts,
    slug,
    valid_id,
)

HEADER_SEARCH_ROWS = 20  # title rows above the headers; the header is on row 2 in CSA's own files
MAX_ROWS = 20_000  # CCM v4 has 261 questions; a sheet of a million rows is not a CAIQ

ID, QUESTION, ANSWER, OWNERSHIP, CSP, CSC = "id", "question", "answer", "ownership", "csp", "csc"
COLUMNS = {
    ID: "Question ID",
    QUESTION: "Question",
    ANSWER: "CSP CAIQ Answer",
    OWNERSHIP: "SSRM Control Ownership",
    CSP: "CSP Implementation Description (Optional/Recommended)",
    CSC: "CSC Responsibilities (Optional/Recommended)",
}
REQUIRED = (ID, QUESTION, ANSWER, OWNERSHIP)

# SSRM ownership -> our owner. "Shared CSP and 3rd-party": the customer deals with the provider alone.
OWNERSHIP_LABELS = (
    "CSP-owned",
    "CSC-owned",
    "Shared CSP and CSC",
    "3rd-party outsourced",
    "Shared CSP and 3rd-party",
)
OWNERS = dict(zip(OWNERSHIP_LABELS, ("provider", "customer", "shared", "infrastructure", "provider"), strict=True))
ANSWERS = ("Yes", "No", "NA")

# CCM v4 domain names (the domains' titles; the questions themselves stay in the provider's file).
DOMAINS = {
    "AA": "Audit and Assurance",
    "AIS": "Application and Interface Security",
    "BCR": "Business Continuity Management and Operational Resilience",
    "CCC": "Change Control and Configuration Management",
    "CEK": "Cryptography, Encryption and Key Management",
    "DCS": "Datacenter Security",
    "DSP": "Data Security and Privacy Lifecycle Management",
    "GRC": "Governance, Risk and Compliance",
    "HRS": "Human Resources",
    "IAM": "Identity and Access Management",
    "IPY": "Interoperability and Portability",
    "IVS": "Infrastructure and Virtualization Security",
    "LOG": "Logging and Monitoring",
    "SEF": "Security Incident Management, E-Discovery and Cloud Forensics",
    "STA": "Supply Chain Management, Transparency and Accountability",
    "TVM": "Threat and Vulnerability Management",
    "UEM": "Universal Endpoint Management",
}

QUESTION_ID = re.compile(r"^(?P<control>[^.\s]+)(?:\.(?P<number>\d+))?$")
YES_NO = re.compile(r"^(is|are|am|was|were|do|does|did|has|have|had|can|could|will|would|shall|should|may)\b", re.I)


def squash(value: str) -> str:
    """Case and whitespace do not count: "CSP  Implementation description" matches."""
    return "".join(value.split()).lower()


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


OWNERSHIP_KEYS = {_key(label): label for label in OWNERSHIP_LABELS}
ANSWER_KEYS = {"yes": "Yes", "no": "No", "na": "NA", "notapplicable": "NA"}
HEADER_KEYS = {squash(name): column for column, name in COLUMNS.items()}
# The description columns without their "(Optional/Recommended)" tail, as some files have them.
HEADER_KEYS |= {squash(name.split("(")[0]): column for column, name in COLUMNS.items() if "(" in name}


@dataclass
class Question:
    row: int
    id: str
    control: str
    raw_control: str  # as the file spells it, e.g. A&A-01
    text: str
    ownership: str  # one of OWNERSHIP_LABELS, or "NA"
    owner: str
    csp: str
    csc: str


def import_caiq(data: bytes, options: Options) -> tuple[dict, list[str]]:
    """The workbook's bytes to (model dict, notes for the author); ImportRefused says what is wrong."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([f"the file is over {MAX_BYTES // (1024 * 1024)} MB; a CAIQ workbook is far smaller"])
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused(["not an xlsx workbook (an .xlsx file is a zip archive; save the file as .xlsx)"])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises its own errors on a damaged file; never a traceback
        raise ImportRefused([f"not an xlsx workbook: {type(exc).__name__}"]) from exc
    try:
        notes: list[str] = []
        sheet = _sheet(workbook, notes)
        questions = _questions(sheet, notes)
    finally:
        workbook.close()
    controls = _controls(questions, notes)
    provider = options.provider or "Provider"
    model = build_model(
        controls,
        options,
        title=f"{provider}: shared responsibility (CAIQ v4)",
        description=(
            f"Imported from the SSRM columns of {provider}'s CAIQ v4 workbook, sheet {sheet.title!r}: "
            f"{len(questions)} questions as {len(controls)} CCM controls."
        ),
        provider=provider,
        infrastructure="Third party",
        deployment_name="Cloud service",
        notes=notes,
    )
    areas = len(model["areas"])
    notes.insert(
        0, f"mapped {len(questions)} questions to {len(controls)} controls in {areas} areas: {owner_counts(controls)}"
    )
    return model, notes


def _sheet(workbook, notes: list[str]):
    names = [name for name in workbook.sheetnames if squash(name).startswith("caiq")]
    if not names:
        shown = ", ".join(repr(n) for n in workbook.sheetnames[:10])
        raise ImportRefused([f"no sheet whose name starts with 'CAIQ'; the sheets are {shown}"])
    if len(names) > 1:
        notes.append(f"several CAIQ sheets ({', '.join(names)}): read {names[0]!r}")
    return workbook[names[0]]


def _questions(sheet, notes: list[str]) -> list[Question]:
    where = f"sheet {sheet.title!r}"
    rows = sheet.iter_rows()
    columns, header_row = None, 0
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SEARCH_ROWS:
            break
        found = {
            HEADER_KEYS[squash(c.value)]: i
            for i, c in enumerate(row)
            if isinstance(c.value, str) and squash(c.value) in HEADER_KEYS
        }
        if ID in found:
            columns, header_row = found, number
            break
    if columns is None:
        raise ImportRefused([f"{where}: no header row with 'Question ID' in its first {HEADER_SEARCH_ROWS} rows"])
    missing = [COLUMNS[c] for c in REQUIRED if c not in columns]
    if missing:
        raise ImportRefused([f"{where}, row {header_row}: missing column {', '.join(repr(m) for m in missing)}"])
    for optional in (CSP, CSC):
        if optional not in columns:
            notes.append(f"{where}: no column {COLUMNS[optional]!r}; the parts it would give are left empty")
    errors, questions, seen, skipped = Errors(), [], {}, []
    for number, row in enumerate(rows, start=header_row + 1):
        if number - header_row > MAX_ROWS:
            raise ImportRefused([f"{where}: more than {MAX_ROWS:,} rows under the header; a CAIQ has a few hundred"])
        values = {column: _text(row, i, where, number, column, errors) for column, i in columns.items()}
        if None in values.values():
            continue  # a formula, already named: the row's other checks would only repeat it
        if not any(values.values()):
            continue  # an empty row (or a merged cell's blank remainder)
        question = _question(values, where, number, columns, errors, skipped)
        if question is None:
            continue
        if question.id in seen:
            errors.add(
                f"{_at(where, number, columns, ID)}: duplicate question id {question.id!r} (also on row {seen[question.id]})"
            )
            continue
        seen[question.id] = number
        questions.append(question)
    errors.raise_any()
    if skipped:
        rows = ", ".join(str(n) for n in skipped[:10]) + (" …" if len(skipped) > 10 else "")
        notes.append(
            f"{where}: {len(skipped)} row{'s' if len(skipped) != 1 else ''} without a question id skipped (row {rows})"
        )
    if not questions:
        raise ImportRefused([f"{where}: no questions under the header on row {header_row}"])
    return questions


def _at(where: str, row: int, columns: dict, column: str) -> str:
    return f"{where}, row {row}, column {get_column_letter(columns[column] + 1)} ({COLUMNS[column]})"


def _text(row, index: int, where: str, number: int, column: str, errors: Errors) -> str | None:
    cell = row[index] if index < len(row) else None
    if cell is None or cell.value is None:
        return ""
    if getattr(cell, "data_type", None) == "f":
        at = f"{where}, row {number}, column {get_column_letter(index + 1)} ({COLUMNS[column]})"
        errors.add(f"{at}: a formula ({str(cell.value)[:60]}) where text is expected; paste its value instead")
        return None
    return str(cell.value).strip()


def _question(values: dict, where: str, number: int, columns: dict, errors: Errors, skipped: list) -> Question | None:
    raw = values[ID]
    if not raw:
        skipped.append(number)  # a note or a section heading under the table
        return None
    match = QUESTION_ID.match(raw)
    control = clean_id(match["control"]) if match else ""
    if not match or not valid_id(control):
        errors.add(f"{_at(where, number, columns, ID)}: malformed question id {raw[:60]!r}; expected e.g. IAM-01.1")
        return None
    answer = values[ANSWER]
    if answer and _key(answer) not in ANSWER_KEYS:
        errors.add(
            f"{_at(where, number, columns, ANSWER)}: unknown answer {answer[:60]!r}; known: {', '.join(ANSWERS)}"
        )
        return None
    answer = ANSWER_KEYS.get(_key(answer), "")
    ownership = values[OWNERSHIP]
    if answer == "NA":
        label, owner = "NA", "none"  # the control does not arise here, whatever the ownership column says
    elif not ownership:
        errors.add(f"{_at(where, number, columns, OWNERSHIP)}: question {raw[:60]!r} has no ownership")
        return None
    elif _key(ownership) not in OWNERSHIP_KEYS:
        known = ", ".join(OWNERSHIP_LABELS)
        errors.add(f"{_at(where, number, columns, OWNERSHIP)}: unknown ownership {ownership[:60]!r}; known: {known}")
        return None
    else:
        label = OWNERSHIP_KEYS[_key(ownership)]
        owner = OWNERS[label]
    qid = control + (f".{match['number']}" if match["number"] else "")
    return Question(
        number, qid, control, match["control"], values[QUESTION], label, owner, values.get(CSP, ""), values.get(CSC, "")
    )


def _controls(questions: list[Question], notes: list[str]) -> list[ImportedControl]:
    groups: dict[str, list[Question]] = {}
    for q in questions:
        groups.setdefault(q.control, []).append(q)
    controls = []
    shared = []
    for control_id, qs in groups.items():
        for raw in dict.fromkeys(q.raw_control for q in qs if q.raw_control != control_id):
            notes.append(f"{control_id}: id changed from {raw} (only capitals, digits and hyphens)")
        for q in qs:
            if q.text.endswith("?") or YES_NO.match(q.text):
                notes.append(f"{q.id}: asked as a yes/no question: reword as a statement")
        owners = {}
        for q in qs:
            owners.setdefault(q.owner, q.ownership)
        owner = min(owners, key=RANK.index)
        if len(owners) > 1:
            notes.append(f"{control_id}: its questions disagree ({', '.join(owners.values())}): took {owners[owner]}")
        if owner == "shared":
            shared.append(control_id)
        domain = control_id.split("-")[0]
        controls.append(
            ImportedControl(
                id=control_id,
                area_key=slug(domain, "area"),
                area_title=DOMAINS.get(domain, domain),
                statement=joined(q.text for q in qs),
                owner=owner,
                provider_text=joined(q.csp for q in qs if q.owner != "none"),
                customer_text=joined(q.csc for q in qs if q.owner != "none"),
            )
        )
    if shared:
        notes.append(
            f"shared with the provider: {', '.join(shared)} (CAIQ has no value for a part the infrastructure "
            "holds; set partners: infrastructure where it does)"
        )
    return controls
