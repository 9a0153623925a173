"""Autosave: the queries of one save and its p95 wall time, in-process, as `static/js/autosave.js` posts it."""

import time

from ..models import Assessment
from ..selectors.assessments import assessment_state
from .client import HOME_URL, PageFailed, counting, wall_get
from .data import answer_input
from .report import Figure, Goal, figure, median, percentile

WARM_UP = 5


def figures(client, assessment: Assessment, runs: int, backend: str) -> list[Figure]:
    """`runs` saves walking the asked controls (first saves and changes), each followed by a home page GET."""
    asked = [item for item in assessment_state(assessment).items if item.asked]
    versions = {item.control.control_id: (item.answer.version if item.answer else 0) for item in asked}
    controls = list(versions)
    walls, queries, home = [], [], []
    for run in range(WARM_UP + runs):
        control_id = controls[run % len(controls)]
        answer = answer_input(run + 1)
        data = {
            "claim": answer.claim,
            "notes": answer.notes,
            "justification": answer.justification,
            "version": str(versions[control_id]),
        }
        url = f"/assessments/{assessment.pk}/answers/{control_id}/"
        with counting() as captured:
            start = time.perf_counter()
            response = client.post(url, data, headers={"accept": "application/json"})
            seconds = time.perf_counter() - start
        count = len(captured)  # now: the captured queries are read from the log the next request clears
        if response.status_code != 200 or not response.json().get("ok"):
            raise PageFailed(f"POST {url} answered {response.status_code}: {response.content[:200]!r}")
        versions[control_id] = int(response.json()["version"])
        reference = wall_get(client, HOME_URL)  # the same run's yardstick for an absolute goal
        if run >= WARM_UP:
            walls.append(seconds)
            queries.append(count)
            home.append(reference)
    p95 = percentile(walls, 0.95)
    reference = f"home page median {median(home) * 1000:.1f} ms wall in the same run"
    return [
        figure(
            "autosave_queries",
            "autosave queries (whole request)",
            Goal("<=", 10, " queries"),
            max(queries),
            shown=f"{max(queries)}",
            note=(
                f"the most of {runs} saves, counting every query of the request (session, user, save, "
                f"response); median {median(queries):g}"
            ),
            median=median(queries),
            runs=runs,
        ),
        figure(
            "autosave_p95",
            f"autosave p95 wall time, in-process on {backend}",
            Goal("<=", 15, " ms"),
            round(p95 * 1000, 2),
            shown=f"{p95 * 1000:.1f} ms",
            note=f"median {median(walls) * 1000:.1f} ms over {runs} saves; {reference}",
            median_ms=round(median(walls) * 1000, 2),
            home_median_ms=round(median(home) * 1000, 2),
            runs=runs,
        ),
    ]
