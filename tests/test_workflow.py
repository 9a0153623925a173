"""The review workflow: every allowed and every refused transition, and who may make them."""

import pytest
from django.core.exceptions import ValidationError

from assessment.models import Assessment, AuditEvent, ControlReview, User
from assessment.services import workflow
from assessment.services.assessments import AssessmentLocked
from tests.conftest import PASSWORD, answer, answer_all, make_reviewer

Status = Assessment.Status


def set_status(assessment: Assessment, status: str) -> Assessment:
    """Test setup only: put an assessment straight into a status."""
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def submitted(complete, user):
    return workflow.assessment_submit(assessment=complete, actor=user)


@pytest.fixture
def in_review(submitted, reviewer):
    return workflow.assessment_start_review(assessment=submitted, actor=reviewer)


def transition_count(assessment) -> int:
    return AuditEvent.objects.filter(assessment=assessment, kind=AuditEvent.Kind.TRANSITION).count()


# The whole transition table: (service, status it is allowed from, status it leads to).
TRANSITIONS = {
    "submit": {Status.DRAFT: Status.SUBMITTED, Status.CHANGES_REQUESTED: Status.SUBMITTED},
    "start_review": {Status.SUBMITTED: Status.IN_REVIEW},
    "approve": {Status.IN_REVIEW: Status.APPROVED},
    "request_changes": {Status.IN_REVIEW: Status.CHANGES_REQUESTED},
}
TARGET = {name: next(iter(table.values())) for name, table in TRANSITIONS.items()}


def run(name: str, assessment, customer, reviewer):
    if name == "submit":
        return workflow.assessment_submit(assessment=assessment, actor=customer)
    if name == "start_review":
        return workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    if name == "approve":
        return workflow.assessment_approve(assessment=assessment, actor=reviewer, message="Looks good.")
    return workflow.assessment_request_changes(assessment=assessment, actor=reviewer, message="Fix the backups.")


ALLOWED = [(name, before, after) for name, table in TRANSITIONS.items() for before, after in table.items()]
REFUSED = [(name, before) for name in TRANSITIONS for before in Status.values if before not in TRANSITIONS[name]]


@pytest.mark.parametrize(("name", "before", "after"), ALLOWED)
def test_allowed_transition_moves_the_status(name, before, after, complete, user, reviewer):
    set_status(complete, before)
    result = run(name, complete, user, reviewer)
    assert result.status == after
    assert Assessment.objects.get(pk=complete.pk).status == after


@pytest.mark.parametrize(("name", "before"), REFUSED)
def test_refused_transition_says_why_and_changes_nothing(name, before, complete, user, reviewer):
    set_status(complete, before)
    revision = Assessment.objects.get(pk=complete.pk).revision
    with pytest.raises(workflow.TransitionRefused) as refused:
        run(name, complete, user, reviewer)
    assert refused.value.code == "bad_status"
    assert refused.value.messages == [
        f"This assessment is {Status(before).label.lower()}; it can't be moved to "
        f"{Status(TARGET[name]).label.lower()} from there."
    ]
    after = Assessment.objects.get(pk=complete.pk)
    assert after.status == before
    assert after.revision == revision
    assert transition_count(complete) == 0


def test_there_are_exactly_five_transitions():
    assert len(ALLOWED) == 5
    assert len(REFUSED) == 15


def test_submit_sets_submitted_at(submitted):
    assert submitted.submitted_at is not None


def test_submit_refuses_an_incomplete_draft(assessment, user):
    answer_all(assessment, user)
    assessment.answers.get(control__control_id="NET-ALLOW").delete()
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_submit(assessment=assessment, actor=user)
    assert refused.value.messages == ["Answer every control before submitting: 1 still unanswered (NET-ALLOW)."]
    assert Assessment.objects.get(pk=assessment.pk).status == Status.DRAFT


def test_submit_refuses_a_member_of_another_organization(complete, other_user):
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_submit(assessment=complete, actor=other_user)
    assert refused.value.messages == ["Only members of the assessment's organization can submit it."]
    assert Assessment.objects.get(pk=complete.pk).status == Status.DRAFT


def test_submit_refuses_a_reviewer(complete, reviewer):
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_submit(assessment=complete, actor=reviewer)
    assert refused.value.messages == ["Only members of the assessment's organization can submit it."]
    assert transition_count(complete) == 0


@pytest.mark.parametrize("name", ["start_review", "approve", "request_changes"])
def test_customer_cannot_make_reviewer_transitions(name, in_review, user):
    set_status(in_review, Status.SUBMITTED if name == "start_review" else Status.IN_REVIEW)
    before = transition_count(in_review)
    with pytest.raises(workflow.TransitionRefused) as refused:
        run(name, in_review, user, reviewer=user)
    assert refused.value.messages == ["Only reviewers can do this."]
    assert transition_count(in_review) == before


