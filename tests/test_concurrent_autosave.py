"""Autosaves from several browser tabs at once, through a real server: none fails, none is lost.

Browsers save each control as it changes, so saves of different controls overlap. On SQLite a
writer that could not get the lock used to fail with "database is locked" (a 500 to the user).
"""

import itertools
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.test import Client

from assessment.models import Answer, Organization
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.conftest import load_fixture, make_member

THREADS = 8
SAVES = 200
CSRF = "a" * 32  # any 32 alphanumerics are a valid CSRF secret when cookie and header agree
CLAIMS = ["implemented", "partial", "provider", "not_implemented", "unknown"]


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def post(url: str, cookie: str, fields: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(fields).encode(),
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Referer": url,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"body": error.read()[:300].decode(errors="replace")}


@pytest.fixture
def draft(transactional_db):
    model = load_fixture("yugabytedb-managed")
    org = Organization.objects.create(name="Northwind")
    alice = make_member("alice@northwind.test", org)
    bob = make_member("bob@northwind.test", org, role="member")
    assessment = assessment_start(user=alice, model=model, deployment=model.deployments.get(key="managed"), title="Q")
    return assessment, [alice, bob]


def test_eight_tabs_autosaving_different_controls_at_once(live_server, draft):
    assessment, members = draft
    control_ids = [item.control.control_id for item in assessment_state(assessment).items]
    cookies = [session_cookie(member) for member in members]
    # Thread t owns the controls t, t+8, ...: saves of different controls overlap all the time.
    owned = [control_ids[t::THREADS] for t in range(THREADS)]
    failures: list = []
    last_saved: dict[str, tuple[str, str]] = {}
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def tab(t: int) -> None:
        cookie = cookies[t % len(cookies)]
        versions = dict.fromkeys(owned[t], 0)
        start.wait()
        for n, control_id in zip(range(SAVES // THREADS), itertools.cycle(owned[t]), strict=False):
            claim, notes = CLAIMS[n % len(CLAIMS)], f"tab {t} save {n}"
            url = f"{live_server.url}/assessments/{assessment.pk}/answers/{control_id}/"
            status, body = post(url, cookie, {"claim": claim, "notes": notes, "version": versions[control_id]})
            with lock:
                if status != 200 or not body.get("ok"):
                    failures.append((control_id, status, body))
                else:
                    versions[control_id] = body["version"]
                    last_saved[control_id] = (claim, notes)

    threads = [threading.Thread(target=tab, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    stored = {a.control.control_id: (a.claim, a.notes) for a in Answer.objects.select_related("control")}
    assert stored == last_saved
    assert len(stored) == len(control_ids)
