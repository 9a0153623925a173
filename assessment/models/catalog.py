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


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sort key comparing dotted parts as numbers: 1.10 > 1.9; 1.1 == 1.1.0.

    A part that is not a number ("0-beta") sorts below every number, so a pre-release comes before
    its release.
    """
    parts = [(int(p), "") if p.isdigit() else (-1, p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == (0, ""):
        parts.pop()
    return tuple(parts)


class ResponsibilityModelQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ResponsibilityModel.Status.PUBLISHED)

    def current(self):
        """The newest published version of each model: what new assessments start on."""
        newest: dict[str, tuple] = {}
        for pk, slug, version in self.published().values_list("pk", "slug", "version"):
            if slug not in newest or version_key(version) > newest[slug][0]:
                newest[slug] = (version_key(version), pk)
        return self.filter(pk__in=[pk for _key, pk in newest.values()])


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

    def owner_label(self, owner: str, partner: str = "") -> str:
        """The owner as a badge says it; a shared control names who holds the other part."""
        if owner == Owner.SHARED:
            return f"Shared with {self.party_name(partner or Owner.PROVIDER)}"
        return self.party_name(owner)


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
    # The practice, stated; the customer says who makes sure of it (files before 1.1 called it "question").
    statement = models.TextField()
    why = models.TextField("why it matters")
    guidance = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # [["framework name", ["id", ...]], ...]: a list, because jsonb does not keep key order.
    references = models.JSONField(default=list, blank=True)
    # guidance, customer_part and provider_part hold the text every deployment shows; Ownership adds its own.
    customer_part = models.TextField(blank=True)
    provider_part = models.TextField(blank=True)
    # {"control": "ENC-CMK", "answers": ["implemented", "partial"]}: asked only when that control got one of them.
    condition = models.JSONField(null=True, blank=True)
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


class Partner(models.TextChoices):
    """Who holds the other part of a shared control."""

    PROVIDER = "provider", "Provider"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"


class Ownership(models.Model):
    """Who owns a control under one deployment model, and what only that deployment's customers read."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="ownerships")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="ownerships")
    owner = models.CharField(max_length=16, choices=Owner.choices)
    partner = models.CharField(max_length=16, choices=Partner.choices, blank=True)  # set when owner is shared
    guidance = models.TextField(blank=True)
    customer_part = models.TextField(blank=True)
    partner_part = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["control", "deployment"], name="unique_ownership"),
            models.CheckConstraint(condition=models.Q(owner__in=Owner.values), name="ownership_owner_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.control.control_id} / {self.deployment.key}: {self.owner}"