def test_staff_outside_the_reviewers_group_cannot_review(submitted):
    staff = User.objects.create_user("ops@provider.test", PASSWORD, name="Ops", is_staff=True)
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_start_review(assessment=submitted, actor=staff)
    assert refused.value.messages == ["Only reviewers can do this."]
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_an_inactive_reviewer_cannot_review(submitted):
    gone = make_reviewer("gone@provider.test", is_active=False)
    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_start_review(assessment=submitted, actor=gone)
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_start_review_assigns_the_reviewer(in_review, reviewer):
    assert in_review.reviewer == reviewer


def test_request_changes_requires_a_message(in_review, reviewer):
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="   ")
    assert refused.value.messages == ["Say what needs to change: a message is required."]
    assert Assessment.objects.get(pk=in_review.pk).status == Status.IN_REVIEW


def test_request_changes_stores_the_decision(in_review, reviewer):
    result = workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="  Fix backups.  ")
    assert (result.decision_message, result.reviewer, result.reviewed_at is not None) == (
        "Fix backups.",
        reviewer,
        True,
    )


def test_approve_stores_the_decision(in_review, reviewer):
    result = workflow.assessment_approve(assessment=in_review, actor=reviewer, message="Thorough work.")
    assert (result.status, result.decision_message, result.reviewed_at is not None) == (
        Status.APPROVED,
        "Thorough work.",
        True,
    )


def test_approve_is_refused_while_a_control_needs_work(in_review, reviewer):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    workflow.control_review_save(
        assessment=in_review, control=control, actor=reviewer, verdict="needs_work", comment="Too open."
    )
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_approve(assessment=in_review, actor=reviewer)
    assert refused.value.messages == [
        "1 control is still marked “needs work” (NET-ALLOW): accept it or request changes."
    ]
    assert Assessment.objects.get(pk=in_review.pk).status == Status.IN_REVIEW


def test_approve_goes_through_once_the_control_is_accepted(in_review, reviewer):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    for verdict in ("needs_work", "accepted"):
        workflow.control_review_save(
            assessment=in_review, control=control, actor=reviewer, verdict=verdict, comment="Checked."
        )
    assert workflow.assessment_approve(assessment=in_review, actor=reviewer).status == Status.APPROVED


def test_customer_can_edit_answers_again_when_changes_are_requested(in_review, reviewer, user):
    workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Fix NET-ALLOW.")
    changed = answer(in_review, user, "NET-ALLOW", "partial", notes="Allow list narrowed.")
    assert changed.claim == "partial"


def test_resubmission_goes_back_to_submitted(in_review, reviewer, user):
    workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Fix NET-ALLOW.")
    answer(in_review, user, "NET-ALLOW", "partial")
    assert workflow.assessment_submit(assessment=in_review, actor=user).status == Status.SUBMITTED


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED])
def test_answers_are_locked_outside_draft_and_changes_requested(status, complete, user):
    set_status(complete, status)
    with pytest.raises(AssessmentLocked) as locked:
        answer(complete, user, "NET-ALLOW", "partial")
    assert str(locked.value) == (
        f"This assessment is {Status(status).label.lower()}; its answers can't be changed now."
    )
    assert complete.answers.get(control__control_id="NET-ALLOW").claim == "implemented"


def test_control_review_needs_the_review_started(submitted, reviewer):
    control = submitted.model.controls.get(control_id="NET-ALLOW")
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.control_review_save(
            assessment=submitted, control=control, actor=reviewer, verdict="accepted", comment=""
        )
    assert refused.value.messages == ["Start the review before commenting on controls."]
    assert ControlReview.objects.count() == 0


def test_control_review_is_refused_to_customers(in_review, user):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.control_review_save(assessment=in_review, control=control, actor=user, verdict="accepted", comment="")
    assert refused.value.messages == ["Only reviewers can do this."]
    assert ControlReview.objects.count() == 0


def test_control_review_refuses_an_unknown_verdict(in_review, reviewer):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    with pytest.raises(ValidationError) as refused:
        workflow.control_review_save(
            assessment=in_review, control=control, actor=reviewer, verdict="approved", comment=""
        )
    assert refused.value.message_dict == {"verdict": ["Choose accepted or needs work."]}
    assert ControlReview.objects.count() == 0


def test_control_review_saves_verdict_and_comment(in_review, reviewer):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    workflow.control_review_save(
        assessment=in_review, control=control, actor=reviewer, verdict="needs_work", comment=" Too open. "
    )
    review = ControlReview.objects.get()
    assert (review.control, review.verdict, review.comment, review.reviewer) == (
        control,
        "needs_work",
        "Too open.",
        reviewer,
    )
