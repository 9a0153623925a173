"""The bench from start to end: a fresh database of its own, the data, every figure, the table and JSON.

`prepare_and_run` (what `manage.py bench` does) recreates the bench database, collects static files
into a temporary STATIC_ROOT and migrates, then starts `manage.py bench --inside` with production
settings (DEBUG off) on that database, which sets up the data and measures. The developer's
database is never opened.
"""

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.test.utils import override_settings

from ..reports.sample import sample_assessment
from ..services.assessments import assessment_start
from . import autosave, exports, pages, pdf, throughput, uploads
from .client import first_area_url, logged_in
from .data import DEPLOYMENT_KEY, half_answered, member, organization
from .database import BENCH_DIR, POSTGRES_DATABASE, SQLITE_FILE, is_postgres, recreate_bench_database
from .models import load_bench_model, load_fixture
from .report import Figure, Goal, failed, line, skipped, table, write_json
from .server import manage, production_env

IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
SAMPLE_FILE = "yugabytedb-managed-1.1.yaml"
GROWTH_SIZES = (200, 500)


@dataclass(frozen=True)
class Runs:
    page_pairs: int
    saves: int
    pdf_renders: int
    pdf_hits: int
    growth_renders: int
    throughput_seconds: float
    throughput_rounds: int
    growth_sizes: tuple[int, ...]


FULL = Runs(30, 200, 5, 20, 3, 10, 4, GROWTH_SIZES)
QUICK = Runs(6, 30, 1, 5, 1, 3, 2, GROWTH_SIZES[:1])  # a smoke test: fewer runs, no 500-control model


def _shown_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}{parts.path}"


def prepare_and_run(write: Callable[[str], None], *, quick: bool) -> int:
    """Recreate the bench database and run the measuring process on it; its exit status."""
    database_url = recreate_bench_database(os.environ.get("DATABASE_URL", ""))
    static_root = tempfile.mkdtemp(prefix="srsa-bench-static-")
    media_root = tempfile.mkdtemp(prefix="srsa-bench-media-")
    env = production_env(database_url, static_root, allowed_hosts="127.0.0.1,localhost,testserver")
    env.update(
        {
            "TASKS_BACKEND": IMMEDIATE_TASKS,
            "PYTHONUNBUFFERED": "1",  # progress as it happens
            # The services notify reviewers by email; the bench's data would flood the console otherwise.
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            # Uploaded evidence goes to a throwaway folder, never the developer's var/media.
            "DJANGO_MEDIA_ROOT": media_root,
        }
    )
    try:
        write(f"Bench database (recreated): {_shown_url(database_url)}")
        started = time.perf_counter()
        manage(env, "collectstatic", "--noinput")
        manage(env, "migrate", "--noinput")
        write(f"Static files collected into {static_root}, migrated, in {time.perf_counter() - started:.1f} s.")
        sys.stdout.flush()
        command = [sys.executable, "manage.py", "bench", "--inside", *(["--quick"] if quick else [])]
        return subprocess.run(command, cwd=settings.BASE_DIR, env=env).returncode
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)


def on_bench_database() -> bool:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return str(database["NAME"]) == str(SQLITE_FILE)
    return database["NAME"] == POSTGRES_DATABASE


@contextlib.contextmanager
def immediate_tasks():
    """Background tasks run as they are enqueued, so GET report.pdf gets its PDF without a worker."""
    tasks = getattr(settings, "TASKS", None)
    if tasks is None or tasks.get("default", {}).get("BACKEND") == IMMEDIATE_TASKS:
        yield
        return
    with override_settings(TASKS={**tasks, "default": {**tasks["default"], "BACKEND": IMMEDIATE_TASKS}}):
        yield


def _attempt(write, name: str, measure: Callable[[], list[Figure]]) -> list[Figure]:
    """One figure group; if it breaks, it is reported as not measured (over), and the others still run."""
    try:
        figures = measure()
    except Exception as error:
        write("".join(traceback.format_exception(error, limit=-3)))
        figures = [failed(name, f"{name}: not measured", Goal("measured"), f"{type(error).__name__}: {error}")]
    for item in figures:
        write(line(item))
    return figures


