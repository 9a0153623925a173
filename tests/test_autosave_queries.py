"""Autosave in a fixed, small number of queries, with the same answers and reveals as the page (issue 12)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import cards
from assessment.models import Answer, Assessment, AuditEvent, Ownership
from assessment.selectors.assessments import assessment_state
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.conftest import answer_all, load_fixture

TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


def autosave(client, assessment, control_id, **data):
    return client.post(f"/assessments/{assessment.pk}/answers/{control_id}/", data)


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("claim", ["implemented", "not_implemented"])
def test_a_first_save_and_a_change_cost_seven_statements(logged_in, assessment, claim):
    autosave(logged_in, assessment, "NET-ALLOW", claim="implemented", version=0)  # the process reads the model once
    with CaptureQueriesContext(connection) as first:
        response = autosave(logged_in, assessment, "NET-PRIVATE", claim=claim, notes="VPC only", version=0)
    assert response.status_code == 200
    with CaptureQueriesContext(connection) as second:
        response = autosave(logged_in, assessment, "NET-PRIVATE", claim="partial", notes="VPC only", version=1)
    assert response.json()["version"] == 2
    # session, user with membership, the assessment (scoped and locked), the answer (locked), its write,
    # the revision, the audit event. The control and its owner come from the published version's memo.
    assert len(statements(first.captured_queries)) == 7, statements(first.captured_queries)
    assert len(statements(second.captured_queries)) == 7, statements(second.captured_queries)
    assert len(second.captured_queries) <= 9
    saved = Answer.objects.get(assessment=assessment, control__control_id="NET-PRIVATE")
    assert (saved.claim, saved.notes, saved.version) == ("partial", "VPC only", 2)
    assert AuditEvent.objects.filter(assessment=assessment, kind="answer", control_id="NET-PRIVATE").count() == 2
    assert Assessment.objects.get(pk=assessment.pk).revision == assessment.revision + 3


@pytest.mark.parametrize("mode", ["blind", "guided"])
def test_the_reveal_matches_what_the_page_shows_for_every_control_and_answer(client, user, yb_model, mode):
    """The response's reveal is built from the save alone: it must be the page's, for every owner and claim."""
    draft = assessment_start(
        user=user, model=yb_model, deployment=yb_model.deployments.get(key="managed"), title="Reveal", mode=mode
    )
    client.force_login(user)
    claims = ["implemented", "partial", "provider", "not_implemented", "unknown"]
    for index, item in enumerate(assessment_state(draft).items):
        claim = claims[index % len(claims)]
        response = autosave(client, draft, item.control.control_id, claim=claim, notes="", version=0)
        assert response.status_code == 200, response.content
        state = assessment_state(Assessment.objects.get(pk=draft.pk))
        page_item = state.items_by_id[item.control.control_id]
        expected = cards.reveal_html(page_item, state.assessment)
        assert response.json()["reveal"] == expected, item.control.control_id
        assert expected  # answered, so the owner is shown in either mode


def test_an_outsider_gets_404_whatever_they_send(client, other_user, assessment):
    client.force_login(other_user)
    url = f"/assessments/{assessment.pk}/answers/NET-PRIVATE/"
    assert client.post(url, {"claim": "implemented", "version": 0}).status_code == 404
    assert client.post(url, {"claim": "nonsense"}).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert client.post(url, json.dumps({"claim": "x"}), content_type="application/json").status_code == 404
    assert not Answer.objects.exists()


def test_a_control_of_another_model_or_none_is_404(logged_in, assessment):
    assert autosave(logged_in, assessment, "NO-SUCH-CONTROL", claim="implemented").status_code == 404
    assert autosave(logged_in, assessment, "NO-SUCH-CONTROL", claim="bogus").status_code == 404


def test_a_control_the_deployment_does_not_ask_is_refused(client, user):
    cloud = load_fixture("cloud-division-of-responsibility-1.1")
    unasked = (
        Ownership.objects.filter(deployment__model=cloud, owner="none").select_related("deployment", "control").first()
    )
    draft = assessment_start(user=user, model=cloud, deployment=unasked.deployment, title="Private")
    client.force_login(user)
    response = autosave(client, draft, unasked.control.control_id, claim="implemented", version=0)
    assert response.status_code == 400
    assert response.json()["message"] == "This control is not part of this assessment."
    assert not Answer.objects.exists()


def test_a_submitted_assessment_refuses_autosave(logged_in, complete, user):
    workflow.assessment_submit(assessment=complete, actor=user)
    response = autosave(logged_in, complete, "NET-PRIVATE", claim="unknown", version=1)
    assert response.status_code == 403
    assert response.json()["message"] == "This assessment is submitted; its answers can't be changed now."
    assert Answer.objects.get(assessment=complete, control__control_id="NET-PRIVATE").claim != "unknown"


def test_queries_do_not_grow_with_answers(logged_in, assessment, user):
    answer_all(assessment, user, "implemented")
    current = Answer.objects.get(assessment=assessment, control__control_id="NET-PRIVATE")
    with CaptureQueriesContext(connection) as queries:
        response = autosave(logged_in, assessment, "NET-PRIVATE", claim="partial", version=current.version)
    assert response.status_code == 200
    assert len(statements(queries.captured_queries)) == 7  # as in test_a_first_save_and_a_change_cost_seven_statements
