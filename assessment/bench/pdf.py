"""The PDF report: a cold render against plain WeasyPrint, a cache hit, and growth with the model's size.

Measured only through `render.render_pdf(assessment_state(a))` and GET report.pdf, so a change to
how (or where) the PDF is rendered shows up here without touching the bench.
"""

import contextlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import weasyprint
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from ..models import Assessment
from ..reports import render
from ..reports.fetcher import REPORT_BASE_URL, StaticFilesFetcher
from ..selectors.assessments import assessment_state
from .client import HOME_URL, PageFailed, body, wall_get
from .report import Figure, Goal, failed, figure, median, skipped

REFERENCE_HTML = Path(settings.BASE_DIR) / "fixtures" / "bench" / "report-reference.html"
PDF_TYPE = "application/pdf"
READY_TIMEOUT = 120  # seconds to wait for a rendered PDF (a worker may be rendering it)
CHILD_FLAG = "--pdf-child"


def loaded(pk) -> Assessment:
    return Assessment.objects.select_related("model", "deployment", "organization").get(pk=pk)


def plain_pdf(html: str) -> bytes:
    """Plain WeasyPrint with the same fetcher and tagging: what any renderer of this HTML would pay."""
    document = weasyprint.HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1")


def our_pdf(assessment: Assessment) -> bytes:
    """What a download pays on a cache miss: the state's queries, the context, the template, the PDF."""
    return render.render_pdf(assessment_state(assessment)).pdf


def _timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def cold_figure(assessment: Assessment, runs: int) -> Figure:
    """Ours against plain WeasyPrint of the frozen reference HTML: one warm-up each, then interleaved."""
    html = REFERENCE_HTML.read_text()
    ours, plain = [], []
    for run in range(1 + runs):
        pair = [(ours, lambda: our_pdf(assessment)), (plain, lambda: plain_pdf(html))]
        for times, work in pair if run % 2 else reversed(pair):
            measured = _timed(work)
            if run:
                times.append(measured)
    ratio = median([c for c, _ in ours]) / median([c for c, _ in plain])
    controls = assessment.model.controls.count()
    return figure(
        "pdf_cold",
        f"PDF cold, sample assessment ({controls} controls), vs plain WeasyPrint",
        Goal("<=", 0.7, "x"),
        round(ratio, 3),
        shown=f"{ratio:.2f}x",
        note=(
            f"CPU: ours {median([c for c, _ in ours]):.2f} s, reference HTML {median([c for c, _ in plain]):.2f} s "
            f"(wall {median([w for _, w in ours]):.2f} s vs {median([w for _, w in plain]):.2f} s); "
            f"medians of {runs} interleaved, after one warm-up each"
        ),
        ours_cpu_s=round(median([c for c, _ in ours]), 3),
        plain_cpu_s=round(median([c for c, _ in plain]), 3),
        ours_wall_s=round(median([w for _, w in ours]), 3),
        plain_wall_s=round(median([w for _, w in plain]), 3),
        controls=controls,
        runs=runs,
    )


def _pattern(name: str, patterns=None) -> URLPattern:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLPattern) and entry.name == name:
            return entry
        if isinstance(entry, URLResolver):
            with contextlib.suppress(LookupError):
                return _pattern(name, entry.url_patterns)
    raise LookupError(name)


@contextlib.contextmanager
def view_queries(url_name: str):
    """Count the queries of the view named `url_name` once the session and the user are loaded.

    The middleware loads both lazily; the wrapper touches `request.user` first, so what is
    counted is what the view itself asks the database.
    """
    pattern = _pattern(url_name)
    view, counts = pattern.callback, []

    def counted(request, *args, **kwargs):
        request.user.pk  # noqa: B018 - loads the session and the user outside the count
        with CaptureQueriesContext(connection) as captured:
            response = view(request, *args, **kwargs)
        counts.append(len(captured))
        return response

    pattern.callback = counted
    try:
        yield counts
    finally:
        pattern.callback = view


