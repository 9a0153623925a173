"""A reviewer's pass over a submission: verdicts, comments and the decision, checked together and saved together.

One pass means one request: the first verdict starts the review (still a recorded transition), and
every problem with the pass, the decision message included, is found before anything is written.
"""

from dataclasses import dataclass

from django.db import transaction

from ..models import Assessment, Control, ControlReview, User
from . import workflow

Status = Assessment.Status
Verdict = ControlReview.Verdict

SAVE, APPROVE, REQUEST_CHANGES = "save", "approve", "request_changes"


@dataclass(frozen=True)
class VerdictInput:
    control: Control
    verdict: str
    comment: str


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


@transaction.atomic
def review_apply(
    *, assessment: Assessment, actor: User, verdicts: list[VerdictInput], decision: str, message: str
) -> Assessment:
    """Save the changed verdicts, then decide; all or nothing. A submitted assessment enters review first."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == Status.SUBMITTED and (verdicts or decision != SAVE):
        locked = workflow.assessment_start_review(assessment=locked, actor=actor)
    for item in verdicts:
        workflow.control_review_save(
            assessment=locked, control=item.control, actor=actor, verdict=item.verdict, comment=item.comment
        )
    if decision == APPROVE:
        return workflow.assessment_approve(assessment=locked, actor=actor, message=message)
    if decision == REQUEST_CHANGES:
        return workflow.assessment_request_changes(assessment=locked, actor=actor, message=message)
    return locked
