"""XLSX exports: the assessment workbook (Controls, Summary, Model) and the model in the CAIQ v4 layout.

Workbooks are read back with openpyxl, as a spreadsheet would open them, and compared with export.json.
"""

import io
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment import gap
from assessment.models import ControlReview, Ownership
from assessment.models.assessments import Claim
from assessment.models.catalog import Severity
from assessment.reports.context import OUTCOME_LABELS
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.conftest import answer, answer_all, load_fixture
from tests.test_remediation import update

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTROL_HEADERS = [
    "Area",
    "Control ID",
    "Title",
    "Severity",
    "Statement",
    "Owner",
    "Partner",
    "Answer",
    "First answer",
    "Outcome",
    "Risk",
    "Notes",
    "Justification",
    "Reviewer verdict",
    "Reviewer comment",
    "Remediation owner",
    "Due date",
    "Remediation status",
    "Evidence",
]
CAIQ_HEADERS = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CSC Responsibilities (Optional/Recommended)",
]
# The CAIQ SSRM ownership of each (owner, partner), as issue 15 maps them.
CAIQ_OWNERSHIP = {
    ("provider", ""): "CSP-owned",
    ("customer", ""): "CSC-owned",
    ("shared", "provider"): "Shared CSP and CSC",
    ("infrastructure", ""): "3rd-party outsourced",
    ("shared", "infrastructure"): "Shared CSP and CSC",  # CAIQ has no value of its own for it
    ("none", ""): None,  # an empty cell, with the answer "NA"
}
FORMULAS = {
    "NET-ALLOW": '=HYPERLINK("http://evil.test","click")',
    "NET-PRIVATE": "+1+2",
    "ENC-REST": "-2+3",
    "ENC-TLS-VERIFY": "@SUM(A1:A9)",
    "ENC-NODE-TLS": "#N/A",
}


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def url(assessment, tail="export.xlsx") -> str:
    return f"/assessments/{assessment.pk}/{tail}"


def workbook(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def rows(ws, start=2) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=start, values_only=True)]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def label(choices, value):
    return choices(value).label if value else None


