"""PDF reports, off the request path: asked for by a page, rendered by the background worker, stored.

A web request never renders a PDF. It finds the stored one for the assessment's current report key
(`reports/render.report_key`) or asks for it: a `ReportRender` row (pending) and a task for the
worker (`tasks.render_report`). The worker renders the assessment as it is then, stores the PDF
under its key and drops the assessment's older PDFs. A failed attempt is logged with its traceback,
recorded on the row (the page says so) and tried again later; after the last attempt the row is
failed, the page says that and offers to try again. A pending row whose worker vanished (crash,
deploy) is asked for again after `STALE_AFTER`.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Assessment, AuditPackage, ReportRender
from ..reports import render
from ..reports.context import report_available
from ..selectors.assessments import assessment_state

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS = (timedelta(seconds=15), timedelta(minutes=2))  # before the second and the third attempt
# A render takes under 30 s even at 500 controls (make bench): a row pending this long lost its worker.
STALE_AFTER = timedelta(minutes=2)


def report_request(assessment: Assessment) -> ReportRender:
    """The assessment's PDF for its current key: the stored row, or a new one with a task for the worker.

    Safe to call from many requests at once: one row per key, and one task per row.
    """
    key = render.report_key(assessment)
    try:
        with transaction.atomic():
            row, created = ReportRender.objects.defer("pdf").get_or_create(assessment=assessment, key=key)
    except IntegrityError:  # another request created it between our read and our insert
        row, created = ReportRender.objects.defer("pdf").get(assessment=assessment, key=key), False
    stale = row.status == ReportRender.Status.PENDING and row.updated_at < timezone.now() - STALE_AFTER
    # Of several requests that find the same stale row, only the one whose update lands enqueues.
    if created or (
        stale and ReportRender.objects.filter(pk=row.pk, updated_at=row.updated_at).update(updated_at=timezone.now())
    ):
        _enqueue(assessment)
        row.refresh_from_db(fields=["status", "attempts", "updated_at"])
    return row


def report_retry(assessment: Assessment) -> None:
    """The user asks again after every attempt failed: start over with a fresh count."""
    retried = ReportRender.objects.filter(
        assessment=assessment, key=render.report_key(assessment), status=ReportRender.Status.FAILED
    ).update(status=ReportRender.Status.PENDING, attempts=0, updated_at=timezone.now())
    if retried:
        _enqueue(assessment)


def report_request_after_commit(assessment: Assessment) -> None:
    """Render once the surrounding transaction (a submission, a decision) has committed, with what it wrote."""
    pk = assessment.pk

    def request():
        fresh = Assessment.objects.select_related("organization").filter(pk=pk).first()
        if fresh is not None:
            report_request(fresh)

    transaction.on_commit(request)


def report_render(assessment_id: str) -> str:
    """The worker's job: render the assessment as it is now and store the PDF under its key.

    Returns what happened, for the task's result ("ready", "already ready", "retry", "failed", …).
    """
    assessment = (
        Assessment.objects.select_related("model", "deployment", "organization", "reviewer")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        return "assessment deleted"
    key = render.report_key(assessment)
    row, _ = ReportRender.objects.defer("pdf").get_or_create(assessment=assessment, key=key)
    if row.status == ReportRender.Status.READY:
        return "already ready"
    state = assessment_state(assessment)
    if not report_available(state):
        row.delete()
        return "nothing to report"
    attempt = row.attempts + 1
    ReportRender.objects.filter(pk=row.pk).update(attempts=attempt, updated_at=timezone.now())
    try:
        report = render.render_pdf(state)
    except Exception as error:
        logger.exception(
            "Rendering the PDF of assessment %s failed (attempt %s of %s)", assessment.pk, attempt, MAX_ATTEMPTS
        )
        return _failed(assessment, row, attempt, error)
    ReportRender.objects.filter(pk=row.pk).update(
        status=ReportRender.Status.READY,
        pdf=report.pdf,
        fingerprint=report.fingerprint,
        generated_at=report.generated_at,
        error="",
        updated_at=timezone.now(),
    )
    # Only the newest PDF of an assessment is kept; a row asked for after this one started stays.
    ReportRender.objects.filter(assessment=assessment, requested_at__lt=row.requested_at).delete()
    return "ready"


def _failed(assessment: Assessment, row: ReportRender, attempt: int, error: Exception) -> str:
    return attempt_failed(ReportRender.objects.filter(pk=row.pk), _task(), assessment, attempt, error)


def attempt_failed(rows, task, assessment: Assessment, attempt: int, error: Exception) -> str:
    """After a failed attempt of a background build (`rows`: its one row): the error is kept and the
    task enqueued again after a delay ("retry"), or, after the last attempt, the row is failed ("failed")."""
    message = f"{type(error).__name__}: {error}"[:2000]
    if attempt < MAX_ATTEMPTS and task.get_backend().supports_defer:
        rows.update(error=message, updated_at=timezone.now())
        task.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(str(assessment.pk))
        return "retry"
    rows.update(status=ReportRender.Status.FAILED, error=message, updated_at=timezone.now())
    return "failed"


def _enqueue(assessment: Assessment) -> None:
    _task().enqueue(str(assessment.pk))


def _task():
    from ..tasks import render_report  # the task module imports this one

    return render_report


def reports_forget_names(*, organization_ids=None) -> int:
    """Drop stored PDFs and audit packages that show a name that just changed (a user or an organization renamed).

    `organization_ids` limits it to those organizations' assessments; None drops every stored PDF
    (a reviewer's name can be on any submitted report). They render again when next asked for.
    """
    deleted = 0
    for model in (ReportRender, AuditPackage):  # a package holds the PDF and the exports, names included
        rows = model.objects.all()
        if organization_ids is not None:
            rows = rows.filter(assessment__organization_id__in=organization_ids)
        deleted += rows.delete()[0]
    return deleted