def measure(write: Callable[[str], None], *, quick: bool) -> list[Figure]:
    runs = QUICK if quick else FULL
    postgres = is_postgres(os.environ.get("DATABASE_URL", ""))
    backend = "PostgreSQL" if postgres else "SQLite"
    # WeasyPrint warns on every render about CSS it ignores: keep that out of the table.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    with immediate_tasks():
        started = time.perf_counter()
        sizes = ", ".join(map(str, runs.growth_sizes))
        write(f"Setting up: area-page models of 10, 80, 200 controls, the sample assessment, PDF models of {sizes} …")
        customer = organization("Bench Customer Ltd")
        owner = member(customer, "bench-owner@bench.invalid")
        clients = [member(customer, f"bench-client-{n:02d}@bench.invalid") for n in range(throughput.CLIENTS)]
        # One area holding every control: the area page shows all of them.
        page_models = {n: load_bench_model(n, areas=1) for n in pages.QUERY_CONTROLS}
        page_assessments = {
            n: half_answered(m, owner, title=f"Bench area page, {n} controls") for n, m in page_models.items()
        }
        area_model = page_models[pages.CPU_CONTROLS]
        autosave_assessment = assessment_start(
            user=owner,
            model=area_model,
            deployment=area_model.deployments.get(key=DEPLOYMENT_KEY),
            title="Bench autosave",
        )
        sample = pdf.loaded(sample_assessment(model=load_fixture(SAMPLE_FILE), email_prefix="bench-sample").pk)
        growth = {sample.model.controls.count(): sample}
        for n in runs.growth_sizes:
            made = sample_assessment(
                model=load_bench_model(n), organization_name=f"Bench PDF {n}", email_prefix=f"bench-pdf-{n}"
            )
            growth[n] = pdf.loaded(made.pk)
        write(f"Set up in {time.perf_counter() - started:.1f} s. Measuring ({'quick' if quick else 'full'} runs) …")

        client = logged_in(owner)
        sample_client = logged_in(sample.organization.memberships.get().user)
        figures = []
        figures += _attempt(
            write,
            "area_page_cpu",
            lambda: [pages.cpu_figure(client, page_assessments[pages.CPU_CONTROLS], runs.page_pairs)],
        )
        figures += _attempt(write, "area_page_queries", lambda: [pages.queries_figure(client, page_assessments)])
        if postgres:
            log_path = BENCH_DIR / f"gunicorn-{time.strftime('%Y%m%d-%H%M%S')}.log"
            figures += _attempt(
                write,
                "throughput",
                lambda: [
                    throughput.throughput_figure(
                        dict(os.environ),
                        log_path,
                        [c.email for c in clients],
                        first_area_url(page_assessments[pages.CPU_CONTROLS]),
                        seconds=runs.throughput_seconds,
                        rounds=runs.throughput_rounds,
                    )
                ],
            )
        else:
            figures.append(skipped("throughput", throughput.LABEL, throughput.GOAL, throughput.skipped_reason()))
            write(line(figures[-1]))
        figures += _attempt(
            write, "autosave", lambda: autosave.figures(client, autosave_assessment, runs.saves, backend)
        )
        figures += _attempt(write, "pdf_cold", lambda: [pdf.cold_figure(sample, runs.pdf_renders)])
        figures += _attempt(write, "pdf_hit", lambda: pdf.cache_hit_figures(sample_client, sample, runs.pdf_hits))
        figures += _attempt(
            write, "pdf_growth", lambda: pdf.growth_figures(growth, runs.growth_renders, rss_at=GROWTH_SIZES[-1])
        )
        largest = max(growth)
        export_client = logged_in(growth[largest].organization.memberships.get().user)
        figures += _attempt(
            write, "exports", lambda: exports.time_figures(export_client, growth[largest], runs.pdf_renders)
        )
        # Each size belongs to its own organization: each is read by one of its members.
        readers = {n: (logged_in(a.organization.memberships.get().user), a) for n, a in growth.items()}
        figures += _attempt(write, "export_queries", lambda: [exports.queries_figure(readers)])
        upload_log = BENCH_DIR / f"gunicorn-upload-{time.strftime('%Y%m%d-%H%M%S')}.log"
        figures += _attempt(
            write,
            "upload_memory",
            lambda: [uploads.upload_figure(dict(os.environ), upload_log, owner.email, autosave_assessment)],
        )
    write("")
    write(table(figures))
    path = write_json(figures, BENCH_DIR, database=backend, quick=quick)
    write(f"Written: {path} and {BENCH_DIR / 'latest.json'}")
    return figures
