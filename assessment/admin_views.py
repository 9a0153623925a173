"""The reviewer's pages in the admin: one assessment's review page, its history, and the CSV export.

AssessmentAdmin wires these in (change_view, history_view, an action); they are not in assessment/urls.py.
Every write goes through the workflow services, which check the actor and the status.
"""

import csv
from datetime import UTC

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from .forms.review import Decision, DecisionForm, control_review_forms
from .models import Assessment, AuditEvent, User
from .reports.export import csv_cell
from .selectors.assessments import assessment_state, evaluate_many
from .services import workflow

Status = Assessment.Status
HISTORY_PAGE_SIZE = 100
CSV_BATCH = 500


def _report_links(assessment: Assessment) -> list[tuple[str, str]]:
    return [
        ("PDF report", reverse("assessment_report_pdf", args=[assessment.pk])),
        ("HTML report", reverse("assessment_report", args=[assessment.pk])),
    ]


def _buttons(assessment: Assessment, can_review: bool) -> list[tuple[str, str]]:
    if not can_review:
        return []
    labels = dict(Decision.choices)
    if assessment.status == Status.SUBMITTED:
        return [(Decision.START_REVIEW, labels[Decision.START_REVIEW])]
    if assessment.status == Status.IN_REVIEW:
        return [(d, labels[d]) for d in (Decision.SAVE, Decision.APPROVE, Decision.REQUEST_CHANGES)]
    return []


def describe(event: AuditEvent) -> str:
    """One audit event in words: "Status changed: Submitted → In review", "Answer changed NET-ALLOW: … → …"."""
    before, after = event.before or {}, event.after or {}

    def label(values: dict, key: str) -> str | None:
        return AuditEvent.value_label(key, values.get(key))

    if event.kind == AuditEvent.Kind.TRANSITION:
        text = f"Status changed: {label(before, 'status') or '—'} → {label(after, 'status')}"
        return text + (f" “{event.message}”" if event.message else "")
    if event.kind == AuditEvent.Kind.ANSWER:
        text = f"Answer changed {event.control_id}: {label(before, 'claim') or 'unanswered'} → {label(after, 'claim')}"
        return text + (f" (notes: {Truncator(after['notes']).chars(120)})" if after.get("notes") else "")
    if event.kind == AuditEvent.Kind.REVIEW:
        text = f"Review comment {event.control_id}: {label(after, 'verdict') or 'no verdict'}"
        return text + (f" “{Truncator(after['comment']).chars(200)}”" if after.get("comment") else "")
    return f"{event.get_kind_display()}: {event.message}" if event.message else event.get_kind_display()


def _described(events) -> list[AuditEvent]:
    events = list(events)
    for event in events:
        event.summary = describe(event)
    return events


def review_page(
    model_admin, request: HttpRequest, assessment: Assessment, *, pairs=None, decision_form=None, status: int = 200
) -> TemplateResponse:
    """Header facts, report links, the answers by area with a verdict and comment each, and the decision."""
    state = assessment_state(assessment)
    can_review = model_admin.has_review_permission(request, assessment)
    forms_by_id = {item.control.control_id: form for item, form in (pairs or control_review_forms(state.items))}
    areas = [
        (area_state, [(item, forms_by_id[item.control.control_id]) for item in area_state.items])
        for area_state in state.areas
    ]
    members = User.objects.filter(membership__organization=assessment.organization_id).order_by("email")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Review “{assessment.title}”",
        "subtitle": None,
        "original": assessment,
        "assessment": assessment,
        "state": state,
        "areas": areas,
        "commenting": can_review and assessment.status == Status.IN_REVIEW,
        "buttons": _buttons(assessment, can_review),
        "decision_form": decision_form or DecisionForm(),
        "report_links": _report_links(assessment),
        "members": members,
        "recent_events": _described(AuditEvent.objects.filter(assessment=assessment).select_related("actor")[:5]),
        "preserved_filters": model_admin.get_preserved_filters(request),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/assessment/assessment/review.html", context, status=status)


