"""Writes to remediation items: who closes a gap, by when, how far it is, and accepted risks.

A gap of a submitted assessment is an open item with no owner until someone first changes it; the
row is created then. Every change is one transaction on the locked assessment, one audit event and
one revision bump (the report shows the plan, so a stored PDF must not outlive a change to it).
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Assessment, AuditEvent, Control, RemediationItem, User
from ..models.assessments import MAX_TEXT
from ..permissions import is_member
from ..selectors.assessments import assessment_state
from .audit import record_change

Status = RemediationItem.Status
# Due dates outside this range are typing mistakes ("0202"), not plans.
EARLIEST_DUE = date(2000, 1, 1)
LATEST_DUE = date(2099, 12, 31)
RISK_REASON_REQUIRED = "Say why the risk is accepted."


class RemediationConflict(Exception):
    """Someone else changed this item since the writer last saw it."""

    def __init__(self, current: RemediationItem):
        self.current = current
        who = current.updated_by.name if current.updated_by else "someone"
        super().__init__(
            f"{who} changed this item while you were editing. Their version is shown; "
            "review it, then save again to keep yours."
        )


def snapshot(item: RemediationItem | None) -> dict:
    """What the audit trail records of an item; no row yet is the open item nobody owns."""
    if item is None:
        return {"owner": None, "due": None, "status": Status.OPEN.value, "note": "", "risk_reason": ""}
    return {
        "owner": item.owner.email if item.owner_id else None,
        "due": item.due.isoformat() if item.due else None,
        "status": item.status,
        "note": item.note,
        "risk_reason": item.risk_reason,
    }


def parse_due(value) -> date | None:
    """A date, an ISO date string or nothing; anything else is a ValidationError that says what to type."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                {"due": "Enter the due date as a real date, for example 2027-03-31."}, code="invalid_date"
            ) from None
    if not EARLIEST_DUE <= value <= LATEST_DUE:
        raise ValidationError(
            {"due": f"Enter a due date between {EARLIEST_DUE.year} and {LATEST_DUE.year}."}, code="date_range"
        )
    return value


def validate_item(*, status: str, note: str, risk_reason: str) -> None:
    """The rules for one item's text and status; the form calls this too, so they are said once."""
    errors = {}
    if status not in Status.values:
        errors["status"] = ValidationError("Choose a status from the list.", code="invalid_choice")
    for name, value, what in (("note", note, "The note"), ("risk_reason", risk_reason, "The reason")):
        if len(value) > MAX_TEXT:
            errors[name] = ValidationError(
                f"{what} can be at most {MAX_TEXT:,} characters (you have {len(value):,}).", code="max_length"
            )
    if status == Status.RISK_ACCEPTED and not risk_reason.strip():
        errors["risk_reason"] = ValidationError(RISK_REASON_REQUIRED, code="risk_reason_required")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def remediation_update(
    *,
    assessment: Assessment,
    control: Control,
    actor: User,
    owner: User | None,
    due: date | str | None,
    status: str,
    note: str,
    risk_reason: str,
    base_version: int,
) -> RemediationItem:
    """Change one item (creating its row on the first change).

    `base_version` is the version the writer saw (0: no row yet). A stored item that has moved on
    is never overwritten: RemediationConflict carries it, unless it already holds exactly what is
    being written (a retried save that had succeeded).
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not is_member(actor, assessment):
        raise PermissionDenied("Only members of the assessment's organization can change its remediation items.")
    if assessment.status == Assessment.Status.DRAFT:
        raise ValidationError("Submit the assessment first: remediation starts once it is submitted.", code="draft")
    if control.control_id not in {item.control.control_id for item in assessment_state(assessment).gaps}:
        raise ValidationError(
            f"{control.control_id} is not a gap of this assessment, so it has nothing to remediate.", code="not_a_gap"
        )
    if owner is not None and not is_member(owner, assessment):
        raise ValidationError({"owner": "Choose a member of your organization as the owner."}, code="not_a_member")
    due = parse_due(due)
    note = note.strip()
    # A reason belongs only to an accepted risk: what is shown is what is stored.
    risk_reason = risk_reason.strip() if status == Status.RISK_ACCEPTED else ""
    validate_item(status=status, note=note, risk_reason=risk_reason)

    current = (
        # of=self: PostgreSQL can't lock the nullable side of the outer joins.
        RemediationItem.objects.select_for_update(of=("self",))
        .select_related("owner", "updated_by")
        .filter(assessment=assessment, control=control)
        .first()
    )
    before = snapshot(current)
    after = {
        "owner": owner.email if owner else None,
        "due": due.isoformat() if due else None,
        "status": status,
        "note": note,
        "risk_reason": risk_reason,
    }
    if before == after:
        return current if current is not None else RemediationItem(assessment=assessment, control=control)
    if (current.version if current else 0) != base_version:
        raise RemediationConflict(current or RemediationItem(assessment=assessment, control=control, version=0))
    if current is None:
        current = RemediationItem(assessment=assessment, control=control, version=1)
    else:
        current.version += 1
    if status == Status.RISK_ACCEPTED and current.status != Status.RISK_ACCEPTED:
        current.accepted_by, current.accepted_at = actor, timezone.now()
    elif status != Status.RISK_ACCEPTED:
        current.accepted_by, current.accepted_at = None, None
    current.owner, current.due, current.status = owner, due, status
    current.note, current.risk_reason = note, risk_reason
    current.updated_by = actor
    current.full_clean(exclude=["assessment", "control", "owner", "updated_by", "accepted_by"])
    current.save()
    record_change(
        assessment,
        actor=actor,
        kind=AuditEvent.Kind.REMEDIATION,
        control_id=control.control_id,
        before=before,
        after=after,
    )
    return current
