"""Who answered an assessment and when: for the report's self-attestation.

The people are those who last saved each answer the report shows (`Answer.updated_by`, whose name and
email the state reads); the period runs from the first answer ever saved to the last, read from the audit trail
(one aggregate query).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Min

from ..models import AuditEvent
from .assessments import AssessmentState


@dataclass(frozen=True)
class Answerer:
    name: str  # "" for an account deleted since
    email: str
    answers: int


@dataclass(frozen=True)
class AnswerRecord:
    answerers: tuple[Answerer, ...]  # most answers first, then by name
    first_at: datetime | None
    last_at: datetime | None


def answer_record(state: AssessmentState) -> AnswerRecord:
    answers = [item.answer for item in state.items if item.answer is not None]
    counts = Counter(answer.updated_by_id for answer in answers)
    # (name, email) as the state read them with the answers; an account deleted since has neither.
    users = {answer.updated_by_id: (answer.saved_by_name or "", answer.saved_by_email or "") for answer in answers}
    answerers = sorted(
        (Answerer(*users[user_id], count) for user_id, count in counts.items()),
        key=lambda a: (-a.answers, not a.email, (a.name or a.email).lower()),
    )
    period = AuditEvent.objects.filter(assessment=state.assessment, kind=AuditEvent.Kind.ANSWER).aggregate(
        first=Min("at"), last=Max("at")
    )
    first, last = period["first"], period["last"]
    if first is None and answers:  # answers older than the audit trail: their last saves are all there is
        first = min(answer.updated_at for answer in answers)
        last = max(answer.updated_at for answer in answers)
    return AnswerRecord(tuple(answerers), first, last)
