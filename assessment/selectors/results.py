"""The results page, read from an `AssessmentState`: gaps filtered by area and risk, what is in place,
what does not apply, and what is good to know about the controls others handle.

No queries of its own: everything comes from the state `assessment_state()` built.
"""

from dataclasses import dataclass

from .. import gap
from ..models import Area
from .assessments import AssessmentState, Item
from .ownership import OwnershipCounts, ownership_counts


@dataclass(frozen=True)
class Choice:
    value: str  # "" is "all"
    label: str
    selected: bool


@dataclass(frozen=True)
class GapFilters:
    """The gap filters as read from the query string; a value that names nothing is ignored."""

    area: str  # an area key, or "" for every area
    risk: str  # a risk, or "" for every risk
    areas: tuple[Choice, ...]
    risks: tuple[Choice, ...]

    @property
    def active(self) -> bool:
        return bool(self.area or self.risk)

    def keeps(self, item: Item) -> bool:
        return (not self.area or item.control.area.key == self.area) and (
            not self.risk or item.result.risk == self.risk
        )


@dataclass(frozen=True)
class Finding:
    """A row of "Good to know": a control someone else handles, what was answered, what it means."""

    item: Item
    answered: str
    meaning: str


@dataclass(frozen=True)
class ResultsPage:
    gaps: list[Item]  # after the filters, worst first
    gap_total: int  # before the filters
    filters: GapFilters
    showing: str  # "Showing 2 of 9 gaps"
    met: list[Item]
    not_applicable: list[Item]
    good_to_know: list[Finding]
    good_to_know_intro: str
    no_answers: bool  # nothing answered yet: no score to show
    first_area: Area | None  # where answering starts
    ownership: OwnershipCounts


def gap_filters(state: AssessmentState, *, area: str = "", risk: str = "") -> GapFilters:
    areas = [(a.area.key, a.area.title) for a in state.areas if a.items]
    area = area if area in dict(areas) else ""
    risk = risk if risk in gap.SEVERITIES else ""
    return GapFilters(
        area=area,
        risk=risk,
        areas=(Choice("", "All areas", not area), *(Choice(key, title, key == area) for key, title in areas)),
        risks=(Choice("", "All risks", not risk), *(Choice(r, r.capitalize(), r == risk) for r in gap.SEVERITIES)),
    )


def finding_meaning(item: Item) -> str:
    """One sentence on what the answer to a control the provider or the cloud handles means."""
    party, outcome = item.party_name, item.result.outcome
    if outcome == "inherited":
        return f"Inherited: you rely on {party}, as the model says."
    if outcome == "overlap":
        return f"Overlap: {party} handles this and you add your own measure on top, which does no harm."
    if item.result.answer == "unknown":
        return f"Awareness: you did not know who does this, and {party} does it, so nothing is missing."
    return f"Awareness: you said nobody does this yet, but {party} does it, so nothing is missing."


def good_to_know_intro(state: AssessmentState) -> str:
    """What the "Good to know" rows are, in plain words, for this deployment's parties."""
    deployment = state.assessment.deployment.name
    names = list(dict.fromkeys(item.party_name for item in state.items if item.owner in ("provider", "infrastructure")))
    if not names:
        return f"Under {deployment} every control is yours or shared, so none is handled for you."
    parties = " or ".join(names)
    if not state.evaluation.informational:
        return (
            f"Controls that {parties} handles under {deployment} appear here once you answer them. They are never gaps."
        )
    return (
        f"Controls that {parties} handles under {deployment}, with what you answered. "
        "None of them is a gap, so there is nothing to fix; each row says what your answer means."
    )


def showing_sentence(shown: int, total: int) -> str:
    return f"Showing {shown} of {total} gap{'' if total == 1 else 's'}"


def results_page(state: AssessmentState, *, area: str = "", risk: str = "") -> ResultsPage:
    filters = gap_filters(state, area=area, risk=risk)
    every_gap = state.gaps
    gaps = [item for item in every_gap if filters.keeps(item)]
    items = state.items
    return ResultsPage(
        gaps=gaps,
        gap_total=len(every_gap),
        filters=filters,
        showing=showing_sentence(len(gaps), len(every_gap)),
        met=[item for item in items if item.result.outcome == "met"],
        not_applicable=[item for item in items if item.result.outcome == "not_applicable"],
        good_to_know=[
            Finding(item, item.answer.get_claim_display(), finding_meaning(item)) for item in state.informational
        ],
        good_to_know_intro=good_to_know_intro(state),
        no_answers=state.evaluation.answered == 0,
        first_area=state.areas[0].area if state.areas else None,
        ownership=ownership_counts(state),
    )
