"""The provider's side of the product, in the Django admin.

Reviewers (the "Reviewers" group) review submitted assessments: the changelist is their queue (what
waits for a reviewer, oldest first, and who has taken it), and a review page per assessment has buttons
that call the workflow services, the only code that changes an assessment's status. Nothing here edits an assessment or its answers through a model form.
Reference data and accounts are for superusers; reviewers never see users or passwords.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from . import admin_views
from .models import Assessment, AuditEvent, Deployment, Membership, Organization, ResponsibilityModel, User
from .permissions import is_reviewer
from .selectors.assessments import evaluate_many
from .services import workflow
from .services.assignment import ASSIGNABLE_STATUSES, assessment_assign, assessment_unassign

Status = Assessment.Status
# What needs a reviewer: the changelist's default view, the review queue.
QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)
# The empty form in change_list.html that the rows' buttons submit: forms can't nest in the changelist's form.
ROW_FORM_ID = "row-action"

# Above this many rows (by the planner's estimate) the changelist shows an estimated count on PostgreSQL.
ESTIMATE_COUNT_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    """Counts exactly while that is cheap; on PostgreSQL a large result is counted by the planner's estimate.

    A page of the changelist then never scans hundreds of thousands of rows just to print a number.
    """

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            sql, params = queryset.order_by().query.get_compiler(queryset.db).as_sql()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            estimate = int(plan[0]["Plan"]["Plan Rows"])
            if estimate > ESTIMATE_COUNT_ABOVE:
                return estimate
        return super().count


@dataclass(frozen=True)
class Viewer:
    """Who looks at the changelist page, stashed on each row: the display methods don't get the request."""

    user: User
    can_review: bool
    # "_changelist_filters=…" for the rows' buttons, which come back to this same view of the list.
    preserved_filters: str


