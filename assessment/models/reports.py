"""Rendered PDF reports and audit packages, made by the background worker and served from here."""

import uuid

from django.db import models

from .assessments import Assessment


class ReportRender(models.Model):
    """One PDF of one assessment, for one report key (revision, names shown and layout; see `reports/render.py`).

    A row exists from the moment the PDF is asked for: `pending` while the worker renders it (and
    between retries), `ready` with the PDF, `failed` once every attempt failed (the user is told and
    can ask again). Only the newest key of an assessment is kept.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_renders")
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last failure, for operators (the traceback is in the log); never shown to customers.
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    # Moved on every enqueue and attempt: a pending row that stops moving lost its worker and is enqueued again.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="unique_report_render")]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.key[:12]} {self.status}"


def audit_package_path(instance: "AuditPackage", filename: str) -> str:
    """A random storage name under the organization: nothing a user typed becomes a path."""
    return f"audit-packages/{instance.assessment.organization_id}/{uuid.uuid4().hex}.zip"


class AuditPackage(models.Model):
    """The zip an auditor gets (report, exports, OSCAL, evidence, manifest), for one report key.

    Made by the worker like a `ReportRender` (pending, ready, failed; retried; asked again when a
    pending row stops moving) but kept in the default storage, not in the row: it holds every
    evidence file and can be large. Only the newest package of an assessment is kept; its file is
    deleted when a newer one replaces it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="audit_packages")
    key = models.CharField(max_length=64)  # the report key (`reports/render.report_key`): revision, names, layout
    revision = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last failure, for operators (the traceback is in the log); never shown to customers.
    error = models.TextField(blank=True)
    # Set when a failure cannot be cured by trying again (stored evidence that no longer matches its hash).
    problem = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to=audit_package_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    # Moved on every enqueue and attempt: a pending row that stops moving lost its worker and is enqueued again.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="unique_audit_package")]

    def __str__(self) -> str:
        return f"{self.assessment_id} r{self.revision} {self.status}"