def review_post(model_admin, request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Save the controls' verdicts and comments, then apply the decision: all of it, or none of it."""
    state = assessment_state(assessment)
    pairs = control_review_forms(state.items, request.POST)
    decision_form = DecisionForm(request.POST)
    posted = [(item, form) for item, form in pairs if form.is_bound]
    if not decision_form.is_valid() or not all([form.is_valid() for _, form in posted]):
        decision_form.add_error(
            None, ValidationError("Nothing was saved: fix the problems marked below.", code="invalid")
        )
        return review_page(model_admin, request, assessment, pairs=pairs, decision_form=decision_form, status=400)
    decision, message = decision_form.cleaned_data["decision"], decision_form.cleaned_data["message"]
    try:
        with transaction.atomic():
            saved = 0
            for item, form in posted:
                if form.has_changed():
                    workflow.control_review_save(
                        assessment=assessment,
                        control=item.control,
                        actor=request.user,
                        verdict=form.cleaned_data["verdict"],
                        comment=form.cleaned_data["comment"],
                    )
                    saved += 1
            text = _decide(decision, assessment, request.user, message, saved)
    except ValidationError as error:  # TransitionRefused included
        decision_form.add_error(None, error.messages)
        return review_page(model_admin, request, assessment, pairs=pairs, decision_form=decision_form, status=400)
    messages.success(request, text)
    return HttpResponseRedirect(request.path)


def _decide(decision: str, assessment: Assessment, actor: User, message: str, saved: int) -> str:
    """Apply the decision; returns what to tell the reviewer."""
    if decision == Decision.START_REVIEW:
        workflow.assessment_start_review(assessment=assessment, actor=actor)
        return "Review started: give the controls a verdict, then approve or request changes."
    if decision == Decision.APPROVE:
        workflow.assessment_approve(assessment=assessment, actor=actor, message=message)
        return f"Approved “{assessment.title}”. The organization's members have been emailed."
    if decision == Decision.REQUEST_CHANGES:
        workflow.assessment_request_changes(assessment=assessment, actor=actor, message=message)
        return f"Requested changes on “{assessment.title}”. The organization's members have been emailed."
    if saved:
        return f"Saved {saved} control review{'s' if saved != 1 else ''}."
    return "No changes to save."


def history_page(model_admin, request: HttpRequest, assessment: Assessment) -> TemplateResponse:
    """The admin's History of an assessment: its AuditEvents (answers, transitions, reviews), newest first."""
    paginator = Paginator(AuditEvent.objects.filter(assessment=assessment).select_related("actor"), HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get(PAGE_VAR))
    page.object_list = _described(page.object_list)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"History: {assessment.title}",
        "subtitle": None,
        "object": assessment,
        "module_name": str(model_admin.opts.verbose_name_plural).capitalize(),
        "action_list": page,
        "page_range": paginator.get_elided_page_range(page.number),
        "page_var": PAGE_VAR,
        "pagination_required": paginator.num_pages > 1,
        "preserved_filters": model_admin.get_preserved_filters(request),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/assessment/assessment/object_history.html", context)


CSV_HEADER = [
    "Organization",
    "Title",
    "Model",
    "Version",
    "Deployment",
    "Status",
    "Overall score",
    "Critical gaps",
    "High gaps",
    "Submitted at",
]


def assessments_csv(queryset) -> HttpResponse:
    """One row per assessment; evaluated in batches, so memory stays flat however many are selected."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assessments-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    batch: list[Assessment] = []
    for assessment in queryset.iterator(chunk_size=CSV_BATCH):
        batch.append(assessment)
        if len(batch) == CSV_BATCH:
            _write_rows(writer, batch)
            batch = []
    _write_rows(writer, batch)
    return response


def _write_rows(writer, assessments: list[Assessment]) -> None:
    evaluations = evaluate_many(assessments)
    for a in assessments:
        evaluation = evaluations[a.pk]
        writer.writerow(
            [
                csv_cell(a.organization.name),
                csv_cell(a.title),
                a.model.title,
                a.model.version,
                a.deployment.name,
                a.get_status_display(),
                "n/a" if evaluation.overall is None else evaluation.overall,
                evaluation.gap_counts["critical"],
                evaluation.gap_counts["high"],
                a.submitted_at.astimezone(UTC).isoformat(timespec="seconds") if a.submitted_at else "",
            ]
        )


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect, for objects the user can see in the admin; 404 otherwise.

    Django's own redirects for any object that exists, which told a reviewer that a draft they may
    not see exists (302) where an unknown id got 404.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ValueError, ContentType.DoesNotExist):
        raise Http404("No such object.") from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_permission(request):
        raise Http404("No such object.")
    try:
        visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, ValidationError):
        visible = False
    if not visible:
        raise Http404("No such object.")
    return contenttype_views.shortcut(request, content_type_id, object_id)
