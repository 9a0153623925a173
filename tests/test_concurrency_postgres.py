"""Autosave under real concurrency on PostgreSQL: real threads, real logins, HTTP through the live server.

Row locks, optimistic versions and dropped connections behave differently on PostgreSQL than on
SQLite (which serializes every writer), so these run only there: CI's second pass, with
DATABASE_URL=postgres://…

What "lost" means here: the server acknowledged an answer (200 with ok) and the database does not
hold it. The only failures allowed are those of requests in flight while their database connection
was being terminated; they are never acknowledged, and the client retries them as Retry would.
"""

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from assessment.models import Answer, AuditEvent, Organization
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.conftest import PASSWORD, load_fixture, make_member

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL concurrency tests")

CLAIMS = ["implemented", "partial", "provider", "not_implemented", "unknown"]
ALICE, BOB = "alice@northwind.test", "bob@northwind.test"


@dataclass
class Attempt:
    control_id: str
    sent: tuple[str, str]  # (claim, notes)
    start: float
    end: float
    status: int | None  # None: transport error
    body: dict

    @property
    def acknowledged(self) -> bool:
        return self.status == 200 and self.body.get("ok") is True

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500


@pytest.fixture
def draft(transactional_db):
    model = load_fixture("yugabytedb-managed")
    org = Organization.objects.create(name="Northwind")
    alice = make_member(ALICE, org)
    make_member(BOB, org, role="member")
    deployment = model.deployments.get(key="managed")
    return assessment_start(user=alice, model=model, deployment=deployment, title="Orders")


def login(base_url: str, email: str) -> httpx.Client:
    """A browser session of its own: the login form, its CSRF cookie, a session cookie; keep-alive."""
    client = httpx.Client(base_url=base_url, timeout=30)
    client.get("/accounts/login/").raise_for_status()
    data = {"csrfmiddlewaretoken": client.cookies["csrftoken"], "username": email, "password": PASSWORD}
    response = client.post("/accounts/login/", data=data)
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return client


def save(client: httpx.Client, assessment, control_id: str, claim: str, notes: str, version: int) -> Attempt:
    """One autosave, as autosave.js sends it."""
    start = time.monotonic()
    try:
        response = client.post(
            f"/assessments/{assessment.pk}/answers/{control_id}/",
            data={"claim": claim, "notes": notes, "justification": "", "version": str(version)},
            headers={"X-CSRFToken": client.cookies["csrftoken"], "Accept": "application/json"},
        )
    except httpx.TransportError as error:
        return Attempt(control_id, (claim, notes), start, time.monotonic(), None, {"error": repr(error)})
    is_json = response.headers.get("content-type", "").startswith("application/json")
    body = response.json() if is_json else {"text": response.text[:300]}
    return Attempt(control_id, (claim, notes), start, time.monotonic(), response.status_code, body)


def run_threads(count: int, target: Callable[[int], None], main: Callable[[], None] | None = None) -> None:
    """Run target(0..count-1) in real threads (and `main` in this one, meanwhile); re-raise the first error."""
    errors: list[BaseException] = []

    def wrapped(index: int) -> None:
        try:
            target(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()  # a thread's own database connection must not outlive it

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    try:
        if main is not None:
            main()
    finally:
        for thread in threads:
            thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client thread hung"
    if errors:
        raise errors[0]


def stored_answers() -> dict[str, tuple[str, str]]:
    return {a.control.control_id: (a.claim, a.notes) for a in Answer.objects.select_related("control")}


def control_ids(assessment) -> list[str]:
    return [item.control.control_id for item in assessment_state(assessment).items]


def test_eight_sessions_answering_different_controls_lose_nothing(live_server, draft):
    threads, rounds = 8, 3
    ids = control_ids(draft)
    # Alice in four sessions, Bob in four: the same user twice must behave like two users.
    clients = [login(live_server.url, ALICE if t % 2 == 0 else BOB) for t in range(threads)]
    attempts: list[list[Attempt]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)

    def session(t: int) -> None:
        owned = ids[t::threads]  # thread t owns controls t, t+8, …: different controls overlap all the time
        versions = dict.fromkeys(owned, 0)
        start.wait()
        for round_, control_id in itertools.product(range(rounds), owned):
            claim = CLAIMS[(t + round_) % len(CLAIMS)]  # differs from the previous round: every save changes it
            attempt = save(clients[t], draft, control_id, claim, f"session {t} round {round_}", versions[control_id])
            attempts[t].append(attempt)
            if attempt.acknowledged:
                versions[control_id] = attempt.body["version"]

    try:
        run_threads(threads, session)
    finally:
        for client in clients:
            client.close()

    every = [a for per_thread in attempts for a in per_thread]
    assert [(a.control_id, a.status, a.body) for a in every if not a.acknowledged] == []
    last_acknowledged = {a.control_id: a.sent for a in every}  # per control, one thread, in order
    assert stored_answers() == last_acknowledged
    assert len(last_acknowledged) == len(ids)
    assert set(Answer.objects.values_list("version", flat=True)) == {rounds}
    # Each acknowledged change is in the activity log exactly once.
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ANSWER).count() == len(every)


