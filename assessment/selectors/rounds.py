"""Rounds of one assessment line: the chain, what changed since the previous round, the score trend.

Rounds link backwards (`Assessment.previous`), one chain per line, no forks. A round is compared with
the one before it through the gap engine's results of both; the trend runs over the rounds up to the
one shown, so a round's report reads the same after a later round starts.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import gap
from ..models import Assessment, RemediationItem
from .assessments import AssessmentState, evaluate_many
from .upgrade import newer_version, upgrade_preview

# Improved or regressed: outcomes of customer-side controls ranked met > partial > the rest. An
# unanswered control counts as not in place, as it does in the score; not applicable is not ranked.
RANK = {"met": 2, "partial": 1, "unknown": 0, "unmet": 0, "misattributed": 0, "unanswered": 0}
CUSTOMER_SIDE = ("customer", "shared")
# What a round needs of its earlier rounds: the chain walk and `evaluate_many`.
ROUND_FIELDS = ("id", "previous_id", "round_number", "deployment_id", "mode", "status", "title", "organization_id")


@dataclass(frozen=True)
class Changes:
    """Since the previous round, by control id in model order.

    `score_change` is the overall score now minus then, a score of None ("nothing to score") counting as 0.
    """

    score_change: int
    closed: tuple[str, ...]  # gaps then, not gaps now (including controls no longer asked)
    new: tuple[str, ...]  # gaps now, not gaps then
    improved: tuple[str, ...]
    regressed: tuple[str, ...]
    outcomes: dict[str, tuple[str, str]]  # improved and regressed: (outcome then, outcome now)

    def as_export(self) -> dict:
        return {
            "score_change": self.score_change,
            "closed": list(self.closed),
            "new": list(self.new),
            "improved": list(self.improved),
            "regressed": list(self.regressed),
        }


def compare(before: gap.Evaluation, now: gap.Evaluation) -> Changes:
    """What changed from one round's evaluation to the next's (pure: no queries)."""
    position = {r.control.id: i for i, r in enumerate(now.results)}
    position_then = {r.control.id: i for i, r in enumerate(before.results)}

    def ordered(ids: set[str]) -> tuple[str, ...]:
        # The current model's order; controls it no longer asks follow, in the earlier order.
        return tuple(sorted(ids, key=lambda cid: (cid not in position, position.get(cid, position_then.get(cid)))))

    gaps_then = {r.control.id for r in before.results if r.is_gap}
    gaps_now = {r.control.id for r in now.results if r.is_gap}
    then = {r.control.id: r for r in before.results}
    improved, regressed, outcomes = [], [], {}
    for result in now.results:
        old = then.get(result.control.id)
        if old is None or result.control.owner not in CUSTOMER_SIDE or old.control.owner not in CUSTOMER_SIDE:
            continue
        if result.outcome not in RANK or old.outcome not in RANK:
            continue
        if RANK[result.outcome] != RANK[old.outcome]:
            (improved if RANK[result.outcome] > RANK[old.outcome] else regressed).append(result.control.id)
            outcomes[result.control.id] = (old.outcome, result.outcome)
    return Changes(
        score_change=(now.overall or 0) - (before.overall or 0),
        closed=ordered(gaps_then - gaps_now),
        new=ordered(gaps_now - gaps_then),
        improved=tuple(improved),
        regressed=tuple(regressed),
        outcomes=outcomes,
    )


def points_text(change: int) -> str:
    """A score change in words, with its sign: "+12 points", "−3 points", "No change"."""
    if change == 0:
        return "No change"
    sign = "+" if change > 0 else "−"
    return f"{sign}{abs(change)} point{'' if abs(change) == 1 else 's'}"


def score_text(score: int | None) -> str:
    return "n/a" if score is None else f"{score}%"


def chain(assessment: Assessment) -> list[Assessment]:
    """The rounds up to and including this one, oldest first: one query, none for a first round.

    Every earlier round has a next round, so one query for the organization's continued
    assessments holds the whole chain, however long.
    """
    if assessment.previous_id is None:
        return [assessment]
    earlier = {
        a.pk: a
        for a in Assessment.objects.filter(organization_id=assessment.organization_id, next_round__isnull=False).only(
            *ROUND_FIELDS
        )
    }
    rounds, seen = [assessment], {assessment.pk}
    while rounds[-1].previous_id in earlier and rounds[-1].previous_id not in seen:
        seen.add(rounds[-1].previous_id)
        rounds.append(earlier[rounds[-1].previous_id])
    return rounds[::-1]


# The trend chart's drawing area, in SVG user units (the page scales it; the PDF prints it at this size).
WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 22, 34
MAX_WORDED_ROUNDS = 5  # "Round 6" labels would touch each other in the width


@dataclass(frozen=True)
class TrendPoint:
    number: int
    score: int | None
    x: float
    y: float
    axis_label: str  # under the point: "Round 2", or just "2" when many rounds share the width
    anchor: str = "middle"  # the first and last values lean inwards, clear of the axis labels and the edge

    @property
    def label(self) -> str:
        return f"Round {self.number}: {score_text(self.score)}"

    @property
    def value(self) -> str:
        return score_text(self.score)

    @property
    def value_dx(self) -> int:
        return {"start": -4, "end": 4}.get(self.anchor, 0)


@dataclass(frozen=True)
class Trend:
    """The overall score per round as a line chart: coordinates computed here, drawn by trend_chart.html."""

    points: tuple[TrendPoint, ...]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def line(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def gridlines(self) -> list[tuple[float, str]]:
        return [(_y(score), f"{score}%") for score in (0, 50, 100)]

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return WIDTH - RIGHT

    @property
    def axis_y(self) -> float:
        return HEIGHT - BOTTOM + 18


def _y(score: int | None) -> float:
    # A round with nothing to score sits on the baseline, as it counts 0 in the score change.
    plot = HEIGHT - TOP - BOTTOM
    return float((TOP + Decimal(plot) * (100 - (score or 0)) / 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def trend(scores: list[tuple[int, int | None]]) -> Trend | None:
    """The chart of (round number, overall score) pairs, oldest first; None for fewer than two rounds."""
    if len(scores) < 2:
        return None
    step = Decimal(WIDTH - LEFT - RIGHT) / (len(scores) - 1)
    return Trend(
        tuple(
            TrendPoint(
                number,
                score,
                float((LEFT + step * i).quantize(Decimal("0.1"))),
                _y(score),
                f"Round {number}" if len(scores) <= MAX_WORDED_ROUNDS else str(number),
                "start" if i == 0 else "end" if i == len(scores) - 1 else "middle",
            )
            for i, (number, score) in enumerate(scores)
        )
    )


@dataclass(frozen=True)
class ControlRef:
    """A control named in "Since round N": its id, title and area in this round (None: not asked now)."""

    control_id: str
    title: str
    area_key: str | None
    before: str = ""  # improved or regressed: the outcome then and now
    after: str = ""


@dataclass(frozen=True)
class SincePrevious:
    """Everything "Since round N" shows: on the results page, in the PDF, and (`changes`) in the export."""

    previous: Assessment
    changes: Changes
    score_before: int | None
    score_now: int | None
    closed: tuple[ControlRef, ...]
    new: tuple[ControlRef, ...]
    improved: tuple[ControlRef, ...]
    regressed: tuple[ControlRef, ...]
    trend: Trend | None

    @property
    def heading(self) -> str:
        return f"Since round {self.previous.round_number}"

    @property
    def score_change(self) -> str:
        return points_text(self.changes.score_change)

    @property
    def score_sentence(self) -> str:
        return (
            f"Overall score {score_text(self.score_now)}, {score_text(self.score_before)} in round "
            f"{self.previous.round_number}."
        )


def since_previous(state: AssessmentState) -> SincePrevious | None:
    """What changed since the previous round (3 queries), or None for a first round (no query)."""
    assessment = state.assessment
    if assessment.previous_id is None:
        return None
    rounds = chain(assessment)
    if len(rounds) < 2:
        return None  # the previous round has been deleted since
    evaluations = evaluate_many(rounds[:-1])
    evaluations[assessment.pk] = state.evaluation
    previous = rounds[-2]
    changes = compare(evaluations[previous.pk], state.evaluation)
    titles = {item.control.control_id: item for area in state.areas for item in (*area.items, *area.hidden)}

    def refs(ids: tuple[str, ...]) -> tuple[ControlRef, ...]:
        result = []
        for cid in ids:
            item = titles.get(cid)
            before, after = changes.outcomes.get(cid, ("", ""))
            result.append(
                ControlRef(
                    cid,
                    item.control.title if item else "",
                    item.control.area.key if item and item.asked else None,
                    before,
                    after,
                )
            )
        return tuple(result)

    return SincePrevious(
        previous=previous,
        changes=changes,
        score_before=evaluations[previous.pk].overall,
        score_now=state.evaluation.overall,
        closed=refs(changes.closed),
        new=refs(changes.new),
        improved=refs(changes.improved),
        regressed=refs(changes.regressed),
        trend=trend([(r.round_number, evaluations[r.pk].overall) for r in rounds]),
    )


def round_export(assessment: Assessment) -> dict:
    """`{"number": 2, "previous": "<id>"}`: the export's place of an assessment in its chain."""
    return {
        "number": assessment.round_number,
        "previous": str(assessment.previous_id) if assessment.previous_id else None,
    }


