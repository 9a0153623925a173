"""answer_save and assessment_start: validation, optimistic versioning, locking, the audit trail."""

import pytest
from django.core.exceptions import ValidationError

from assessment.models import Answer, Assessment, AuditEvent
from assessment.services.assessments import (
    AnswerConflict,
    AnswerInput,
    AssessmentLocked,
    answer_save,
    assessment_start,
)
from tests.conftest import answer, make_member


def test_start_creates_a_draft_with_an_audit_entry(assessment, user):
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.organization == user.membership.organization
    assert AuditEvent.objects.get(assessment=assessment).kind == "created"


def test_start_refuses_a_deployment_of_another_model(user, yb_model, cloud_model):
    with pytest.raises(ValidationError) as info:
        assessment_start(user=user, model=yb_model, deployment=cloud_model.deployments.first(), title="X")
    assert info.value.message_dict == {"deployment": ["Choose a deployment model of the chosen model."]}
    assert Assessment.objects.count() == 0


def test_first_answer_is_version_one(assessment, user):
    saved = answer(assessment, user, "NET-ALLOW", "implemented", notes="Only the app subnet")
    assert (saved.claim, saved.notes, saved.version) == ("implemented", "Only the app subnet", 1)


def test_change_bumps_version_and_records_before_and_after(assessment, user):
    answer(assessment, user, "NET-ALLOW", "partial")
    saved = answer(assessment, user, "NET-ALLOW", "implemented")
    assert saved.version == 2
    event = AuditEvent.objects.filter(kind="answer").first()
    assert (event.control_id, event.actor, event.before["claim"], event.after["claim"]) == (
        "NET-ALLOW",
        user,
        "partial",
        "implemented",
    )


def test_same_values_again_is_a_no_op(assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    again = answer(assessment, user, "NET-ALLOW", "implemented", version=0)  # a retried first save
    assert again.version == 1
    assert AuditEvent.objects.filter(kind="answer").count() == 1


def test_stale_write_to_the_same_control_is_refused_and_keeps_the_other_answer(assessment, user):
    colleague = make_member("bob@acme.test", user.membership.organization, role="member")
    answer(assessment, user, "NET-ALLOW", "partial")
    answer(assessment, colleague, "NET-ALLOW", "implemented", version=1)
    with pytest.raises(AnswerConflict) as info:
        answer(assessment, user, "NET-ALLOW", "not_implemented", version=1)
    assert str(info.value).startswith("Bob changed this answer while you were editing.")
    assert info.value.current.claim == "implemented"
    assert Answer.objects.get(control__control_id="NET-ALLOW").claim == "implemented"


def test_two_people_answering_different_controls_both_keep_their_answers(assessment, user):
    colleague = make_member("bob@acme.test", user.membership.organization, role="member")
    answer(assessment, user, "NET-ALLOW", "implemented", version=0)
    answer(assessment, colleague, "NET-PRIVATE", "partial", version=0)
    assert dict(Answer.objects.values_list("control__control_id", "claim")) == {
        "NET-ALLOW": "implemented",
        "NET-PRIVATE": "partial",
    }


def test_not_applicable_needs_a_justification(assessment, user):
    with pytest.raises(ValidationError) as info:
        answer(assessment, user, "NET-ALLOW", "not_applicable")
    assert info.value.message_dict == {"justification": ["Explain why this control does not apply to you."]}
    assert Answer.objects.count() == 0


def test_notes_over_5000_characters_are_refused(assessment, user):
    with pytest.raises(ValidationError) as info:
        answer(assessment, user, "NET-ALLOW", "implemented", notes="x" * 5001)
    assert info.value.message_dict == {"notes": ["Notes can be at most 5,000 characters (you have 5,001)."]}
    assert Answer.objects.count() == 0


def test_exactly_5000_characters_are_kept(assessment, user):
    assert len(answer(assessment, user, "NET-ALLOW", "implemented", notes="x" * 5000).notes) == 5000


def test_justification_is_dropped_unless_not_applicable(assessment, user):
    saved = answer(assessment, user, "NET-ALLOW", "implemented", justification="left over")
    assert saved.justification == ""


def test_unknown_claim_is_refused(assessment, user):
    with pytest.raises(ValidationError):
        answer(assessment, user, "NET-ALLOW", "maybe")
    assert Answer.objects.count() == 0


def test_control_not_asked_under_the_deployment_is_refused(user, yb_model):
    onprem = yb_model.deployments.get(key="on-premises")
    a = assessment_start(user=user, model=yb_model, deployment=onprem, title="DC")
    not_asked = yb_model.controls.filter(ownerships__deployment=onprem, ownerships__owner="none").first()
    with pytest.raises(ValidationError) as info:
        answer_save(assessment=a, control=not_asked, user=user, data=AnswerInput("implemented"), base_version=0)
    assert info.value.messages == ["This control is not part of this assessment."]


@pytest.mark.parametrize("status", ["submitted", "in_review", "approved"])
def test_answers_are_locked_outside_draft_and_changes_requested(assessment, user, status):
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    with pytest.raises(AssessmentLocked):
        answer(assessment, user, "NET-ALLOW", "implemented")
    assert Answer.objects.count() == 0


def test_answers_reopen_when_changes_are_requested(assessment, user):
    Assessment.objects.filter(pk=assessment.pk).update(status="changes_requested")
    assert answer(assessment, user, "NET-ALLOW", "implemented").version == 1


def test_every_answer_change_bumps_the_assessment_revision(assessment, user):
    answer(assessment, user, "NET-ALLOW", "implemented")
    answer(assessment, user, "NET-ALLOW", "partial")
    assessment.refresh_from_db()
    assert assessment.revision == 2


def test_people_outside_the_organization_cannot_write_answers(assessment, other_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        answer(assessment, other_user, "NET-ALLOW", "implemented")
    assert Answer.objects.count() == 0
