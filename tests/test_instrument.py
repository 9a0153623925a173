"""The questionnaire as an instrument, on the shipped YugabyteDB Managed 1.1 model: blind answering with
reveals, first answers, the understanding score, skip logic, partners and per-deployment guidance."""

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pypdf import PdfReader

from assessment.models import Answer, Assessment, ResponsibilityModel
from assessment.reports import render
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.conftest import answer, fixture_spec, load_fixture

MODEL = "yugabytedb-managed-1.1"


@pytest.fixture
def yb11(db):
    return load_fixture(MODEL)


def start(user, model, deployment="managed", mode="blind"):
    return assessment_start(
        user=user, model=model, deployment=model.deployments.get(key=deployment), title="Prod", mode=mode
    )


@pytest.fixture
def blind(user, yb11):
    return start(user, yb11)


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def page(client, assessment, area):
    response = client.get(f"/assessments/{assessment.pk}/areas/{area}/")
    assert response.status_code == 200
    return response.content.decode()


def owner_texts(assessment) -> list[str]:
    """Everything on an area page that would give a control's owner away."""
    model = assessment.model
    texts = ["Under YugabyteDB Managed", "this is yours", "handles this", "Your part", "owner-dot", "Shared with"]
    for o in assessment.deployment.ownerships.select_related("control"):
        texts += [t for t in (o.guidance, o.customer_part, o.partner_part) if t]
        texts += [t for t in (o.control.guidance, o.control.customer_part, o.control.provider_part) if t]
    return [t for t in texts if t] + [f"{model.provider_name}’s part"]


# Blind mode


def test_blind_area_pages_show_no_owner_before_answering(logged_in, blind):
    for area in blind.model.areas.all():
        html = page(logged_in, blind, area.key)
        leaks = [t for t in owner_texts(blind) if t in html]
        assert leaks == [], (area.key, leaks[:3])


def test_answering_reveals_the_owner_and_the_meaning_right_there(logged_in, blind):
    response = logged_in.post(
        f"/assessments/{blind.pk}/answers/BCK-SCHED/", {"claim": "provider", "notes": "", "version": 0}
    )
    reveal = response.json()["reveal"]
    assert "Under YugabyteDB Managed, this is shared: you and Yugabyte each hold a part." in reveal
    assert "You said someone else does it: this is a misattributed control." in reveal
    assert "Yugabyte holds only its own part; yours is still open." in reveal
    html = page(logged_in, blind, "backups")
    section = html[html.index('id="c-BCK-SCHED"') : html.index('id="c-BCK-RPO"')]
    assert "Under YugabyteDB Managed, this is shared" in section
    # Controls still unanswered on the same page stay blind.
    rest = html[html.index('id="c-BCK-RPO"') :]
    assert "Under YugabyteDB Managed" not in rest


def test_first_answer_is_kept_and_never_changes(logged_in, blind, user):
    answer(blind, user, "NET-ALLOW", "provider")
    answer(blind, user, "NET-ALLOW", "implemented", notes="after the reveal")
    logged_in.post(f"/assessments/{blind.pk}/areas/network/", {"NET-ALLOW-claim": "partial", "NET-ALLOW-version": "2"})
    stored = Answer.objects.get(assessment=blind, control__control_id="NET-ALLOW")
    assert (stored.claim, stored.first_answer, stored.version) == ("partial", "provider", 3)


def test_guided_mode_records_no_first_answer_and_has_no_understanding(logged_in, user, yb11):
    guided = start(user, yb11, mode="guided")
    answer(guided, user, "NET-ALLOW", "provider")
    assert Answer.objects.get(assessment=guided).first_answer == ""
    data = logged_in.get(f"/assessments/{guided.pk}/export.json").json()
    assert (data["assessment"]["mode"], data["score"]["understanding"]) == ("guided", None)
    html = page(logged_in, guided, "network")
    assert "Check this answer: it names another owner than the model does." in html
    assert "Under YugabyteDB Managed, this is yours." in html


def test_guided_mode_folds_provider_controls_into_one_acknowledgement(logged_in, user, yb11):
    guided = start(user, yb11, mode="guided")
    html = page(logged_in, guided, "operations")
    provider_controls = [
        o.control.control_id
        for o in guided.deployment.ownerships.filter(control__area__key="operations", owner="provider").select_related(
            "control"
        )
    ]
    assert f"Yugabyte handles these {len(provider_controls)} under YugabyteDB Managed" in html
    response = logged_in.post(f"/assessments/{guided.pk}/areas/operations/", {"acknowledge": "provider"})
    assert response.status_code == 302
    claims = dict(Answer.objects.filter(assessment=guided).values_list("control__control_id", "claim"))
    assert claims == dict.fromkeys(provider_controls, "provider")


def test_blind_mode_never_groups_by_owner(logged_in, blind):
    assert "handles these" not in page(logged_in, blind, "operations")


# The understanding score, against an independent reading of DESIGN section 4