def next_round_of(assessment: Assessment) -> Assessment | None:
    """The round started from this one, if any (cached on the instance by Django)."""
    try:
        return assessment.next_round
    except Assessment.DoesNotExist:
        return None


@dataclass(frozen=True)
class NextRoundPreview:
    """The confirmation page of "Start the next round": what carries over, or why it can't start."""

    number: int
    next_round: Assessment | None  # already started: link to it
    refusal: str  # why it can't start; "" when it can
    version_sentence: str
    answers_sentence: str
    remediated: int  # answers to confirm: their remediation item is done
    carried_items: int  # remediation items that are not done


def next_round_preview(assessment: Assessment) -> NextRoundPreview:
    """What starting the next round would do (a fixed number of queries)."""
    number = assessment.round_number + 1
    existing = next_round_of(assessment)
    refusal = ""
    if existing is not None:
        refusal = f"Round {existing.round_number} has already been started."
    elif assessment.status == Assessment.Status.DRAFT:
        refusal = "Submit this assessment before you start its next round."
    model = assessment.model
    # The version a draft of this line would move to: asked of a draft stand-in, since the move is made as one.
    target = newer_version(Assessment(model=model, deployment=assessment.deployment, status=Assessment.Status.DRAFT))
    answered = assessment.answers.count()
    if target is None:
        version_sentence = (
            f"It uses {model.title} version {model.version}, the version round {assessment.round_number} used."
        )
        carry = "answer carries" if answered == 1 else "answers carry"
        answers_sentence = f"{answered} {carry} over, with their notes and justifications."
    else:
        preview = upgrade_preview(assessment, target)
        version_sentence = (
            f"It moves to {model.title} version {target.version}, the newest, from version {model.version}."
        )
        answers_sentence = (
            f"{preview.answers_summary} New controls wait unanswered; controls whose owner changed are "
            "marked for a second look."
        )
    statuses = list(assessment.remediation_items.values_list("status", flat=True))
    done = statuses.count(RemediationItem.Status.DONE)
    return NextRoundPreview(
        number=number,
        next_round=existing,
        refusal=refusal,
        version_sentence=version_sentence,
        answers_sentence=answers_sentence,
        remediated=done,
        carried_items=len(statuses) - done,
    )