def test_controls_rows_are_the_json_controls_in_words(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider", notes="We thought Yugabyte did this")
    answer(assessment, user, "ENC-CMK", "not_applicable", justification="No customer-managed keys")
    answer(assessment, user, "BCK-RPO", "partial")
    data = logged_in.get(url(assessment, "export.json")).json()
    wb = workbook(logged_in.get(url(assessment)))
    assert wb.sheetnames == ["Controls", "Summary", "Model"]
    ws = wb["Controls"]
    assert [c.value for c in ws[1]] == CONTROL_HEADERS
    model = assessment.model
    areas = dict(model.areas.values_list("key", "title"))
    titles = dict(model.controls.values_list("control_id", "title"))
    got = rows(ws)
    assert len(got) == len(data["controls"]) == 45
    for row, control in zip(got, data["controls"], strict=True):
        assert row[:4] == [
            areas[control["area"]],
            control["id"],
            titles[control["id"]],
            label(Severity, control["severity"]),
        ]
        assert row[5:13] == [
            model.party_name(control["owner"]),
            model.party_name(control["partner"]) if control["partner"] else None,
            label(Claim, control["answer"]),
            label(Claim, control["first_answer"]),
            OUTCOME_LABELS[control["outcome"]],
            label(Severity, control["risk"]),
            control["notes"] or None,
            control["justification"] or None,
        ]
    by_id = {row[1]: row for row in got}
    assert by_id["NET-ALLOW"][7:12] == [
        "Someone else does (provider or cloud)",
        "Someone else does (provider or cloud)",
        "Misattributed",
        "Critical",
        "We thought Yugabyte did this",
    ]
    assert by_id["BCK-RPO"][7] == "We do, partly" and by_id["BCK-RPO"][9] == "Partly met"
    assert by_id["ENC-CMK"][9:13] == ["Not applicable", None, None, "No customer-managed keys"]


def test_evidence_column_lists_files_with_their_hash_and_links_with_their_url(logged_in, assessment, user):
    from assessment.models import Evidence

    cmk = assessment.model.controls.get(control_id="ENC-CMK")
    sha = "cd" * 32
    Evidence.objects.create(
        assessment=assessment,
        control=cmk,
        kind="file",
        name="=policy.pdf",
        file="evidence/x/1",
        size=2048,
        sha256=sha,
        content_type="application/pdf",
        description="Key policy",
        added_by=user,
    )
    Evidence.objects.create(
        assessment=assessment,
        control=cmk,
        kind="link",
        name="https://wiki.example/kms",
        url="https://wiki.example/kms",
        added_by=user,
    )
    got = {row[1]: row[18] for row in rows(workbook(logged_in.get(url(assessment)))["Controls"])}
    assert got["ENC-CMK"] == f"=policy.pdf — Key policy (2.0\xa0KB, SHA-256 {sha})\nhttps://wiki.example/kms"
    assert got["NET-ALLOW"] is None


def test_download_name_and_layout(logged_in, complete):
    response = logged_in.get(url(complete))
    assert re.fullmatch(
        r'attachment; filename="acme-corp-prod-cluster-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"]
    )
    wb = workbook(response)
    for name, last_column in (("Controls", "S"), ("Model", "G")):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{last_column}{ws.max_row}"
        assert ws["A1"].font.b
        assert ws.column_dimensions["A"].width > 10
    controls = wb["Controls"]
    # The statement is 60 characters wide (the file stores Excel's padded unit, 60.71).
    assert 60 <= controls.column_dimensions["E"].width < 61
    assert controls["E2"].alignment.wrap_text


def test_formula_like_text_stays_text(logged_in, assessment, user):
    for control_id, text in FORMULAS.items():
        answer(assessment, user, control_id, "implemented", notes=text)
    response = logged_in.get(url(assessment))
    ws = workbook(response)["Controls"]
    notes = {row[1].value: row[11] for row in ws.iter_rows(min_row=2)}
    for control_id, text in FORMULAS.items():
        assert notes[control_id].value == text
        assert notes[control_id].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert not re.search(r"<f[\s>/]", sheet_xml(response.content))


def test_review_and_remediation_columns_with_a_real_date(logged_in, client, assessment, user, reviewer):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "provider")
    answer(assessment, user, "BCK-RPO", "not_implemented")
    workflow.assessment_submit(assessment=assessment, actor=user)
    workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    net = assessment.model.controls.get(control_id="NET-ALLOW")
    workflow.control_review_save(
        assessment=assessment, control=net, actor=reviewer, verdict="needs_work", comment="Show the allow list"
    )
    due = date.today() + timedelta(days=30)
    update(assessment, net, user, owner=user, due=due.isoformat(), status="in_progress")
    data = logged_in.get(url(assessment, "export.json")).json()
    ws = workbook(logged_in.get(url(assessment)))["Controls"]
    by_id = {row[1].value: row for row in ws.iter_rows(min_row=2)}
    net_row = by_id["NET-ALLOW"]
    assert [c.value for c in net_row[13:16]] == ["Needs work", "Show the allow list", "alice@acme.test"]
    assert net_row[16].is_date and net_row[16].value == datetime.combine(due, datetime.min.time())
    assert net_row[16].number_format == "yyyy-mm-dd"
    assert net_row[17].value == "In progress"
    # A gap nobody has picked up yet is open, without owner or date; a control in place has no item.
    plan = {item["control"]: item for item in data["remediation"]}
    assert plan["BCK-RPO"]["owner"] is None
    assert [c.value for c in by_id["BCK-RPO"][15:18]] == [None, None, "Open"]
    met = next(c["id"] for c in data["controls"] if c["outcome"] == "met")
    assert [c.value for c in by_id[met][13:18]] == [None] * 5
    # A "needs work" that says what is missing is the evidence says so too.
    ControlReview.objects.filter(assessment=assessment, control=net).update(evidence_missing=True)
    ws = workbook(logged_in.get(url(assessment)))["Controls"]
    assert next(r[13].value for r in ws.iter_rows(min_row=2) if r[1].value == "NET-ALLOW") == (
        "Needs work (evidence missing)"
    )


def summary_values(ws) -> dict:
    return {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}


def test_summary_scores_equal_the_export(logged_in, assessment, user):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "provider")
    answer(assessment, user, "BCK-RPO", "not_implemented")
    answer(assessment, user, "AUTHN-PWD", "partial")
    data = logged_in.get(url(assessment, "export.json")).json()
    values = summary_values(workbook(logged_in.get(url(assessment)))["Summary"])
    score = data["score"]
    assert values["Assessment"] == "Prod cluster" and values["Organization"] == "Acme Corp"
    assert values["Overall"] == score["overall"]
    areas = dict(assessment.model.areas.values_list("key", "title"))
    assert score["areas"] and all(values[areas[key]] == value for key, value in score["areas"].items())
    assert values["Understanding (owners named before seeing them)"] == score["understanding"] is not None
    gaps = [c for c in data["controls"] if c["outcome"] in gap.GAP_OUTCOMES]
    for risk in gap.SEVERITIES:
        assert values[Severity(risk).label] == sum(1 for c in gaps if c["risk"] == risk)
    assert values["Total"] == len(gaps) == 3