def independent_understanding(export: dict) -> int | None:
    judged = []
    for row in export["controls"]:
        first = row["first_answer"]
        if first is None or first == "not_applicable":
            continue
        if row["owner"] in ("customer", "shared"):
            judged.append(first in ("implemented", "partial", "not_implemented"))
        else:
            judged.append(first == "provider")
    if not judged:
        return None
    return int((Decimal(sum(judged)) * 100 / len(judged)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_export_understanding_equals_an_independent_computation(logged_in, blind, user):
    first = {
        "NET-ALLOW": "implemented",  # customer: right
        "ENC-NODE-TLS": "implemented",  # provider: wrong
        "ENC-REST": "provider",  # provider: right
        "BCK-SCHED": "unknown",  # shared: never right
        "AUTHN-SSO": "not_applicable",  # not counted
        "OPS-PHYS": "provider",  # infrastructure: right
    }
    for cid, claim in first.items():
        answer(blind, user, cid, claim, justification="No SSO" if claim == "not_applicable" else "")
    answer(blind, user, "ENC-NODE-TLS", "provider")  # corrected after the reveal: the first answer stays
    data = logged_in.get(f"/assessments/{blind.pk}/export.json").json()
    rows = {row["id"]: row for row in data["controls"]}
    assert {cid: rows[cid]["first_answer"] for cid in first} == first
    assert data["score"]["understanding"] == independent_understanding(data) == 60
    results = logged_in.get(f"/assessments/{blind.pk}/results/").content.decode()
    assert "Before seeing the model, the team named the right owner for 3 of 5 controls (60%)." in results


# Skip logic


def test_unmet_condition_leaves_the_control_out_of_export_and_scores(logged_in, blind, user):
    answer(blind, user, "ENC-CMK", "not_implemented")
    answer(blind, user, "ENC-CMK-LIFE", "not_implemented")  # answered earlier: kept, but not asked now
    data = logged_in.get(f"/assessments/{blind.pk}/export.json").json()
    ids = [row["id"] for row in data["controls"]]
    assert "ENC-CMK-LIFE" not in ids and "ENC-KMS-CRED" not in ids
    without = data["score"]["areas"]["encryption"]
    answer(blind, user, "ENC-CMK", "implemented")
    data = logged_in.get(f"/assessments/{blind.pk}/export.json").json()
    ids = [row["id"] for row in data["controls"]]
    assert "ENC-CMK-LIFE" in ids and "ENC-KMS-CRED" in ids
    assert data["score"]["areas"]["encryption"] != without
    assert Answer.objects.filter(assessment=blind, control__control_id="ENC-CMK-LIFE").exists()


def test_area_page_renders_dependents_hidden_until_their_premise_fits(logged_in, blind, user):
    html = page(logged_in, blind, "encryption")
    tag = re.search(r'<section [^>]*id="c-ENC-CMK-LIFE"[^>]*>', html).group()
    assert 'data-condition-control="ENC-CMK"' in tag and 'data-condition-answers="implemented partial"' in tag
    assert tag.endswith(" hidden>")
    answer(blind, user, "ENC-CMK", "partial")
    tag = re.search(r'<section [^>]*id="c-ENC-CMK-LIFE"[^>]*>', page(logged_in, blind, "encryption")).group()
    assert not tag.endswith(" hidden>")


def test_no_js_premise_change_stays_on_the_page_to_show_the_new_controls(logged_in, blind):
    url = f"/assessments/{blind.pk}/areas/encryption/"
    response = logged_in.post(url, {"ENC-CMK-claim": "implemented", "ENC-CMK-version": "0"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Your answers changed which controls are asked." in response.content.decode()


def test_submit_does_not_wait_for_controls_not_asked(blind, user):
    from assessment.services.workflow import assessment_submit

    answer(blind, user, "ENC-CMK", "not_implemented")  # so ENC-CMK-LIFE and ENC-KMS-CRED are not asked
    while unanswered := assessment_state(blind).unanswered:  # an answer may bring dependents in
        for item in unanswered:
            answer(blind, user, item.control.control_id, "implemented")
    assessment_submit(assessment=blind, actor=user)
    blind.refresh_from_db()
    assert blind.status == Assessment.Status.SUBMITTED


# Partners and per-deployment texts


def test_shared_controls_on_iaas_name_the_cloud_everywhere(logged_in, user, yb11):
    iaas = start(user, yb11, deployment="iaas", mode="guided")
    shared = [o.control.control_id for o in iaas.deployment.ownerships.filter(owner="shared").select_related("control")]
    assert set(shared) >= {"ENC-REST", "NET-ISOLATE", "NET-DDOS", "AUTHZ-PROVIDER", "BCK-PROTECT", "BCK-DR"}
    rows = {r["id"]: r for r in logged_in.get(f"/assessments/{iaas.pk}/export.json").json()["controls"]}
    assert {cid: rows[cid]["partner"] for cid in shared} == dict.fromkeys(shared, "infrastructure")
    html = page(logged_in, iaas, "encryption")
    assert "Under IaaS, this is shared: you and Cloud provider each hold a part." in html
    assert not re.search(r"Yugabyte(?!DB)", html[html.index('id="c-ENC-REST"') : html.index('id="c-ENC-CMK"')])
    matrix = logged_in.get("/models/yugabytedb-managed/1.1/").content.decode()
    assert "Shared with Cloud provider" in matrix
    state = assessment_state(Assessment.objects.select_related("model", "deployment", "organization").get(pk=iaas.pk))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render.render_pdf(state).pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Shared with Cloud provider" in text
    assert "Shared with Yugabyte" not in text
    # Yugabyte holds nothing in a self-managed deployment: the report's matrix has no column for it.
    from assessment.reports.context import matrix_parties, parties_in_play

    assert [p.name for p in parties_in_play(state, matrix_parties(yb11))] == ["Customer", "Cloud provider"]
    managed = assessment_state(start(user, yb11))
    assert [p.name for p in parties_in_play(managed, matrix_parties(yb11))] == [
        "Customer",
        "Yugabyte",
        "Cloud provider",
    ]


def test_managed_customers_never_read_self_managed_guidance(logged_in, user, yb11):
    managed = start(user, yb11, mode="guided")
    for area in yb11.areas.all():
        html = page(logged_in, managed, area.key)
        assert "YugabyteDB Anywhere" not in html, area.key
        assert "yb-tserver" not in html, area.key


def test_pdf_lists_controls_not_asked_with_the_reason(user, yb11):
    blind = start(user, yb11)
    answer(blind, user, "ENC-CMK", "not_implemented")
    state = assessment_state(Assessment.objects.select_related("model", "deployment", "organization").get(pk=blind.pk))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render.render_pdf(state).pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "ENC-CMK-LIFE" in text
    assert "Not asked because ENC-CMK (Customer-managed encryption key) was answered “Nobody does yet”" in text
    assert "How answered Answer first, then see the model" in text


# The shipped content


@pytest.mark.parametrize("name", ["yugabytedb-managed-1.1", "cloud-division-of-responsibility-1.1"])
def test_shipped_statements_state_a_practice(name):
    questions = [c.id for c in fixture_spec(name).controls if c.statement.rstrip().endswith("?")]
    assert questions == []


@pytest.mark.parametrize("name", ["yugabytedb-managed-1.1", "cloud-division-of-responsibility-1.1"])
def test_shipped_conditions_name_controls_asked_wherever_the_dependent_is(name):
    spec = fixture_spec(name)
    by_id = {c.id: dict(c.owners) for c in spec.controls}
    for c in spec.controls:
        if c.condition:
            for deployment, owner in c.owners:
                if owner != "none":
                    assert by_id[c.condition.control][deployment] != "none", (c.id, deployment)


def test_new_assessments_start_on_the_newest_version(logged_in, db):
    load_fixture("yugabytedb-managed")
    load_fixture(MODEL)
    html = logged_in.get("/assessments/new/").content.decode()
    assert "YugabyteDB Managed 1.1" in html and "YugabyteDB Managed 1.0" not in html
    assert ResponsibilityModel.objects.current().get(slug="yugabytedb-managed").version == "1.1"


def test_a_published_version_stored_with_an_older_hash_still_loads(db):
    old = load_fixture("yugabytedb-managed")
    ResponsibilityModel.objects.filter(pk=old.pk).update(content_hash="0" * 64)  # as an older release hashed it
    assert load_fixture("yugabytedb-managed") == old
    old.refresh_from_db()
    assert old.content_hash == fixture_spec("yugabytedb-managed").content_hash


def test_saving_an_area_with_nothing_asked_moves_on(logged_in, user):
    from assessment.modelfile import validate
    from assessment.services.catalog import model_load
    from tests.test_modelfile import control, tiny

    data = tiny()
    for c in data["areas"][0]["controls"]:
        c["owners"]["on-premises"] = "none"
    data["areas"][0]["controls"][0]["customer_part"] = "Keep the allow list tight."
    data["areas"].append({"key": "later", "title": "Later", "controls": [dict(control(tiny(), 1), id="LATER-1")]})
    model = model_load(spec=validate(data), publish=True).model
    onprem = start(user, model, deployment="on-premises")
    response = logged_in.post(f"/assessments/{onprem.pk}/areas/network/", {})
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{onprem.pk}/areas/later/"


def test_reviewer_sees_the_mode_and_the_understanding(client, blind, user):
    from assessment.services.workflow import assessment_submit
    from tests.conftest import make_reviewer

    answer(blind, user, "ENC-CMK", "not_implemented")
    while unanswered := assessment_state(blind).unanswered:
        for item in unanswered:
            answer(blind, user, item.control.control_id, "implemented")
    assessment_submit(assessment=blind, actor=user)
    client.force_login(make_reviewer())
    html = client.get(f"/admin/assessment/assessment/{blind.pk}/change/").content.decode()
    understanding = assessment_state(blind).evaluation.understanding
    assert f"Answer first, then see the model · understanding {understanding}%" in html
