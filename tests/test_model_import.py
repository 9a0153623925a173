"""`import_model`: a provider's CAIQ v4 workbook or OSCAL SSP becomes a model file that `load_model` accepts."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from assessment.importers import caiq, common
from assessment.importers.caiq import import_caiq
from assessment.importers.common import ImportRefused, Options
from assessment.importers.oscal_ssp import import_ssp
from assessment.modelfile import parse, validate
from assessment.oscal.catalog import catalog_document
from assessment.oscal.ids import dump
from assessment.oscal.ssp import provider_ssp
from assessment.reports.xlsx import caiq_workbook
from assessment.selectors.assessments import applicable_ownerships
from assessment.selectors.catalog import joined
from tests.conftest import load_fixture

OPTIONS = Options("acme-caiq", "1.0", "Acme Cloud", "Acme Database")
SHEET = "CAIQv4.0.3"
# Spellings seen in published files: other capitals, doubled spaces, a missing "(Optional/Recommended)".
HEADERS = [
    "Question ID",
    "question",
    "CSP CAIQ  Answer",
    "SSRM Control ownership",
    "CSP Implementation Description  (Optional/Recommended)",
    "CSC Responsibilities",
]


def workbook(rows, *, sheet=SHEET, headers=HEADERS, title_rows=1) -> bytes:
    """A CAIQ-like workbook: a merged title row, an empty row, the headers, then `rows`."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for _ in range(title_rows):
        ws.append(["Consensus Assessments Initiative Questionnaire v4.0.3"])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
    ws.append([])
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(qid, ownership="CSP-owned", answer="Yes", question="Access is reviewed.", csp="", csc=""):
    return [qid, question, answer, ownership, csp, csc]


def imported(rows, **kwargs):
    model, notes = import_caiq(workbook(rows, **kwargs), OPTIONS)
    validate(model)  # every import is a valid model
    return model, notes


def controls(model) -> dict:
    return {c["id"]: c for area in model["areas"] for c in area["controls"]}


def refused(data_or_rows, **kwargs) -> list[str]:
    data = data_or_rows if isinstance(data_or_rows, bytes) else workbook(data_or_rows, **kwargs)
    with pytest.raises(ImportRefused) as caught:
        import_caiq(data, OPTIONS)
    return caught.value.errors


# The mapping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ownership", "answer", "owner"),
    [
        ("CSP-owned", "Yes", "provider"),
        ("CSC-owned", "Yes", "customer"),
        ("Shared CSP and CSC", "Yes", "shared"),
        ("3rd-party outsourced", "Yes", "infrastructure"),
        ("Shared CSP and 3rd-party", "No", "provider"),
        ("csp-OWNED", "yes", "provider"),  # capitals vary between files
        ("", "NA", "none"),  # not applicable: kept, no ownership needed
        ("CSC-owned", "NA", "none"),
    ],
)
def test_each_ownership_maps_to_an_owner(ownership, answer, owner):
    model, _notes = imported([row("IAM-01.1", ownership, answer, csc="Review access.")])
    control = controls(model)["IAM-01"]
    assert control["owners"] == {"acme-database": owner}
    assert "partners" not in control  # shared is shared with the provider


def test_areas_are_domains_and_questions_form_controls():
    model, notes = imported(
        [
            row("IAM-01.1", question="Access is reviewed."),
            row("IAM-01.2", question="Access is revoked."),
            row("IAM-02.1"),
            row("DSP-01.1"),
        ]
    )
    assert [(a["key"], a["title"], [c["id"] for c in a["controls"]]) for a in model["areas"]] == [
        ("iam", "Identity and Access Management", ["IAM-01", "IAM-02"]),
        ("dsp", "Data Security and Privacy Lifecycle Management", ["DSP-01"]),
    ]
    assert controls(model)["IAM-01"]["statement"] == "Access is reviewed.\n\nAccess is revoked."
    assert model["deployments"] == [{"key": "acme-database", "name": "Acme Database"}]
    assert model["parties"]["provider"] == "Acme Cloud"
    assert notes[0] == "mapped 4 questions to 3 controls in 2 areas: 3 provider"


