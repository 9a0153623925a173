"""The customer's assessment pages: dashboard, start, overview, area walk-through, review, results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import cards
from ..forms.assessments import AnswerForm, AssessmentStartForm, SubmitForm
from ..models import Assessment, Control, ResponsibilityModel
from ..models.assessments import Claim, Mode
from ..reports.export import export_data, export_filename
from ..selectors.activity import activity_page
from ..selectors.assessments import (
    answer_changes_since,
    assessment_for,
    assessment_for_page,
    assessment_state,
    assessments_for,
    saved_item,
)
from ..selectors.catalog import model_areas
from ..selectors.rounds import dashboard_rows, latest_rounds
from ..selectors.upgrade import newer_version
from ..services import assessments as services
from ..services import workflow

PAGE_SIZE = 20
OTHERS = ("provider", "infrastructure")  # owners that are not the customer's
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _areas(assessment: Assessment) -> list:
    return model_areas(assessment.model)


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """The organization's assessments, newest change first, with progress and score; rounds grouped."""
    if not hasattr(request.user, "membership"):
        if request.user.is_staff:
            return redirect("admin:index")
        raise Http404("You don't belong to an organization.")
    # One row per assessment line: its latest round, with the earlier rounds folded under it.
    latest = latest_rounds(assessments_for(request.user)).order_by("-updated_at")
    page = Paginator(latest, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = dashboard_rows(list(page.object_list), request.user.membership.organization_id)
    return render(request, "assessment/assessment_list.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    """Start a draft: title, scope, model and deployment."""
    # Links from a model's page preselect it: /assessments/new/?model=<slug>
    initial = {"model": ResponsibilityModel.objects.current().filter(slug=request.GET.get("model")).first()}
    form = AssessmentStartForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Assessment started. Answer each area; every answer saves as you go.")
            first = assessment.model.areas.order_by("position").first()
            return redirect("assessment_area", pk=assessment.pk, area_key=first.key)
    return render(request, "assessment/assessment_new.html", {"form": form})


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk) -> HttpResponse:
    """Overview: status, reviewer decision, and a stepper of the areas with their progress."""
    assessment = assessment_for(request.user, pk)
    state = assessment_state(assessment)
    context = {"assessment": assessment, "state": state, "newer_version": newer_version(assessment)}
    return render(request, "assessment/assessment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_area(request: HttpRequest, pk, area_key: str) -> HttpResponse:
    """One area's controls. POST (no JavaScript) saves the whole page, all or nothing."""
    assessment = assessment_for_page(request.user, pk)
    areas = _areas(assessment)
    area = next((a for a in areas if a.key == area_key), None)
    if area is None:
        raise Http404("No such area.")
    state = assessment_state(assessment, area=area)
    items = state.areas[0].page_items if state.areas else []
    if assessment.status == Assessment.Status.CHANGES_REQUESTED:
        items = sorted(items, key=lambda item: not item.needs_work)  # what the reviewer flagged comes first
    guided = assessment.mode == Mode.GUIDED
    problems: list[dict] = []
    fields = None  # a GET shows the saved answers: no forms needed
    if request.method == "POST":
        if not assessment.is_editable:
            raise services.AssessmentLocked("This assessment is not open for changes.")
        forms = [_answer_form(item, request.POST) for item in items]
        acknowledge = request.POST.get("acknowledge", "")
        acknowledged = _save_page(request, assessment, items, forms, acknowledge if guided else "")
        if acknowledged is not None:
            if acknowledged:
                party = assessment.model.party_name(acknowledge)
                messages.info(request, f"Acknowledged {acknowledged} control{pluralize(acknowledged)} {party} handles.")
            return redirect(_after_save(request, assessment, areas, area, state))
        problems = _problems(items, forms)
        fields = [cards.form_fields(form) for form in forms]  # what was posted, with its errors
    # The template places a mark per card and the cards are spliced in afterwards: carried through
    # its nested blocks, 300 kB of cards would be copied at every level.
    add = request.GET.get("add", "")  # the control whose "Add evidence" panel is open (no JavaScript)
    card_html = cards.area_cards(items, assessment, fields, add=add)
    pairs = [(item, cards.mark(i)) for i, item in enumerate(items)]
    index = areas.index(area)
    steps = state.progress(areas)
    area_head, area_tail = reverse("assessment_area", args=[assessment.pk, "AREA"]).split("AREA")
    context = {
        "assessment": assessment,
        "state": state,
        "area": area,
        "areas": areas,
        # Rendered once, shown twice (the phone picker and the side list); one reverse for every area link.
        "step_list": render_to_string(
            "assessment/includes/step_list.html",
            {
                "area": area,
                "step_links": [(s, f"{area_head}{s.area.key}{area_tail}") for s in steps],
                "review_url": reverse("assessment_review", args=[assessment.pk]),
            },
        ),
        "step": steps[index],
        "position": index + 1,
        "cards": mark_safe("".join(card for item, card in pairs if not _collapsed(item, guided))),
        "groups": _acknowledge_groups(pairs, guided),
        "guided": guided,
        "problems": problems,
        # Saved by autosave (or an earlier page save) before this failed one: still stored, said so.
        "saved_before": sum(1 for item in items if item.asked and item.answer is not None),
        "previous_area": areas[index - 1] if index else None,
        "next_area": areas[index + 1] if index + 1 < len(areas) else None,
        "editable": assessment.is_editable,
        "add": add,
    }
    page = render_to_string("assessment/assessment_area.html", context, request=request)
    return HttpResponse(cards.splice(page, card_html), status=400 if problems else 200)


def _problems(items, forms) -> list[dict]:
    """The error summary of a failed page save: each problem with its control, linking to the field."""
    problems = []
    for item, form in zip(items, forms, strict=True):
        for field, errors in form.errors.items():
            if field == "__all__":
                anchor = f"c-{item.control.control_id}"
            elif field == "claim":
                anchor = f"{form[field].auto_id}_0"  # the first radio button
            else:
                anchor = form[field].auto_id
            for message in errors:
                problems.append({"control": item.control, "message": message, "anchor": anchor})
    return problems


def _collapsed(item, guided: bool) -> bool:
    """Guided mode folds the unanswered controls the provider or the cloud handles into one acknowledgement.

    Blind mode never does: the grouping would give the owner away.
    """
    return guided and item.asked and item.answer is None and item.owner in OTHERS and not item.needs_work


def _acknowledge_groups(pairs, guided: bool) -> list[dict]:
    """The folded controls per party, each as (item, card)."""
    groups: dict[str, dict] = {}
    for item, card in pairs:
        if _collapsed(item, guided):
            group = groups.setdefault(item.owner, {"owner": item.owner, "party": item.party_name, "cards": []})
            group["cards"].append((item, card))
    return list(groups.values())


def _after_save(request, assessment, areas, area, before) -> str:
    """Where a page save goes: on to the next area, unless it revealed something to read here first."""
    was, now = _asked_and_answered(before), _asked_and_answered(assessment_state(assessment, area=area))
    newly_answered = assessment.mode == Mode.BLIND and any(now[c][1] and not was[c][1] for c in now)
    asked_changed = any(now[c][0] != was[c][0] for c in now)
    if newly_answered or asked_changed:
        messages.success(
            request,
            f"{area.title}: answers saved. "
            + ("The model's owner is now shown for what you answered. " if newly_answered else "")
            + ("Your answers changed which controls are asked. " if asked_changed else "")
            + "Check them below, then continue.",
        )
        return reverse("assessment_area", args=[assessment.pk, area.key])
    messages.success(request, f"{area.title}: answers saved.")
    return _next_url(assessment, areas, area)


def _asked_and_answered(state) -> dict[str, tuple[bool, bool]]:
    return {i.control.control_id: (i.asked, i.answer is not None) for a in state.areas for i in a.page_items}


def _answer_form(item, data) -> AnswerForm:
    answer = item.answer
    initial = {"version": answer.version if answer else 0}
    if answer:
        initial.update(claim=answer.claim, notes=answer.notes, justification=answer.justification)
    return AnswerForm(data, prefix=item.control.control_id, initial=initial)


def _save_page(request, assessment, items, forms, acknowledge: str = "") -> int | None:
    """Save every filled-in control; `acknowledge` ("provider" or "infrastructure") answers that party's
    folded controls "someone else does" where the page left them blank (guided mode).

    Returns how many were acknowledged, or None when nothing was saved (the forms say why).
    """
    if not all(form.is_valid() for form in forms):
        return None
    acknowledged = 0
    try:
        with transaction.atomic():
            for item, form in zip(items, forms, strict=True):
                if form.is_blank:
                    if acknowledge in OTHERS and item.owner == acknowledge and _collapsed(item, True):
                        services.answer_save(
                            assessment=assessment,
                            control=item.control,
                            user=request.user,
                            data=services.AnswerInput(claim=Claim.PROVIDER),
                            base_version=0,
                        )
                        acknowledged += 1
                    continue
                services.answer_save(
                    assessment=assessment,
                    control=item.control,
                    user=request.user,
                    data=form.to_input(),
                    base_version=form.cleaned_data.get("version") or 0,
                )
    except services.AnswerConflict as conflict:
        form = forms[[i.control.pk for i in items].index(conflict.current.control_id)]
        form.add_error(None, ValidationError(_conflict_text(conflict), code="conflict"))
        return None
    return acknowledged


def _conflict_text(conflict: services.AnswerConflict) -> str:
    current = conflict.current
    text = f"{conflict} Current answer: “{current.get_claim_display()}”"
    if current.notes:
        text += f"; notes: “{current.notes}”"
    return text + "."


def _next_url(assessment, areas, area) -> str:
    index = areas.index(area)
    if index + 1 < len(areas):
        return reverse("assessment_area", args=[assessment.pk, areas[index + 1].key])
    return reverse("assessment_review", args=[assessment.pk])


@require_POST
def answer_autosave(request: HttpRequest, pk, control_id: str) -> JsonResponse:
    """Save one control's answer (the page's script calls this on every change); JSON in and out."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"ok": False, "message": "Your session has expired. Log in again in another tab, then retry."}, status=401
        )
    # Only a form body can be read; anything else would parse as empty, and "saved" would be a lie.
    # (Refusals check the scope first: another organization's assessment is a 404 whatever is sent.)
    if request.content_type not in FORM_CONTENT_TYPES:
        _autosave_target(request.user, pk, control_id)
        return JsonResponse(
            {"ok": False, "message": "Not saved — send the answer as form fields (claim, notes, justification)."},
            status=415,
        )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _autosave_target(request.user, pk, control_id)
        errors = {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}
        return JsonResponse(
            {"ok": False, "message": "Not saved — fix the field marked below.", "errors": errors}, status=400
        )
    if form.is_blank:
        _autosave_target(request.user, pk, control_id)
        return JsonResponse(
            {"ok": False, "message": "Not saved — choose an answer first.", "errors": {"claim": ["Choose an answer."]}},
            status=400,
        )
    try:
        saved = services.answer_autosave(
            user=request.user,
            assessment_pk=pk,
            control_id=control_id,
            data=form.to_input(),
            base_version=form.cleaned_data.get("version") or 0,
        )
    except services.AnswerConflict as conflict:
        current = conflict.current
        return JsonResponse(
            {
                "ok": False,
                "conflict": True,
                "message": _conflict_text(conflict),
                "current": {
                    "claim": current.claim,
                    "notes": current.notes,
                    "justification": current.justification,
                    "version": current.version,
                },
            },
            status=409,
        )
    except services.AssessmentLocked as error:
        return JsonResponse({"ok": False, "message": str(error)}, status=403)
    except ValidationError as error:
        return JsonResponse({"ok": False, "message": " ".join(error.messages)}, status=400)
    # The control's reveal (skip logic runs in the page), built from what the save read: no query.
    item = saved_item(saved.assessment, saved.ownership, saved.answer)
    return JsonResponse(
        {"ok": True, "version": saved.answer.version, "reveal": cards.reveal_html(item, saved.assessment)}
    )


def _autosave_target(user, pk, control_id: str) -> None:
    """404 unless the user's organization has this assessment and its model this control."""
    assessment = assessment_for(user, pk)
    get_object_or_404(Control, model=assessment.model_id, control_id=control_id)


@login_required
@require_GET
def assessment_review(request: HttpRequest, pk) -> HttpResponse:
    """Check your answers: every answer with a way back to change it, then the declaration."""
    return _review_page(request, assessment_for(request.user, pk), SubmitForm())


def _review_page(request, assessment, form: SubmitForm, status: int = 200) -> HttpResponse:
    state = assessment_state(assessment)
    # On a resubmission: what the reviewer flagged, and whether it was changed since their decision.
    changed = answer_changes_since(assessment, assessment.reviewed_at)
    flagged = [(item, item.control.control_id in changed) for item in state.needs_work]
    context = {
        "assessment": assessment,
        "state": state,
        "form": form,
        "flagged": flagged,
        "resubmission": assessment.status == Assessment.Status.CHANGES_REQUESTED,
        "declaration": workflow.declaration_text(request.user, assessment),
    }
    return render(request, "assessment/assessment_review.html", context, status=status)


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk) -> HttpResponse:
    """Two steps: the ticked declaration leads to a confirmation; confirming it submits and locks."""
    assessment = assessment_for(request.user, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _review_page(request, assessment, form, status=400)
    if not form.cleaned_data["confirm"]:
        state = assessment_state(assessment)
        context = {
            "assessment": assessment,
            "state": state,
            "resubmission": assessment.status == Assessment.Status.CHANGES_REQUESTED,
            "declaration": workflow.declaration_text(request.user, assessment),
        }
        return render(request, "assessment/assessment_confirm.html", context)
    if assessment.status == Assessment.Status.SUBMITTED:
        # A retried confirmation (a double click, or a connection lost after the first one committed).
        when = timezone.localtime(assessment.submitted_at).strftime("%Y-%m-%d %H:%M")
        messages.info(request, f"This assessment was already submitted for review ({when}). Answers are locked.")
        return redirect("assessment_results", pk=assessment.pk)
    try:
        workflow.assessment_submit(assessment=assessment, actor=request.user)
    except workflow.TransitionRefused as error:
        messages.error(request, error.messages[0])
        return redirect("assessment_review", pk=assessment.pk)
    messages.success(request, "Submitted for review. Answers are locked; we'll email you the reviewer's decision.")
    return redirect("assessment_results", pk=assessment.pk)


@login_required
@require_GET
def assessment_export_json(request: HttpRequest, pk) -> JsonResponse:
    """The JSON export, named like the PDF and the CSV: <organization>-<title>-<date>.json."""
    assessment = assessment_for(request.user, pk)
    response = JsonResponse(export_data(assessment_state(assessment)), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = content_disposition_header(True, export_filename(assessment, "json"))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def assessment_delete(request: HttpRequest, pk) -> HttpResponse:
    """Delete a draft, after confirmation."""
    assessment = assessment_for(request.user, pk)
    if request.method == "POST":
        try:
            services.assessment_delete(assessment=assessment, user=request.user)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("assessment_detail", pk=assessment.pk)
        messages.success(request, f"Deleted the draft “{assessment.title}”.")
        return redirect("assessment_list")
    return render(request, "assessment/assessment_delete.html", {"assessment": assessment})


@login_required
@require_GET
def assessment_activity(request: HttpRequest, pk) -> HttpResponse:
    """Everything that happened to the assessment, newest first, one entry per save."""
    assessment = assessment_for(request.user, pk)
    page = activity_page(assessment, request.GET.get("page"))
    return render(request, "assessment/assessment_activity.html", {"assessment": assessment, "page": page})
