"""The audit trail: every change to an assessment is recorded once, here."""

from django.db.models import F
from django.utils import timezone

from ..models import Assessment, AuditEvent, User


def record_change(
    assessment: Assessment,
    *,
    actor: User,
    kind: str,
    control_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
) -> AuditEvent:
    """Log who changed what from what to what, and bump the assessment's revision and last change.

    The revision is part of the report key, so any recorded change renders the PDF again.
    """
    Assessment.objects.filter(pk=assessment.pk).update(revision=F("revision") + 1, updated_at=timezone.now())
    return AuditEvent.objects.create(
        assessment=assessment,
        actor=actor,
        kind=kind,
        control_id=control_id,
        before=before,
        after=after,
        message=message,
    )
