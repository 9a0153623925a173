"""Assessments, the answers in them, reviewer verdicts and the audit trail."""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

from ..validators import validate_single_line
from .accounts import Organization
from .catalog import Control, Deployment, ResponsibilityModel

# Free text is bounded: every character ends up in the PDF, whose render time grows with it.
MAX_SCOPE = 2000
MAX_TEXT = 5000


class Claim(models.TextChoices):
    """The customer's answer to "Who makes sure of this?" after a control's statement (gap semantics)."""

    IMPLEMENTED = "implemented", "We do, fully"
    PARTIAL = "partial", "We do, partly"
    PROVIDER = "provider", "Someone else does (provider or cloud)"
    NOT_IMPLEMENTED = "not_implemented", "Nobody does yet"
    UNKNOWN = "unknown", "We don't know"
    NOT_APPLICABLE = "not_applicable", "Does not apply to us"


class Mode(models.TextChoices):
    """Blind: each owner is revealed once the control is answered; guided: the model shows while answering."""

    BLIND = "blind", "Answer first, then see the model"
    GUIDED = "guided", "Guided: the model is shown while answering"


class AssessmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Assessments the user may see: those of their organization, nothing else."""
        # The membership came with the user (see backends.py): filter on its organization, no join.
        membership = getattr(user, "membership", None) if user.is_authenticated else None
        if membership is None:
            return self.none()
        return self.filter(organization_id=membership.organization_id)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="assessments")
    model = models.ForeignKey(ResponsibilityModel, on_delete=models.PROTECT, related_name="assessments")
    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    scope = models.TextField(
        blank=True,
        max_length=MAX_SCOPE,
        validators=[MaxLengthValidator(MAX_SCOPE)],
        help_text="Which clusters or environments this covers.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.BLIND)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The self-attestation made at the last submission, in the words shown then, naming the person
    # (kept as text: it must still read the same if the account is renamed or deleted).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declaration = models.TextField(blank=True)
    # Rounds: the assessment this one was started from ("Start the next round"), and its place in the chain.
    previous = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_round")
    round_number = models.PositiveIntegerField(default=1)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who on the provider's side has taken it from the review queue (not necessarily who decided last).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    # Bumped by every change (answer, transition, review): part of the report fingerprint.
    revision = models.PositiveIntegerField(default=0)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status", "-submitted_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment_detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    claim = models.CharField(max_length=20, choices=Claim.choices)
    notes = models.TextField(blank=True)
    justification = models.TextField("N/A justification", blank=True)
    # The first claim saved while the owner was hidden (blind mode); never changes: the understanding score.
    first_answer = models.CharField(max_length=20, choices=Claim.choices, blank=True)
    # Carried over from an earlier model version in which the control had another owner: look again.
    owner_changed = models.BooleanField(default=False)
    # Carried into a new round from a control whose remediation item was done: confirm it still holds.
    remediated = models.BooleanField(default=False)
    # Optimistic concurrency: a write names the version it was based on.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "control"], name="unique_answer"),
            models.CheckConstraint(condition=models.Q(claim__in=Claim.values), name="answer_claim_valid"),
            models.CheckConstraint(
                condition=~models.Q(claim=Claim.NOT_APPLICABLE) | ~models.Q(justification=""),
                name="answer_na_needs_justification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control.control_id}: {self.claim}"


class ControlReview(models.Model):
    """A reviewer's verdict and comment on one control of a submitted assessment."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        NEEDS_WORK = "needs_work", "Needs work"
        # A "needs work" whose answer the customer has since changed: to look at again, no longer blocking.
        RECHECK = "recheck", "Re-check (changed since)"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="control_reviews")
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    comment = models.TextField(blank=True)
    # A "needs work" verdict that says what is missing is the evidence behind the answer.
    evidence_missing = models.BooleanField(default=False)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "control"], name="unique_control_review"),
        ]

    def __str__(self) -> str:
        return f"{self.control.control_id}: {self.verdict or 'no verdict'}"


class AuditEvent(models.Model):
    """Append-only record of every change to an assessment: who, when, from what to what."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        ANSWER = "answer", "Answer changed"
        TRANSITION = "transition", "Status changed"
        REVIEW = "review", "Review comment"
        # The provider's own bookkeeping (who took it from the queue): in the admin history, not the customer's.
        ASSIGNMENT = "assignment", "Assigned"
        VERSION = "version", "Model version changed"
        REMEDIATION = "remediation", "Remediation changed"
        ROUND = "round", "Next round started"
        EVIDENCE = "evidence", "Evidence changed"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    control_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.control_id}".strip()

    @staticmethod
    def value_label(key: str, value: str | None) -> str | None:
        """A recorded value in words: before/after hold codes ("not_applicable"); people read labels."""
        # "status" is an assessment's or a remediation item's; their codes do not overlap.
        choices = {
            "status": (Assessment.Status, RemediationItem.Status),
            "claim": (Claim,),
            "verdict": (ControlReview.Verdict,),
        }.get(key, ())
        for labels in choices:
            if value in labels.values:
                return labels(value).label
        return value


class RemediationItem(models.Model):
    """The work to close one gap of a submitted assessment: who, by when, how far, and why a risk is accepted.

    Created on the first change; a gap without a row is an open item with no owner and no due date.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        RISK_ACCEPTED = "risk_accepted", "Risk accepted"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="remediation_items")
    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    # Accepting a risk needs a reason; who accepted it and when are kept with it.
    risk_reason = models.TextField(blank=True, validators=[MaxLengthValidator(MAX_TEXT)])
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "control"], name="unique_remediation_item"),
            models.CheckConstraint(
                condition=~models.Q(status="risk_accepted") | ~models.Q(risk_reason=""),
                name="remediation_risk_needs_reason",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due"])]

    def __str__(self) -> str:
        return f"{self.control.control_id}: {self.status}"
