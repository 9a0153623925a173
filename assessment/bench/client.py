"""In-process requests through Django's test client, as a logged-in member with DEBUG off."""

import contextlib
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ..models import Assessment, User

HOME_URL = "/"


class PageFailed(Exception):
    """A page the bench measures did not answer as a user would expect; the figure cannot be measured."""


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def first_area_url(assessment: Assessment) -> str:
    area = assessment.model.areas.order_by("position").first()
    return f"/assessments/{assessment.pk}/areas/{area.key}/"


def body(response) -> bytes:
    """The whole body, also of a streaming response (reading it is part of serving it)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def get(client: Client, url: str, *, status: int = 200):
    response = client.get(url)
    body(response)
    if response.status_code != status:
        raise PageFailed(f"GET {url} answered {response.status_code}, expected {status}")
    return response


def cpu_get(client: Client, url: str) -> float:
    """CPU seconds (time.process_time) of one GET, the whole request and response."""
    start = time.process_time()
    get(client, url)
    return time.process_time() - start


def wall_get(client: Client, url: str) -> float:
    start = time.perf_counter()
    get(client, url)
    return time.perf_counter() - start


@contextlib.contextmanager
def counting():
    """CaptureQueriesContext that also works around a request: each request starts by clearing the
    connection's query log (`reset_queries`), which would make a log left non-empty count 0."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        yield captured


def request_queries(client: Client, url: str) -> int:
    """Every query of one GET: session, user and everything the view does."""
    with counting() as queries:
        get(client, url)
    return len(queries)