def test_guided_mode_says_understanding_is_not_measured(logged_in, user, yb_model, managed):
    guided = assessment_start(user=user, model=yb_model, deployment=managed, title="Guided", mode="guided")
    answer(guided, user, "NET-ALLOW", "implemented")
    values = summary_values(workbook(logged_in.get(url(guided)))["Summary"])
    assert values["Mode"] == "Guided: the model is shown while answering"
    assert values["Understanding (owners named before seeing them)"] == (
        "Not measured: guided mode shows the owners while answering."
    )


def test_model_sheet_is_the_responsibility_matrix(logged_in, assessment):
    ws = workbook(logged_in.get(url(assessment)))["Model"]
    model = assessment.model
    deployments = list(model.deployments.order_by("position"))
    assert [c.value for c in ws[1]] == ["Area", "Control ID", "Title", "Severity", *(d.name for d in deployments)]
    owners = {
        (o.control.control_id, o.deployment_id): model.owner_label(o.owner, o.partner)
        for o in Ownership.objects.filter(control__model=model).select_related("control")
    }
    got = rows(ws)
    assert len(got) == model.controls.count() == 45
    assert [r[1] for r in got] == list(
        model.controls.order_by("area__position", "position").values_list("control_id", flat=True)
    )
    for row in got:
        assert row[4:] == [owners[(row[1], d.pk)] for d in deployments]
    assert {"Not applicable", "Shared with Yugabyte", "Customer"} <= {v for r in got for v in r[4:]}


HOSTILE = {
    "NET-ALLOW": "bell\x07and\x0bvertical tab",  # NUL cannot be stored at all (forms refuse it; PostgreSQL too)
    "NET-PRIVATE": "\x1b[31mred\x1b[0m",
    "ENC-REST": "line\u2028separator",
    "ENC-CMK": ("Lorem ipsum dolor sit amet. " * 200)[:5000],
}


def test_hostile_text_never_fails_the_download(logged_in, assessment, user):
    for control_id, text in HOSTILE.items():
        answer(assessment, user, control_id, "partial", notes=text)
    ws = workbook(logged_in.get(url(assessment)))["Controls"]
    notes = {row[1]: row[11] for row in rows(ws)}
    assert notes["NET-ALLOW"] == "bellandvertical tab"
    assert notes["NET-PRIVATE"] == "[31mred[0m"
    assert notes["ENC-REST"] == "line\nseparator"
    assert notes["ENC-CMK"] == HOSTILE["ENC-CMK"] and len(notes["ENC-CMK"]) == 5000


def test_text_xml_cannot_hold_is_dropped_nul_included():
    from assessment.reports.xlsx import clean

    assert clean("nul\x00here\x1b!") == "nulhere!"
    assert clean("a\u2029b") == "a\nb"