class AssessmentChangeList(ChangeList):
    """Evaluates the page's rows in one go (2 queries), so score and gap columns cost nothing per row."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        evaluations = evaluate_many(self.result_list)
        viewer = Viewer(
            user=request.user,
            can_review=self.model_admin.has_review_permission(request),
            preserved_filters=urlencode({"_changelist_filters": request.GET.urlencode()}) if request.GET else "",
        )
        for assessment in self.result_list:
            assessment.evaluation = evaluations[assessment.pk]
            assessment.viewer = viewer


class StatusFilter(admin.SimpleListFilter):
    """The review queue by default (no parameter), one status, or all.

    Reviewers never see drafts (get_queryset), so they are not offered the choice.
    """

    title = "status"
    parameter_name = "status"
    ALL = "all"

    @classmethod
    def is_queue(cls, request: HttpRequest) -> bool:
        return cls.parameter_name not in request.GET

    def lookups(self, request, model_admin):
        statuses = [
            (value, label) for value, label in Status.choices if request.user.is_superuser or value != Status.DRAFT
        ]
        return [*statuses, (self.ALL, "All")]

    def choices(self, changelist):
        # No facet counts: they are off for this changelist (show_facets).
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Needs a reviewer",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset.filter(status__in=QUEUE_STATUSES)
        if value == self.ALL:
            return queryset
        if value in Status.values:
            return queryset.filter(status=value)
        raise IncorrectLookupParameters(f"Unknown status {value!r}.")


class AssigneeFilter(admin.SimpleListFilter):
    """Who has taken it from the queue: me, nobody, or anyone (the default)."""

    title = "assigned to"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", "Me"), ("unassigned", "Unassigned")]

    def choices(self, changelist):
        choices = super().choices(changelist)
        yield {**next(choices), "display": "Anyone"}
        yield from choices

    def queryset(self, request, queryset):
        match self.value():
            case None:
                return queryset
            case "me":
                return queryset.filter(assignee=request.user)
            case "unassigned":
                return queryset.filter(assignee__isnull=True)
        raise IncorrectLookupParameters(f"Unknown assignee {self.value()!r}.")


class DeploymentFilter(admin.RelatedFieldListFilter):
    """Deployment names repeat across models ("On-premises"), so name the model too."""

    def field_choices(self, field, request, model_admin):
        deployments = Deployment.objects.select_related("model").order_by("model__title", "model__version", "position")
        return [(d.pk, f"{d.model} · {d.name}") for d in deployments]


# Long enough for "YugabyteDB Managed"; longer model titles are cut, the full one is in the tooltip and the filter.
MODEL_TITLE_CHARS = 24


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """The review queue and the review. Status changes only through the review page (workflow services)."""

    list_display = (
        "organization",
        "title",
        "model_version",
        "deployment",
        "status",
        "resubmitted",
        "waiting_since",
        "overall_score",
        "gaps",
        "assigned_to",
    )
    list_display_links = ("title",)
    list_filter = (StatusFilter, AssigneeFilter, "model", ("deployment", DeploymentFilter), "mode", "submitted_at")
    search_fields = ("organization__name", "title", "organization__memberships__user__email")
    search_help_text = "Search by organization, title or a member's email address."
    ordering = (F("submitted_at").desc(nulls_last=True), "-created_at")
    # The queue is served oldest first: whoever has waited longest is next.
    queue_ordering = ("submitted_at", "created_at")
    list_select_related = ("organization", "model", "deployment", "assignee")
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per filter choice on every page view
    paginator = EstimatedCountPaginator
    actions = ("assign_to_me", "export_csv")
    view_on_site = False

    def get_queryset(self, request):
        """Drafts are the customer's private work: reviewers see an assessment once it is submitted."""
        queryset = (
            super().get_queryset(request).select_related("organization", "model", "deployment", "reviewer", "assignee")
        )
        if not request.user.is_superuser:
            queryset = queryset.exclude(status=Assessment.Status.DRAFT)
        return queryset

    def get_ordering(self, request):
        return self.queue_ordering if StatusFilter.is_queue(request) else self.ordering

    def get_changelist(self, request, **kwargs):
        return AssessmentChangeList

    def changelist_view(self, request, extra_context=None):
        # Ten columns and the filters need the width the navigation sidebar would take.
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        # Ahead of the default URLs, whose "<path:object_id>/" would catch these.
        return [
            path("<path:object_id>/assign/", self.admin_site.admin_view(self.assign_view), name=f"{info}_assign"),
            path("<path:object_id>/unassign/", self.admin_site.admin_view(self.unassign_view), name=f"{info}_unassign"),
            *super().get_urls(),
        ]

    # Permissions: nobody adds, edits through a model form, or deletes assessments here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request, obj=None):
        return is_reviewer(request.user)

    # Changelist columns; `evaluation` and `viewer` are stashed on each row by AssessmentChangeList.
    @admin.display(description="Model", ordering="model__title")
    def model_version(self, obj):
        full, title = str(obj.model), obj.model.title
        if len(title) > MODEL_TITLE_CHARS:
            title = title[: MODEL_TITLE_CHARS - 1].rstrip() + "…"
        short = f"{title} {obj.model.version}"
        return short if short == full else format_html('<span title="{}">{}</span>', full, short)

    @admin.display(description="Resubmitted", empty_value="")  # blank, not the admin's "-"
    def resubmitted(self, obj):
        # Waiting again after an earlier decision: the customer has changed it since (reviewed_at is the last decision).
        return "Resubmitted" if obj.reviewed_at and obj.status in QUEUE_STATUSES else ""

    @admin.display(description="Waiting since", ordering="submitted_at")
    def waiting_since(self, obj):
        if obj.submitted_at is None:
            return "—"
        when = format_html(
            '<time datetime="{}">{}</time>',
            obj.submitted_at.isoformat(timespec="seconds"),
            date_format(localtime(obj.submitted_at), "Y-m-d H:i"),
        )
        if obj.status not in QUEUE_STATUSES:
            return when  # decided: nobody waits for a reviewer any more
        return format_html('{} <span class="waited">({})</span>', when, timesince(obj.submitted_at, depth=1))

    @admin.display(description="Score")
    def overall_score(self, obj):
        overall = obj.evaluation.overall
        return "n/a" if overall is None else f"{overall}%"

    @admin.display(description="Gaps")
    def gaps(self, obj):
        critical, high = obj.evaluation.gap_counts["critical"], obj.evaluation.gap_counts["high"]
        # Two parts that each stay on one line: a narrow column wraps at the dot, never inside "1 critical".
        return format_html(
            '<span class="part{}">{} critical</span> · <span class="part">{} high</span>',
            " critical" if critical else "",
            critical,
            high,
        )

    @admin.display(description="Assignee", ordering="assignee__name")
    def assigned_to(self, obj):
        viewer: Viewer = obj.viewer
        mine = obj.assignee_id == viewer.user.pk
        name = "Unassigned" if obj.assignee is None else f"{obj.assignee}{' (you)' if mine else ''}"
        if not viewer.can_review or obj.status not in ASSIGNABLE_STATUSES:
            return name
        view, label = ("unassign", "Unassign") if mine else ("assign", "Assign to me")
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=[quote(obj.pk)])
        if viewer.preserved_filters:
            url += f"?{viewer.preserved_filters}"
        return format_html(
            '<span class="assignee">{}</span> '
            '<button type="submit" form="{}" formaction="{}" class="button row-action">{}</button>',
            name,
            ROW_FORM_ID,
            url,
            label,
        )

    # Assigning: a row's button posts to these views; the bulk action does the same for the selected rows.
    def assign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._assignment_post(
            request, object_id, assessment_assign, done="Assigned “{title}” to you.", refused="Not assigned"
        )

    def unassign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._assignment_post(
            request, object_id, assessment_unassign, done="Unassigned “{title}”.", refused="Not unassigned"
        )

    def _assignment_post(
        self, request: HttpRequest, object_id: str, service: Callable[..., Assessment], *, done: str, refused: str
    ) -> HttpResponse:
        """POST only, by a reviewer, on an assessment they may see; then back to the same view of the list."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_review_permission(request):
            raise PermissionDenied
        assessment = self.get_object(request, unquote(object_id))
        if assessment is None:
            raise Http404("No such assessment.")
        try:
            service(assessment=assessment, actor=request.user)
        except workflow.TransitionRefused as error:
            # As the bulk action words it.
            message = f"{refused}: “{assessment.title}” ({assessment.organization}): {error.messages[0]}"
            self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, done.format(title=assessment.title), messages.SUCCESS)
        return HttpResponseRedirect(self._changelist_url(request))

    def _changelist_url(self, request: HttpRequest) -> str:
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist", current_app=self.admin_site.name
        )
        preserved = request.GET.get("_changelist_filters", "")
        # Re-encoded: whatever was posted, only a query string for this list comes out.
        return f"{url}?{QueryDict(preserved).urlencode()}" if preserved else url

    @admin.action(description="Assign to me", permissions=["review"])
    def assign_to_me(self, request, queryset):
        assigned, refused = 0, []
        for assessment in queryset:
            try:
                assessment_assign(assessment=assessment, actor=request.user)
            except workflow.TransitionRefused as error:
                refused.append(f"“{assessment.title}” ({assessment.organization}): {error.messages[0]}")
            else:
                assigned += 1
        if assigned:
            self.message_user(
                request, f"Assigned {assigned} assessment{'s' if assigned != 1 else ''} to you.", messages.SUCCESS
            )
        if refused:
            self.message_user(request, "Not assigned: " + " ".join(refused), messages.ERROR)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return admin_views.assessments_csv(queryset.select_related("organization", "model", "deployment"))

    # The review page replaces the change form; History shows the AuditEvents.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        assessment = self.get_object(request, unquote(object_id))
        if assessment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, assessment):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_review_permission(request, assessment):
                raise PermissionDenied
            return admin_views.review_post(self, request, assessment)
        return admin_views.review_page(self, request, assessment)

    def history_view(self, request, object_id, extra_context=None):
        assessment = self.get_object(request, unquote(object_id))
        if assessment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, assessment):
            raise PermissionDenied
        return admin_views.history_page(self, request, assessment)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: it is append-only and written by the services."""

    list_display = ("at", "assessment", "organization", "actor", "what")
    list_filter = ("kind", "at")
    search_fields = ("assessment__title", "assessment__organization__name", "control_id", "actor__email")
    list_select_related = ("assessment__organization", "actor")
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.exclude(assessment__status=Assessment.Status.DRAFT)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Organization", ordering="assessment__organization__name")
    def organization(self, obj):
        return obj.assessment.organization

    @admin.display(description="What")
    def what(self, obj):
        return admin_views.describe(obj)


