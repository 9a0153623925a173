"""Assessment rounds: "Start the next round" turns a finished assessment into a new draft of the same line.

The new round keeps what the team knows (answers, notes, justifications, first answers, mode) and moves
to the newest published version of the model the way an open draft is moved (`services/upgrade.py`),
so both say the same about removed controls and changed owners.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Answer, Assessment, AuditEvent, Control, Evidence, RemediationItem, User
from ..permissions import is_member
from ..selectors.upgrade import asked, newer_version, ownerships_in
from .audit import record_change
from .upgrade import assessment_upgrade


class RoundAlreadyStarted(ValidationError):
    """One chain, no forks: an assessment has at most one next round."""

    def __init__(self, next_round: Assessment):
        self.next_round = next_round
        super().__init__(f"Round {next_round.round_number} has already been started.", code="round_exists")


# Carried as they stand: the work is not finished, so whoever owned it still does.
CARRIED_FIELDS = ("owner", "due", "status", "note", "risk_reason", "accepted_by", "accepted_at")


@transaction.atomic
def start_next_round(*, assessment: Assessment, actor: User) -> Assessment:
    """Create round N+1 of `assessment` as a draft on the newest published version of its model.

    Answers are copied whole (claim, notes, justification and first answer: in blind mode the first
    answers of round 1 stay the understanding score, since the team has seen the model since);
    answers of controls whose remediation item was done are flagged `remediated`, to be confirmed;
    remediation items not done move with their owner, due date, status, note and risk acceptance.
    """
    # of=self: PostgreSQL would otherwise also lock the model and deployment rows joined in.
    locked = (
        Assessment.objects.select_for_update(of=("self",)).select_related("model", "deployment").get(pk=assessment.pk)
    )
    if not is_member(actor, locked):
        raise ValidationError(
            "Only members of the assessment's organization can start its next round.", code="forbidden"
        )
    if locked.status == Assessment.Status.DRAFT:
        raise ValidationError("Submit this assessment before you start its next round.", code="bad_status")
    existing = Assessment.objects.filter(previous=locked).first()
    if existing is not None:
        raise RoundAlreadyStarted(existing)

    new = Assessment(
        organization=locked.organization,
        model=locked.model,
        deployment=locked.deployment,
        title=locked.title,
        scope=locked.scope,
        mode=locked.mode,
        created_by=actor,
        previous=locked,
        round_number=locked.round_number + 1,
    )
    new.full_clean()
    new.save(force_insert=True)
    AuditEvent.objects.create(
        assessment=new, actor=actor, kind=AuditEvent.Kind.CREATED, message=f"Started “{new.title}”"
    )

    items = list(RemediationItem.objects.filter(assessment=locked).select_related("control"))
    done = {i.control_id for i in items if i.status == RemediationItem.Status.DONE}
    answers = list(Answer.objects.filter(assessment=locked))
    Answer.objects.bulk_create(
        Answer(
            assessment=new,
            control_id=a.control_id,
            claim=a.claim,
            notes=a.notes,
            justification=a.justification,
            first_answer=a.first_answer,
            remediated=a.control_id in done,
            updated_by_id=a.updated_by_id,
        )
        for a in answers
    )

    # The same move an open draft is offered: answers follow their control id, removed ones are logged.
    target = newer_version(new)
    if target is not None:
        new = assessment_upgrade(assessment=new, target=target, user=actor)

    carried = [i for i in items if i.status != RemediationItem.Status.DONE]
    controls = {
        c.control_id: c
        for c in Control.objects.filter(model=new.model_id, control_id__in=[i.control.control_id for i in carried])
    }
    RemediationItem.objects.bulk_create(
        RemediationItem(
            assessment=new,
            control=controls[i.control.control_id],
            updated_by=actor,
            **{name: getattr(i, name) for name in CARRIED_FIELDS},
        )
        for i in carried
        if i.control.control_id in controls
    )

    carried_evidence = _carry_evidence(locked, new)

    carried_answers = Answer.objects.filter(assessment=new).count()
    evidence_text = ""
    if carried_evidence:
        evidence_text = f"; {carried_evidence} evidence item{'' if carried_evidence == 1 else 's'} to confirm"
    record_change(
        new,
        actor=actor,
        kind=AuditEvent.Kind.ROUND,
        before={"round": locked.round_number, "assessment": str(locked.pk)},
        after={"round": new.round_number},
        message=f"Round {new.round_number} started from round {locked.round_number}: "
        f"{carried_answers} answer{'' if carried_answers == 1 else 's'} carried over{evidence_text}",
    )
    # Not record_change: the revision feeds the report fingerprint, and the earlier round's report
    # does not change because a later round began.
    AuditEvent.objects.create(
        assessment=locked,
        actor=actor,
        kind=AuditEvent.Kind.ROUND,
        before={"round": locked.round_number},
        after={"round": new.round_number, "assessment": str(new.pk)},
        message=f"Round {new.round_number} started",
    )
    new.refresh_from_db()
    return new


# What a carried row keeps as it was; the assessment, control and mark are the new round's.
EVIDENCE_FIELDS = (
    "kind", "name", "description", "size", "sha256", "content_type", "url", "added_by_id", "added_at",
)  # fmt: skip


def _carry_evidence(previous: Assessment, new: Assessment) -> int:
    """Copy the previous round's evidence onto the controls the new round asks (by control id): 3 queries.

    The copies share the stored file (same storage name, no bytes copied), so removing one never
    deletes what the other still shows. Each is marked with the round it came from until the customer
    confirms it; a row carried before and never confirmed keeps the round it was first added in.
    """
    controls = {cid: o.control_id for cid, o in asked(ownerships_in(new.model_id, previous.deployment.key)).items()}
    rows = Evidence.objects.filter(assessment=previous).select_related("control").order_by("added_at", "id")
    created = Evidence.objects.bulk_create(
        Evidence(
            assessment=new,
            control_id=controls[e.control.control_id],
            file=e.file.name,  # the storage name: both rows point at the same bytes
            carried_from_round=e.carried_from_round or previous.round_number,
            **{name: getattr(e, name) for name in EVIDENCE_FIELDS},
        )
        for e in rows
        if e.control.control_id in controls
    )
    return len(created)
