"""Writes to assessments and their answers: start, answer (optimistic versioning), delete."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404

from ..models import Answer, Assessment, AuditEvent, Control, Deployment, Ownership, ResponsibilityModel, User
from ..models.assessments import MAX_TEXT, Claim, Mode
from ..selectors.assessments import asked_controls
from .audit import record_change


class AssessmentLocked(PermissionDenied):
    """The assessment's status does not allow changing answers."""


class AnswerConflict(Exception):
    """Someone else changed this answer since the writer last saw it."""

    def __init__(self, current: Answer):
        self.current = current
        who = current.updated_by.name if current.updated_by else "someone"
        super().__init__(
            f"{who} changed this answer while you were editing. Their version is shown; "
            "review it, then save again to keep yours."
        )


@dataclass(frozen=True)
class AnswerInput:
    claim: str
    notes: str = ""
    justification: str = ""


def _organization_of(user: User):
    membership = getattr(user, "membership", None)
    if membership is None:
        raise PermissionDenied("You need to belong to an organization to start an assessment.")
    return membership.organization


def assessment_start(
    *,
    user: User,
    model: ResponsibilityModel,
    deployment: Deployment,
    title: str,
    scope: str = "",
    mode: str = Mode.BLIND,
    pk: uuid.UUID | None = None,
) -> Assessment:
    """Create a draft assessment of the user's organization against a published model version.

    `pk` makes a retry safe: the start form carries a fresh id, so posting it again (a double
    click, or a retry after a lost response) returns the draft it already created, not a second one.
    """
    organization = _organization_of(user)
    if pk is not None:
        existing = Assessment.objects.filter(pk=pk).first()
        if existing is not None:
            if existing.organization_id != organization.pk or existing.created_by_id != user.pk:
                raise ValidationError("This form was already used. Reload the page to start another assessment.")
            return existing
    try:
        return _create(
            user=user,
            organization=organization,
            model=model,
            deployment=deployment,
            title=title,
            scope=scope,
            mode=mode,
            pk=pk,
        )
    except IntegrityError:
        if pk is None or not Assessment.objects.filter(pk=pk, created_by=user).exists():
            raise
        return Assessment.objects.get(pk=pk)  # the same form, posted twice at once: the other post won


@transaction.atomic
def _create(*, user, organization, model, deployment, title, scope, mode, pk) -> Assessment:
    if not model.is_published:
        raise ValidationError({"model": "Choose a published responsibility model."}, code="unpublished")
    if deployment.model_id != model.pk:
        raise ValidationError({"deployment": "Choose a deployment model of the chosen model."}, code="mismatch")
    assessment = Assessment(
        organization=organization,
        model=model,
        deployment=deployment,
        title=title.strip(),
        scope=scope.strip(),
        mode=mode,
        created_by=user,
    )
    if pk is not None:
        assessment.pk = pk
    assessment.full_clean(validate_unique=False)  # a clash of ids is the retry case, handled by the caller
    assessment.save(force_insert=True)
    AuditEvent.objects.create(
        assessment=assessment, actor=user, kind=AuditEvent.Kind.CREATED, message=f"Started “{assessment.title}”"
    )
    return assessment


def validate_answer(data: AnswerInput) -> None:
    """The rules for one answer; forms call this too, so there is one place that says them."""
    errors = {}
    if data.claim not in Claim.values:
        errors["claim"] = ValidationError("Choose one of the answers.", code="invalid_choice")
    if len(data.notes) > MAX_TEXT:
        errors["notes"] = ValidationError(
            f"Notes can be at most {MAX_TEXT:,} characters (you have {len(data.notes):,}).", code="max_length"
        )
    if len(data.justification) > MAX_TEXT:
        errors["justification"] = ValidationError(
            f"The justification can be at most {MAX_TEXT:,} characters (you have {len(data.justification):,}).",
            code="max_length",
        )
    if data.claim == Claim.NOT_APPLICABLE and not data.justification.strip():
        errors["justification"] = ValidationError(
            "Explain why this control does not apply to you.", code="justification_required"
        )
    if errors:
        raise ValidationError(errors)


def _snapshot(answer: Answer | None) -> dict | None:
    if answer is None:
        return None
    return {"claim": answer.claim, "notes": answer.notes, "justification": answer.justification}


