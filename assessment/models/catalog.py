"""Responsibility models: the reference data customers assess themselves against."""

from django.db import models
from django.urls import reverse


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Owner(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    PROVIDER = "provider", "Provider"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    SHARED = "shared", "Shared"
    NONE = "none", "Not applicable"


class ResponsibilityModelQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ResponsibilityModel.Status.PUBLISHED)


class ResponsibilityModel(models.Model):
    """One version of a responsibility model; immutable once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=80)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    customer_name = models.CharField(max_length=80)
    provider_name = models.CharField(max_length=80)
    infrastructure_name = models.CharField(max_length=80)
    # SHA-256 of the canonical model file: tells a reload of the same content from a change.
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ResponsibilityModelQuerySet.as_manager()

    class Meta:
        ordering = ["title", "slug", "version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="unique_model_slug_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("model_detail", kwargs={"slug": self.slug, "version": self.version})

    def natural_key(self) -> tuple[str, str]:
        return (self.slug, self.version)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def party_name(self, owner: str) -> str:
        """The owner in words, with this model's party names."""
        return {
            Owner.CUSTOMER: self.customer_name,
            Owner.PROVIDER: self.provider_name,
            Owner.INFRASTRUCTURE: self.infrastructure_name,
            Owner.SHARED: "Shared",
            Owner.NONE: "Not applicable",
        }[owner]


class Deployment(models.Model):
    model = models.ForeignKey(ResponsibilityModel, on_delete=models.CASCADE, related_name="deployments")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["model", "position"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_deployment_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    model = models.ForeignKey(ResponsibilityModel, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["model", "position"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="unique_area_key"),
        ]

    def __str__(self) -> str:
        return self.title


class Control(models.Model):
    model = models.ForeignKey(ResponsibilityModel, on_delete=models.CASCADE, related_name="controls")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="controls")
    control_id = models.CharField("control id", max_length=40)
    title = models.CharField(max_length=200)
    question = models.TextField()
    why = models.TextField("why it matters")
    guidance = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # [["framework name", ["id", ...]], ...]: a list, because jsonb does not keep key order.
    references = models.JSONField(default=list, blank=True)
    customer_part = models.TextField(blank=True)
    provider_part = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["area__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["model", "control_id"], name="unique_control_id"),
        ]

    def __str__(self) -> str:
        return f"{self.control_id} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "control_detail",
            kwargs={"slug": self.model.slug, "version": self.model.version, "control_id": self.control_id},
        )

    @property
    def reference_list(self) -> list[str]:
        return [f"{framework} {ref}" for framework, refs in self.references for ref in refs]


class Ownership(models.Model):
    """Who owns a control under one deployment model."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="ownerships")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="ownerships")
    owner = models.CharField(max_length=16, choices=Owner.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["control", "deployment"], name="unique_ownership"),
            models.CheckConstraint(condition=models.Q(owner__in=Owner.values), name="ownership_owner_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.control.control_id} / {self.deployment.key}: {self.owner}"
