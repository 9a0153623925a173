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


def _check(value: object, allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(allowed)}")


@dataclass(frozen=True)
class ControlInput:
    """One control as configured for the chosen deployment."""

    id: str
    area: str  # area key
    severity: str
    owner: str  # customer/shared/provider/infrastructure/none

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

    @property
    def is_gap(self) -> bool:
        return self.outcome in GAP_OUTCOMES


@dataclass(frozen=True)
class Evaluation:
    """Everything the results page and report need, computed once."""

    results: tuple[ControlResult, ...]  # input order, owner-none controls omitted
    area_scores: dict[str, int | None]  # areas of asked controls, first-appearance order
    overall: int | None
    gap_counts: dict[str, int]  # gaps by risk, all SEVERITIES keys in order

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
    if possible == 0:
        return None
    # Not round(): Python's round() is banker's rounding (62.5 -> 62).
    return int((earned * 100 / possible).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def evaluate(controls: Iterable[ControlInput], answers: Mapping[str, str | None]) -> Evaluation:
    """Evaluate every asked control against ``answers`` (keyed by control id).

    A missing key means unanswered; answers for ids not among the asked
    controls (e.g. owner-none controls) are ignored.
    """
    results: list[ControlResult] = []
    by_area: dict[str, list[ControlResult]] = {}
    seen: set[str] = set()
    for control in controls:
        if control.id in seen:
            # Answers are keyed by id, so a duplicate would be ambiguous.
            raise ValueError(f"duplicate control id {control.id!r}")
        seen.add(control.id)
        if control.owner == NOT_ASKED:
            continue
        answer = answers.get(control.id)
        outcome = outcome_for(control.owner, answer)
        result = ControlResult(control, answer, outcome, risk_for(outcome, control.severity))
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
    )
