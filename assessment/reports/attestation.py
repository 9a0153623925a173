"""What the report's cover says about standing: the status mark, the self-attestation and who answered.

An auditor reads the cover first: was this reviewed, who vouched for the answers, who gave them and
when. Sentences are built here; the template only lays them out.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from ..models import Assessment
from ..selectors.answerers import AnswerRecord

Status = Assessment.Status

WATERMARK = "DRAFT — not submitted"
NOT_REVIEWED = "Not reviewed"
NO_DECLARATION = "No declaration recorded"
DELETED_ACCOUNT = "An account deleted since"


def when(moment: datetime) -> str:
    """A moment as the report prints it everywhere: "2026-03-09 14:02 UTC"."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class StatusMark:
    """A mark on every page (watermark and running header) and a banner on the cover."""

    kind: str  # "draft" or "not-reviewed": the CSS class
    text: str  # the mark itself: "Not reviewed"
    detail: str = ""  # what it means, after the mark on the cover


def status_mark(assessment: Assessment) -> StatusMark | None:
    """Drafts are marked as drafts; submitted and in-review reports as not reviewed; decided ones not at all."""
    if assessment.status == Status.DRAFT:
        return StatusMark("draft", WATERMARK)
    if assessment.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        return None
    provider = assessment.model.provider_name
    submitted = f"Submitted {when(assessment.submitted_at)}" if assessment.submitted_at else "Submitted"
    if assessment.status == Status.SUBMITTED:
        detail = f"{submitted}, waiting for review by {provider}: nobody has checked the answers yet."
    else:
        detail = f"{submitted}. {provider} has started the review but not decided, so verdicts may still change."
    return StatusMark("not-reviewed", NOT_REVIEWED, detail)


def reviewed_fact(assessment: Assessment) -> str:
    """The cover's "Reviewed" line; a resubmission awaiting review names the earlier decision, not a review."""
    reviewer = assessment.reviewer
    if assessment.status in (Status.APPROVED, Status.CHANGES_REQUESTED) and assessment.reviewed_at:
        by = f" by {reviewer.name or reviewer.email}" if reviewer else ""
        return f"{when(assessment.reviewed_at)}{by}"
    if assessment.status in (Status.SUBMITTED, Status.IN_REVIEW) and assessment.reviewed_at:
        return f"Not yet for this submission (changes were requested {when(assessment.reviewed_at)})"
    return "Not yet"


@dataclass(frozen=True)
class AnswererLine:
    name: str
    email: str
    answers: str  # "31 answers"


@dataclass(frozen=True)
class Attestation:
    declaration: str  # as recorded at the latest submission, or ""
    declared: str  # "Declared on submission, 2026-03-09 14:02 UTC." or why there is no declaration
    answerers: tuple[AnswererLine, ...]
    answered: str  # "Answers were saved from … to …."


def _count(number: int) -> str:
    return f"{number} answer{'' if number == 1 else 's'}"


def attestation(assessment: Assessment, record: AnswerRecord) -> Attestation:
    if assessment.declaration:
        declared = (
            f"Made on submission, {when(assessment.submitted_at)}."
            if assessment.submitted_at
            else "Made on submission."
        )
    elif assessment.submitted_at:
        # Submitted before declarations were kept: say so, never make one up.
        declared = f"{NO_DECLARATION}: submitted {when(assessment.submitted_at)}, before declarations were kept."
    else:
        declared = "No declaration yet: the person who submits the assessment makes it."
    lines = tuple(
        AnswererLine(a.name or (a.email if a.email else DELETED_ACCOUNT), a.email if a.name else "", _count(a.answers))
        for a in record.answerers
    )
    if record.first_at is None:
        answered = "No answers have been saved yet."
    elif when(record.first_at) == when(record.last_at):
        answered = f"Answered {when(record.first_at)}."
    else:
        answered = f"Answered from {when(record.first_at)} to {when(record.last_at)}."
    return Attestation(assessment.declaration, declared, lines, answered)
