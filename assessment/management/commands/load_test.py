"""Load test: simulated customers against gunicorn + PostgreSQL on 127.0.0.1, with connection kills.

`make load` runs this. Each run drops and recreates its own database (default `srsa_load`), migrates
it, loads the YugabyteDB Managed model, creates one user per organization and starts gunicorn on a
free port with production settings (and the task worker, when tasks queue in the database). Every
customer then logs in, starts an assessment, answers each asked control through the autosave
endpoint at a browser's pace, submits (declaration, confirmation) and downloads the PDF (asking
again while it is being prepared), while every app connection to the database is terminated a few
times. Before submitting, the first ten customers (`--uploaders`) each attach five evidence files
of 1–5 MB (`--files`) to controls of their first area. Finally it checks in the database that each
answer the app acknowledged (2xx JSON ok) is stored as acknowledged, and that each acknowledged
file is stored with its size and SHA-256 and its bytes on disk hash to it, and prints the goals:
autosave p95 <= 100 ms, no errors besides the requests a kill cut off, no file lost.

Exit status 1 when an acknowledged answer or file is lost or any 5xx occurred. Gunicorn's log (with the
tracebacks of 500s) is kept under var/ and its path printed. The gunicorn and start-up helpers are
shared with `make bench` (`assessment/bench/server.py`).
"""

import argparse
import asyncio
import contextlib
import hashlib
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import httpx
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from assessment.bench import database, server
from assessment.bench.report import OK, OVER, percentile
from assessment.models import (
    Answer,
    Assessment,
    Deployment,
    Evidence,
    Membership,
    Organization,
    ResponsibilityModel,
    User,
)

MODEL_FILE = "fixtures/yugabytedb-managed.yaml"
MODEL_SLUG = "yugabytedb-managed"
DEPLOYMENT_KEY = "managed"
PASSWORD = "load-test-password-2026"
ALIAS = "load_test"  # the command's own connection to the load database, beside the default one
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CLAIMS = ["implemented", "partial", "provider", "not_implemented", "unknown", "not_applicable"]
NOTES = [
    "Checked with the platform team.",
    "Evidence in the runbook, section 4.",
    "Überprüft — 確認済み — revisado.",
    "Owner: SRE on-call rotation.\nReviewed quarterly.",
]
RETRIES = 2  # a person clicks Retry (or reloads) about this often before giving up
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
CONTROL_RE = re.compile(r'data-control="([^"]+)"')
AREA_RE = re.compile(rf'href="/assessments/{UUID_RE}/areas/([\w-]+)/"')
EXCEPTION_RE = re.compile(r"[A-Za-z_][\w.]*: ")  # "psycopg.errors.AdminShutdown: …", as tracebacks end
AUTOSAVE_P95_GOAL_MS = 100
PDF_POLLS = 60  # GETs of report.pdf, a second apart, while it says the report is being prepared
UPLOAD_SIZES = (1 << 20, 5 << 20)  # bytes: each evidence file is between 1 and 5 MB


@dataclass
class Sample:
    route: str
    status: int | None  # None: transport error
    error: str | None
    start: float
    end: float


@dataclass
class Run:
    """Everything the customers observed, shared by all of them (one event loop: no locks needed)."""

    samples: list[Sample] = field(default_factory=list)
    cut_off: int = 0  # requests in flight when time was up
    kills: list[tuple[float, float, int]] = field(default_factory=list)  # (start, end, backends terminated)
    worker_restarts: list[tuple[float, int]] = field(default_factory=list)  # (when, the exit status it had)
    # (assessment id, control id) -> last acknowledged (claim, notes, justification)
    acked: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    # values sent after the last acknowledgement without being acknowledged: stored is fine, not required
    unacked: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    submitted: set[str] = field(default_factory=set)
    # Evidence files the app acknowledged: (assessment, control, name, size, sha256).
    uploads: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    progress: Counter = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)