def cache_hit_figures(client, assessment: Assessment, runs: int) -> list[Figure]:
    """GET report.pdf until it is a PDF (rendered inline or by the task), then time further GETs."""
    url = f"/assessments/{assessment.pk}/report.pdf"
    label_queries, label_time = "PDF cache hit: queries in the view", "PDF cache hit: in-process time"
    deadline, attempts = time.monotonic() + READY_TIMEOUT, 0
    while True:
        attempts += 1
        response = client.get(url)
        body(response)
        if response.status_code == 200 and response["Content-Type"].startswith(PDF_TYPE):
            break
        if response.status_code >= 400 or time.monotonic() > deadline:
            reason = f"GET report.pdf gave no PDF after {attempts} tries (last: {response.status_code})"
            return [
                failed("pdf_hit_queries", label_queries, Goal("<=", 2, " queries"), reason),
                failed("pdf_hit_time", label_time, Goal("<=", 5, " ms"), reason),
            ]
        time.sleep(0.2)
    walls, home = [], []
    with view_queries("assessment_report_pdf") as counts:
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url)
            body(response)
            walls.append(time.perf_counter() - start)
            if not response["Content-Type"].startswith(PDF_TYPE):
                raise PageFailed(f"GET {url} stopped serving the PDF ({response['Content-Type']})")
            home.append(wall_get(client, HOME_URL))
    return [
        figure(
            "pdf_hit_queries",
            label_queries,
            Goal("<=", 2, " queries"),
            max(counts),
            shown=str(max(counts)),
            note="queries the view makes after the session and the user are loaded (the most of "
            f"{runs} GETs); ready after {attempts} GET(s)",
            ready_after_gets=attempts,
            runs=runs,
        ),
        figure(
            "pdf_hit_time",
            label_time,
            Goal("<=", 5, " ms"),
            round(median(walls) * 1000, 2),
            shown=f"{median(walls) * 1000:.1f} ms",
            note=f"median wall time of the whole GET over {runs}; home page median "
            f"{median(home) * 1000:.1f} ms in the same run",
            home_median_ms=round(median(home) * 1000, 2),
            runs=runs,
        ),
    ]


def child(pk: str) -> dict:
    """In a fresh process: render once (after warming WeasyPrint up), report time and peak RSS."""
    weasyprint.HTML(string="<p>warm-up</p>").write_pdf()  # fonts and WeasyPrint's own start-up, not ours
    assessment = loaded(pk)
    wall, cpu = time.perf_counter(), time.process_time()
    state = assessment_state(assessment)
    pdf = render.render_pdf(state).pdf
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = peak_rss_mb()
    controls = assessment.model.controls.count()
    return {
        "controls": controls,
        "asked": len(state.items),
        "cpu_s": cpu,
        "wall_s": wall,
        "peak_rss_mb": peak,
        "bytes": len(pdf),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    VmHWM where Linux has it: ru_maxrss survives fork and exec, so a child of the large bench
    process would report the parent's peak instead of its own.
    """
    with contextlib.suppress(OSError):
        for row in Path("/proc/self/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux, bytes on macOS


def _run_child(pk) -> dict:
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", CHILD_FLAG, str(pk)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise PageFailed(f"the PDF child process failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def growth_figures(assessments: dict[int, Assessment], runs: int, *, rss_at: int) -> list[Figure]:
    """Each size rendered `runs` times, each in a fresh child process, sizes interleaved."""
    results: dict[int, list[dict]] = {size: [] for size in assessments}
    for _ in range(runs):
        for size, assessment in assessments.items():
            results[size].append(_run_child(assessment.pk))
    rows = {
        size: {
            "controls": runs_[0]["controls"],
            "cpu_s": median([r["cpu_s"] for r in runs_]),
            "wall_s": median([r["wall_s"] for r in runs_]),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs_),
        }
        for size, runs_ in results.items()
    }
    for row in rows.values():
        row["ms_per_control"] = row["cpu_s"] * 1000 / row["controls"]
    smallest, largest = min(rows), max(rows)
    ratio = rows[largest]["ms_per_control"] / rows[smallest]["ms_per_control"]
    sizes = " / ".join(f"{rows[s]['controls']}" for s in rows)
    detail = "; ".join(
        f"{r['controls']}: {r['cpu_s']:.2f} s CPU ({r['ms_per_control']:.1f} ms/control), {r['peak_rss_mb']:.0f} MB"
        for r in rows.values()
    )
    growth = figure(
        "pdf_growth_time",
        f"PDF growth {sizes} controls: time per control, {rows[largest]['controls']} vs {rows[smallest]['controls']}",
        Goal("<=", 1.3, "x"),
        round(ratio, 3),
        shown=f"{ratio:.2f}x",
        note=f"{detail}; medians of {runs}, each in a fresh child process",
        by_controls={str(r["controls"]): r for r in rows.values()},
        runs=runs,
    )
    rss_label = f"PDF growth: peak RSS at {rss_at} controls"
    if rss_at not in rows:
        rss = skipped("pdf_growth_rss", rss_label, Goal("<=", 400, " MB"), f"--quick renders no {rss_at}-control PDF")
    else:
        peak = rows[rss_at]["peak_rss_mb"]
        rss = figure(
            "pdf_growth_rss",
            rss_label,
            Goal("<=", 400, " MB"),
            round(peak, 1),
            shown=f"{peak:.0f} MB",
            note="the child process's peak resident memory (Django, WeasyPrint and the render)",
        )
    return [growth, rss]
