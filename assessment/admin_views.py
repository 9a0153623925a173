"""The reviewer's pages in the admin: one assessment's review page, its history, and the CSV export.

AssessmentAdmin wires these in (change_view, history_view, an action); they are not in assessment/urls.py.
Every write goes through the workflow services, which check the actor and the status.
"""

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from .filetypes import file_size
from .forms.review import DecisionForm, control_review_forms
from .models import Assessment, AuditEvent, ControlReview, Evidence, User
from .reports.export import csv_cell
from .selectors.assessments import AnswerChange, answer_changes_since, assessment_state, evaluate_many
from .selectors.evidence import evidence_by_control
from .services import review

Status = Assessment.Status
HISTORY_PAGE_SIZE = 100
CSV_BATCH = 500


def _report_links(assessment: Assessment) -> list[tuple[str, str]]:
    return [
        ("PDF report", reverse("assessment_report_pdf", args=[assessment.pk])),
        ("HTML report", reverse("assessment_report", args=[assessment.pk])),
        ("XLSX", reverse("assessment_export_xlsx", args=[assessment.pk])),
        ("OSCAL", reverse("assessment_export_oscal", args=[assessment.pk])),
    ]


def describe(event: AuditEvent) -> str:
    """One audit event in words: "Status changed: Submitted → In review", "Answer changed NET-ALLOW: … → …"."""
    before, after = event.before or {}, event.after or {}

    def label(values: dict, key: str) -> str | None:
        return AuditEvent.value_label(key, values.get(key))

    if event.kind == AuditEvent.Kind.TRANSITION:
        text = f"Status changed: {label(before, 'status') or '—'} → {label(after, 'status')}"
        return text + (f" “{event.message}”" if event.message else "")
    if event.kind == AuditEvent.Kind.ANSWER and event.after is None:
        return f"Answer removed {event.control_id}: {label(before, 'claim')} ({event.message})"
    if event.kind == AuditEvent.Kind.ANSWER:
        text = f"Answer changed {event.control_id}: {label(before, 'claim') or 'unanswered'} → {label(after, 'claim')}"
        return text + (f" (notes: {Truncator(after['notes']).chars(120)})" if after.get("notes") else "")
    if event.kind in (AuditEvent.Kind.ASSIGNMENT, AuditEvent.Kind.VERSION):
        return event.message
    if event.kind == AuditEvent.Kind.REVIEW:
        text = f"Review comment {event.control_id}: {label(after, 'verdict') or 'no verdict'}"
        return text + (f" “{Truncator(after['comment']).chars(200)}”" if after.get("comment") else "")
    kind = f"{event.get_kind_display()} {event.control_id}".strip()
    return f"{kind}: {event.message}" if event.message else kind


def _described(events) -> list[AuditEvent]:
    events = list(events)
    for event in events:
        event.summary = describe(event)
    return events


