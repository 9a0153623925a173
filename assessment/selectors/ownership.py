"""Who owns what under an assessment's deployment: the asked controls of each area, counted by owner.

Read from an `AssessmentState` already built, so it costs no query. The results page and the PDF
draw the same figures (`templates/assessment/includes/ownership_chart.html`): a table of counts,
and a stacked bar per area whose geometry is computed here, so the template only lays it out.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import gap
from ..models import Area
from .assessments import AssessmentState

# The --owner-* palette of static/css/app.css. SVG `fill` attributes, because the CSP allows no
# style attribute and WeasyPrint draws the same markup without the app's stylesheet.
FILLS = {
    "customer": "#b45309",
    "shared": "#047857",
    "provider": "#1d4ed8",
    "infrastructure": "#6d28d9",
}
BAR_WIDTH = 100  # viewBox units of the widest area's bar
SEGMENT_GAP = Decimal("0.4")  # white space between two segments, in viewBox units


@dataclass(frozen=True)
class Owner:
    key: str  # customer, shared, provider or infrastructure
    name: str  # the model's party name: "Customer", "Yugabyte", "Cloud provider"; "Shared"
    fill: str


@dataclass(frozen=True)
class Segment:
    """One owner's part of an area's bar, in viewBox units (strings: never localized like a number would be)."""

    owner: Owner
    count: int
    x: str
    width: str


@dataclass(frozen=True)
class AreaOwnership:
    area: Area
    counts: tuple[int, ...]  # one per `OwnershipCounts.owners`, in that order
    total: int
    segments: tuple[Segment, ...]  # the non-zero counts


@dataclass(frozen=True)
class OwnershipCounts:
    deployment: str
    owners: tuple[Owner, ...]  # only owners that hold at least one asked control
    areas: tuple[AreaOwnership, ...]  # areas with at least one asked control, in model order
    totals: tuple[int, ...]  # per owner, over all areas
    total: int


def owner_key(owner: str, model) -> str:
    """The column an owner is counted in: a cloud run by the provider itself has no column of its own."""
    if owner == "infrastructure" and model.infrastructure_name == model.provider_name:
        return "provider"
    return owner


def _units(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _segments(counts: dict[str, int], owners: tuple[Owner, ...], widest: int) -> tuple[Segment, ...]:
    present = [(owner, counts[owner.key]) for owner in owners if counts[owner.key]]
    segments, x = [], Decimal(0)
    for index, (owner, count) in enumerate(present):
        width = Decimal(count * BAR_WIDTH) / widest
        gap_after = SEGMENT_GAP if index < len(present) - 1 else 0
        segments.append(Segment(owner, count, _units(x), _units(width - gap_after)))
        x += width
    return tuple(segments)


def ownership_counts(state: AssessmentState) -> OwnershipCounts:
    """Per area, the asked controls by owner (customer, shared, provider, infrastructure), and totals."""
    model = state.assessment.model
    per_area = []
    for area_state in state.areas:
        counts = dict.fromkeys(gap.OWNERS, 0)
        for item in area_state.items:
            counts[owner_key(item.owner, model)] += 1
        if area_state.items:
            per_area.append((area_state.area, counts))
    totals = {key: sum(counts[key] for _, counts in per_area) for key in gap.OWNERS}
    owners = tuple(Owner(key, model.party_name(key), FILLS[key]) for key in gap.OWNERS if totals[key])
    widest = max((sum(counts.values()) for _, counts in per_area), default=0)
    areas = tuple(
        AreaOwnership(
            area,
            tuple(counts[owner.key] for owner in owners),
            sum(counts.values()),
            _segments(counts, owners, widest),
        )
        for area, counts in per_area
    )
    return OwnershipCounts(
        deployment=state.assessment.deployment.name,
        owners=owners,
        areas=areas,
        totals=tuple(totals[owner.key] for owner in owners),
        total=sum(totals.values()),
    )
