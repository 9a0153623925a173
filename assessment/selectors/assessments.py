"""Reading assessments: the applicable controls, answers and reviews, evaluated by the gap engine.

Every function here makes a fixed number of queries however many controls or assessments there
are: pages must not slow down as models grow.
"""

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404

from .. import gap
from ..models import Answer, Area, Assessment, AuditEvent, Control, ControlReview, Evidence, Ownership
from ..models.assessments import Claim, Mode
from ..permissions import is_reviewer
from ..reveal import Reveal, owner_sentence, reveal
from .catalog import joined, published_memo

# Of who saved an answer, pages and reports show the name and the email only: read as two columns,
# not as a user object per answer.
SAVED_BY = {"saved_by_name": F("updated_by__name"), "saved_by_email": F("updated_by__email")}


def assessments_for(user) -> QuerySet[Assessment]:
    return Assessment.objects.for_user(user).select_related("model", "deployment", "organization")


def assessment_for(user, pk) -> Assessment:
    """The user's organization's assessment, else 404 (never another organization's)."""
    return get_object_or_404(assessments_for(user), pk=pk)


def assessment_for_page(user, pk) -> Assessment:
    """`assessment_for`, knowing whether it has any evidence (`has_evidence`): most have none yet, and
    a subquery in the same read costs less than the area page's evidence query."""
    return get_object_or_404(assessments_for(user).annotate(has_evidence=_HAS_EVIDENCE), pk=pk)


# Written out: Django compiles an Exists() afresh on every read, which cost 0.9 ms of the 1 ms it saves.
_HAS_EVIDENCE = RawSQL(
    f'EXISTS (SELECT 1 FROM "{Evidence._meta.db_table}" e WHERE e."assessment_id" = "{Assessment._meta.db_table}"."id")',
    (),
    output_field=BooleanField(),
)


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
    """One control of an assessment's deployment, with everything a page or report shows of it.

    `result` is None for a control left out by its condition (`not_asked` says why).
    """

    control: Control
    ownership: Ownership
    answer: Answer | None
    review: ControlReview | None
    result: gap.ControlResult | None
    revealed: bool  # the owner may be shown: guided mode, or the control has been answered
    not_asked: gap.NotAsked | None = None
    party_name: str = ""  # the owner's name when the provider or the infrastructure owns it
    partner_name: str = ""  # who holds the other part when shared
    owner_sentence: str = ""  # "Under YugabyteDB Managed, this is yours."
    condition_text: str = ""  # when the control is asked, in words
    reveal: Reveal | None = None  # what the answer means against the owner, once answered

    owner_label: str = ""  # the badge: "Customer", "Shared with Cloud provider"

    @property
    def owner_phrase(self) -> str:
        """The owner after "the model makes it …": "yours", "shared with Yugabyte", "Yugabyte’s"."""
        if self.owner == "customer":
            return "yours"
        if self.owner == "shared":
            return f"shared with {self.partner_name}"
        return f"{self.party_name}’s"

    @property
    def owner(self) -> str:
        return self.ownership.owner

    @property
    def partner(self) -> str | None:
        """Who holds the other part of a shared control: "provider" or "infrastructure"."""
        return (self.ownership.partner or "provider") if self.owner == "shared" else None

    @property
    def asked(self) -> bool:
        return self.result is not None

    @property
    def guidance(self) -> str:
        return joined(self.control.guidance, self.ownership.guidance)

    @property
    def customer_part(self) -> str:
        return joined(self.control.customer_part, self.ownership.customer_part)

    @property
    def partner_part(self) -> str:
        return joined(self.control.provider_part, self.ownership.partner_part)

    @property
    def needs_work(self) -> bool:
        return bool(self.review and self.review.verdict == ControlReview.Verdict.NEEDS_WORK)


def condition_text(condition: dict, titles: dict[str, str]) -> str:
    """When a conditional control is asked, e.g. "Asked because of ENC-CMK (…): “We do, fully” or …"."""
    premise = condition["control"]
    labels = " or ".join(f"“{Claim(answer).label}”" for answer in condition["answers"])
    title = titles.get(premise)
    return f"Asked when the answer to {premise}{f' ({title})' if title else ''} is {labels}."