@admin.register(ResponsibilityModel)
class ResponsibilityModelAdmin(admin.ModelAdmin):
    """Models are loaded from YAML files (load_model); here they are looked at. Published versions never change."""

    list_display = ("title", "slug", "version", "status", "published_at", "assessment_count")
    list_filter = ("status",)
    search_fields = ("title", "slug")
    readonly_fields = (
        "slug",
        "version",
        "status",
        "customer_name",
        "provider_name",
        "infrastructure_name",
        "content_hash",
        "created_at",
        "published_at",
    )
    fields = ("title", "description", *readonly_fields)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(assessment_total=Count("assessments"))

    @admin.display(description="Assessments", ordering="assessment_total")
    def assessment_count(self, obj):
        return obj.assessment_total

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != ResponsibilityModel.Status.DRAFT:
            return self.fields
        return self.readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != ResponsibilityModel.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.status != ResponsibilityModel.Status.DRAFT or obj.assessments.exists()):
            return False
        return super().has_delete_permission(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    readonly_fields = ("user", "joined_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Customers' organizations: superusers only (the Reviewers group has no permission on them)."""

    list_display = ("name", "member_count", "created_at")
    search_fields = ("name", "memberships__user__email")
    inlines = (MembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj):
        return obj.member_total


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "name")
        field_classes = {}


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = ("email", "name", "password", "is_active", "is_staff", "groups")
        field_classes = {}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts (the email is the login). Superusers only: reviewers never see users or password hashes."""

    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "name", "organization", "is_active", "is_staff", "is_superuser")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    list_select_related = ("membership__organization",)
    search_fields = ("email", "name")
    ordering = ("email",)
    filter_horizontal = ("groups",)

    @admin.display(description="Organization", ordering="membership__organization__name")
    def organization(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organization if membership else "—"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