def test_stale_write_to_the_same_control_gets_409_never_overwrites(live_server, draft):
    control_id = control_ids(draft)[0]
    alice, bob = login(live_server.url, ALICE), login(live_server.url, BOB)
    version = 0  # round 0 races two first answers: no row to lock yet
    try:
        for round_ in range(8):
            both = threading.Barrier(2)
            results: dict[int, Attempt] = {}
            writes = [(alice, CLAIMS[round_ % 5], f"alice {round_}"), (bob, CLAIMS[(round_ + 1) % 5], f"bob {round_}")]

            def write(i: int, base: int = version, writes: list = writes, both=both, results=results) -> None:
                client, claim, notes = writes[i]
                both.wait()
                results[i] = save(client, draft, control_id, claim, notes, base)

            run_threads(2, write)

            statuses = sorted(r.status for r in results.values())
            assert statuses == [200, 409], [(r.status, r.body) for r in results.values()]
            won = next(r for r in results.values() if r.status == 200)
            lost = next(r for r in results.values() if r.status == 409)
            assert (won.body["ok"], won.body["version"]) == (True, version + 1)
            current = lost.body["current"]
            assert (current["claim"], current["notes"], current["version"]) == (*won.sent, version + 1)
            assert stored_answers() == {control_id: won.sent}
            version += 1
    finally:
        alice.close()
        bob.close()
    assert Answer.objects.get().version == version
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ANSWER).count() == version


@pytest.fixture
def persistent_connections(monkeypatch):
    """Production's CONN_MAX_AGE=60 with health checks, for the live server's request threads.

    Every thread's DatabaseWrapper reads the one settings dict of the alias when it connects, so
    changing it here (before the first request) is what the live server's threads see.
    """
    shared = connections.settings[DEFAULT_DB_ALIAS]
    assert shared is connection.settings_dict
    monkeypatch.setitem(shared, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(shared, "CONN_HEALTH_CHECKS", True)


def terminate_app_connections() -> tuple[int, float, float]:
    """Terminate every other backend of the test database; waits until each one is gone."""
    start = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        (terminated,) = cursor.fetchone()
    return terminated, start, time.monotonic()


def test_connections_killed_mid_autosave_lose_no_acknowledged_answer(live_server, persistent_connections, draft):
    clients_count = 4
    ids = control_ids(draft)
    clients = [login(live_server.url, ALICE if i % 2 == 0 else BOB) for i in range(clients_count)]
    attempts: list[list[Attempt]] = [[] for _ in range(clients_count)]
    acknowledged = threading.Semaphore(0)
    busy_phase_over = threading.Event()
    idle = threading.Barrier(clients_count + 1, timeout=60)  # clients and the test, around the kill while all are idle
    after_idle_kill = 5

    def session(i: int) -> None:
        owned = itertools.cycle(ids[i::clients_count])
        versions: dict[str, int] = {}
        round_ = 0

        def save_until_acknowledged(control_id: str) -> None:
            nonlocal round_
            claim, notes = CLAIMS[round_ % len(CLAIMS)], f"client {i} save {round_}"
            round_ += 1
            for _ in range(5):  # like Retry: same content, same base version
                attempt = save(clients[i], draft, control_id, claim, notes, versions.get(control_id, 0))
                attempts[i].append(attempt)
                if attempt.acknowledged:
                    versions[control_id] = attempt.body["version"]
                    acknowledged.release()
                    return
                assert attempt.failed, (attempt.status, attempt.body)  # a 409 or 400 would be a real bug here
                time.sleep(0.05)
            raise AssertionError(f"client {i}: {control_id} never saved: {attempt.status} {attempt.body}")

        while not busy_phase_over.is_set():
            save_until_acknowledged(next(owned))
        idle.wait()  # every client idle, its keep-alive connection (and database connection) open
        idle.wait()  # the test has terminated them all
        for _ in range(after_idle_kill):
            save_until_acknowledged(next(owned))

    def controller() -> tuple[tuple[int, float, float], tuple[int, float, float]]:
        try:
            for _ in range(20):
                assert acknowledged.acquire(timeout=30), "the clients stopped saving before the kill"
            busy = terminate_app_connections()  # while the clients are saving
            for _ in range(20):
                assert acknowledged.acquire(timeout=30), "the clients stopped saving after the kill"
            busy_phase_over.set()
            idle.wait()
            quiet = terminate_app_connections()  # with every client between requests
            idle.wait()
        except BaseException:
            busy_phase_over.set()
            idle.abort()  # release the clients at once rather than at the barrier's timeout
            raise
        return busy, quiet

    kills: list = []
    try:
        # The test's own thread kills: its connection (which the kill spares) checks the result afterwards.
        run_threads(clients_count, session, main=lambda: kills.append(controller()))
    finally:
        for client in clients:
            client.close()
    (busy_count, busy_start, busy_end), (quiet_count, _, quiet_end) = kills[0]

    every = [a for per_client in attempts for a in per_client]

    def in_flight(a: Attempt, start: float, end: float) -> bool:
        return a.start <= end and a.end >= start  # the request overlapped the terminate statement

    # Persistent connections, as in production: the idle kill found one per client's server thread.
    assert busy_count >= 1
    assert quiet_count == clients_count
    # Failures only where a request's connection died under it; the request after that succeeded.
    assert [(a.status, a.body) for a in every if a.failed and not in_flight(a, busy_start, busy_end)] == []
    assert [a for a in every if a.start > busy_end and not a.acknowledged] == []
    for per_client in attempts:
        first_after_quiet_kill = next(a for a in per_client if a.start > quiet_end)
        assert first_after_quiet_kill.acknowledged, (first_after_quiet_kill.status, first_after_quiet_kill.body)
    # Every acknowledged answer is stored, as last acknowledged.
    last_acknowledged = {a.control_id: a.sent for a in every if a.acknowledged}
    stored = stored_answers()
    assert {cid: stored.get(cid) for cid in last_acknowledged} == last_acknowledged
