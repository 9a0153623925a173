"""Gap analysis: turn a customer's answers into outcomes, risks and scores.

Pure standard-library Python on purpose: the rules here are the heart of the
app, so they must be testable (and property-testable) without Django, and the
views, reports and exports all call this one implementation rather than
re-deriving the outcome table themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SEVERITIES = ("critical", "high", "medium", "low")  # most severe first
ANSWERS = (
    "implemented",
    "partial",
    "provider",
    "not_implemented",
    "unknown",
    "not_applicable",
)
OWNERS = ("customer", "shared", "provider", "infrastructure")  # asked owners
GAP_OUTCOMES = frozenset({"partial", "misattributed", "unmet", "unknown"})
INFORMATIONAL_OUTCOMES = frozenset({"inherited", "overlap", "awareness"})

# A control whose owner is "none" does not arise in the deployment; it is never
# asked, so it is accepted as input but dropped before anything is evaluated.
NOT_ASKED = "none"

# The customer is accountable for these, so only these are scored and only
# these can be "met"; provider/infrastructure controls are informational.
_CUSTOMER_OWNERS = frozenset({"customer", "shared"})

# Outcome table from the design document, one row per owner group.
_CUSTOMER_ROW = {
    "implemented": "met",
    "partial": "partial",
    "provider": "misattributed",
    "not_implemented": "unmet",
    "unknown": "unknown",
    "not_applicable": "not_applicable",
}
_PROVIDER_ROW = {
    "implemented": "overlap",
    "partial": "overlap",
    "provider": "inherited",
    "not_implemented": "awareness",
    "unknown": "awareness",
    "not_applicable": "not_applicable",
}
UNANSWERED = "unanswered"

OUTCOMES = frozenset(_CUSTOMER_ROW.values()) | frozenset(_PROVIDER_ROW.values()) | {UNANSWERED}

WEIGHTS = {"critical": 4, "high": 3, "medium": 2, "low": 1}
# Decimal, not float, so 0.5 credit and the half-up rounding are exact.
_CREDIT = {"met": Decimal(1), "partial": Decimal("0.5")}
# First answers that say "this is ours" (done, partly done, or not yet done): right for customer/shared.
_CLAIMS_OWN = frozenset({"implemented", "partial", "not_implemented"})


def _check(value: object, allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(allowed)}")


@dataclass(frozen=True)
class Condition:
    """A control is asked only when the control `control` is asked and its answer is one of `answers`."""

    control: str
    answers: frozenset[str]

    def __post_init__(self) -> None:
        for answer in self.answers:
            _check(answer, ANSWERS, f"answer in the condition on {self.control!r}:")


@dataclass(frozen=True)
class ControlInput:
    """One control as configured for the chosen deployment."""

    id: str
    area: str  # area key
    severity: str
    owner: str  # customer/shared/provider/infrastructure/none
    condition: Condition | None = None

    def __post_init__(self) -> None:
        # Fail at construction so a bad model row is reported where it is read,
        # not later as a confusing KeyError inside scoring.
        _check(self.severity, SEVERITIES, f"severity for control {self.id!r}:")
        _check(self.owner, (*OWNERS, NOT_ASKED), f"owner for control {self.id!r}:")


@dataclass(frozen=True)
class ControlResult:
    """The evaluated answer to one asked control."""

    control: ControlInput
    answer: str | None
    outcome: str
    risk: str | None
    first_answer: str | None = None  # blind mode: the claim first saved while the owner was hidden

    @property
    def is_gap(self) -> bool:
        return self.outcome in GAP_OUTCOMES

    @property
    def identified_owner(self) -> bool | None:
        """Did the first answer name the right owner? None when it does not count (none, or N/A)."""
        return identifies_owner(self.control.owner, self.first_answer)


@dataclass(frozen=True)
class NotAsked:
    """A control of the deployment left out because its condition is not met."""

    control: ControlInput
    answer: str | None  # the current answer of the control the condition names (None: unanswered or not asked)
    premise_asked: bool  # False: the control it names is itself not asked


@dataclass(frozen=True)
class Evaluation:
    """Everything the results page and report need, computed once."""

    results: tuple[ControlResult, ...]  # input order, owner-none controls omitted
    area_scores: dict[str, int | None]  # areas of asked controls, first-appearance order
    overall: int | None
    gap_counts: dict[str, int]  # gaps by risk, all SEVERITIES keys in order
    not_asked: tuple[NotAsked, ...] = ()  # owner-none controls are not listed: they never arise
    understanding: int | None = None  # percent of owners identified before seeing them; None in guided mode

    @property
    def gaps(self) -> tuple[ControlResult, ...]:
        """Gaps, worst first: by risk, then control severity, then id."""
        return tuple(
            sorted(
                (r for r in self.results if r.is_gap),
                key=lambda r: (
                    SEVERITIES.index(r.risk),  # type: ignore[arg-type]  # gaps always have a risk
                    SEVERITIES.index(r.control.severity),
                    r.control.id,
                ),
            )
        )

    @property
    def informational(self) -> tuple[ControlResult, ...]:
        return tuple(r for r in self.results if r.outcome in INFORMATIONAL_OUTCOMES)

    @property
    def misattributed(self) -> tuple[ControlResult, ...]:
        return tuple(r for r in self.results if r.outcome == "misattributed")

    @property
    def misjudged(self) -> tuple[ControlResult, ...]:
        """Controls whose first answer (blind mode) did not name the model's owner."""
        return tuple(r for r in self.results if r.identified_owner is False)

    @property
    def answered(self) -> int:
        return sum(1 for r in self.results if r.answer is not None)

    @property
    def total(self) -> int:
        return len(self.results)


