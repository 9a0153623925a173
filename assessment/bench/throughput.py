"""Throughput under gunicorn (2 workers x 4 threads, PostgreSQL): the area page against the home page.

16 logged-in clients (each its own session cookie and keep-alive connection) request one page as
fast as it answers, in threads; the pages alternate in short rounds so both see the same machine.
"""

import threading
import time
from pathlib import Path

import httpx

from .client import HOME_URL
from .data import PASSWORD
from .report import Goal, figure, median, percentile
from .server import start_gunicorn, stop

CLIENTS = 16
WORKERS, THREADS = 2, 4
LABEL = f"throughput, gunicorn {WORKERS}x{THREADS}, {CLIENTS} clients: area page vs home page"
GOAL = Goal(">=", 40, " %")


def log_in(base_url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
    client.get("/accounts/login/")
    data = {"csrfmiddlewaretoken": client.cookies.get("csrftoken", ""), "username": email, "password": PASSWORD}
    response = client.post("/accounts/login/", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"logging {email} in answered {response.status_code}")
    return client


def drive(clients: list[httpx.Client], url: str, seconds: float) -> tuple[float, int, list[float]]:
    """(requests answered 200 per second, other answers, latencies) of every client hammering `url`."""
    done, errors, latencies = [0] * len(clients), [0] * len(clients), [[] for _ in clients]
    start = time.perf_counter()
    deadline = start + seconds

    def hammer(i: int, client: httpx.Client) -> None:
        while (now := time.perf_counter()) < deadline:
            try:
                ok = client.get(url).status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies[i].append(time.perf_counter() - now)
            done[i] += ok
            errors[i] += not ok

    threads = [threading.Thread(target=hammer, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return sum(done) / elapsed, sum(errors), [x for per in latencies for x in per]


def throughput_figure(env: dict, log_path: Path, emails: list[str], area_url: str, *, seconds: float, rounds: int):
    process, base_url = start_gunicorn(env, log_path, workers=WORKERS, threads=THREADS)
    clients: list[httpx.Client] = []
    try:
        clients = [log_in(base_url, email) for email in emails[:CLIENTS]]
        for url in (HOME_URL, area_url):  # warm both workers' caches and connections
            drive(clients, url, 1)
        rates: dict[str, list[float]] = {"home": [], "area": []}
        latencies: dict[str, list[float]] = {"home": [], "area": []}
        errors = 0
        for round_ in range(rounds):
            pair = [("area", area_url), ("home", HOME_URL)]
            for name, url in pair if round_ % 2 else reversed(pair):
                rate, failed, lat = drive(clients, url, seconds / rounds)
                rates[name].append(rate)
                latencies[name].extend(lat)
                errors += failed
    finally:
        for client in clients:
            client.close()
        stop(process)
    ratios = [a / h for a, h in zip(rates["area"], rates["home"], strict=True)]
    share = median(ratios) * 100
    return figure(
        "throughput",
        LABEL,
        GOAL,
        round(share, 1),
        shown=f"{share:.0f} %",
        note=(
            f"area {median(rates['area']):.0f} req/s (p95 {percentile(latencies['area'], 0.95) * 1000:.0f} ms), "
            f"home {median(rates['home']):.0f} req/s (p95 {percentile(latencies['home'], 0.95) * 1000:.0f} ms); "
            f"median of {rounds} alternating rounds, {seconds:g} s per page; non-200 answers: {errors}; "
            f"log {log_path}"
        ),
        area_rps=round(median(rates["area"]), 1),
        home_rps=round(median(rates["home"]), 1),
        errors=errors,
        rounds=rounds,
        seconds_per_page=seconds,
    )


def skipped_reason() -> str:
    return "set DATABASE_URL=postgres://…"