class Customer:
    """One person in a browser of their own (cookie jar, keep-alive connection), start to finish."""

    def __init__(
        self,
        number: int,
        email: str,
        base_url: str,
        form: dict[str, str],
        run: Run,
        rng: random.Random,
        files: int,
        pace: tuple[float, float],
    ):
        self.number, self.email, self.form, self.run, self.rng, self.files = number, email, form, run, rng, files
        self.pace = pace  # seconds a person takes over one control: reading it, choosing, maybe typing a note
        self.first_controls: list[str] = []
        self.client = httpx.AsyncClient(base_url=base_url, timeout=60, follow_redirects=False)
        self.assessment_id = ""
        self.first_area_url = ""

    async def request(self, route: str, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            response = await self.client.request(method, url, **kwargs)
            await response.aread()
        except asyncio.CancelledError:
            self.run.cut_off += 1
            raise
        except httpx.HTTPError as error:
            self.run.samples.append(Sample(f"{route} {method}", None, type(error).__name__, start, loop.time()))
            return None
        self.run.samples.append(Sample(f"{route} {method}", response.status_code, None, start, loop.time()))
        return response

    async def persist(self, route: str, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        """Like a person who sees an error page or "Not saved — retry": try again a moment later."""
        for attempt in range(RETRIES + 1):
            response = await self.request(route, method, url, **kwargs)
            if response is not None and response.status_code < 500:
                return response
            if attempt < RETRIES:
                await asyncio.sleep(self.rng.uniform(0.2, 0.5))
        return None

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    async def think(self, low: float = 0.0, high: float = 0.05) -> None:
        await asyncio.sleep(self.rng.uniform(low, high))

    async def journey(self) -> None:
        try:
            # Each step counts itself in run.progress the moment the app acknowledges it.
            for step in (self.login, self.start, self.answer_all, self.upload_evidence, self.submit, self.download):
                if not await step():
                    break  # a person who can't get past a step stops there
        except Exception as error:  # a bug in this script or an unexpected page: report, don't hide
            self.run.crashes.append(f"customer {self.number}: {type(error).__name__}: {error}")

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.aclose()

    async def login(self) -> bool:
        page = await self.persist("login", "GET", "/accounts/login/")
        if page is None or page.status_code != 200:
            return False
        data = {"csrfmiddlewaretoken": self.csrf(), "username": self.email, "password": PASSWORD}
        response = await self.persist("login", "POST", "/accounts/login/", data=data)
        if response is None or response.status_code != 302:
            return False
        self.run.progress["logged in"] += 1
        await self.persist("list", "GET", response.headers["location"])
        return True

    async def start(self) -> bool:
        page = await self.persist("start", "GET", "/assessments/new/")
        if page is None or page.status_code != 200:
            return False
        await self.think(0.1, 0.5)  # typing a title
        data = {"csrfmiddlewaretoken": self.csrf(), "title": f"Load test {self.number}", "scope": "", **self.form}
        response = await self.persist("start", "POST", "/assessments/new/", data=data)
        if response is None or response.status_code != 302:
            return False
        match = re.search(rf"/assessments/({UUID_RE})/", response.headers["location"])
        if match is None:
            return False
        self.assessment_id = match.group(1)
        self.first_area_url = response.headers["location"]
        self.run.progress["started"] += 1
        return True

    async def answer_all(self) -> bool:
        """Walk the areas in order, answering each control; True when every save was acknowledged."""
        page = await self.persist("area", "GET", self.first_area_url)  # where starting redirected to
        if page is None or page.status_code != 200:
            return False
        areas = list(dict.fromkeys(AREA_RE.findall(page.text)))  # the page's stepper lists all areas
        self.first_controls = list(dict.fromkeys(CONTROL_RE.findall(page.text)))
        complete = True
        for area in areas:
            url = f"/assessments/{self.assessment_id}/areas/{area}/"
            if url != self.first_area_url:
                page = await self.persist("area", "GET", url)
                if page is None or page.status_code != 200:
                    return False
            for control_id in dict.fromkeys(CONTROL_RE.findall(page.text)):
                version = await self.answer(control_id, version=0)
                if version is None:
                    complete = False
                elif self.rng.random() < 0.15:  # changed their mind: a second save based on the first
                    await self.think(*self.pace)
                    complete &= await self.answer(control_id, version=version) is not None
                await self.think(*self.pace)
        if complete:
            self.run.progress["answered all"] += 1
        return complete

    async def answer(self, control_id: str, version: int) -> int | None:
        """One autosave (with the retries of a person); the acknowledged version, or None."""
        claim = self.rng.choice(CLAIMS)
        notes = self.rng.choice(NOTES) if self.rng.random() < 0.4 else ""
        justification = f"Not used here ({self.rng.randrange(1000)})." if claim == "not_applicable" else ""
        sent = (claim, notes.strip(), justification.strip())
        key = (self.assessment_id, control_id)
        url = f"/assessments/{self.assessment_id}/answers/{control_id}/"
        headers = {"X-CSRFToken": self.csrf(), "Accept": "application/json"}
        for attempt in range(RETRIES + 1):
            data = {"claim": claim, "notes": notes, "justification": justification, "version": str(version)}
            self.run.unacked[key].append(sent)  # may be stored even if the answer never arrives
            response = await self.request("autosave", "POST", url, data=data, headers=headers)
            body = _json(response)
            if response is not None and 200 <= response.status_code < 300 and body.get("ok"):
                self.run.acked[key] = sent
                self.run.unacked.pop(key, None)
                return int(body["version"])
            if response is not None and response.status_code == 409 and "current" in body:
                version = int(body["current"]["version"])  # seen the other version: keep ours on purpose
            elif response is not None and response.status_code < 500:
                return None  # refused (400/403/404): retrying the same thing won't help
            if attempt < RETRIES:
                await asyncio.sleep(self.rng.uniform(0.2, 0.5))
        return None

    async def upload_evidence(self) -> bool:
        """`files` evidence files, one per control of the first area, as a person drops them on the page."""
        if not self.files:
            return True
        headers = {"X-CSRFToken": self.csrf(), "Accept": "application/json"}
        for n in range(self.files):
            control_id = self.first_controls[n % len(self.first_controls)]
            size = self.rng.randint(*UPLOAD_SIZES)
            content = b"%PDF-1.7\n" + self.rng.randbytes(size - 9)  # read as a PDF: its type is taken from the start
            name = f"evidence-{self.number:03d}-{n}.pdf"
            url = f"/assessments/{self.assessment_id}/controls/{control_id}/evidence/"
            for attempt in range(RETRIES + 1):
                files = {"files": (name, content, "application/pdf")}
                response = await self.request(
                    "evidence", "POST", url, files=files, data={"description": "Load test"}, headers=headers
                )
                if response is not None and response.status_code == 200 and _json(response).get("ok"):
                    digest = hashlib.sha256(content).hexdigest()
                    self.run.uploads.append((self.assessment_id, control_id, name, size, digest))
                    break
                if response is not None and response.status_code < 500:
                    return False  # refused: sending it again won't help
                if attempt < RETRIES:
                    await asyncio.sleep(self.rng.uniform(0.2, 0.5))
            else:
                return False
            await self.think(0.1, 0.4)
        self.run.progress["uploaded evidence"] += 1
        return True

    async def submit(self) -> bool:
        base = f"/assessments/{self.assessment_id}"
        await self.persist("review", "GET", f"{base}/review/")
        await self.think(0.1, 0.3)
        # Tick the declaration, read the confirmation page, confirm.
        data = {"csrfmiddlewaretoken": self.csrf(), "declare": "on"}
        response = await self.persist("submit", "POST", f"{base}/submit/", data=data)
        if response is None or response.status_code != 200:
            return False
        await self.think(0.1, 0.3)
        response = await self.persist("submit", "POST", f"{base}/submit/", data={**data, "confirm": "on"})
        if response is None or response.status_code != 302 or not response.headers["location"].endswith("/results/"):
            return False
        self.run.submitted.add(self.assessment_id)
        self.run.progress["submitted"] += 1
        await self.persist("results", "GET", response.headers["location"])
        return True

    async def download(self) -> bool:
        """Like report-download.js: ask again while the report is being prepared, until the PDF comes."""
        for _ in range(PDF_POLLS):
            response = await self.persist("pdf", "GET", f"/assessments/{self.assessment_id}/report.pdf")
            if response is None or response.status_code not in (200, 202):  # 202: being prepared
                return False
            if response.status_code == 200 and response.content.startswith(b"%PDF"):
                self.run.progress["downloaded PDF"] += 1
                return True
            await asyncio.sleep(1)
        return False


def _json(response: httpx.Response | None) -> dict:
    if response is None or "application/json" not in response.headers.get("content-type", ""):
        return {}
    try:
        return response.json()
    except ValueError:
        return {}


def _server_errors(log_path: Path) -> Counter:
    """(path, final exception line) of each "Internal Server Error" traceback, plus worker timeouts."""
    found: Counter = Counter()
    where, exception = None, None
    for line in [*log_path.read_text(errors="replace").splitlines(), "[end]"]:
        if line.startswith(("Internal Server Error:", "[")):
            if where:
                found[(where, exception or "?")] += 1
            where, exception = None, None
            if "WORKER TIMEOUT" in line:
                found[("gunicorn", "WORKER TIMEOUT")] += 1
        if line.startswith("Internal Server Error:"):
            where = re.sub(UUID_RE, "<id>", line.split(":", 1)[1].strip())
            where = re.sub(r"/answers/[^/]+/", "/answers/<control>/", where)
        elif where and EXCEPTION_RE.match(line):
            exception = line  # the last one is the exception the request died of (other threads' lines interleave)
    return found


WINDOW = 15.0  # seconds per line of the autosave timeline


def _seconds_range(text: str) -> tuple[float, float]:
    low, sep, high = text.partition("-")
    try:
        bounds = (float(low), float(high if sep else low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds as LOW-HIGH, e.g. 1-3, not {text!r}") from None
    if not 0 <= bounds[0] <= bounds[1] <= 60:
        raise argparse.ArgumentTypeError("the range must lie within 0-60 seconds, low first")
    return bounds


class Command(BaseCommand):
    help = "Load-test gunicorn + PostgreSQL on 127.0.0.1 with simulated customers and connection kills."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="simulated customers, one organization each")
        parser.add_argument("--duration", type=float, default=150, help="seconds of traffic (default 150)")
        parser.add_argument(
            "--think",
            type=_seconds_range,
            default=(1.0, 3.0),
            metavar="LOW-HIGH",
            help="seconds a customer spends on each control before the next (default 1-3, a person reading and "
            "clicking; 0-0.05 floods the server: latencies then measure its queue)",
        )
        parser.add_argument("--kills", type=int, default=2, help="times every app connection is terminated")
        parser.add_argument("--database", default="srsa_load", help="database to (re)create (default srsa_load)")
        parser.add_argument(
            "--postgres", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server, without a database"
        )
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--seed", type=int, default=None, help="random seed, for a repeatable run")
        parser.add_argument("--uploaders", type=int, default=10, help="customers who attach evidence (default 10)")
        parser.add_argument("--files", type=int, default=5, help="evidence files each of them attaches (1-5 MB each)")

    def handle(self, *args, users: int, duration: float, kills: int, database: str, postgres: str, **options):
        if users < 1 or duration <= 0 or kills < 0:
            raise CommandError("--users must be at least 1, --duration positive, --kills not negative.")
        if urlsplit(postgres).hostname not in LOCAL_HOSTS:
            raise CommandError("The load test drops and recreates its database: only a local PostgreSQL is allowed.")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
            raise CommandError("--database must be a plain lowercase identifier.")
        self.server_url, self.database = postgres.rstrip("/"), database
        self.database_url = f"{self.server_url}/{database}"
        self.rng = random.Random(options["seed"])
        self.workers, self.threads = options["workers"], options["threads"]
        self.uploaders, self.files = options["uploaders"], options["files"]
        self.pace = options["think"]
        static_root = Path(tempfile.mkdtemp(prefix="srsa-load-static-"))
        self.media_root = Path(tempfile.mkdtemp(prefix="srsa-load-media-"))
        stamp = time.strftime("%Y%m%d-%H%M%S")
        log_path = Path(settings.BASE_DIR) / "var" / f"load-gunicorn-{stamp}.log"
        self.env = server.production_env(self.database_url, static_root)
        self.env["DJANGO_MEDIA_ROOT"] = str(self.media_root)  # the evidence files, checked at the end
        gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_log = log_path.with_name(log_path.name.replace("gunicorn", "worker"))
        try:
            self.prepare(users)
            gunicorn, base_url = self.serve(log_path)
            self.worker = server.start_task_worker(self.env, self.worker_log)
            run = asyncio.run(self.drive(base_url, users, duration, kills))
            self.stop(gunicorn)
            gunicorn = None
            self.report(run, duration, log_path)
        except KeyboardInterrupt:
            raise CommandError(f"Interrupted; gunicorn stopped. Its log: {log_path}") from None
        finally:
            if gunicorn is not None:
                self.stop(gunicorn)
            if self.worker is not None:
                self.stop(self.worker)
            if ALIAS in connections.settings:
                connections[ALIAS].close()
            shutil.rmtree(static_root, ignore_errors=True)
            shutil.rmtree(self.media_root, ignore_errors=True)

    # --- setup ---------------------------------------------------------------------------------

    def admin_sql(self, statement: str) -> list[tuple]:
        return database.admin_sql(self.server_url, statement)

    def manage(self, *arguments: str) -> None:
        """A manage.py command against the load database, with the environment gunicorn gets."""
        try:
            server.manage(self.env, *arguments)
        except server.ServerError as error:
            raise CommandError(str(error)) from error

    def prepare(self, users: int) -> None:
        started = time.perf_counter()
        self.stdout.write(f"Recreating database {self.database} …")
        database.recreate_postgres(self.server_url, self.database)
        # collectstatic first: with DEBUG off, migrate's system checks refuse to run without the manifest.
        self.manage("collectstatic", "--noinput")
        self.manage("migrate", "--noinput")
        self.manage("load_model", MODEL_FILE, "--publish")
        connections.settings[ALIAS] = connections.configure_settings(
            {DEFAULT_DB_ALIAS: dj_database_url.parse(self.database_url)}
        )[DEFAULT_DB_ALIAS]
        # One real hash, copied: each login still verifies it at production cost, setup stays fast.
        password = make_password(PASSWORD)
        organizations = Organization.objects.using(ALIAS).bulk_create(
            [Organization(name=f"Load Org {n:03d}") for n in range(users)]
        )
        accounts = User.objects.using(ALIAS).bulk_create(
            [User(email=f"load{n:03d}@load.test", name=f"Load User {n:03d}", password=password) for n in range(users)]
        )
        Membership.objects.using(ALIAS).bulk_create(
            [Membership(user=u, organization=o, role="owner") for u, o in zip(accounts, organizations, strict=True)]
        )
        model = ResponsibilityModel.objects.using(ALIAS).get(slug=MODEL_SLUG)
        deployment = Deployment.objects.using(ALIAS).get(model=model, key=DEPLOYMENT_KEY)
        self.form = {"model": str(model.pk), "deployment": str(deployment.pk)}
        self.emails = [u.email for u in accounts]
        connections[ALIAS].close()  # not one of the app's connections when the kills come
        self.stdout.write(f"Prepared {users} users in {time.perf_counter() - started:.1f} s.")

    def serve(self, log_path: Path) -> tuple[subprocess.Popen, str]:
        try:
            process, base_url = server.start_gunicorn(self.env, log_path, workers=self.workers, threads=self.threads)
        except server.ServerError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"gunicorn serving on {base_url} (pid {process.pid}); log: {log_path}")
        return process, base_url

    def stop(self, process: subprocess.Popen) -> None:
        server.stop(process)

    # --- traffic -------------------------------------------------------------------------------

    async def drive(self, base_url: str, users: int, duration: float, kills: int) -> Run:
        run = Run()
        loop = asyncio.get_running_loop()
        self.t0 = loop.time()
        # People arrive over half a minute, not in the same second: 50 logins at once (each an Argon2
        # hash, by design slow) would hold both cores for seconds, and every autosave behind them.
        ramp = min(30.0, duration / 5)

        async def arrive(customer: Customer) -> None:
            try:
                await asyncio.sleep(self.rng.uniform(0, ramp))
                await customer.journey()
            finally:
                await customer.close()  # also when time is up: the task was cancelled once, this await still runs

        customers = [
            Customer(
                n,
                email,
                base_url,
                self.form,
                run,
                random.Random(self.rng.random()),
                self.files if n < self.uploaders else 0,
                self.pace,
            )
            for n, email in enumerate(self.emails)
        ]
        tasks = [asyncio.create_task(arrive(c)) for c in customers]
        killer = asyncio.create_task(self.kill_connections(run, duration, kills))
        supervisor = asyncio.create_task(self.supervise_worker(run))
        self.stdout.write(f"{users} customers for {duration:g} s, {kills} connection kill(s) …")
        try:
            _done, pending = await asyncio.wait(tasks, timeout=duration)
        finally:
            for task in [*tasks, killer, supervisor]:
                task.cancel()
            await asyncio.gather(*tasks, killer, supervisor, return_exceptions=True)
        run.progress["unfinished (time up)"] = len(pending)
        self.elapsed = loop.time() - self.t0
        return run

    async def supervise_worker(self, run: Run) -> None:
        """Restart the task worker when it exits, as a process supervisor (systemd, Kubernetes) would."""
        loop = asyncio.get_running_loop()
        while self.worker is not None:
            await asyncio.sleep(0.5)
            if self.worker.poll() is not None:
                run.worker_restarts.append((loop.time(), self.worker.returncode))
                self.stdout.write(
                    f"  t={loop.time() - self.t0:5.1f} s: the task worker exited with status "
                    f"{self.worker.returncode}; restarted (log: {self.worker_log})"
                )
                with self.worker_log.open("a") as log:
                    log.write("\n--- restarted by the load test ---\n")
                self.worker = server.start_task_worker(self.env, self.worker_log, append=True)

    async def kill_connections(self, run: Run, duration: float, kills: int) -> None:
        loop = asyncio.get_running_loop()
        statement = (
            # With a timeout, pg_terminate_backend returns once the backend is gone, not just signalled.
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            f"WHERE datname = '{self.database}' AND pid <> pg_backend_pid()"
        )
        for i in range(1, kills + 1):
            await asyncio.sleep(max(0.0, self.t0 + duration * i / (kills + 1) - loop.time()))
            at = loop.time()
            terminated = (await asyncio.to_thread(self.admin_sql, statement))[0][0]
            run.kills.append((at, loop.time(), terminated))
            self.stdout.write(f"  t={at - self.t0:5.1f} s: terminated {terminated} app connection(s)")

    # --- report --------------------------------------------------------------------------------

    def report(self, run: Run, duration: float, log_path: Path) -> None:
        w = self.stdout.write
        samples = run.samples
        w("")
        w(f"Total requests: {len(samples)} in {self.elapsed:.1f} s ({len(samples) / self.elapsed:.0f}/s)")
        w(f"  cut off in flight when time was up: {run.cut_off}")
        killed = ", ".join(f"t={at - self.t0:.1f} s: {n}" for at, _, n in run.kills) or "none"
        w(f"Connection kills (backends terminated): {killed}")
        if run.worker_restarts:
            w(f"Task worker exits (restarted each time): {len(run.worker_restarts)}; see {self.worker_log}")
        w("Customers: " + ", ".join(f"{k} {v}" for k, v in run.progress.items()))
        statuses = Counter(s.status for s in samples if s.status is not None)
        w("Responses by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
        errors = [s for s in samples if s.status is None or s.status >= 400]
        w(f"Errors: {len(errors)}")
        by_kind = Counter((s.route, s.status or s.error) for s in errors)
        for (route, kind), count in sorted(by_kind.items(), key=lambda item: (-item[1], str(item[0]))):
            w(f"  {route:<16} {kind}: {count}")
        # A request whose connection is killed under it can only fail; any other 5xx is the app's fault.
        in_flight = [s for s in errors if any(s.start <= end and s.end >= at for at, end, _ in run.kills)]
        if run.kills and errors:
            after = [s for s in errors if s not in in_flight and any(0 <= s.start - e <= 2 for _, e, _ in run.kills)]
            w(
                f"  of which in flight at a kill instant: {len(in_flight)}; started within 2 s after a kill: {len(after)}"
            )
            w(f"  other errors: {len(errors) - len(in_flight) - len(after)}")

        w("Latency per endpoint (ms):")
        w(f"  {'endpoint':<16} {'count':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")
        by_route: dict[str, list[float]] = defaultdict(list)
        for s in samples:
            by_route[s.route].append((s.end - s.start) * 1000)
        for route, values in sorted(by_route.items()):
            values.sort()
            p50, p95, p99 = (percentile(values, f) for f in (0.5, 0.95, 0.99))
            w(f"  {route:<16} {len(values):>6} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f} {values[-1]:>8.0f}")

        # Where the slow saves fall in time (arrivals and their logins, kills, PDF renders): p95 per window.
        windows: dict[int, list[float]] = defaultdict(list)
        for sample in samples:
            if sample.route == "autosave POST":
                windows[int((sample.start - self.t0) // WINDOW)].append((sample.end - sample.start) * 1000)
        if windows:
            w(f"Autosave p95 per {WINDOW:g} s (ms, from the start):")
            w(
                "  "
                + "  ".join(f"{n * WINDOW:g}s {percentile(sorted(v), 0.95):.0f}" for n, v in sorted(windows.items()))
            )

        lost, late = self.verify(run)
        for crash in run.crashes:
            w(self.style.WARNING(crash))
        w(f"Acknowledged answers checked: {len(run.acked)}")
        if late:
            w(f"  stored a later unacknowledged write instead (allowed): {late}")
        w(f"lost acknowledged answers: {len(lost)}")
        for key, expected, stored in lost[:20]:
            w(f"  {key}: acknowledged {expected}, stored {stored}")
        stored_submitted = set(
            str(pk)
            for pk in Assessment.objects.using(ALIAS)
            .filter(pk__in=run.submitted)
            .exclude(status=Assessment.Status.DRAFT)
            .values_list("pk", flat=True)
        )
        w(f"lost acknowledged submissions: {len(run.submitted - stored_submitted)}")
        lost_files = self.verify_uploads(run)
        w(f"Acknowledged evidence files checked: {len(run.uploads)}; lost or changed: {len(lost_files)}")
        for problem in lost_files[:20]:
            w(f"  {problem}")
        logged = _server_errors(log_path)
        w(f"Server errors in gunicorn's log: {sum(logged.values())}")
        for (where, exception), count in sorted(logged.items(), key=lambda item: -item[1]):
            w(f"  {count} × {where}: {exception}")
        w(f"gunicorn log: {log_path}")
        w("Goals:")
        saves = by_route.get("autosave POST", [])
        if saves:
            p95 = percentile(saves, 0.95)
            verdict = OK if p95 <= AUTOSAVE_P95_GOAL_MS else OVER
            w(f"  autosave p95 {p95:.0f} ms (goal <= {AUTOSAVE_P95_GOAL_MS} ms) {verdict}")
        else:
            w(f"  autosave p95 - ms (goal <= {AUTOSAVE_P95_GOAL_MS} ms) {OVER}: no save was answered")
        # A request whose connection is killed under it can only fail: those are the kills' doing, not errors.
        counted = len(errors) - len(in_flight)
        excluded = f"; not counted: {len(in_flight)} in flight at a connection kill" if in_flight else ""
        w(
            f"  errors {counted} (goal 0) {OK if counted == 0 else OVER} (responses >= 400 and transport errors{excluded})"
        )
        server_errors = sum(1 for s in samples if s.status and s.status >= 500 and s not in in_flight)
        w(f"  evidence files lost {len(lost_files)} (goal 0) {OK if not lost_files else OVER}")
        if lost or lost_files or server_errors or run.submitted - stored_submitted:
            raise CommandError(
                f"{len(lost)} lost acknowledged answer(s), {len(lost_files)} lost evidence file(s), "
                f"{server_errors} 5xx response(s) not explained by a kill."
            )

    def verify(self, run: Run) -> tuple[list, int]:
        """Compare each (assessment, control) in the database with the last acknowledged value."""
        stored = {
            (str(aid), cid): (claim, notes, justification)
            for aid, cid, claim, notes, justification in Answer.objects.using(ALIAS)
            .filter(assessment_id__in={aid for aid, _ in run.acked})
            .values_list("assessment_id", "control__control_id", "claim", "notes", "justification")
        }
        lost, late = [], 0
        for key, expected in run.acked.items():
            value = stored.get(key)
            if value == expected:
                continue
            if value in run.unacked.get(key, []):
                late += 1  # a retry or a request cut off at the end that committed after all
                continue
            lost.append((key, expected, value))
        return lost, late

    def verify_uploads(self, run: Run) -> list[str]:
        """Each acknowledged file: a row with its size and hash, and bytes in storage that hash to it."""
        rows = defaultdict(list)
        stored = Evidence.objects.using(ALIAS).filter(assessment_id__in={u[0] for u in run.uploads})
        for evidence in stored.select_related("control"):
            rows[(str(evidence.assessment_id), evidence.control.control_id, evidence.name)].append(evidence)
        problems = []
        for assessment_id, control_id, name, size, digest in run.uploads:
            found = [e for e in rows.get((assessment_id, control_id, name), []) if (e.size, e.sha256) == (size, digest)]
            if not found:
                problems.append(f"{name} ({assessment_id}, {control_id}): no row with its size and SHA-256")
                continue
            path = self.media_root / found[0].file.name
            if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                problems.append(f"{name} ({assessment_id}, {control_id}): stored bytes missing or different")
        return problems