def test_texts_go_to_the_parts_of_a_shared_control_and_to_the_guidance_of_a_whole_one():
    model, _notes = imported(
        [
            row("IAM-01.1", "Shared CSP and CSC", csp="We enforce MFA.", csc="You enrol users."),
            row("IAM-02.1", "CSP-owned", csp="We rotate keys."),
            row("IAM-03.1", "CSC-owned", csp="We log every sign-in.", csc="You review the log."),
        ]
    )
    shared, provider, customer = (controls(model)[f"IAM-0{n}"] for n in (1, 2, 3))
    assert (shared["customer_part"], shared["provider_part"]) == ("You enrol users.", "We enforce MFA.")
    assert provider["guidance"] == "We rotate keys."
    assert (customer["guidance"], customer["provider_part"]) == ("You review the log.", "We log every sign-in.")


def test_disagreeing_questions_take_the_most_work_for_the_customer():
    model, notes = imported(
        [
            row("IAM-02.1", "Shared CSP and CSC", csc="Part."),
            row("IAM-02.2", "CSC-owned"),
            row("IAM-02.3", "CSP-owned"),
            row("IAM-03.1", "3rd-party outsourced"),
            row("IAM-03.2", "CSP-owned"),
            row("IAM-04.1", "", "NA"),
            row("IAM-04.2", "3rd-party outsourced"),
        ]
    )
    owners = {cid: c["owners"]["acme-database"] for cid, c in controls(model).items()}
    assert owners == {"IAM-02": "customer", "IAM-03": "provider", "IAM-04": "infrastructure"}
    assert "IAM-02: its questions disagree (Shared CSP and CSC, CSC-owned, CSP-owned): took CSC-owned" in notes
    assert "IAM-03: its questions disagree (3rd-party outsourced, CSP-owned): took CSP-owned" in notes
    assert "IAM-04: its questions disagree (NA, 3rd-party outsourced): took 3rd-party outsourced" in notes


def test_ids_keep_only_capitals_digits_and_hyphens():
    model, notes = imported([row("A&A-01.1"), row("A&A-01.2")])
    assert list(controls(model)) == ["AA-01"]
    assert model["areas"][0]["key"] == "aa"
    assert notes.count("AA-01: id changed from A&A-01 (only capitals, digits and hyphens)") == 1


def test_yes_no_questions_are_listed_for_rewording():
    _model, notes = imported(
        [row("IAM-01.1", question="Access is reviewed."), row("IAM-01.2", question="Are accounts disabled on exit?")]
    )
    assert "IAM-01.2: asked as a yes/no question: reword as a statement" in notes
    assert not any(n.startswith("IAM-01.1:") for n in notes)


def test_placeholders_are_named_and_empty_rows_skipped():
    model, notes = imported([row("IAM-01.1"), [], row("IAM-02.1", "Shared CSP and CSC")], title_rows=3)
    assert "why: 2 controls got a placeholder to replace (IAM-01, IAM-02)" in notes
    assert "severity: 2 controls got set to medium (IAM-01, IAM-02)" in notes
    assert "IAM-02: shared, but the matrix gives no customer part: write it" in notes
    assert controls(model)["IAM-02"]["customer_part"] == common.CUSTOMER_PART_PLACEHOLDER


# Errors: one per message, exact text --------------------------------------------------------------


def test_not_an_xlsx():
    assert refused(b"Question ID,Question\n") == [
        "not an xlsx workbook (an .xlsx file is a zip archive; save the file as .xlsx)"
    ]


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert refused(out.getvalue()) == ["not an xlsx workbook: KeyError"]


def test_too_big_before_opening():
    assert refused(b"PK\x03\x04" + b"\0" * common.MAX_BYTES) == [
        "the file is over 20 MB; a CAIQ workbook is far smaller"
    ]


def test_no_caiq_sheet():
    assert refused([row("IAM-01.1")], sheet="Answers") == [
        "no sheet whose name starts with 'CAIQ'; the sheets are 'Answers'"
    ]


def test_sheet_name_is_matched_loosely():
    model, _notes = imported([row("IAM-01.1")], sheet=" caiq v4.0.2")
    assert list(controls(model)) == ["IAM-01"]


def test_no_header_row():
    assert refused([row("IAM-01.1")], headers=["ID", "Text"]) == [
        "sheet 'CAIQv4.0.3': no header row with 'Question ID' in its first 20 rows"
    ]


