"""Audit packages, off the request path: asked for by a page, built by the background worker, kept in storage.

The same design as the PDF reports (`services/reports.py`): one `AuditPackage` row per assessment
and report key (so a package is built again only when the revision, a name it shows or the layout
changes), one task per row, failures logged, recorded and retried, a pending row whose worker
vanished asked for again after `STALE_AFTER`. The worker writes the zip into a temporary file and
saves it to the default storage under a random name; a newer package deletes the older one's file.
Offered once an assessment has been submitted: from then on it is a record someone has vouched
for (submitted, in review, changes requested, approved), and the PDF in it says which.
"""

import logging
import tempfile
from datetime import timedelta

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import Assessment, AuditPackage
from ..models.reports import audit_package_path
from ..reports import render
from ..reports.audit_package import EvidenceProblem, write_package
from ..reports.export import download_filename
from ..selectors.assessments import assessment_state
from ..selectors.reports import stored_report
from .reports import MAX_ATTEMPTS, attempt_failed

logger = logging.getLogger(__name__)

# A package copies every evidence file: it may take far longer than a PDF render.
STALE_AFTER = timedelta(minutes=10)


def package_available(assessment: Assessment) -> bool:
    """Drafts have no package: nothing has been submitted to hand over."""
    return assessment.status != Assessment.Status.DRAFT


def package_request(assessment: Assessment) -> AuditPackage:
    """The package for the assessment's current key: the row, or a new one with a task for the worker.

    Safe to call from many requests at once: one row per key, and one task per row. The task is
    enqueued once the row is committed (callers inside a transaction use `transaction.on_commit`).
    """
    key = render.report_key(assessment)
    defaults = {"revision": assessment.revision}
    try:
        with transaction.atomic():
            row, created = AuditPackage.objects.get_or_create(assessment=assessment, key=key, defaults=defaults)
    except IntegrityError:  # another request created it between our read and our insert
        row, created = AuditPackage.objects.get(assessment=assessment, key=key), False
    stale = row.status == AuditPackage.Status.PENDING and row.updated_at < timezone.now() - STALE_AFTER
    # Of several requests that find the same stale row, only the one whose update lands enqueues.
    if created or (
        stale and AuditPackage.objects.filter(pk=row.pk, updated_at=row.updated_at).update(updated_at=timezone.now())
    ):
        _enqueue(assessment)
        row.refresh_from_db()
    return row


def package_retry(assessment: Assessment) -> None:
    """The user asks again after every attempt failed: start over with a fresh count."""
    retried = AuditPackage.objects.filter(
        assessment=assessment, key=render.report_key(assessment), status=AuditPackage.Status.FAILED
    ).update(status=AuditPackage.Status.PENDING, attempts=0, problem="", updated_at=timezone.now())
    if retried:
        _enqueue(assessment)


def package_build(assessment_id: str) -> str:
    """The worker's job: build the assessment's package as it is now and keep it under its key.

    Returns what happened, for the task's result ("ready", "already ready", "retry", "failed", …).
    """
    assessment = (
        Assessment.objects.select_related("model", "deployment", "organization", "reviewer")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        return "assessment deleted"
    if not package_available(assessment):
        return "not submitted"
    key = render.report_key(assessment)
    row, _ = AuditPackage.objects.get_or_create(
        assessment=assessment, key=key, defaults={"revision": assessment.revision}
    )
    if row.status == AuditPackage.Status.READY:
        return "already ready"
    attempt = row.attempts + 1
    AuditPackage.objects.filter(pk=row.pk).update(attempts=attempt, updated_at=timezone.now())
    try:
        name, size, generated_at = _build(assessment, row)
    except EvidenceProblem as problem:
        # Not a passing fault: the stored bytes are not what was uploaded. Loud, and not retried.
        logger.error("Audit package of assessment %s stopped: %s", assessment.pk, problem)
        AuditPackage.objects.filter(pk=row.pk).update(
            status=AuditPackage.Status.FAILED,
            error=str(problem)[:2000],
            problem=problem_message(problem),
            updated_at=timezone.now(),
        )
        return "failed"
    except Exception as error:
        logger.exception(
            "Building the audit package of assessment %s failed (attempt %s of %s)",
            assessment.pk,
            attempt,
            MAX_ATTEMPTS,
        )
        return _failed(assessment, row, attempt, error)
    updated = (
        AuditPackage.objects.filter(pk=row.pk)
        .exclude(status=AuditPackage.Status.READY)
        .update(
            status=AuditPackage.Status.READY,
            file=name,
            size=size,
            generated_at=generated_at,
            error="",
            problem="",
            updated_at=timezone.now(),
        )
    )
    if not updated:  # another worker finished this row first, or a newer package replaced it meanwhile
        row.file.storage.delete(name)
        return "superseded"
    # Only the newest package of an assessment is kept; a row asked for after this one started stays.
    # Their files go after the commit (signals.delete_package_file).
    AuditPackage.objects.filter(assessment=assessment, requested_at__lt=row.requested_at).delete()
    return "ready"


def _build(assessment: Assessment, row: AuditPackage) -> tuple[str, int, object]:
    """Write the zip into a temporary file, then save it to storage: (storage name, size, generation time)."""
    state = assessment_state(assessment)
    generated_at = timezone.now().replace(microsecond=0)
    stored = stored_report(assessment)  # the PDF of this very key, if the worker has rendered it already
    pdf = bytes(stored.pdf) if stored is not None else render.render_pdf(state, generated_at=generated_at).pdf
    with tempfile.TemporaryFile(prefix="audit-package-") as handle:
        write_package(state, handle, pdf=pdf, generated_at=generated_at)
        size = handle.tell()
        handle.seek(0)
        row.assessment = assessment  # the storage name is under the organization
        name = row.file.storage.save(audit_package_path(row, ""), File(handle))
    return name, size, generated_at


def package_lost(package: AuditPackage) -> None:
    """Its file is gone from storage: drop the row, so the next request builds the package again."""
    logger.error("The stored audit package %s of assessment %s is missing", package.file.name, package.assessment_id)
    AuditPackage.objects.filter(pk=package.pk).delete()


def package_filename(assessment: Assessment, generated_at) -> str:
    """`<organization>-<title>-audit-package-<YYYY-MM-DD>.zip`, slugified (ASCII) like the other downloads."""
    day = f"{generated_at.date():%Y-%m-%d}"
    stem = download_filename(assessment, generated_at.date(), "zip").removesuffix(f"-{day}.zip")
    return f"{stem}-audit-package-{day}.zip"


def problem_message(problem: EvidenceProblem) -> str:
    """What the customer reads when stored evidence no longer matches its upload."""
    return (
        f"The stored copy of “{problem.evidence.name}” ({problem.control_id}) is not the file that was uploaded, "
        "so the package was stopped rather than hand over the wrong file. The team that runs this service has "
        "been alerted."
    )[:500]


def _failed(assessment: Assessment, row: AuditPackage, attempt: int, error: Exception) -> str:
    return attempt_failed(AuditPackage.objects.filter(pk=row.pk), _task(), assessment, attempt, error)


def _enqueue(assessment: Assessment) -> None:
    _task().enqueue(str(assessment.pk))


def _task():
    from ..tasks import build_audit_package  # the task module imports this one

    return build_audit_package
