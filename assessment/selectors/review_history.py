"""The review rounds of an assessment, read back from the audit trail: which reviewer comment still stands.

`ControlReview` holds each control's verdict and comment as they are now; the audit trail holds every
change to them, with the value before and after, and every status change. A round is one submission
and the review that follows it. A comment written in an earlier round, on a control whose verdict a
reviewer has changed since the latest submission, is superseded: the reviewer moved on ("Accepted")
and the old instruction ("please attach evidence") no longer applies. The report prints it in the
review history, not beside the control.

One query (the assessment's review and status events), whatever the number of controls.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..models import Assessment, AuditEvent, ControlReview
from .assessments import Item

Verdict = ControlReview.Verdict
Status = Assessment.Status

# What a status change is called in the history; the status it leads to says which one it was.
TRANSITION_NAMES = {
    Status.SUBMITTED: "Submitted",
    Status.IN_REVIEW: "Review started",
    Status.APPROVED: "Approved",
    Status.CHANGES_REQUESTED: "Changes requested",
    Status.DRAFT: "Back to draft",
}
ON_RESUBMISSION = "On resubmission (answer changed)"
NO_VERDICT = "No verdict"
COMMENT_REMOVED = "Comment removed."


def person(user) -> str:
    """Who acted, in words: the name, else the email address; a deleted account is said to be one."""
    if user is None:
        return "A deleted account"
    return user.name or user.email


def verdict_label(verdict: str) -> str:
    return Verdict(verdict).label if verdict in Verdict.values else (verdict or NO_VERDICT)


@dataclass(frozen=True)
class CurrentReview:
    """What is printed beside a control: the verdict and, unless superseded, the comment."""

    verdict: str  # code, "" for none
    verdict_label: str
    comment: str  # "" when there is none or it was superseded
    superseded: bool  # the stored comment belongs to an earlier round
    earlier: int  # how many earlier verdicts and comments the review history lists


@dataclass(frozen=True)
class ReviewEntry:
    """An earlier verdict or comment on one control."""

    at: datetime
    round: int  # 1 for the review of the first submission
    verdict_label: str
    comment: str  # as written then; "" when this change left the comment as it was
    by: str


@dataclass(frozen=True)
class ControlHistory:
    item: Item
    entries: tuple[ReviewEntry, ...]  # oldest first; the verdict and comment that stand now are not repeated


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    round: int
    name: str  # "Submitted", "Changes requested", ...
    by: str
    message: str  # the decision message, if any


@dataclass(frozen=True)
class ReviewHistory:
    current: dict[str, CurrentReview]  # by control id, for every control with a review
    controls: tuple[ControlHistory, ...]  # in model order, only controls with earlier entries
    changes: tuple[StatusChange, ...]  # every status change, oldest first

    @property
    def superseded(self) -> int:
        return sum(1 for review in self.current.values() if review.superseded)


def _value(values: dict | None, key: str) -> str:
    return (values or {}).get(key) or ""


def _changed(event: AuditEvent, key: str) -> bool:
    return _value(event.before, key) != _value(event.after, key)


def build_review_history(events: Sequence[AuditEvent], items: Iterable[Item]) -> ReviewHistory:
    """Split each control's reviews into what stands now and what came before. `events` oldest first."""
    round_of: list[int] = []
    latest_submission = -1  # position in `events` of the latest submission
    rounds = 0
    changes = []
    by_control: dict[str, list[int]] = defaultdict(list)
    for position, event in enumerate(events):
        if event.kind == AuditEvent.Kind.TRANSITION:
            to = _value(event.after, "status")
            if to == Status.SUBMITTED:
                rounds += 1
                latest_submission = position
            changes.append(
                StatusChange(event.at, rounds, TRANSITION_NAMES.get(to, to), person(event.actor), event.message)
            )
        elif event.kind == AuditEvent.Kind.REVIEW and event.control_id:
            by_control[event.control_id].append(position)
        round_of.append(rounds)

    current: dict[str, CurrentReview] = {}
    controls = []
    for item in items:
        review = item.review
        if review is None:
            continue
        cid = item.control.control_id
        positions = by_control.get(cid, [])
        comment_at = max((p for p in positions if _changed(events[p], "comment")), default=None)
        verdict_at = max((p for p in positions if _changed(events[p], "verdict")), default=None)
        # A re-check is set by the resubmission itself: the comment is its reason, and still stands.
        superseded = bool(
            review.comment
            and review.verdict != Verdict.RECHECK
            and comment_at is not None
            and verdict_at is not None
            and comment_at < latest_submission < verdict_at
        )
        entries = tuple(_entry(events[p], round_of[p], first=index == 0) for index, p in enumerate(positions[:-1]))
        missing = review.verdict == Verdict.NEEDS_WORK and review.evidence_missing
        current[cid] = CurrentReview(
            review.verdict,
            verdict_label(review.verdict) + (" (evidence missing)" if missing else ""),
            "" if superseded else review.comment,
            superseded,
            len(entries),
        )
        if entries:
            controls.append(ControlHistory(item, entries))
    return ReviewHistory(current, tuple(controls), tuple(changes))


def _entry(event: AuditEvent, round_number: int, *, first: bool) -> ReviewEntry:
    verdict = _value(event.after, "verdict")
    comment = ""
    if first or _changed(event, "comment"):
        comment = _value(event.after, "comment") or ("" if first else COMMENT_REMOVED)
    automatic = verdict == Verdict.RECHECK and _changed(event, "verdict")  # only a resubmission sets it
    return ReviewEntry(
        event.at, round_number, verdict_label(verdict), comment, ON_RESUBMISSION if automatic else person(event.actor)
    )


def review_history(assessment: Assessment, items: Iterable[Item]) -> ReviewHistory:
    """The review history of the assessment's `items` (model order): one query."""
    events = (
        AuditEvent.objects.filter(assessment=assessment, kind__in=[AuditEvent.Kind.REVIEW, AuditEvent.Kind.TRANSITION])
        .select_related("actor")
        .order_by("at", "id")
    )
    return build_review_history(list(events), items)