def test_missing_column():
    assert refused([["IAM-01.1", "Access.", "Yes"]], headers=["Question ID", "Question", "CSP CAIQ Answer"]) == [
        "sheet 'CAIQv4.0.3', row 3: missing column 'SSRM Control Ownership'"
    ]


def test_missing_description_columns_are_a_note():
    data = workbook([row("IAM-01.1")[:4]], headers=HEADERS[:4])
    _model, notes = import_caiq(data, OPTIONS)
    assert (
        "sheet 'CAIQv4.0.3': no column 'CSP Implementation Description (Optional/Recommended)'; "
        "the parts it would give are left empty"
    ) in notes


def test_unknown_ownership():
    assert refused([row("IAM-01.1", "Provider")]) == [
        "sheet 'CAIQv4.0.3', row 4, column D (SSRM Control Ownership): unknown ownership 'Provider'; known: "
        "CSP-owned, CSC-owned, Shared CSP and CSC, 3rd-party outsourced, Shared CSP and 3rd-party"
    ]


def test_unknown_answer():
    assert refused([row("IAM-01.1", answer="Maybe")]) == [
        "sheet 'CAIQv4.0.3', row 4, column C (CSP CAIQ Answer): unknown answer 'Maybe'; known: Yes, No, NA"
    ]


def test_question_without_ownership():
    assert refused([row("IAM-01.1", ""), row("IAM-01.2", "", "No")]) == [
        "sheet 'CAIQv4.0.3', row 4, column D (SSRM Control Ownership): question 'IAM-01.1' has no ownership",
        "sheet 'CAIQv4.0.3', row 5, column D (SSRM Control Ownership): question 'IAM-01.2' has no ownership",
    ]


def test_duplicate_question_id():
    assert refused([row("IAM-01.1"), row("IAM-01.1")]) == [
        "sheet 'CAIQv4.0.3', row 5, column A (Question ID): duplicate question id 'IAM-01.1' (also on row 4)"
    ]


@pytest.mark.parametrize("qid", ["IAM 01.1", "IAM-01.a", "iam-01.1", "&&.1"])
def test_malformed_question_id(qid):
    assert refused([row(qid)]) == [
        f"sheet 'CAIQv4.0.3', row 4, column A (Question ID): malformed question id '{qid}'; expected e.g. IAM-01.1"
    ]


def test_formula_where_text_is_expected():
    assert refused([row("IAM-01.1", '=IF(A4=1,"CSP-owned","CSC-owned")')]) == [
        "sheet 'CAIQv4.0.3', row 4, column D (SSRM Control Ownership): a formula "
        '(=IF(A4=1,"CSP-owned","CSC-owned")) where text is expected; paste its value instead'
    ]


def test_no_questions():
    assert refused([]) == ["sheet 'CAIQv4.0.3': no questions under the header on row 3"]


def test_too_many_rows(monkeypatch):
    monkeypatch.setattr(caiq, "MAX_ROWS", 3)
    assert refused([row(f"IAM-01.{n}") for n in range(1, 6)]) == [
        "sheet 'CAIQv4.0.3': more than 3 rows under the header; a CAIQ has a few hundred"
    ]


# OSCAL SSP --------------------------------------------------------------------------------------


def ssp(*requirements) -> bytes:
    return json.dumps(
        {"system-security-plan": {"control-implementation": {"implemented-requirements": list(requirements)}}}
    ).encode()


def requirement(cid, provided=None, responsibilities=None):
    export = {}
    if provided is not None:
        export["provided"] = [provided]
    if responsibilities is not None:
        export["responsibilities"] = [{"description": responsibilities}]
    return {"control-id": cid, "by-components": [{"export": export}]}