@dataclass
class AreaState:
    area: Area
    items: list[Item]  # the asked controls
    score: int | None
    hidden: list[Item] = field(default_factory=list)  # left out by their condition, for now

    @property
    def page_items(self) -> list[Item]:
        """Asked and hidden controls in model order: the area page shows or hides them as answers change."""
        return sorted([*self.items, *self.hidden], key=lambda item: item.control.position)

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

    def progress(self, areas: Iterable[Area]) -> list["Step"]:
        """Answered and asked counts of every area, from the evaluation (which covers them all)."""
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for result in self.evaluation.results:
            count = counts[result.control.area]
            count[0] += result.answer is not None
            count[1] += 1
        return [Step(area, *counts[area.key]) for area in areas]


@dataclass(frozen=True)
class Step:
    """One area in the walk-through's step list."""

    area: Area
    answered: int
    total: int

    @property
    def complete(self) -> bool:
        return self.answered == self.total


def applicable_ownerships(deployment_ids: Iterable[int]) -> QuerySet[Ownership]:
    """Controls asked under these deployments, in model order, with control and area joined."""
    return (
        Ownership.objects.filter(deployment_id__in=list(deployment_ids))
        .exclude(owner="none")
        .select_related("control__area")
        .order_by("control__area__position", "control__position")
    )


@dataclass(frozen=True)
class ItemTexts:
    """What an item says of its owner: the same for every assessment of a model version and deployment."""

    party_name: str
    partner_name: str
    owner_label: str
    owner_sentence: str
    condition_text: str = ""

    @classmethod
    def of(cls, assessment: Assessment, o: Ownership, titles: dict[str, str] | None = None) -> "ItemTexts":
        model, condition = assessment.model, o.control.condition
        party = model.party_name(o.owner)
        partner = model.party_name(o.partner or "provider") if o.owner == "shared" else ""
        return cls(
            party,
            partner,
            model.owner_label(o.owner, o.partner),
            owner_sentence(o.owner, assessment.deployment.name, party, partner),
            condition_text(condition, titles) if condition and titles is not None else "",
        )


@dataclass(frozen=True)
class AskedControls:
    """A deployment's asked controls in model order, with what the gap engine, conditions and items read of them."""

    ownerships: list[Ownership]
    inputs: list[gap.ControlInput]
    titles: dict[str, str]  # control id -> title, for condition texts
    texts: dict[int, ItemTexts]  # by ownership pk
    by_control_id: dict[str, Ownership]

    @classmethod
    def of(cls, assessment: Assessment, ownerships: list[Ownership]) -> "AskedControls":
        titles = {o.control.control_id: o.control.title for o in ownerships}
        texts = {o.pk: ItemTexts.of(assessment, o, titles) for o in ownerships}
        by_control_id = {o.control.control_id: o for o in ownerships}
        return cls(ownerships, [to_input(o) for o in ownerships], titles, texts, by_control_id)


def asked_controls(assessment: Assessment) -> AskedControls:
    """`applicable_ownerships` of the assessment's deployment: one query, none once memoized."""
    return published_memo(
        assessment.model,
        "asked",
        lambda: AskedControls.of(assessment, list(applicable_ownerships([assessment.deployment_id]))),
        assessment.deployment_id,
    )


def to_input(ownership: Ownership) -> gap.ControlInput:
    control = ownership.control
    condition = control.condition
    return gap.ControlInput(
        id=control.control_id,
        area=control.area.key,
        severity=control.severity,
        owner=ownership.owner,
        condition=gap.Condition(condition["control"], frozenset(condition["answers"])) if condition else None,
    )


def _evaluate(assessment: Assessment, inputs: list[gap.ControlInput], answers: dict) -> gap.Evaluation:
    """`answers` keyed by control id (the model's); first answers count only in blind mode."""
    blind = assessment.mode == Mode.BLIND
    return gap.evaluate(
        inputs,
        {cid: a.claim for cid, a in answers.items()},
        {cid: a.first_answer for cid, a in answers.items()} if blind else None,
    )


