"""The audit trail: every answer change and transition is on record, and who can read it where."""

import pytest

from assessment.models import Assessment, AuditEvent
from assessment.services import workflow
from tests.conftest import answer, answer_all

Kind = AuditEvent.Kind
Status = Assessment.Status


@pytest.fixture
def submitted(assessment, user):
    answer_all(assessment, user)
    return workflow.assessment_submit(assessment=assessment, actor=user)


@pytest.fixture
def in_review(submitted, reviewer):
    return workflow.assessment_start_review(assessment=submitted, actor=reviewer)


def transitions(assessment) -> list[tuple]:
    return [
        (e.actor.email, e.before, e.after, e.message)
        for e in AuditEvent.objects.filter(assessment=assessment, kind=Kind.TRANSITION).order_by("at", "id")
    ]


def test_starting_an_assessment_is_recorded(assessment, user):
    event = AuditEvent.objects.get(assessment=assessment)
    assert (event.kind, event.actor, event.message) == (Kind.CREATED, user, "Started “Prod cluster”")


def test_a_first_answer_is_recorded_from_nothing(assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider", notes="Yugabyte does it")
    event = AuditEvent.objects.get(assessment=assessment, kind=Kind.ANSWER)
    assert (event.actor, event.control_id, event.before, event.after) == (
        user,
        "NET-ALLOW",
        None,
        {"claim": "provider", "notes": "Yugabyte does it", "justification": ""},
    )


def test_a_changed_answer_is_recorded_from_what_to_what(assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider")
    answer(assessment, user, "NET-ALLOW", "implemented", notes="IP allow list")
    event = AuditEvent.objects.filter(assessment=assessment, kind=Kind.ANSWER).first()  # newest first
    assert (event.before, event.after) == (
        {"claim": "provider", "notes": "", "justification": ""},
        {"claim": "implemented", "notes": "IP allow list", "justification": ""},
    )


def test_saving_the_same_answer_again_records_nothing(assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider")
    answer(assessment, user, "NET-ALLOW", "provider")
    assert AuditEvent.objects.filter(assessment=assessment, kind=Kind.ANSWER).count() == 1


def test_submission_is_recorded(submitted, user):
    assert transitions(submitted) == [(user.email, {"status": "draft"}, {"status": "submitted"}, "")]


def test_the_whole_round_trip_is_recorded_in_order(in_review, reviewer, user):
    changed = workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Fix NET-ALLOW.")
    answer(changed, user, "NET-ALLOW", "partial")
    workflow.assessment_submit(assessment=changed, actor=user)
    workflow.assessment_start_review(assessment=changed, actor=reviewer)
    workflow.assessment_approve(assessment=changed, actor=reviewer, message="Thanks.")
    assert transitions(in_review) == [
        (user.email, {"status": "draft"}, {"status": "submitted"}, ""),
        (reviewer.email, {"status": "submitted"}, {"status": "in_review"}, ""),
        (reviewer.email, {"status": "in_review"}, {"status": "changes_requested"}, "Fix NET-ALLOW."),
        (user.email, {"status": "changes_requested"}, {"status": "submitted"}, ""),
        (reviewer.email, {"status": "submitted"}, {"status": "in_review"}, ""),
        (reviewer.email, {"status": "in_review"}, {"status": "approved"}, "Thanks."),
    ]


def test_a_refused_transition_records_nothing(submitted, reviewer):
    before = AuditEvent.objects.count()
    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_approve(assessment=submitted, actor=reviewer)
    assert AuditEvent.objects.count() == before


def test_a_control_review_is_recorded(in_review, reviewer):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    workflow.control_review_save(
        assessment=in_review, control=control, actor=reviewer, verdict="needs_work", comment="Too open."
    )
    event = AuditEvent.objects.get(assessment=in_review, kind=Kind.REVIEW)
    assert (event.actor, event.control_id, event.before, event.after) == (
        reviewer,
        "NET-ALLOW",
        None,
        {"verdict": "needs_work", "comment": "Too open."},
    )


def test_every_change_bumps_the_revision(assessment, user):
    answer(assessment, user, "NET-ALLOW", "provider")
    answer(assessment, user, "NET-ALLOW", "implemented")
    assert Assessment.objects.get(pk=assessment.pk).revision == 2


# The customer's activity page.


def test_customer_sees_the_activity_of_their_assessment(client, in_review, user):
    client.force_login(user)
    html = client.get(f"/assessments/{in_review.pk}/activity/").content.decode()
    assert "Status changed" in html
    assert "Answer changed" in html


def test_activity_shows_the_decision_message(client, in_review, reviewer, user):
    workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Fix NET-ALLOW please.")
    client.force_login(user)
    html = client.get(f"/assessments/{in_review.pk}/activity/").content.decode()
    assert "“Fix NET-ALLOW please.”" in html


def test_activity_of_another_organization_is_404(client, in_review, other_user):
    client.force_login(other_user)
    assert client.get(f"/assessments/{in_review.pk}/activity/").status_code == 404


def test_activity_is_404_to_a_reviewer_outside_the_organization(client, in_review, reviewer):
    client.force_login(reviewer)
    assert client.get(f"/assessments/{in_review.pk}/activity/").status_code == 404


def test_activity_sends_anonymous_visitors_to_log_in(client, in_review):
    response = client.get(f"/assessments/{in_review.pk}/activity/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/assessments/{in_review.pk}/activity/"


# The reviewer's history in the admin.


def history_url(assessment) -> str:
    return f"/admin/assessment/assessment/{assessment.pk}/history/"


def test_reviewer_sees_the_audit_trail_as_admin_history(client, in_review, reviewer):
    client.force_login(reviewer)
    response = client.get(history_url(in_review))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Status changed: Submitted → In review" in html
    assert "Answer changed NET-ALLOW: unanswered → We do, fully" in html


def test_history_counts_every_event(client, in_review, reviewer):
    client.force_login(reviewer)
    html = client.get(history_url(in_review)).content.decode()
    assert f"{AuditEvent.objects.filter(assessment=in_review).count()} entries" in html


def test_history_of_a_draft_is_hidden_from_reviewers(client, assessment, reviewer):
    client.force_login(reviewer)
    response = client.get(history_url(assessment))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_history_sends_customers_to_the_admin_login(client, in_review, user):
    client.force_login(user)
    response = client.get(history_url(in_review))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_audit_events_cannot_be_changed_in_the_admin(client, in_review, reviewer):
    event = AuditEvent.objects.filter(assessment=in_review).first()
    client.force_login(reviewer)
    response = client.post(f"/admin/assessment/auditevent/{event.pk}/change/", {"message": "rewritten"})
    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).message == event.message


def test_audit_events_cannot_be_deleted_in_the_admin(client, in_review, reviewer):
    event = AuditEvent.objects.filter(assessment=in_review).first()
    client.force_login(reviewer)
    response = client.post(f"/admin/assessment/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_list_hides_drafts_from_reviewers(client, in_review, reviewer, user, yb_model, managed):
    from assessment.services.assessments import assessment_start

    assessment_start(user=user, model=yb_model, deployment=managed, title="Secret draft")
    client.force_login(reviewer)
    html = client.get("/admin/assessment/auditevent/").content.decode()
    assert "Prod cluster" in html
    assert "Secret draft" not in html