def test_oscal_exports_map_to_owners():
    data = ssp(
        requirement("sc-28", {"description": "We encrypt."}),
        requirement("sc-29", {"description": "The cloud.", "responsible-roles": [{"role-id": "infrastructure"}]}),
        requirement("ac-2", None, "You manage accounts."),
        requirement("_2FA", {"description": "We offer it."}, "You turn it on."),
        requirement("ac-2.1", {"description": "-"}, "Yours."),
    )
    model, notes = import_ssp(data, OPTIONS)
    validate(model)
    got = {
        cid: (c["owners"]["acme-database"], c.get("customer_part"), c.get("provider_part"))
        for cid, c in controls(model).items()
    }
    assert got == {
        "SC-28": ("provider", None, None),
        "SC-29": ("infrastructure", None, None),
        "AC-2": ("customer", None, None),
        "2FA": ("shared", "You turn it on.", "We offer it."),
        "AC-2-1": ("shared", "Yours.", None),
    }
    assert "SC-28: id changed from sc-28 (only capitals, digits and hyphens)" in notes


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\xff\xfe{", "the SSP: not JSON ('utf-8' codec can't decode byte 0xff in position 0: invalid start byte)"),
        (b"{}", "$.system-security-plan: missing"),
        (
            b'{"system-security-plan": {"control-implementation": {}}}',
            "$.system-security-plan.control-implementation.implemented-requirements: missing",
        ),
        (
            ssp({"by-components": []}),
            "$.system-security-plan.control-implementation.implemented-requirements[0].control-id: missing",
        ),
        (
            ssp(requirement("!!", {})),
            "$.system-security-plan.control-implementation.implemented-requirements[0].control-id: malformed control id '!!'",
        ),
        (
            ssp(requirement("AC-1", {}), requirement("AC-1", {})),
            "$.system-security-plan.control-implementation.implemented-requirements[1].control-id: duplicate control 'AC-1' (also at implemented-requirements[0])",
        ),
        (
            ssp({"control-id": "AC-1"}),
            "$.system-security-plan.control-implementation.implemented-requirements: no control with an export",
        ),
    ],
)
def test_oscal_errors_name_the_json_path(data, error):
    with pytest.raises(ImportRefused) as caught:
        import_ssp(data, OPTIONS)
    assert caught.value.errors == [error]


# Round trips through our own exporters ----------------------------------------------------------


@pytest.fixture
def yb11(db):
    return load_fixture("yugabytedb-managed-1.1")


def expected_owners(deployment) -> dict:
    return {o.control.control_id: o for o in deployment.ownerships.select_related("control")}


def test_caiq_round_trip_keeps_every_owner(yb11):
    saw_infrastructure_partner = False
    for deployment in yb11.deployments.all():
        model, notes = import_caiq(caiq_workbook(yb11, deployment), OPTIONS)
        validate(model)
        got = {cid: c["owners"]["acme-database"] for cid, c in controls(model).items()}
        want = {cid: o.owner for cid, o in expected_owners(deployment).items()}
        assert got == want, deployment.key
        partnered = [
            cid
            for cid, o in expected_owners(deployment).items()
            if o.owner == "shared" and o.partner == "infrastructure"
        ]
        for cid in partnered:  # comes back shared with the provider, and the command says so
            assert "partners" not in controls(model)[cid]
            shared_note = next(n for n in notes if n.startswith("shared with the provider: "))
            assert cid in shared_note
            assert shared_note.endswith(
                "(CAIQ has no value for a part the infrastructure holds; set partners: infrastructure where it does)"
            )
            saw_infrastructure_partner = True
    assert saw_infrastructure_partner


def test_oscal_round_trip_keeps_owner_partner_and_parts(yb11):
    catalog = dump(catalog_document(yb11))
    for deployment in yb11.deployments.all():
        document = provider_ssp(yb11, deployment, applicable_ownerships([deployment.pk]))
        model, _notes = import_ssp(dump(document), OPTIONS, catalog)
        validate(model)
        got = controls(model)
        asked = {cid: o for cid, o in expected_owners(deployment).items() if o.owner != "none"}
        assert set(got) == set(asked)
        published = {r["control-id"].lstrip("_"): r["by-components"][0]["export"] for r in requirements(document)}
        for cid, o in asked.items():
            control, key = got[cid], "acme-database"
            assert control["owners"] == {key: o.owner}, cid
            assert control["title"] == o.control.title
            assert control["statement"] == o.control.statement.strip()
            assert control["severity"] == o.control.severity
            export = published[cid]
            if o.owner == "shared":
                assert control.get("partners", {}).get(key, "provider") == (o.partner or "provider"), cid
                assert control["customer_part"] == joined(o.control.customer_part, o.customer_part).strip()
                partner = joined(o.control.provider_part, o.partner_part).strip()
                assert control.get("provider_part", "") == partner, cid
            else:  # the whole holder's published text is its part, or the guidance when it is that
                text = (export.get("provided") or export.get("responsibilities"))[0]["description"]
                part = "provider_part" if o.owner != "customer" else "customer_part"
                assert control.get(part, control["guidance"]) == text, cid