def assessment_state(assessment: Assessment, area: Area | None = None) -> AssessmentState:
    """Evaluate one assessment: 3 queries (controls, answers, reviews).

    Scores are always computed over the whole assessment; `area` only narrows which items are built
    (the area page needs just its own).
    """
    asked = asked_controls(assessment)
    ownerships = asked.ownerships
    answers = {a.control_id: a for a in assessment.answers.annotate(**SAVED_BY)}
    # Reviewers give verdicts only once an assessment has been submitted: a draft never submitted has none.
    reviews = {r.control_id: r for r in assessment.control_reviews.all()} if assessment.submitted_at is not None else {}
    evaluation = _evaluate(
        assessment,
        asked.inputs,
        {o.control.control_id: answers[o.control_id] for o in ownerships if o.control_id in answers},
    )
    results = {r.control.id: r for r in evaluation.results}
    not_asked = {n.control.id: n for n in evaluation.not_asked}
    guided = assessment.mode == Mode.GUIDED
    grouped: dict[int, AreaState] = {}
    items_by_id = {}
    for o in ownerships:
        control = o.control
        if area is not None and control.area_id != area.pk:
            continue
        answer = answers.get(control.pk)
        cid = control.control_id
        review, result = reviews.get(control.pk), results.get(cid)
        item = _item(assessment, o, asked.texts[o.pk], answer, review, result, guided, not_asked.get(cid))
        state = grouped.get(control.area_id)
        if state is None:
            state = grouped[control.area_id] = AreaState(control.area, [], evaluation.area_scores.get(control.area.key))
        if item.asked:
            items_by_id[cid] = item
            state.items.append(item)
        else:
            state.hidden.append(item)
    return AssessmentState(assessment, list(grouped.values()), evaluation, items_by_id)


def _item(assessment, o: Ownership, texts: ItemTexts, answer, review, result, guided: bool, not_asked=None) -> Item:
    item = Item(
        o.control,
        o,
        answer,
        review,
        result,
        guided or answer is not None,
        not_asked,
        texts.party_name,
        texts.partner_name,
        texts.owner_sentence,
        texts.condition_text,
        owner_label=texts.owner_label,
    )
    if result is not None and answer is not None:
        item.reveal = reveal(
            result, deployment=assessment.deployment.name, party=texts.party_name, partner=texts.partner_name
        )
    return item


def saved_item(assessment: Assessment, ownership: Ownership, answer: Answer) -> Item:
    """The item of an answer just saved, for what the page shows of it next (its reveal), with no query.

    Evaluated on its own: the reveal depends only on the owner and the answer, and a control that
    could be saved is asked. (Scores and skip logic need the whole assessment; the page has them.)
    """
    control = dataclasses.replace(to_input(ownership), condition=None)
    result = gap.evaluate([control], {control.id: answer.claim}).results[0]
    return _item(
        assessment, ownership, ItemTexts.of(assessment, ownership), answer, None, result, assessment.mode == Mode.GUIDED
    )


def evaluate_many(assessments: Iterable[Assessment]) -> dict:
    """Evaluations for a page of assessments in 2 queries, whatever the page size."""
    assessments = list(assessments)
    if not assessments:
        return {}
    ownerships, answers = load_many(assessments)
    inputs = inputs_by_deployment(ownerships)
    return {a.pk: _evaluate(a, inputs[a.deployment_id], answers[a.pk]) for a in assessments}


def inputs_by_deployment(ownerships: dict) -> dict[int, list[gap.ControlInput]]:
    """The gap engine's control inputs once per deployment, not once per assessment: a page of
    assessments shares a few deployments."""
    return {deployment: [to_input(o) for o in rows] for deployment, rows in ownerships.items()}


def load_many(assessments: list[Assessment]) -> tuple[dict, dict]:
    """What evaluating several assessments needs, in 2 queries: the asked ownerships per deployment,
    and the answers per assessment keyed by control id."""
    by_deployment = defaultdict(list)
    for o in applicable_ownerships({a.deployment_id for a in assessments}):
        by_deployment[o.deployment_id].append(o)
    answers: dict = defaultdict(dict)
    for answer in (
        Answer.objects.filter(assessment__in=assessments)
        .only("assessment_id", "claim", "first_answer", "control__control_id")
        .select_related("control")
    ):
        answers[answer.assessment_id][answer.control.control_id] = answer
    return by_deployment, answers


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
