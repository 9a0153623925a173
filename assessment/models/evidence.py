"""Evidence behind an answer: files and links a customer attaches to one control of an assessment."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .assessments import Assessment
from .catalog import Control


def evidence_path(instance: "Evidence", filename: str) -> str:
    """A random storage name: the name a user gave is kept in `name`, never used as a path."""
    return f"evidence/{instance.assessment.organization_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """One file or link under one control.

    A file's bytes live in the default storage under a random name, with the size, SHA-256 and the
    type detected from its content recorded at upload. A new round copies its predecessor's rows,
    sharing the stored file, with `carried_from_round` set until the customer confirms the evidence
    still holds (or removes it); a stored file is deleted only when no row refers to it any more.
    """

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # A file's cleaned name, or a link's URL as shown.
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=evidence_path, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # Set on rows carried into a new round: shown as "from round N — still current?" until confirmed.
    carried_from_round = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        indexes = [models.Index(fields=["assessment", "control"], name="evidence_by_control")]
        constraints = [
            models.CheckConstraint(
                name="evidence_file_or_link",
                condition=(
                    Q(kind="file", url="", size__isnull=False) & ~Q(file="") & ~Q(sha256="")
                    | Q(kind="link", file="", size__isnull=True, sha256="") & ~Q(url="")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control_id}: {self.name}"
