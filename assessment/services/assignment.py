"""The review queue: which reviewer has taken which submission.

Assigning is bookkeeping on the provider's side, not a status change: the workflow (workflow.py)
still decides what may happen to the assessment. Every change of assignee is in the admin's history (not the customer's activity).
"""

from django.db import transaction

from ..models import Assessment, AuditEvent, User
from ..permissions import is_reviewer
from .workflow import TransitionRefused

Status = Assessment.Status

# A draft is the customer's private work and an approved assessment is done: nothing to take there.
# Changes requested is assignable: the same reviewer then picks up the resubmission.
ASSIGNABLE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED)


def _locked_assignable(assessment: Assessment, actor: User) -> Assessment:
    if not is_reviewer(actor):
        raise TransitionRefused("Only reviewers can take assessments from the review queue.", code="forbidden")
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == Status.DRAFT:
        raise TransitionRefused(
            "This assessment is a draft; it can be assigned once the customer submits it.", code="bad_status"
        )
    if locked.status == Status.APPROVED:
        raise TransitionRefused("This assessment is approved; its review is finished.", code="bad_status")
    return locked


def _set_assignee(locked: Assessment, *, actor: User, assignee: User | None, message: str) -> Assessment:
    # Not select_related: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    previous = locked.assignee
    locked.assignee = assignee
    locked.save(update_fields=["assignee"])
    # Recorded, but not through record_change: assigning changes nothing the customer sees or the
    # report shows, so neither the revision (the report's fingerprint) nor "last change" moves.
    AuditEvent.objects.create(
        assessment=locked,
        actor=actor,
        kind=AuditEvent.Kind.ASSIGNMENT,
        before={"assignee": previous.email if previous else None},
        after={"assignee": assignee.email if assignee else None},
        message=message,
    )
    return locked


@transaction.atomic
def assessment_assign(*, assessment: Assessment, actor: User) -> Assessment:
    """The reviewer takes the assessment (from whoever had it, if anyone); nothing happens if it is theirs already."""
    locked = _locked_assignable(assessment, actor)
    if locked.assignee_id == actor.pk:
        return locked
    return _set_assignee(locked, actor=actor, assignee=actor, message=f"Assigned to {actor.name or actor.email}")


@transaction.atomic
def assessment_unassign(*, assessment: Assessment, actor: User) -> Assessment:
    """Back to the queue, unassigned; nothing happens if nobody had it."""
    locked = _locked_assignable(assessment, actor)
    if locked.assignee_id is None:
        return locked
    return _set_assignee(locked, actor=actor, assignee=None, message="Unassigned")
