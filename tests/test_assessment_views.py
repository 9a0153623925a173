"""The customer's pages: dashboard, start, walk-through with autosave, review, submit, results, export."""

import json
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Answer, Assessment, AuditEvent
from assessment.services.workflow import assessment_submit
from tests.conftest import answer, answer_all


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def url(assessment, tail=""):
    return f"/assessments/{assessment.pk}/{tail}"


# Dashboard and start


def test_dashboard_empty_state(logged_in):
    html = logged_in.get("/assessments/").content.decode()
    assert "No assessments yet" in html
    assert "Start your first assessment" in html


def test_dashboard_lists_progress_and_score(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    html = logged_in.get("/assessments/").content.decode()
    assert "Prod cluster" in html
    assert "1 / 45" in html
    overall = logged_in.get(url(assessment, "export.json")).json()["score"]["overall"]
    assert f'<td data-label="Score">{overall}%</td>' in html


def test_dashboard_queries_do_not_grow_with_assessments(logged_in, assessment, user, yb_model, managed):
    from assessment.services.assessments import assessment_start

    with CaptureQueriesContext(connection) as one:
        logged_in.get("/assessments/")
    for i in range(5):
        answer(
            assessment_start(user=user, model=yb_model, deployment=managed, title=f"A{i}"), user, "NET-ALLOW", "partial"
        )
    with CaptureQueriesContext(connection) as six:
        logged_in.get("/assessments/")
    assert len(six) == len(one)


def test_start_assessment_creates_a_draft_and_opens_the_first_area(logged_in, yb_model, managed):
    response = logged_in.post(
        "/assessments/new/", {"title": "Payments", "scope": "prod", "model": yb_model.pk, "deployment": managed.pk}
    )
    created = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{created.pk}/areas/encryption/"
    assert (created.status, created.deployment, created.scope) == ("draft", managed, "prod")


def test_start_refuses_a_deployment_of_another_model(logged_in, yb_model, cloud_model):
    paas = cloud_model.deployments.get(key="paas")
    response = logged_in.post("/assessments/new/", {"title": "X", "model": yb_model.pk, "deployment": paas.pk})
    assert "“PaaS” belongs to Generic cloud division of responsibility 1.0, not YugabyteDB Managed 1.0" in (
        response.content.decode()
    )
    assert Assessment.objects.count() == 0


def test_start_requires_a_title(logged_in, yb_model, managed):
    response = logged_in.post("/assessments/new/", {"title": "", "model": yb_model.pk, "deployment": managed.pk})
    assert "Give the assessment a title" in response.content.decode()
    assert Assessment.objects.count() == 0


# The walk-through


def test_area_page_shows_only_controls_asked_under_the_deployment(logged_in, user, yb_model):
    from assessment.services.assessments import assessment_start

    onprem = assessment_start(
        user=user, model=yb_model, deployment=yb_model.deployments.get(key="on-premises"), title="DC"
    )
    html = logged_in.get(url(onprem, "areas/authentication/")).content.decode()
    assert 'data-control="AUTHN-SSO"' in html
    assert 'data-control="AUTHN-SOCIAL"' not in html  # owner none on-premises


def test_guided_area_page_says_what_the_model_says(logged_in, assessment, yb_model):
    Assessment.objects.filter(pk=assessment.pk).update(mode="guided")
    html = logged_in.get(url(assessment, "areas/operations/")).content.decode()
    assert "Under YugabyteDB Managed, Yugabyte handles this." in html
    html = logged_in.get(url(assessment, "areas/network/")).content.decode()
    assert "Under YugabyteDB Managed, this is yours." in html
    backups = logged_in.get(url(assessment, "areas/backups/")).content.decode()
    sched = yb_model.controls.get(control_id="BCK-SCHED")
    assert f"<strong>Your part:</strong> {sched.customer_part}" in backups


def test_area_page_labels_every_radio(logged_in, assessment):
    html = logged_in.get(url(assessment, "areas/network/")).content.decode()
    assert '<label class="form-check-label" for="id_NET-ALLOW-claim_0">We do, fully</label>' in html
    assert "<legend" in html


def test_unknown_area_is_404(logged_in, assessment):
    assert logged_in.get(url(assessment, "areas/nope/")).status_code == 404


def test_save_and_continue_saves_the_page_and_moves_on(logged_in, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(mode="guided")
    response = logged_in.post(
        url(assessment, "areas/network/"),
        {"NET-ALLOW-claim": "implemented", "NET-ALLOW-notes": "app subnet only", "NET-ALLOW-version": "0"},
    )
    assert response["Location"] == url(assessment, "areas/authentication/")
    assert Answer.objects.get().notes == "app subnet only"


def test_blind_page_save_stays_to_show_the_reveal_then_moves_on(logged_in, assessment):
    page = url(assessment, "areas/network/")
    response = logged_in.post(page, {"NET-ALLOW-claim": "provider", "NET-ALLOW-version": "0"}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    assert "Network exposure: answers saved. The model&#x27;s owner is now shown for what you answered." in html
    assert "You said someone else does it: this is a misattributed control." in html
    # Nothing new to show: on to the next area.
    response = logged_in.post(page, {"NET-ALLOW-claim": "provider", "NET-ALLOW-version": "1"})
    assert response["Location"] == url(assessment, "areas/authentication/")


def test_last_area_leads_to_review(logged_in, assessment):
    response = logged_in.post(url(assessment, "areas/operations/"), {})
    assert response["Location"] == url(assessment, "review/")


def test_page_save_with_an_error_saves_nothing_and_keeps_what_was_typed(logged_in, assessment):
    response = logged_in.post(
        url(assessment, "areas/network/"),
        {
            "NET-ALLOW-claim": "implemented",
            "NET-ALLOW-version": "0",
            "NET-PRIVATE-claim": "not_applicable",
            "NET-PRIVATE-notes": "my careful notes",
            "NET-PRIVATE-version": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "None of the changes on this page were saved." in html
    assert "Explain why this control does not apply to you." in html
    assert "my careful notes" in html
    assert Answer.objects.count() == 0


def test_notes_without_an_answer_are_not_silently_dropped(logged_in, assessment):
    response = logged_in.post(
        url(assessment, "areas/network/"), {"NET-ALLOW-notes": "thoughts", "NET-ALLOW-version": "0"}
    )
    assert "Choose an answer so your notes can be saved." in response.content.decode()
    assert Answer.objects.count() == 0


def test_page_save_reports_a_conflict_with_the_current_value(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "partial", notes="theirs")
    response = logged_in.post(
        url(assessment, "areas/network/"), {"NET-ALLOW-claim": "implemented", "NET-ALLOW-version": "0"}
    )
    html = response.content.decode()
    assert "changed this answer while you were editing" in html
    assert "Current answer: “We do, partly”; notes: “theirs”." in html
    assert Answer.objects.get().claim == "partial"


# Autosave endpoint


def autosave(client, assessment, control_id, **data):
    return client.post(url(assessment, f"answers/{control_id}/"), {"version": 0, **data})


def test_autosave_saves_and_returns_the_new_version(logged_in, assessment):
    response = autosave(logged_in, assessment, "NET-ALLOW", claim="implemented", notes="n")
    assert response.status_code == 200
    data = response.json()
    assert (data["ok"], data["version"]) == (True, 1)
    assert "Under YugabyteDB Managed, this is yours." in data["reveal"]
    assert "You said you do it fully: this control is met." in data["reveal"]
    assert Answer.objects.get().claim == "implemented"


def test_autosave_refuses_missing_justification_with_field_message(logged_in, assessment):
    response = autosave(logged_in, assessment, "NET-ALLOW", claim="not_applicable")
    assert response.status_code == 400
    assert response.json()["errors"] == {"justification": ["Explain why this control does not apply to you."]}
    assert Answer.objects.count() == 0


def test_autosave_refuses_long_notes(logged_in, assessment):
    response = autosave(logged_in, assessment, "NET-ALLOW", claim="implemented", notes="y" * 5001)
    assert response.json()["errors"] == {"notes": ["Notes can be at most 5,000 characters (you have 5,001)."]}


def test_autosave_conflict_returns_409_with_current_value(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "partial", notes="theirs")
    response = autosave(logged_in, assessment, "NET-ALLOW", claim="implemented")
    body = response.json()
    assert response.status_code == 409
    assert body["conflict"] is True
    assert body["current"] == {"claim": "partial", "notes": "theirs", "justification": "", "version": 1}
    assert Answer.objects.get().claim == "partial"


def test_autosave_with_an_expired_session_says_so(client, assessment):
    response = autosave(client, assessment, "NET-ALLOW", claim="implemented")
    assert response.status_code == 401
    assert response.json()["message"] == "Your session has expired. Log in again in another tab, then retry."
    assert Answer.objects.count() == 0


def test_autosave_on_a_submitted_assessment_is_refused(logged_in, assessment, user):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    response = autosave(logged_in, assessment, "NET-ALLOW", claim="partial", version=1)
    assert response.status_code == 403
    assert response.json()["message"] == "This assessment is submitted; its answers can't be changed now."
    assert Answer.objects.get(control__control_id="NET-ALLOW").claim == "implemented"


def test_autosave_unknown_control_is_404(logged_in, assessment):
    assert autosave(logged_in, assessment, "NOPE", claim="implemented").status_code == 404


def test_autosave_keeps_csrf(assessment, user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert autosave(client, assessment, "NET-ALLOW", claim="implemented").status_code == 403
    assert Answer.objects.count() == 0


def test_area_page_and_autosave_queries_do_not_grow_with_controls(logged_in, assessment):
    # "operations" and "network" hold different numbers of controls.
    logged_in.get(url(assessment, "areas/encryption/"))  # the published model's parts are memoized from now on
    counts = {}
    for area in ("network", "operations", "logging"):
        with CaptureQueriesContext(connection) as ctx:
            logged_in.get(url(assessment, f"areas/{area}/"))
        counts[area] = len(ctx)
    assert len(set(counts.values())) == 1, counts
    saves = []
    for control_id in ("NET-ALLOW", "OPS-DBPATCH"):
        with CaptureQueriesContext(connection) as ctx:
            autosave(logged_in, assessment, control_id, claim="implemented")
        saves.append(len(ctx))
    assert saves[0] == saves[1]


# Review, submit, results


def test_review_lists_unanswered_controls_with_links(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    html = logged_in.get(url(assessment, "review/")).content.decode()
    assert "44 controls still need an answer</strong> before you can submit" in html
    assert f'href="/assessments/{assessment.pk}/areas/encryption/#c-ENC-TLS-VERIFY"' in html


def test_submit_refuses_while_controls_are_unanswered(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    response = logged_in.post(url(assessment, "submit/"), {"declare": "on", "confirm": "on"}, follow=True)
    assert "Answer every control before submitting: 44 still unanswered" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_submit_locks_the_answers(logged_in, assessment, user):
    answer_all(assessment, user)
    response = logged_in.post(url(assessment, "submit/"), {"declare": "on", "confirm": "on"})
    assert response["Location"] == url(assessment, "results/")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.submitted_at is not None
    page = logged_in.get(url(assessment, "areas/network/")).content.decode()
    assert "its answers are read-only" in page
    assert '<fieldset class="mb-2" disabled>' in page
    assert logged_in.post(url(assessment, "areas/network/"), {"NET-ALLOW-claim": "partial"}).status_code == 403
    assert AuditEvent.objects.filter(kind="transition").count() == 1


def test_results_preview_for_drafts(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider")
    html = logged_in.get(url(assessment, "results/")).content.decode()
    assert "<strong>Preview.</strong>" in html
    assert "You rely on someone else for 1 control that is yours" in html
    assert 'id="gap-NET-ALLOW"' in html


def test_results_orders_gaps_by_risk_then_severity_and_lists_informational(logged_in, assessment, user):
    answer(assessment, user, "NET-REVIEW", "not_implemented")  # medium
    answer(assessment, user, "NET-ALLOW", "partial")  # critical, partial -> high
    answer(assessment, user, "OPS-OSPATCH", "provider")  # provider-owned -> inherited
    html = logged_in.get(url(assessment, "results/")).content.decode()
    assert html.index('id="gap-NET-ALLOW"') < html.index('id="gap-NET-REVIEW"')
    assert "Inherited: you rely on Yugabyte, as the model says." in html


# JSON export, checked against an independent reading of DESIGN.md section 4

OUTCOME = {
    ("customer", "implemented"): "met",
    ("customer", "partial"): "partial",
    ("customer", "provider"): "misattributed",
    ("customer", "not_implemented"): "unmet",
    ("customer", "unknown"): "unknown",
    ("customer", "not_applicable"): "not_applicable",
    ("provider", "implemented"): "overlap",
    ("provider", "partial"): "overlap",
    ("provider", "provider"): "inherited",
    ("provider", "not_implemented"): "awareness",
    ("provider", "unknown"): "awareness",
    ("provider", "not_applicable"): "not_applicable",
}
LOWER = {"critical": "high", "high": "medium", "medium": "low", "low": "low"}
WEIGHT = {"critical": 4, "high": 3, "medium": 2, "low": 1}


def expected(owner, severity, claim):
    row = "customer" if owner in ("customer", "shared") else "provider"
    outcome = OUTCOME[(row, claim)] if claim else "unanswered"
    risk = None
    if outcome in ("unmet", "misattributed", "unknown"):
        risk = severity
    elif outcome == "partial":
        risk = LOWER[severity]
    return outcome, risk


def test_json_export_matches_an_independent_computation(logged_in, assessment, user, managed):
    claims = ["implemented", "partial", "provider", "not_implemented", "unknown", "not_applicable", None]
    controls = [o.control for o in managed.ownerships.exclude(owner="none").select_related("control")]
    for i, control in enumerate(sorted(controls, key=lambda c: c.control_id)):
        claim = claims[i % len(claims)]
        if claim:
            answer(assessment, user, control.control_id, claim, notes=f"n{i}", justification="n/a here")
    data = logged_in.get(url(assessment, "export.json")).json()
    owners = dict(managed.ownerships.values_list("control__control_id", "owner"))
    assert len(data["controls"]) == len([o for o in owners.values() if o != "none"])
    num = den = Decimal(0)
    for row in data["controls"]:
        assert row["owner"] == owners[row["id"]]
        assert (row["outcome"], row["risk"]) == expected(row["owner"], row["severity"], row["answer"])
        if row["owner"] in ("customer", "shared") and row["outcome"] != "not_applicable":
            den += WEIGHT[row["severity"]]
            num += WEIGHT[row["severity"]] * {"met": Decimal(1), "partial": Decimal("0.5")}.get(row["outcome"], 0)
    overall = int((num * 100 / den).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert data["score"]["overall"] == overall
    assert data["assessment"]["model"] == {"slug": "yugabytedb-managed", "version": "1.0"}
    assert data["assessment"]["deployment"] == "managed"
    assert data["assessment"]["organization"] == "Acme Corp"
    assert set(data["score"]["areas"]) == {
        "encryption",
        "network",
        "authentication",
        "authorization",
        "backups",
        "logging",
        "operations",
    }


def test_json_export_nulls(logged_in, assessment):
    data = json.loads(logged_in.get(url(assessment, "export.json")).content)
    first = data["controls"][0]
    assert (first["answer"], first["risk"], first["outcome"]) == (None, None, "unanswered")
    assert data["assessment"]["submitted_at"] is None


# Delete


def test_delete_a_draft_after_confirmation(logged_in, assessment):
    assert "This cannot be undone." in logged_in.get(url(assessment, "delete/")).content.decode()
    response = logged_in.post(url(assessment, "delete/"), follow=True)
    assert "Deleted the draft “Prod cluster”." in response.content.decode()
    assert Assessment.objects.count() == 0


def test_submitted_assessments_cannot_be_deleted(logged_in, assessment, user):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    logged_in.post(url(assessment, "delete/"))
    assert Assessment.objects.count() == 1


def test_activity_lists_changes(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "partial")
    answer(assessment, user, "NET-ALLOW", "implemented")
    html = logged_in.get(url(assessment, "activity/")).content.decode()
    assert html.count("Answer changed") == 1  # two saves in a row by one person: one entry
    assert "2 saves, from" in html
    assert "Created" in html


# Access control: another organization's assessment is a 404 everywhere, and nothing changes.

GETS = ["", "areas/network/", "review/", "results/", "export.json", "delete/", "activity/"]
POSTS = ["areas/network/", "answers/NET-ALLOW/", "submit/", "delete/"]


@pytest.mark.parametrize("tail", GETS)
def test_other_organizations_get_404(client, other_user, assessment, tail):
    client.force_login(other_user)
    assert client.get(url(assessment, tail)).status_code == 404


@pytest.mark.parametrize("tail", POSTS)
def test_other_organizations_post_404_and_nothing_changes(client, other_user, assessment, tail):
    client.force_login(other_user)
    data = {"claim": "implemented", "version": 0, "NET-ALLOW-claim": "implemented", "NET-ALLOW-version": 0}
    assert client.post(url(assessment, tail), data).status_code == 404
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert Answer.objects.count() == 0
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("tail", GETS)
def test_anonymous_users_are_sent_to_login(client, assessment, tail):
    response = client.get(url(assessment, tail))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_urls_use_opaque_ids(assessment):
    assert len(str(assessment.pk)) == 36


def test_activity_shows_labels_not_codes(logged_in, assessment, user):
    answer(assessment, user, "NET-ALLOW", "not_applicable", justification="No network")
    html = logged_in.get(url(assessment, "activity/")).content.decode()
    assert "Does not apply to us" in html
    assert "not_applicable" not in html


def test_signup_asks_for_the_organization_third(client, db):
    html = client.get("/accounts/signup/").content.decode()
    assert html.index('name="name"') < html.index('name="organization"') < html.index('name="password1"')


def test_an_answer_counts_as_the_assessments_last_change(assessment, user):
    before = Assessment.objects.get(pk=assessment.pk).updated_at
    answer(assessment, user, "NET-ALLOW", "implemented")
    assert Assessment.objects.get(pk=assessment.pk).updated_at > before


def test_posting_the_start_form_twice_starts_one_assessment(logged_in, yb_model, managed):
    """A double click, or a retry after the response was lost, must not leave two drafts."""
    import re

    from assessment.models import Assessment, AuditEvent

    form = logged_in.get("/assessments/new/").content.decode()
    pk = re.search(r'name="pk" value="([0-9a-f-]{36})"', form).group(1)
    data = {"title": "Payments", "model": yb_model.pk, "deployment": managed.pk, "pk": pk}
    first, second = logged_in.post("/assessments/new/", data), logged_in.post("/assessments/new/", data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/assessments/{pk}/areas/encryption/"
    assert list(Assessment.objects.values_list("pk", flat=True)) == [uuid.UUID(pk)]
    assert AuditEvent.objects.filter(kind="created").count() == 1


def test_each_start_form_shown_starts_its_own_assessment(logged_in, yb_model, managed):
    import re

    from assessment.models import Assessment

    for title in ("One", "Two"):
        pk = re.search(r'name="pk" value="([^"]+)"', logged_in.get("/assessments/new/").content.decode()).group(1)
        logged_in.post("/assessments/new/", {"title": title, "model": yb_model.pk, "deployment": managed.pk, "pk": pk})
    assert sorted(Assessment.objects.values_list("title", flat=True)) == ["One", "Two"]


def test_another_organizations_form_id_is_refused(client, other_user, assessment, yb_model, managed):
    from assessment.models import Assessment

    client.force_login(other_user)
    data = {"title": "Mine", "model": yb_model.pk, "deployment": managed.pk, "pk": assessment.pk}
    response = client.post("/assessments/new/", data)
    assert response.status_code == 200
    assert "This form was already used. Reload the page to start another assessment." in response.content.decode()
    assert Assessment.objects.get().title == "Prod cluster"
