"""Reading assessments: the applicable controls, answers and reviews, evaluated by the gap engine.

Every function here makes a fixed number of queries however many controls or assessments there
are: pages must not slow down as models grow.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .. import gap
from ..models import Answer, Area, Assessment, AuditEvent, Control, ControlReview, Ownership
from ..permissions import is_reviewer


def assessments_for(user) -> QuerySet[Assessment]:
    return Assessment.objects.for_user(user).select_related("model", "deployment", "organization")


def assessment_for(user, pk) -> Assessment:
    """The user's organization's assessment, else 404 (never another organization's)."""
    return get_object_or_404(assessments_for(user), pk=pk)


def assessment_readable_by(user, pk) -> Assessment:
    """For read-only pages (reports): members of its organization, or reviewers once it is submitted."""
    if is_reviewer(user):
        # One condition on the assessment's own columns: OR-ing the member queryset in would join
        # memberships and return the row once per member of the organization.
        readable = ~Q(status=Assessment.Status.DRAFT)
        membership = getattr(user, "membership", None)
        if membership is not None:
            readable |= Q(organization_id=membership.organization_id)
        queryset = Assessment.objects.filter(readable).select_related("model", "deployment", "organization")
        return get_object_or_404(queryset, pk=pk)
    return assessment_for(user, pk)


@dataclass
class Item:
    """One applicable control of an assessment, with everything a page or report shows of it."""

    control: Control
    owner: str
    answer: Answer | None
    review: ControlReview | None
    result: gap.ControlResult

    @property
    def needs_work(self) -> bool:
        return bool(self.review and self.review.verdict == ControlReview.Verdict.NEEDS_WORK)


@dataclass
class AreaState:
    area: Area
    items: list[Item]
    score: int | None

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.answer)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def complete(self) -> bool:
        return self.answered == self.total


@dataclass
class AssessmentState:
    assessment: Assessment
    areas: list[AreaState]
    evaluation: gap.Evaluation
    items_by_id: dict[str, Item] = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        return [item for area in self.areas for item in area.items]

    @property
    def unanswered(self) -> list[Item]:
        return [item for item in self.items if item.answer is None]

    def items_for(self, results: Iterable[gap.ControlResult]) -> list[Item]:
        return [self.items_by_id[r.control.id] for r in results]

    @property
    def gaps(self) -> list[Item]:
        return self.items_for(self.evaluation.gaps)

    @property
    def informational(self) -> list[Item]:
        return self.items_for(self.evaluation.informational)

    @property
    def needs_work(self) -> list[Item]:
        return [item for item in self.items if item.needs_work]


def applicable_ownerships(deployment_ids: Iterable[int]) -> QuerySet[Ownership]:
    """Controls asked under these deployments, in model order, with control and area joined."""
    return (
        Ownership.objects.filter(deployment_id__in=list(deployment_ids))
        .exclude(owner="none")
        .select_related("control__area")
        .order_by("control__area__position", "control__position")
    )


def to_input(ownership: Ownership) -> gap.ControlInput:
    control = ownership.control
    return gap.ControlInput(
        id=control.control_id, area=control.area.key, severity=control.severity, owner=ownership.owner
    )


def assessment_state(assessment: Assessment, area: Area | None = None) -> AssessmentState:
    """Evaluate one assessment: 3 queries (controls, answers, reviews).

    Scores are always computed over the whole assessment; `area` only narrows which items are built
    (the area page needs just its own).
    """
    ownerships = list(applicable_ownerships([assessment.deployment_id]))
    answers = {a.control_id: a for a in assessment.answers.select_related("updated_by")}
    reviews = {r.control_id: r for r in assessment.control_reviews.all()}
    evaluation = gap.evaluate(
        [to_input(o) for o in ownerships],
        {o.control.control_id: answers[o.control_id].claim for o in ownerships if o.control_id in answers},
    )
    results = {r.control.id: r for r in evaluation.results}
    grouped: dict[int, AreaState] = {}
    items_by_id = {}
    for o in ownerships:
        control = o.control
        if area is not None and control.area_id != area.pk:
            continue
        item = Item(control, o.owner, answers.get(control.pk), reviews.get(control.pk), results[control.control_id])
        items_by_id[control.control_id] = item
        state = grouped.get(control.area_id)
        if state is None:
            state = grouped[control.area_id] = AreaState(control.area, [], evaluation.area_scores.get(control.area.key))
        state.items.append(item)
    return AssessmentState(assessment, list(grouped.values()), evaluation, items_by_id)


def evaluate_many(assessments: Iterable[Assessment]) -> dict:
    """Evaluations for a page of assessments in 2 queries, whatever the page size."""
    assessments = list(assessments)
    if not assessments:
        return {}
    by_deployment = defaultdict(list)
    for o in applicable_ownerships({a.deployment_id for a in assessments}):
        by_deployment[o.deployment_id].append(o)
    claims: dict = defaultdict(dict)
    for assessment_id, control_id, claim in Answer.objects.filter(assessment__in=assessments).values_list(
        "assessment_id", "control__control_id", "claim"
    ):
        claims[assessment_id][control_id] = claim
    return {
        a.pk: gap.evaluate([to_input(o) for o in by_deployment[a.deployment_id]], claims[a.pk]) for a in assessments
    }


@dataclass(frozen=True)
class AnswerChange:
    """What the customer changed in one answer since a point in time: the value then and the value now."""

    before: dict | None  # claim, notes, justification; None: it was unanswered
    after: dict | None

    def changed(self, key: str) -> bool:
        return (self.before or {}).get(key, "") != (self.after or {}).get(key, "")


def answer_changes_since(assessment: Assessment, since) -> dict[str, AnswerChange]:
    """Per control id, the answers that differ now from what they were at `since` (one query).

    Read from the audit trail, which records every answer change with its before and after: the
    first change after `since` holds the value then, the last one the value now. A change that was
    undone again is no change.
    """
    if since is None:
        return {}
    first: dict[str, AuditEvent] = {}
    last: dict[str, AuditEvent] = {}
    events = AuditEvent.objects.filter(assessment=assessment, kind=AuditEvent.Kind.ANSWER, at__gt=since)
    for event in events.order_by("at", "id"):
        first.setdefault(event.control_id, event)
        last[event.control_id] = event
    return {
        control_id: AnswerChange(event.before, last[control_id].after)
        for control_id, event in first.items()
        if (event.before or None) != (last[control_id].after or None)
    }