def test_access_like_the_other_exports(client, logged_in, other_user, reviewer, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    anonymous = client.__class__().get(url(assessment))
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    client.force_login(other_user)
    assert client.get(url(assessment)).status_code == 404
    client.force_login(reviewer)
    assert client.get(url(assessment)).status_code == 404  # a draft is the organization's own
    answer_all(assessment, user)
    workflow.assessment_submit(assessment=assessment, actor=user)
    assert workbook(client.get(url(assessment)))["Controls"].max_row == 46
    assert client.post(url(assessment)).status_code == 405


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_answers(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    count_queries(logged_in, url(assessment))  # fills the per-process memo of the published model
    few = count_queries(logged_in, url(assessment))
    answer_all(assessment, user, "partial")
    assert count_queries(logged_in, url(assessment)) == few


# The model in the CAIQ v4 layout ----------------------------------------------------------------


def caiq_url(model, deployment=None) -> str:
    tail = f"?deployment={deployment}" if deployment is not None else ""
    return f"/models/{model.slug}/{model.version}/export.xlsx{tail}"


@pytest.fixture
def yb11(db):
    return load_fixture("yugabytedb-managed-1.1")


def caiq_sheet(client, model, deployment):
    response = client.get(caiq_url(model, deployment))
    wb = workbook(response)
    assert len(wb.sheetnames) == 1 and wb.sheetnames[0].startswith("CAIQ")
    return response, wb[wb.sheetnames[0]]


def test_caiq_layout_and_ownership_of_every_kind(client, yb11):
    seen = set()
    for key in ("on-premises", "iaas", "managed"):
        deployment = yb11.deployments.get(key=key)
        response, ws = caiq_sheet(client, yb11, key)  # public, like the model's other exports
        assert response["Content-Disposition"] == f'attachment; filename="yugabytedb-managed-1.1-{key}-caiq.xlsx"'
        assert yb11.title in ws["A1"].value and deployment.name in ws["A1"].value
        assert [c.value for c in ws[2]] == CAIQ_HEADERS
        assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:F{ws.max_row}"
        ownerships = {
            o.control.control_id: o for o in Ownership.objects.filter(deployment=deployment).select_related("control")
        }
        got = rows(ws, start=3)
        assert [r[0] for r in got] == list(
            yb11.controls.order_by("area__position", "position").values_list("control_id", flat=True)
        )
        for question_id, question, caiq_answer, ownership, *_texts in got:
            o = ownerships[question_id]
            kind = (o.owner, o.partner if o.owner == "shared" else "")
            if kind == ("shared", ""):
                kind = ("shared", "provider")  # the default partner
            seen.add(kind)
            assert question == o.control.statement
            assert ownership == CAIQ_OWNERSHIP[kind], question_id
            assert caiq_answer == ("NA" if o.owner == "none" else "Yes")
    assert seen == set(CAIQ_OWNERSHIP)  # the fixture has every kind of owner somewhere


def test_caiq_texts_are_the_parts_of_each_party(client, yb11):
    _response, ws = caiq_sheet(client, yb11, "iaas")
    by_id = {r[0]: r for r in rows(ws, start=3)}
    iaas = {
        o.control.control_id: o
        for o in Ownership.objects.filter(deployment__model=yb11, deployment__key="iaas").select_related("control")
    }
    shared = next(cid for cid, o in iaas.items() if o.owner == "shared")
    o = iaas[shared]
    csp, csc = by_id[shared][4:6]
    assert csc.startswith(o.control.customer_part or o.customer_part)
    assert csp.startswith(o.control.provider_part or o.partner_part)
    none = next(cid for cid, o in iaas.items() if o.owner == "none")
    assert by_id[none][2:] == ["NA", None, None, None]
    customer = next(cid for cid, o in iaas.items() if o.owner == "customer")
    assert by_id[customer][4] is None and by_id[customer][5]  # the customer's guidance: what they do
    assert "3rd-party outsourced" in ws["D1"].value and "Shared CSP and CSC" in ws["D1"].value


@pytest.mark.parametrize("query", [None, "", "nowhere"])
def test_caiq_needs_a_known_deployment(client, yb_model, query):
    response = client.get(caiq_url(yb_model, query))
    assert response.status_code == 400
    body = response.content.decode()
    assert "one of: on-premises, iaas, managed." in body
    if query:
        assert "“nowhere” is not a deployment of this model" in body


def test_caiq_queries_do_not_grow_with_the_controls(client, cloud_model, yb11):
    count_queries(client, caiq_url(cloud_model, "paas"))
    small = count_queries(client, caiq_url(cloud_model, "paas"))  # 10 controls
    assert count_queries(client, caiq_url(yb11, "managed")) == small  # 51 controls


def test_unknown_formats_and_unpublished_models_are_404(client, yb_model):
    assert client.get(f"/models/{yb_model.slug}/{yb_model.version}/export.xls?deployment=managed").status_code == 404
    assert client.get(f"/models/{yb_model.slug}/9.9/export.xlsx?deployment=managed").status_code == 404


# Buttons ----------------------------------------------------------------------------------------


def test_results_page_admin_and_model_page_link_to_the_workbooks(logged_in, client, reviewer, assessment, user):
    answer_all(assessment, user)
    results = logged_in.get(url(assessment, "results/")).content.decode()
    assert f'href="/assessments/{assessment.pk}/export.xlsx">XLSX</a>' in results
    workflow.assessment_submit(assessment=assessment, actor=user)
    client.force_login(reviewer)
    review = client.get(f"/admin/assessment/assessment/{assessment.pk}/change/").content.decode()
    assert re.search(rf'<a href="/assessments/{assessment.pk}/export.xlsx"[^>]*>XLSX</a>', review)
    model = assessment.model
    page = client.get(model.get_absolute_url()).content.decode()
    for d in model.deployments.all():
        link = f'href="/models/{model.slug}/{model.version}/export.xlsx?deployment={d.key}">'
        assert f'{link}<span class="visually-hidden">XLSX (CAIQ layout) for </span>{d.name}</a>' in page