def outcome_for(owner: str, answer: str | None) -> str:
    """Look up the outcome table for an asked owner and the customer's answer."""
    if owner == NOT_ASKED:
        raise ValueError(f"owner {owner!r} is not asked, so it has no outcome")
    _check(owner, OWNERS, "owner")
    if answer is None:
        # Checked after the owner so a bad owner is never masked by a draft.
        return UNANSWERED
    _check(answer, ANSWERS, "answer")
    row = _CUSTOMER_ROW if owner in _CUSTOMER_OWNERS else _PROVIDER_ROW
    return row[answer]


def identifies_owner(owner: str, answer: str | None) -> bool | None:
    """Whether an answer names the model's owner: "ours" for customer/shared, "someone else's" otherwise.

    None when it says nothing about the owner (unanswered, or not applicable); "don't know" is False.
    """
    if answer is None or answer == "not_applicable":
        return None
    if owner in _CUSTOMER_OWNERS:
        return answer in _CLAIMS_OWN
    return answer == "provider"


def risk_for(outcome: str, severity: str) -> str | None:
    """Risk of an outcome: the severity for a gap, one level lower if partial."""
    _check(outcome, sorted(OUTCOMES), "outcome")
    _check(severity, SEVERITIES, "severity")
    if outcome not in GAP_OUTCOMES:
        return None
    if outcome == "partial":
        # Half done is less exposed than not done; "low" is already the floor.
        return SEVERITIES[min(SEVERITIES.index(severity) + 1, len(SEVERITIES) - 1)]
    return severity


def score(results: Iterable[ControlResult]) -> int | None:
    """Weighted percent of customer/shared controls met, rounded half up.

    Provider and infrastructure controls are not the customer's to meet, and
    not-applicable ones are out of scope, so neither counts either way.
    Unanswered ones do count (as 0) so a draft cannot score high by skipping.
    Returns None when nothing is scorable, which is not the same as 0 or 100.
    """
    earned = Decimal(0)
    possible = 0
    for result in results:
        control = result.control
        if control.owner not in _CUSTOMER_OWNERS or result.outcome == "not_applicable":
            continue
        weight = WEIGHTS[control.severity]
        earned += weight * _CREDIT.get(result.outcome, Decimal(0))
        possible += weight
    return _percent(earned, possible)


def _percent(part: Decimal | int, whole: int) -> int | None:
    if whole == 0:
        return None
    # Not round(): Python's round() is banker's rounding (62.5 -> 62).
    return int((Decimal(part) * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def understanding(results: Iterable[ControlResult]) -> int | None:
    """Percent of counted first answers that named the model's owner; None when none count."""
    judged = [r.identified_owner for r in results if r.identified_owner is not None]
    return _percent(sum(judged), len(judged))


def asked_ids(controls: Iterable[ControlInput], answers: Mapping[str, str | None]) -> set[str]:
    """Ids of the controls asked: owner not none, and any condition met by the current answers.

    A condition is met when the control it names is itself asked and its answer is one of the
    listed answers, so a chain of conditions switches off together.
    """
    by_id = {c.id: c for c in controls}
    memo: dict[str, bool] = {}

    def asked(control_id: str, path: tuple[str, ...]) -> bool:
        if control_id in memo:
            return memo[control_id]
        if control_id in path:
            raise ValueError(f"conditions form a cycle: {' -> '.join([*path, control_id])}")
        control = by_id.get(control_id)
        if control is None:
            raise ValueError(f"condition on {path[-1]!r} names unknown control {control_id!r}")
        condition = control.condition
        result = control.owner != NOT_ASKED and (
            condition is None
            or (asked(condition.control, (*path, control_id)) and answers.get(condition.control) in condition.answers)
        )
        memo[control_id] = result
        return result

    return {control_id for control_id in by_id if asked(control_id, ())}


def evaluate(
    controls: Iterable[ControlInput],
    answers: Mapping[str, str | None],
    first_answers: Mapping[str, str | None] | None = None,
) -> Evaluation:
    """Evaluate every asked control against ``answers`` (keyed by control id).

    A missing key means unanswered; answers for ids not among the asked
    controls (owner-none controls, unmet conditions) are ignored. ``first_answers``
    is given in blind mode only: with it the evaluation has an understanding score.
    """
    controls = list(controls)
    seen: set[str] = set()
    for control in controls:
        if control.id in seen:
            # Answers are keyed by id, so a duplicate would be ambiguous.
            raise ValueError(f"duplicate control id {control.id!r}")
        seen.add(control.id)
    asked = asked_ids(controls, answers)
    results: list[ControlResult] = []
    not_asked: list[NotAsked] = []
    by_area: dict[str, list[ControlResult]] = {}
    for control in controls:
        if control.owner == NOT_ASKED:
            continue
        if control.id not in asked:
            premise = control.condition.control  # type: ignore[union-attr]  # only conditions leave one out
            not_asked.append(NotAsked(control, answers.get(premise) if premise in asked else None, premise in asked))
            continue
        answer = answers.get(control.id)
        outcome = outcome_for(control.owner, answer)
        first = first_answers.get(control.id) if first_answers is not None else None
        result = ControlResult(control, answer, outcome, risk_for(outcome, control.severity), first or None)
        results.append(result)
        by_area.setdefault(control.area, []).append(result)

    gap_counts = dict.fromkeys(SEVERITIES, 0)
    for result in results:
        if result.is_gap:
            gap_counts[result.risk] += 1  # type: ignore[index]  # gaps always have a risk

    return Evaluation(
        results=tuple(results),
        area_scores={area: score(area_results) for area, area_results in by_area.items()},
        overall=score(results),
        gap_counts=gap_counts,
        not_asked=tuple(not_asked),
        understanding=understanding(results) if first_answers is not None else None,
    )
