"""A reviewer's pass over a submission: verdicts, comments and the decision, checked together and saved together.

One pass means one request: the first verdict starts the review (still a recorded transition), and
every problem with the pass, the decision message included, is found before anything is written.
"""

from dataclasses import dataclass

from django.db import transaction

from ..models import Assessment, AuditEvent, Control, ControlReview, User
from . import workflow
from .audit import record_change

Status = Assessment.Status
Verdict = ControlReview.Verdict

SAVE, APPROVE, REQUEST_CHANGES = "save", "approve", "request_changes"


@dataclass(frozen=True)
class VerdictInput:
    control: Control
    verdict: str
    comment: str
    # Only kept with "needs work": the customer is told the answer lacks a document or link.
    evidence_missing: bool = False


@dataclass(frozen=True)
class Problem:
    """Something that stops the pass; `control_id` or `field` says where to go to fix it."""

    message: str
    control_id: str = ""
    field: str = ""


def final_verdicts(current: dict[str, str], posted: dict[str, str], *, accept_remaining: bool) -> dict[str, str]:
    """Each control's verdict once the pass is applied: posted over current; "accept all remaining" fills the gaps."""
    verdicts = {**current, **posted}
    if accept_remaining:
        verdicts = {cid: verdict or Verdict.ACCEPTED for cid, verdict in verdicts.items()}
    return verdicts


def review_problems(*, verdicts: dict[str, str], titles: dict[str, str], decision: str, message: str) -> list[Problem]:
    """Everything that would refuse the decision, in control order (`verdicts` is in that order)."""
    problems = []
    if decision == REQUEST_CHANGES and not message.strip():
        problems.append(Problem("Say what needs to change: a decision message is required.", field="message"))
    if decision == APPROVE:
        problems += [
            Problem(f"{cid} {titles[cid]}: still marked “needs work”; accept it, or request changes.", control_id=cid)
            for cid, verdict in verdicts.items()
            if verdict == Verdict.NEEDS_WORK
        ]
    return problems


def effective_evidence_missing(review: ControlReview | None) -> bool:
    """The flag as it stands: a stored flag whose verdict is no longer "needs work" says nothing."""
    return bool(review and review.evidence_missing and review.verdict == Verdict.NEEDS_WORK)


def _evidence_missing_save(
    locked: Assessment, review: ControlReview | None, control: Control, *, actor: User, missing: bool
) -> None:
    """Store "evidence missing" with the verdict just saved, cleared unless that verdict is "needs work".

    An event of its own (kind evidence), so the review history keeps one entry per verdict or comment.
    """
    if review is None:
        return
    missing = missing and review.verdict == Verdict.NEEDS_WORK
    if review.evidence_missing == missing:
        return
    review.evidence_missing = missing
    review.save(update_fields=["evidence_missing", "updated_at"])
    cid = control.control_id
    record_change(
        locked,
        actor=actor,
        kind=AuditEvent.Kind.EVIDENCE,
        control_id=cid,
        before={"evidence_missing": not missing},
        after={"evidence_missing": missing},
        message=f"Marked “evidence missing” on {cid}" if missing else f"No longer marked “evidence missing” on {cid}",
    )


@transaction.atomic
def review_apply(
    *, assessment: Assessment, actor: User, verdicts: list[VerdictInput], decision: str, message: str
) -> Assessment:
    """Save the changed verdicts, then decide; all or nothing. A submitted assessment enters review first."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == Status.SUBMITTED and (verdicts or decision != SAVE):
        locked = workflow.assessment_start_review(assessment=locked, actor=actor)
    for item in verdicts:
        saved = workflow.control_review_save(
            assessment=locked, control=item.control, actor=actor, verdict=item.verdict, comment=item.comment
        )
        _evidence_missing_save(locked, saved, item.control, actor=actor, missing=item.evidence_missing)
    if decision == APPROVE:
        return workflow.assessment_approve(assessment=locked, actor=actor, message=message)
    if decision == REQUEST_CHANGES:
        return workflow.assessment_request_changes(assessment=locked, actor=actor, message=message)
    return locked
