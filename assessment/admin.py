"""The provider's side of the product, in the Django admin.

Reviewers (the "Reviewers" group) review submitted assessments: a changelist of submissions and a
review page per assessment whose buttons call the workflow services, the only code that changes an
assessment's status. Nothing here edits an assessment or its answers through a model form.
Reference data and accounts are for superusers; reviewers never see users or passwords.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime

from . import admin_views
from .models import Assessment, AuditEvent, Deployment, Membership, Organization, ResponsibilityModel, User
from .permissions import is_reviewer
from .selectors.assessments import evaluate_many
from .services import workflow

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


class AssessmentChangeList(ChangeList):
    """Evaluates the page's rows in one go (2 queries), so score and gap columns cost nothing per row."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        evaluations = evaluate_many(self.result_list)
        for assessment in self.result_list:
            assessment.evaluation = evaluations[assessment.pk]


class StatusFilter(admin.SimpleListFilter):
    """By status; reviewers never see drafts, so they are not offered the choice."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            (value, label)
            for value, label in Assessment.Status.choices
            if request.user.is_superuser or value != Assessment.Status.DRAFT
        ]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class DeploymentFilter(admin.RelatedFieldListFilter):
    """Deployment names repeat across models ("On-premises"), so name the model too."""

    def field_choices(self, field, request, model_admin):
        deployments = Deployment.objects.select_related("model").order_by("model__title", "model__version", "position")
        return [(d.pk, f"{d.model} · {d.name}") for d in deployments]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Submissions and their review. Status changes only through the buttons and actions (workflow services)."""

    list_display = (
        "organization",
        "title",
        "model_version",
        "deployment",
        "status",
        "overall_score",
        "critical_gaps",
        "high_gaps",
        "submitted",
    )
    list_display_links = ("title",)
    list_filter = (StatusFilter, "model", ("deployment", DeploymentFilter), "submitted_at")
    search_fields = ("organization__name", "title", "organization__memberships__user__email")
    search_help_text = "Search by organization, title or a member's email address."
    ordering = (F("submitted_at").desc(nulls_last=True), "-created_at")
    list_select_related = ("organization", "model", "deployment")
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per filter choice on every page view
    paginator = EstimatedCountPaginator
    actions = ("start_review", "export_csv")
    view_on_site = False

    def get_queryset(self, request):
        """Drafts are the customer's private work: reviewers see an assessment once it is submitted."""
        queryset = super().get_queryset(request).select_related("organization", "model", "deployment", "reviewer")
        if not request.user.is_superuser:
            queryset = queryset.exclude(status=Assessment.Status.DRAFT)
        return queryset

    def get_changelist(self, request, **kwargs):
        return AssessmentChangeList

    def changelist_view(self, request, extra_context=None):
        # Nine columns and the filters need the width the navigation sidebar would take.
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    # Permissions: nobody adds, edits through a model form, or deletes assessments here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request, obj=None):
        return is_reviewer(request.user)

    # Changelist columns; `evaluation` is stashed on each row by AssessmentChangeList.
    @admin.display(description="Model", ordering="model__title")
    def model_version(self, obj):
        return f"{obj.model.title} {obj.model.version}"

    @admin.display(description="Overall score")
    def overall_score(self, obj):
        overall = obj.evaluation.overall
        return "n/a" if overall is None else f"{overall}%"

    @admin.display(description="Critical gaps")
    def critical_gaps(self, obj):
        return obj.evaluation.gap_counts["critical"]

    @admin.display(description="High gaps")
    def high_gaps(self, obj):
        return obj.evaluation.gap_counts["high"]

    @admin.display(description="Submitted", ordering="submitted_at")
    def submitted(self, obj):
        return date_format(localtime(obj.submitted_at), "Y-m-d H:i") if obj.submitted_at else "—"

    # Bulk actions.
    @admin.action(description="Start review of selected assessments", permissions=["review"])
    def start_review(self, request, queryset):
        started, refused = 0, []
        for assessment in queryset:
            try:
                workflow.assessment_start_review(assessment=assessment, actor=request.user)
            except workflow.TransitionRefused as error:
                refused.append(f"“{assessment.title}” ({assessment.organization}): {error.messages[0]}")
            else:
                started += 1
        if started:
            self.message_user(
                request, f"Started the review of {started} assessment{'s' if started != 1 else ''}.", messages.SUCCESS
            )
        if refused:
            self.message_user(request, "Not started: " + " ".join(refused), messages.ERROR)

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