@dataclass(frozen=True)
class DashboardRow:
    """One assessment line on the dashboard: its latest round, and the rounds before it (newest first)."""

    assessment: Assessment
    evaluation: gap.Evaluation
    earlier: tuple[Assessment, ...] = ()
    change: str = ""  # "+12 points since round 2"

    @property
    def rounds(self) -> int:
        return len(self.earlier) + 1

    @property
    def round_text(self) -> str:
        return f"Round {self.assessment.round_number} of {self.assessment.round_number}" if self.earlier else ""


def latest_rounds(assessments):
    """Only the newest round of each line: the dashboard's rows (a queryset filter, no query)."""
    return assessments.filter(next_round__isnull=True)


def dashboard_rows(latest: list[Assessment], organization_id: int) -> list[DashboardRow]:
    """Rows for a page of latest rounds: 3 queries (earlier rounds, then `evaluate_many`), whatever the page."""
    earlier = {}
    if any(a.previous_id for a in latest):
        earlier = {
            a.pk: a
            for a in Assessment.objects.filter(organization_id=organization_id, next_round__isnull=False).only(
                *ROUND_FIELDS
            )
        }
    chains = {}
    for a in latest:
        rounds, cursor = [], a
        while cursor.previous_id in earlier and len(rounds) < len(earlier):
            cursor = earlier[cursor.previous_id]
            rounds.append(cursor)
        chains[a.pk] = tuple(rounds)
    evaluations = evaluate_many([*latest, *(c[0] for c in chains.values() if c)])
    rows = []
    for a in latest:
        before = chains[a.pk]
        change = ""
        if before:
            then, now = evaluations[before[0].pk].overall, evaluations[a.pk].overall
            change = f"{points_text((now or 0) - (then or 0))} since round {before[0].round_number}"
        rows.append(DashboardRow(a, evaluations[a.pk], before, change))
    return rows
