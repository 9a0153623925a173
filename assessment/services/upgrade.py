"""Moving an open assessment to the newest version of its model, answers carried over by control id."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Answer, Assessment, AuditEvent, ControlReview, Evidence, ResponsibilityModel, User
from ..permissions import is_member
from ..selectors.upgrade import asked, newer_version, ownerships_in
from .audit import record_change


@transaction.atomic
def assessment_upgrade(*, assessment: Assessment, target: ResponsibilityModel, user: User) -> Assessment:
    """Point the assessment at `target` and its deployment of the same key, keeping what still applies.

    Answers and reviewer verdicts of controls the target still asks move to its control of the same
    id, unchanged (claim, notes, justification, first answer, version); where the owner changed the
    answer is flagged for a second look. Those of controls it no longer asks are deleted, each with
    an audit event holding its last value, so nothing the customer wrote is lost. Evidence moves
    and leaves with its control the same way.
    """
    # of=self: PostgreSQL would otherwise also lock the model and deployment rows joined in.
    locked = (
        Assessment.objects.select_for_update(of=("self",)).select_related("model", "deployment").get(pk=assessment.pk)
    )
    if not is_member(user, locked):
        raise ValidationError(
            "Only members of the assessment's organization can move it to another version.", code="forbidden"
        )
    if not locked.is_editable:
        raise ValidationError(
            f"This assessment is {locked.get_status_display().lower()}; it keeps version {locked.model.version}.",
            code="bad_status",
        )
    # Re-read under the lock: a second post of the same form finds the move already made.
    newest = newer_version(locked)
    if newest is None or newest.pk != target.pk:
        offer = f" (the newest is {newest.version})" if newest else ""
        raise ValidationError(
            f"This assessment can't move to version {target.version}{offer}; reload the page.", code="not_newest"
        )
    key = locked.deployment.key
    old = asked(ownerships_in(locked.model, key))
    new = asked(ownerships_in(target, key))
    old_version = locked.model.version
    removed_message = f"Removed in version {target.version}"

    answers = list(Answer.objects.filter(assessment=locked).select_related("control"))
    kept, dropped = [], []
    for answer in answers:
        cid = answer.control.control_id
        if cid not in new:
            dropped.append(answer)
            continue
        before = old.get(cid)
        # Never cleared here: a flag from an earlier move stays until the customer has looked again.
        answer.owner_changed = answer.owner_changed or before is None or before.owner != new[cid].owner
        answer.control = new[cid].control
        kept.append(answer)
    for answer in dropped:
        record_change(
            locked,
            actor=user,
            kind=AuditEvent.Kind.ANSWER,
            control_id=answer.control.control_id,
            before={"claim": answer.claim, "notes": answer.notes, "justification": answer.justification},
            after=None,
            message=removed_message,
        )
    Answer.objects.filter(pk__in=[a.pk for a in dropped]).delete()
    # bulk_update leaves updated_at alone: it still says when the customer last answered.
    Answer.objects.bulk_update(kept, ["control", "owner_changed"])

    reviews = list(ControlReview.objects.filter(assessment=locked).select_related("control"))
    kept_reviews, dropped_reviews = [], []
    for review in reviews:
        cid = review.control.control_id
        if cid in new:
            review.control = new[cid].control
            kept_reviews.append(review)
        else:
            dropped_reviews.append(review)
            record_change(
                locked,
                actor=user,
                kind=AuditEvent.Kind.REVIEW,
                control_id=cid,
                before={"verdict": review.verdict, "comment": review.comment},
                after=None,
                message=removed_message,
            )
    ControlReview.objects.filter(pk__in=[r.pk for r in dropped_reviews]).delete()
    ControlReview.objects.bulk_update(kept_reviews, ["control"])
    _move_evidence(locked, new, user, removed_message)

    locked.model = target
    locked.deployment = target.deployments.get(key=key)
    locked.save(update_fields=["model", "deployment", "updated_at"])
    record_change(
        locked,
        actor=user,
        kind=AuditEvent.Kind.VERSION,
        before={"model_version": old_version},
        after={"model_version": target.version},
        message=f"Moved from version {old_version} to {target.version}",
    )
    locked.refresh_from_db()
    return locked


def _move_evidence(locked: Assessment, new: dict, user: User, removed_message: str) -> None:
    """Evidence follows its control like the answer does; that of a control no longer asked is
    removed like a removal by the customer (an audit event; its file goes after the commit)."""
    kept, dropped = [], []
    for evidence in Evidence.objects.filter(assessment=locked).select_related("control"):
        cid = evidence.control.control_id
        if cid in new:
            evidence.control = new[cid].control
            kept.append(evidence)
        else:
            dropped.append(evidence)
            record_change(
                locked,
                actor=user,
                kind=AuditEvent.Kind.EVIDENCE,
                control_id=cid,
                before={"evidence": evidence.url or evidence.name, "description": evidence.description},
                after=None,
                message=removed_message,
            )
    Evidence.objects.filter(pk__in=[e.pk for e in dropped]).delete()  # files: signals.release_evidence_file
    Evidence.objects.bulk_update(kept, ["control"])