def requirements(document: dict) -> list[dict]:
    return document["system-security-plan"]["control-implementation"]["implemented-requirements"]


def write_and_check(tmp_path, source: bytes, suffix: str, *args) -> tuple[str, str]:
    path = tmp_path / f"matrix{suffix}"
    path.write_bytes(source)
    out = tmp_path / "model.yaml"
    stdout = io.StringIO()
    call_command("import_model", str(path), *args, "--out", str(out), stdout=stdout)
    loaded = io.StringIO()
    call_command("load_model", str(out), "--dry-run", stdout=loaded)
    parse(out.read_text())
    return stdout.getvalue(), loaded.getvalue()


def test_command_writes_a_caiq_model_that_load_model_accepts(db, tmp_path):
    source = workbook(
        [row("A&A-01.1", "Shared CSP and CSC", csc="You review."), row("IAM-01.1", question="Is MFA on?")]
    )
    said, loaded = write_and_check(
        tmp_path, source, ".xlsx", "--format", "caiq", "--slug", "acme", "--version", "1.0", "--provider", "Acme"
    )
    out = tmp_path / "model.yaml"
    assert said.startswith(f"Wrote {out}: mapped 2 questions to 2 controls in 2 areas: 1 shared, 1 provider.\n")
    assert "  AA-01: id changed from A&A-01 (only capitals, digits and hyphens)\n" in said
    assert "  IAM-01.1: asked as a yes/no question: reword as a statement\n" in said
    assert said.endswith(f"Review it, then: manage.py load_model {out} --dry-run\n")
    assert "acme" in loaded
    assert "parties:\n  customer: Customer\n  provider: Acme\n" in out.read_text()


def test_command_writes_an_oscal_model_that_load_model_accepts(yb11, tmp_path):
    deployment = yb11.deployments.get(key="managed")
    document = dump(provider_ssp(yb11, deployment, applicable_ownerships([deployment.pk])))
    catalog = tmp_path / "catalog.json"
    catalog.write_bytes(dump(catalog_document(yb11)))
    said, _loaded = write_and_check(
        tmp_path,
        document,
        ".json",
        "--format",
        "oscal-ssp",
        "--slug",
        "yb-import",
        "--version",
        "1.0",
        "--catalog",
        str(catalog),
        "--deployment-name",
        "Managed",
    )
    assert "mapped" in said
    assert parse((tmp_path / "model.yaml").read_text()).deployments[0].name == "Managed"


def run(tmp_path, source: bytes, *args):
    path = tmp_path / "matrix.bin"
    path.write_bytes(source)
    call_command("import_model", str(path), *args, "--out", str(tmp_path / "out.yaml"), stdout=io.StringIO())


def test_command_errors_are_messages_and_write_nothing(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        run(tmp_path, b"not a workbook", "--format", "caiq", "--slug", "x", "--version", "1")
    assert str(caught.value) == (
        f"{tmp_path / 'matrix.bin'}: 1 error; nothing was written:\n"
        "  not an xlsx workbook (an .xlsx file is a zip archive; save the file as .xlsx)"
    )
    with pytest.raises(CommandError) as caught:
        run(tmp_path, workbook([row("IAM-01.1")]), "--format", "caiq", "--slug", "Bad Slug", "--version", "1")
    assert "slug" in str(caught.value) and "nothing was written" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        run(tmp_path, b"PK\x03\x04" + b"\0" * common.MAX_BYTES, "--format", "caiq", "--slug", "x", "--version", "1")
    assert str(caught.value) == f"{tmp_path / 'matrix.bin'}: the file is over 20 MB; nothing was written"
    assert not (tmp_path / "out.yaml").exists()


def test_command_never_overwrites(db, tmp_path):
    (tmp_path / "out.yaml").write_text("mine")
    with pytest.raises(CommandError) as caught:
        run(tmp_path, workbook([row("IAM-01.1")]), "--format", "caiq", "--slug", "x", "--version", "1")
    assert (
        str(caught.value)
        == f"{tmp_path / 'out.yaml'}: exists; nothing was written (choose another --out, or remove it)"
    )
    assert (tmp_path / "out.yaml").read_text() == "mine"
