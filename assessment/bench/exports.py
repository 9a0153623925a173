"""The OSCAL package and the XLSX workbook of a large assessment against its `export.json`, and their queries."""

from ..models import Assessment
from .client import cpu_get, get, request_queries
from .report import Figure, Goal, figure, median

FORMATS = {"xlsx": "export.xlsx", "oscal": "export.oscal.zip"}
LABELS = {"xlsx": "XLSX workbook", "oscal": "OSCAL package"}


def _url(assessment: Assessment, tail: str) -> str:
    return f"/assessments/{assessment.pk}/{tail}"


def time_figures(client, assessment: Assessment, runs: int) -> list[Figure]:
    """Each format against export.json of the same assessment: CPU of whole GETs, interleaved, medians."""
    urls = {"json": _url(assessment, "export.json")} | {k: _url(assessment, tail) for k, tail in FORMATS.items()}
    for url in urls.values():
        get(client, url)  # warm up
    times: dict[str, list[float]] = {key: [] for key in urls}
    for run in range(runs):
        order = list(urls.items())
        for key, url in order if run % 2 else reversed(order):
            times[key].append(cpu_get(client, url))
    controls = assessment.model.controls.count()
    json_ms = median(times["json"]) * 1000
    figures = []
    for key in FORMATS:
        ratio = median(times[key]) / median(times["json"])
        figures.append(
            figure(
                f"export_{key}",
                f"{LABELS[key]} ({controls} controls) vs export.json",
                Goal("<=", 2, "x"),
                round(ratio, 3),
                shown=f"{ratio:.2f}x",
                note=f"{LABELS[key]} {median(times[key]) * 1000:.0f} ms CPU, export.json {json_ms:.0f} ms; medians of {runs} interleaved",
                cpu_ms=round(median(times[key]) * 1000, 1),
                json_cpu_ms=round(json_ms, 1),
            )
        )
    return figures


def queries_figure(assessments: dict[int, tuple]) -> Figure:
    """Queries of each export at each size ({controls: (client of a member, assessment)}): the same whatever the size."""
    counts = {}
    for size, (client, assessment) in assessments.items():
        for tail in ("export.json", *FORMATS.values()):
            url = _url(assessment, tail)
            get(client, url)  # the published model's parts are memoized from the first request on
            counts[f"{tail} at {size}"] = request_queries(client, url)
    sizes = sorted(assessments)
    per_format = {tail: [counts[f"{tail} at {size}"] for size in sizes] for tail in ("export.json", *FORMATS.values())}
    return figure(
        "export_queries",
        "export queries (json / xlsx / oscal) at " + " / ".join(map(str, sizes)) + " controls",
        Goal("constant"),
        [tuple(values) for values in zip(*per_format.values(), strict=True)],
        shown=" · ".join("/".join(str(v) for v in values) for values in per_format.values()),
        note="every query of the request, per format: " + ", ".join(f"{k} {v}" for k, v in per_format.items()),
        by_format=per_format,
    )
