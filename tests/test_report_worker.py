"""PDFs are rendered by the background worker, never by a web request (issue 12).

These tests use the real database backend of django-tasks (django-tasks-db) and run its worker,
except where they say so; the rest of the suite runs tasks immediately.
"""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessment.models import Assessment, ReportRender, User
from assessment.reports import render
from assessment.services import reports, workflow
from assessment.services.assessments import assessment_start
from tests.conftest import answer, answer_all

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PREPARING = "Your PDF is being prepared. This usually takes a few seconds; large assessments can take up to a minute."
RETRYING = (
    "The first attempt to prepare your PDF failed. It is being tried again automatically; this can take a few minutes."
)
FAILED = (
    "Your PDF could not be prepared. The problem has been logged for the team that runs this service. "
    "Try again; if it keeps failing, the HTML report has the same content."
)


@pytest.fixture
def queued(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def small(user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Cloud DB"
    )
    answer(draft, user, "BACKUPS", "provider")
    return draft


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def failing_render(monkeypatch):
    """WeasyPrint breaks for the next `n` renders (a crash the worker must survive), then works again."""
    left = {"n": 0}
    original = render.render_pdf

    def flaky(state, **kwargs):
        if left["n"]:
            left["n"] -= 1
            raise RuntimeError("cairo ran out of memory")
        return original(state, **kwargs)

    monkeypatch.setattr(render, "render_pdf", flaky)
    return left


def pdf_url(assessment, tail=""):
    return f"/assessments/{assessment.pk}/report.pdf{tail}"


def run_worker() -> int:
    """What `manage.py db_worker` does with each ready task, inside the test's transaction."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim("test-worker")
        worker.run_task(task)
        ran += 1
    return ran


def test_a_download_asks_the_worker_and_says_it_is_being_prepared(queued, logged_in, small):
    response = logged_in.get(pdf_url(small))
    assert response.status_code == 202
    assert response["Content-Type"].startswith("text/html")
    assert PREPARING in response.content.decode()
    assert "Check again and download" in response.content.decode()
    assert ReportRender.objects.get(assessment=small).status == "pending"
    assert DBTaskResult.objects.count() == 1
    # Asking again (a refresh, a second tab) does not queue a second render.
    assert logged_in.get(pdf_url(small)).status_code == 202
    assert logged_in.get(pdf_url(small, "/status")).json() == {"state": "pending", "message": PREPARING}
    assert DBTaskResult.objects.count() == 1

    assert run_worker() == 1
    assert logged_in.get(pdf_url(small, "/status")).json() == {"state": "ready"}
    response = logged_in.get(pdf_url(small))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert PdfReader(io.BytesIO(response.content)).metadata.author == "Acme Corp"


def test_a_stored_pdf_costs_two_queries(queued, logged_in, small):
    logged_in.get(pdf_url(small))
    run_worker()
    with CaptureQueriesContext(connection) as queries:
        response = logged_in.get(pdf_url(small))
    assert response.status_code == 200
    own = [
        q["sql"]
        for q in queries
        if "django_session" not in q["sql"] and '"assessment_user"' not in q["sql"].split("WHERE")[0]
    ]
    assert len(own) == 2, own


def test_a_change_makes_a_new_pdf_and_the_old_one_is_dropped(queued, logged_in, small, user):
    logged_in.get(pdf_url(small))
    run_worker()
    first = logged_in.get(pdf_url(small))
    answer(small, user, "DATA-ACCESS", "implemented", notes="Encrypted at rest since March")
    assert logged_in.get(pdf_url(small)).status_code == 202  # never the old PDF for the new answers
    run_worker()
    second = logged_in.get(pdf_url(small))
    assert second["X-Report-Fingerprint"] != first["X-Report-Fingerprint"]
    assert (
        "Encrypted at rest since March"
        in PdfReader(io.BytesIO(second.content)).attachments["assessment.json"][0].decode()
    )
    assert ReportRender.objects.filter(assessment=small).count() == 1


def test_submitting_and_deciding_render_without_anyone_asking(
    queued, small, user, reviewer, django_capture_on_commit_callbacks
):
    answer_all(small, user, "implemented")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = workflow.assessment_submit(assessment=small, actor=user)
    assert DBTaskResult.objects.count() == 1
    run_worker()
    rendered = ReportRender.objects.get(assessment=small)
    assert rendered.status == "ready"
    assert rendered.key == render.report_key(Assessment.objects.select_related("organization").get(pk=small.pk))

    in_review = workflow.assessment_start_review(assessment=submitted, actor=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_approve(assessment=in_review, actor=reviewer, message="Fine")
    run_worker()
    approved = Assessment.objects.select_related("organization").get(pk=small.pk)
    rendered = ReportRender.objects.get(assessment=small)
    assert (rendered.status, rendered.key) == ("ready", render.report_key(approved))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(rendered.pdf))).pages)
    assert "Approved" in text


def test_a_failed_render_is_told_and_tried_again_later(queued, logged_in, small, failing_render, caplog):
    failing_render["n"] = 1
    logged_in.get(pdf_url(small))
    run_worker()
    row = ReportRender.objects.get(assessment=small)
    assert (row.status, row.attempts, row.error) == ("pending", 1, "RuntimeError: cairo ran out of memory")
    assert "Rendering the PDF of assessment" in caplog.text  # logged with its traceback for the operators
    response = logged_in.get(pdf_url(small))
    assert response.status_code == 202
    assert RETRYING in response.content.decode()
    retry = DBTaskResult.objects.ready().first()
    assert retry is None  # the retry waits a little
    waiting = DBTaskResult.objects.get(status="READY")
    assert timedelta(seconds=10) < waiting.run_after - timezone.now() <= timedelta(seconds=15)

    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    run_worker()
    response = logged_in.get(pdf_url(small))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_after_every_attempt_failed_the_user_can_try_again(queued, logged_in, small, failing_render):
    failing_render["n"] = reports.MAX_ATTEMPTS
    logged_in.get(pdf_url(small))
    for _ in range(reports.MAX_ATTEMPTS):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
    row = ReportRender.objects.get(assessment=small)
    assert (row.status, row.attempts) == ("failed", 3)
    response = logged_in.get(pdf_url(small))
    assert response.status_code == 503
    page = response.content.decode()
    assert FAILED in page
    assert f'action="/assessments/{small.pk}/report.pdf/retry"' in page
    assert logged_in.get(pdf_url(small, "/status")).json() == {"state": "failed", "message": FAILED}

    response = logged_in.post(pdf_url(small, "/retry"))
    assert response.status_code == 302
    assert response["Location"] == pdf_url(small)
    assert ReportRender.objects.get(assessment=small).status == "pending"
    run_worker()
    assert logged_in.get(pdf_url(small))["Content-Type"] == "application/pdf"


def test_a_pending_render_whose_worker_vanished_is_queued_again(queued, logged_in, small):
    logged_in.get(pdf_url(small))
    DBTaskResult.objects.all().delete()  # the worker died with the task, say
    assert logged_in.get(pdf_url(small)).status_code == 202
    assert DBTaskResult.objects.count() == 0  # not yet: it may still be rendering
    ReportRender.objects.update(updated_at=timezone.now() - reports.STALE_AFTER - timedelta(seconds=1))
    assert logged_in.get(pdf_url(small)).status_code == 202
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert logged_in.get(pdf_url(small))["Content-Type"] == "application/pdf"


def test_outsiders_cannot_ask_for_or_retry_a_render(queued, client, other_user, small):
    client.force_login(other_user)
    for response in (
        client.get(pdf_url(small)),
        client.get(pdf_url(small, "/status")),
        client.post(pdf_url(small, "/retry")),
    ):
        assert response.status_code == 404
    assert not ReportRender.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_a_draft_without_answers_asks_for_nothing(queued, logged_in, user, cloud_model):
    empty = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Empty"
    )
    response = logged_in.get(pdf_url(empty))
    assert response.status_code == 302
    assert logged_in.get(pdf_url(empty, "/status")).json() == {
        "state": "unavailable",
        "message": "The report is available once you have answered a control.",
    }
    assert not DBTaskResult.objects.exists()


def test_renaming_a_member_drops_the_pdfs_that_show_the_name(queued, logged_in, small, user):
    logged_in.get(pdf_url(small))
    run_worker()
    user.save(update_fields=["last_login"])  # a login: nothing shown changed
    assert ReportRender.objects.filter(assessment=small, status="ready").exists()
    user.name = "Quinn Renamed"
    user.save()
    assert not ReportRender.objects.exists()
    assert logged_in.get(pdf_url(small)).status_code == 202


def test_a_task_for_a_deleted_assessment_does_nothing(queued, small):
    pk = str(small.pk)
    small.delete()
    assert reports.report_render(pk) == "assessment deleted"


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_renders_what_the_page_asked_for(settings, client, user, cloud_model):
    settings.TASKS = DATABASE_TASKS
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Cloud DB"
    )
    answer(draft, user, "BACKUPS", "provider")
    client.force_login(user)
    assert client.get(pdf_url(draft)).status_code == 202
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert client.get(pdf_url(draft))["Content-Type"] == "application/pdf"


@pytest.mark.django_db(transaction=True)
def test_many_people_asking_at_once_queue_one_render(settings, user, cloud_model):
    settings.TASKS = DATABASE_TASKS
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Cloud DB"
    )
    answer(draft, user, "BACKUPS", "provider")
    draft = Assessment.objects.select_related("organization").get(pk=draft.pk)
    barrier = threading.Barrier(6)
    errors = []

    def ask():
        try:
            barrier.wait()
            reports.report_request(draft)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ReportRender.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert User.objects.count() == 1
