"""The area page: its CPU time against the home page's, and its query count as the area grows."""

from ..models import Assessment
from ..selectors.assessments import assessment_state
from .client import HOME_URL, cpu_get, first_area_url, get, request_queries
from .report import Figure, Goal, figure, median

CPU_CONTROLS = 80
QUERY_CONTROLS = (10, 80, 200)
WARM_UP = 3


def page_controls(assessment: Assessment) -> tuple[int, int]:
    """(controls on the first area's page, of which answered), from the state the page is built from."""
    area = assessment.model.areas.order_by("position").first()
    state = assessment_state(assessment, area=area)
    items = state.areas[0].page_items if state.areas else []
    return len(items), sum(1 for item in items if item.answer is not None)


def cpu_figure(client, assessment: Assessment, runs: int) -> Figure:
    """Area page against home page, the same client, pairs interleaved (each pair's order alternating)."""
    area_url = first_area_url(assessment)
    area, home = [], []
    for run in range(WARM_UP + runs):
        pair = [(area, area_url), (home, HOME_URL)]
        for times, url in pair if run % 2 else reversed(pair):
            seconds = cpu_get(client, url)
            if run >= WARM_UP:
                times.append(seconds)
    ratio = median(area) / median(home)
    shown, answered = page_controls(assessment)
    return figure(
        "area_page_cpu",
        f"area page ({assessment.model.controls.count()} controls), CPU vs home page",
        Goal("<=", 3, "x"),
        round(ratio, 3),
        shown=f"{ratio:.2f}x",
        note=(
            f"area {median(area) * 1000:.1f} ms CPU, home {median(home) * 1000:.1f} ms CPU; medians of {runs} "
            f"interleaved pairs; {shown} controls on the page, {answered} answered; logged-in member, DEBUG off"
        ),
        area_cpu_ms=round(median(area) * 1000, 2),
        home_cpu_ms=round(median(home) * 1000, 2),
        controls_on_page=shown,
        answered=answered,
        runs=runs,
    )


def queries_figure(client, assessments: dict[int, Assessment]) -> Figure:
    """Queries of one GET of the first area's page (whole request), per model size."""
    counts = {}
    for size, assessment in assessments.items():
        url = first_area_url(assessment)
        get(client, url)  # warm: the first request of a session may differ
        counts[size] = request_queries(client, url)
    return figure(
        "area_page_queries",
        "area page queries at " + " / ".join(str(n) for n in counts) + " controls",
        Goal("constant"),
        list(counts.values()),
        shown=" / ".join(str(n) for n in counts.values()),
        note="every query of the request (session and user included); one area holding all the controls",
        by_controls=counts,
    )