def review_page(
    model_admin,
    request: HttpRequest,
    assessment: Assessment,
    *,
    pairs=None,
    decision_form=None,
    problems: list[review.Problem] = (),
    status: int = 200,
) -> TemplateResponse:
    """One pass over a submission: what changed since the last review, then the gaps, then the rest by area.

    Every control appears once, with its verdict and comment; the decision bar stays on screen.
    """
    state = assessment_state(assessment)
    can_review = model_admin.has_review_permission(request, assessment)
    forms_by_id = {item.control.control_id: form for item, form in (pairs or control_review_forms(state.items))}
    resubmitted = assessment.status in (Status.SUBMITTED, Status.IN_REVIEW) and assessment.reviewed_at is not None
    changes = answer_changes_since(assessment, assessment.reviewed_at) if resubmitted else {}

    evidence = _evidence_by_control(assessment)

    def row(item) -> Row:
        cid = item.control.control_id
        return Row(item, forms_by_id[cid], changes.get(cid), evidence.get(item.control.pk, ()))

    changed = [row(item) for item in state.items if item.control.control_id in changes]
    gaps = [row(item) for item in state.gaps if item.control.control_id not in changes]
    shown = {r.item.control.control_id for r in [*changed, *gaps]}
    areas = [
        (area_state, rows)
        for area_state in state.areas
        if (rows := [row(item) for item in area_state.items if item.control.control_id not in shown])
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
        "changed": changed,
        "gaps": gaps,
        "areas": areas,
        "resubmitted": resubmitted,
        "commenting": can_review and assessment.status in (Status.SUBMITTED, Status.IN_REVIEW),
        "decision_form": decision_form or DecisionForm(),
        "problems": problems,
        "report_links": _report_links(assessment),
        "members": members,
        "recent_events": _described(AuditEvent.objects.filter(assessment=assessment).select_related("actor")[:5]),
        "preserved_filters": model_admin.get_preserved_filters(request),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/assessment/assessment/review.html", context, status=status)


@dataclass(frozen=True)
class Row:
    """One control on the review page: the item, its verdict form, and what changed since the last review."""

    item: object
    form: object
    change: AnswerChange | None
    evidence: Sequence[Evidence] = ()


def _evidence_by_control(assessment: Assessment) -> dict[int, list[Evidence]]:
    """The assessment's evidence by control pk (one query), with sizes in words as the customer's cards show them.

    A link gets `href` only if it is http or https.
    """
    grouped = evidence_by_control(assessment)
    for rows in grouped.values():
        for evidence in rows:
            # Checked when it was added too; never rendered as a javascript: or data: link whatever the row holds.
            evidence.href = evidence.url if evidence.url.lower().startswith(("https://", "http://")) else ""
            evidence.size_text = file_size(evidence.size) if evidence.size is not None else ""
    return grouped


def review_post(model_admin, request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Verdicts, comments and the decision in one go: every problem is reported at once, or all of it is saved."""
    state = assessment_state(assessment)
    pairs = control_review_forms(state.items, request.POST)
    decision_form = DecisionForm(request.POST)
    problems = [
        review.Problem(f"{item.control.control_id} {item.control.title}: {text}", control_id=item.control.control_id)
        for item, form in pairs
        if form.is_bound and not form.is_valid()
        for errors in form.errors.values()
        for text in errors
    ]
    if not decision_form.is_valid():
        problems += [
            review.Problem(text, field=name) for name, errors in decision_form.errors.items() for text in errors
        ]
        return _refused(model_admin, request, assessment, pairs, decision_form, problems)
    decision, message = decision_form.cleaned_data["decision"], decision_form.cleaned_data["message"]
    saved = {item.control.control_id: item.review for item in state.items}
    current = {cid: r.verdict if r else "" for cid, r in saved.items()}
    posted = {
        item.control.control_id: form.cleaned_data["verdict"]
        for item, form in pairs
        if form.is_bound and form.is_valid()
    }
    verdicts = review.final_verdicts(current, posted, accept_remaining=decision_form.cleaned_data["accept_remaining"])
    titles = {item.control.control_id: item.control.title for item in state.items}
    problems += review.review_problems(verdicts=verdicts, titles=titles, decision=decision, message=message)
    if problems:
        return _refused(model_admin, request, assessment, pairs, decision_form, problems)
    inputs = []
    for item, form in pairs:
        cid = item.control.control_id
        old_comment = saved[cid].comment if saved[cid] else ""
        comment = form.cleaned_data["comment"] if form.is_bound else old_comment
        old_missing = review.effective_evidence_missing(saved[cid])
        missing = form.cleaned_data["evidence_missing"] if form.is_bound else old_missing
        missing = missing and verdicts[cid] == ControlReview.Verdict.NEEDS_WORK
        if verdicts[cid] != current[cid] or comment != old_comment or missing != old_missing:
            inputs.append(review.VerdictInput(item.control, verdicts[cid], comment, missing))
    try:
        review.review_apply(
            assessment=assessment, actor=request.user, verdicts=inputs, decision=decision, message=message
        )
    except ValidationError as error:  # TransitionRefused included: another reviewer decided meanwhile, say
        refused = [review.Problem(text) for text in error.messages]
        return _refused(model_admin, request, assessment, pairs, decision_form, refused)
    if decision == review.SAVE:
        count = len(inputs)
        messages.success(
            request, f"Saved {count} control review{'s' if count != 1 else ''}." if count else "No changes to save."
        )
        return HttpResponseRedirect(request.path)
    done = "Approved" if decision == review.APPROVE else "Requested changes on"
    messages.success(request, f"{done} “{assessment.title}”. The organization's members have been emailed.")
    # The pass is over: back to the queue, for the next submission.
    return HttpResponseRedirect(reverse("admin:assessment_assessment_changelist"))


def _refused(model_admin, request, assessment, pairs, decision_form, problems) -> TemplateResponse:
    """The page again, with what was typed kept and every problem listed at the top."""
    return review_page(
        model_admin, request, assessment, pairs=pairs, decision_form=decision_form, problems=problems, status=400
    )


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
