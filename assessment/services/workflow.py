"""The review workflow: the only status transitions there are, each checking actor and status.

draft -> submitted -> in_review -> approved | changes_requested -> submitted -> ...
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Assessment, AuditEvent, Control, ControlReview, User
from ..permissions import is_member, is_reviewer
from ..selectors.assessments import answer_changes_since, assessment_state
from .assessments import require_asked
from .audit import record_change
from .mail import send_after_commit
from .reports import report_request_after_commit

Status = Assessment.Status

REVIEWERS_GROUP = "Reviewers"


class TransitionRefused(ValidationError):
    """The transition does not exist from the current status, or the actor may not make it."""


def _transition(
    assessment: Assessment,
    *,
    actor: User,
    to: str,
    allowed_from: tuple[str, ...],
    check: Callable[[Assessment], None] | None = None,
    **fields,
) -> Assessment:
    """Move the (row-locked) assessment to `to`; `check` may refuse once the status is known to allow it."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status not in allowed_from:
        raise TransitionRefused(
            f"This assessment is {locked.get_status_display().lower()}; it can't be moved to "
            f"{Status(to).label.lower()} from there.",
            code="bad_status",
        )
    if check is not None:
        check(locked)
    before = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    record_change(
        locked,
        actor=actor,
        kind=AuditEvent.Kind.TRANSITION,
        before={"status": before},
        after={"status": to},
        message=fields.get("decision_message", ""),
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def assessment_submit(*, assessment: Assessment, actor: User) -> Assessment:
    """The customer submits: every applicable control must be answered; answers lock."""
    if not is_member(actor, assessment):
        raise TransitionRefused("Only members of the assessment's organization can submit it.", code="forbidden")
    missing = assessment_state(assessment).unanswered
    if missing and assessment.status in Assessment.EDITABLE_STATUSES:
        ids = ", ".join(item.control.control_id for item in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise TransitionRefused(
            f"Answer every control before submitting: {len(missing)} still unanswered ({ids}{more}).",
            code="incomplete",
        )
    result = _transition(
        assessment,
        actor=actor,
        to=Status.SUBMITTED,
        allowed_from=Assessment.EDITABLE_STATUSES,
        submitted_at=timezone.now(),
        submitted_by=actor,
        declaration=declaration_text(actor, assessment),
    )
    _mark_changed_for_recheck(result, actor=actor)
    _notify_reviewers(result)
    report_request_after_commit(result)  # reviewers open the PDF first: have it ready
    return result


def declaration_text(actor: User, assessment: Assessment) -> str:
    """The self-attestation the submitter makes, naming them: shown before submitting, kept with the assessment."""
    person = f"{actor.name} ({actor.email})" if actor.name else actor.email
    return (
        f"{person} declares, on behalf of {assessment.organization.name}, that the answers are accurate "
        "to the best of our knowledge."
    )


def _mark_changed_for_recheck(assessment: Assessment, *, actor: User) -> None:
    """On a resubmission, "needs work" on a control the customer has since changed becomes "re-check".

    The customer did what was asked of that control; the reviewer looks again, but it no longer
    blocks approval. Unchanged "needs work" stays as it was.
    """
    changed = answer_changes_since(assessment, assessment.reviewed_at)
    reviews = ControlReview.objects.filter(
        assessment=assessment, verdict=ControlReview.Verdict.NEEDS_WORK, control__control_id__in=list(changed)
    ).select_related("control")
    for review in reviews:
        before = {"verdict": review.verdict, "comment": review.comment}
        review.verdict = ControlReview.Verdict.RECHECK
        review.save(update_fields=["verdict", "updated_at"])
        record_change(
            assessment,
            actor=actor,
            kind=AuditEvent.Kind.REVIEW,
            control_id=review.control.control_id,
            before=before,
            after={"verdict": review.verdict, "comment": review.comment},
            message="Answer changed since the review: to be checked again",
        )


def _require_reviewer(actor: User) -> None:
    if not is_reviewer(actor):
        raise TransitionRefused("Only reviewers can do this.", code="forbidden")


@transaction.atomic
def assessment_start_review(*, assessment: Assessment, actor: User) -> Assessment:
    _require_reviewer(actor)
    return _transition(assessment, actor=actor, to=Status.IN_REVIEW, allowed_from=(Status.SUBMITTED,), reviewer=actor)


@transaction.atomic
def assessment_approve(*, assessment: Assessment, actor: User, message: str = "") -> Assessment:
    """Approve; refused while any control is still marked "needs work" (the customer would be told both)."""
    return _decide(assessment, actor=actor, to=Status.APPROVED, message=message, check=_no_open_needs_work)


def _no_open_needs_work(assessment: Assessment) -> None:
    open_ids = list(
        ControlReview.objects.filter(assessment=assessment, verdict=ControlReview.Verdict.NEEDS_WORK)
        .order_by("control__area__position", "control__position")
        .values_list("control__control_id", flat=True)
    )
    if open_ids:
        many = len(open_ids) > 1
        raise TransitionRefused(
            f"{len(open_ids)} control{'s are' if many else ' is'} still marked “needs work” "
            f"({', '.join(open_ids)}): accept {'them' if many else 'it'} or request changes.",
            code="needs_work_open",
        )


@transaction.atomic
def assessment_request_changes(*, assessment: Assessment, actor: User, message: str) -> Assessment:
    """Send it back to the customer for changes; the message (what to change) is required."""

    def require_message(_locked: Assessment) -> None:
        if not message.strip():
            raise TransitionRefused("Say what needs to change: a message is required.", code="message_required")

    return _decide(assessment, actor=actor, to=Status.CHANGES_REQUESTED, message=message, check=require_message)


def _decide(assessment: Assessment, *, actor: User, to: str, message: str, check) -> Assessment:
    """A reviewer's decision on an assessment in review; its members are emailed once it commits."""
    _require_reviewer(actor)
    result = _transition(
        assessment,
        actor=actor,
        to=to,
        allowed_from=(Status.IN_REVIEW,),
        check=check,
        reviewer=actor,
        reviewed_at=timezone.now(),
        decision_message=message.strip(),
    )
    _notify_members(result)
    report_request_after_commit(result)  # the decided report is the one members download
    return result


@transaction.atomic
def control_review_save(
    *, assessment: Assessment, control: Control, actor: User, verdict: str, comment: str
) -> ControlReview:
    """A reviewer's verdict and comment on one control, while the assessment is in review."""
    _require_reviewer(actor)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != Status.IN_REVIEW:
        raise TransitionRefused("Start the review before commenting on controls.", code="bad_status")
    require_asked(locked, control)
    if verdict and verdict not in ControlReview.Verdict.values:
        raise ValidationError({"verdict": "Choose accepted or needs work."}, code="invalid_choice")
    review = ControlReview.objects.filter(assessment=locked, control=control).first()
    if verdict == ControlReview.Verdict.RECHECK and (review is None or review.verdict != verdict):
        # Only a resubmission marks a control for re-checking; a reviewer decides it either way.
        raise ValidationError({"verdict": "Accept the control or mark it as needing work."}, code="invalid_choice")
    before = {"verdict": review.verdict, "comment": review.comment} if review else None
    after = {"verdict": verdict, "comment": comment.strip()}
    if before == after:
        return review
    review = review or ControlReview(assessment=locked, control=control)
    review.verdict, review.comment, review.reviewer = verdict, comment.strip(), actor
    review.save()
    record_change(
        locked, actor=actor, kind=AuditEvent.Kind.REVIEW, control_id=control.control_id, before=before, after=after
    )
    return review


def _link(name: str, assessment: Assessment) -> str:
    return settings.SITE_URL + reverse(name, args=[assessment.pk])


def _notify_reviewers(assessment: Assessment) -> None:
    recipients = list(
        User.objects.filter(groups__name=REVIEWERS_GROUP, is_active=True).values_list("email", flat=True).distinct()
    )
    review_url = settings.SITE_URL + reverse("admin:assessment_assessment_change", args=[assessment.pk])
    send_after_commit(
        subject=f"Submitted for review: {assessment.organization.name} — {assessment.title}",
        body=f"{assessment.organization.name} submitted “{assessment.title}” ({assessment.model}, "
        f"{assessment.deployment.name}).\n\nReview it: {review_url}\n",
        recipients=recipients,
    )


def _notify_members(assessment: Assessment) -> None:
    recipients = list(
        User.objects.filter(membership__organization=assessment.organization_id, is_active=True).values_list(
            "email", flat=True
        )
    )
    decision = assessment.get_status_display().lower()
    body = f"The review of “{assessment.title}” is done: {decision}.\n\n"
    if assessment.decision_message:
        body += f"Reviewer's message:\n{assessment.decision_message}\n\n"
    if assessment.status == Status.CHANGES_REQUESTED:
        body += _needs_work_text(assessment)
    body += f"See it: {_link('assessment_detail', assessment)}\n"
    send_after_commit(subject=f"Review {decision}: {assessment.title}", body=body, recipients=recipients)


def _needs_work_text(assessment: Assessment) -> str:
    """The controls marked "needs work", each with the reviewer's comment and a link to it (one query)."""
    reviews = list(
        ControlReview.objects.filter(assessment=assessment, verdict=ControlReview.Verdict.NEEDS_WORK)
        .select_related("control__area")
        .order_by("control__area__position", "control__position")
    )
    if not reviews:
        return ""
    text = f"Controls that need work ({len(reviews)}):\n"
    for review in reviews:
        control = review.control
        comment = "\n  ".join(review.comment.splitlines())  # a comment of several lines stays inside its item
        url = settings.SITE_URL + reverse("assessment_area", args=[assessment.pk, control.area.key])
        text += f"- {control.control_id} {control.title}" + (f": {comment}" if comment else "") + "\n"
        text += f"  {url}#c-{control.control_id}\n"
    return text + "\n"