@transaction.atomic
def answer_save(
    *, assessment: Assessment, control: Control, user: User, data: AnswerInput, base_version: int
) -> Answer:
    """Create or change one answer.

    `base_version` is the version the writer started from (0: there was no answer). If the stored
    answer has moved on, the write is refused with AnswerConflict rather than overwriting it,
    unless it already holds exactly what is being written (a retried save that had succeeded).
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    membership = getattr(user, "membership", None)
    if membership is None or membership.organization_id != assessment.organization_id:
        # Reviewers and other organizations never write answers, whatever route they find.
        raise PermissionDenied("Only members of the assessment's organization can change its answers.")
    _require_editable(assessment)
    require_asked(assessment, control)
    return _write_answer(assessment, control, user, data, base_version)


@dataclass(frozen=True)
class Autosaved:
    assessment: Assessment  # locked and read in the save, with model, deployment and organization
    ownership: Ownership  # the control under the assessment's deployment, control and area joined
    answer: Answer


@transaction.atomic
def answer_autosave(*, user: User, assessment_pk, control_id: str, data: AnswerInput, base_version: int) -> Autosaved:
    """`answer_save` for the page's script, which saves on every change: the same rules in fewer queries.

    The organization scope, the lock and the read of the assessment are one query (another
    organization's assessment is a 404, as everywhere), and the control comes with its owner.
    """
    assessment = get_object_or_404(
        Assessment.objects.for_user(user)
        .select_for_update(of=("self",))
        .select_related("model", "deployment", "organization"),
        pk=assessment_pk,
    )
    # The asked controls of a published version are read once per process (see asked_controls).
    ownership = asked_controls(assessment).by_control_id.get(control_id)
    if ownership is None:  # no such control (404), or one its deployment leaves out (refused below)
        get_object_or_404(Ownership, deployment_id=assessment.deployment_id, control__control_id=control_id)
    _require_editable(assessment)
    if ownership is None:
        raise _not_in_assessment()
    return Autosaved(assessment, ownership, _write_answer(assessment, ownership.control, user, data, base_version))


def _write_answer(assessment: Assessment, control: Control, user: User, data: AnswerInput, base_version: int) -> Answer:
    """The write itself, on an editable assessment locked by the caller, of which `user` is a member."""
    data = AnswerInput(claim=data.claim, notes=data.notes.strip(), justification=data.justification.strip())
    if data.claim != Claim.NOT_APPLICABLE:
        data = AnswerInput(claim=data.claim, notes=data.notes)  # a justification only belongs to N/A
    validate_answer(data)
    # Who saved it last is read only for a conflict's message, which is rare: no join for every save.
    current = Answer.objects.select_for_update().filter(assessment=assessment, control=control).first()
    before = _snapshot(current)
    after = {"claim": data.claim, "notes": data.notes, "justification": data.justification}
    if before == after:
        if current.remediated:
            # Saved unchanged in a new round: the customer confirms that the fix still holds.
            current.remediated = False
            current.save(update_fields=["remediated"])
        return current
    if current is not None and current.version != base_version:
        raise AnswerConflict(current)
    if current is None:
        current = Answer(assessment=assessment, control=control, version=1)
        if assessment.mode == Mode.BLIND:
            # Given before the owner was shown: what the customer believed. It never changes afterwards.
            current.first_answer = data.claim
    else:
        current.version += 1
    current.claim, current.notes, current.justification = data.claim, data.notes, data.justification
    current.owner_changed = False  # saved again after the move to a new version: looked at
    current.remediated = False  # saved again in the new round: confirmed
    current.updated_by = user
    # Field checks only: validate_answer covered the claim rules above, and the database enforces the
    # constraints (checking them here would cost two queries and two savepoints per save).
    current.full_clean(
        exclude=["assessment", "control", "updated_by"], validate_unique=False, validate_constraints=False
    )
    current.save()
    record_change(
        assessment, actor=user, kind=AuditEvent.Kind.ANSWER, control_id=control.control_id, before=before, after=after
    )
    return current


def _require_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise AssessmentLocked(
            f"This assessment is {assessment.get_status_display().lower()}; its answers can't be changed now."
        )


def _not_in_assessment() -> ValidationError:
    return ValidationError("This control is not part of this assessment.", code="not_applicable_control")


def require_asked(assessment: Assessment, control: Control) -> None:
    """Refuse a control the assessment's deployment does not ask (owner none, or another model)."""
    if (
        not Ownership.objects.filter(control=control, deployment=assessment.deployment_id)
        .exclude(owner="none")
        .exists()
    ):
        raise _not_in_assessment()


@transaction.atomic
def assessment_delete(*, assessment: Assessment, user: User) -> None:
    """Delete a draft. Submitted work is a record and is never deleted by customers."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.DRAFT:
        raise AssessmentLocked("Only drafts can be deleted; this assessment has been submitted.")
    assessment.delete()
