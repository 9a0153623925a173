"""Remediation pages: the items of one assessment (members edit, reviewers read) and the organization's list."""

from dataclasses import dataclass, replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ..forms.remediation import RemediationForm, initial_for
from ..models import Assessment
from ..permissions import is_member
from ..selectors.assessments import assessment_readable_by, assessment_state
from ..selectors.remediation import (
    Entry,
    assessment_entries,
    members_of,
    organization_entries,
    remediation_filters,
    remediation_list,
)
from ..services.remediation import RemediationConflict, remediation_update

FILTER_KEYS = ("owner", "status", "risk", "due")


@dataclass(frozen=True)
class Problem:
    """A line of the error summary: what is wrong with which item, and the field it links to."""

    entry: Entry
    message: str
    anchor: str


def _prefix(control_id: str) -> str:
    return f"r-{control_id}"


def _page(request, assessment: Assessment, *, failed=None, status=200) -> HttpResponse:
    """The per-assessment page; `failed` is (entry control id, bound form, problems) after a refused save."""
    state = assessment_state(assessment)
    entries = assessment_entries(state)
    members = members_of(assessment.organization)
    member = is_member(request.user, assessment)
    editable = member and bool(entries)
    query = {} if failed else {key: request.GET.get(key, "") for key in FILTER_KEYS}
    listing = remediation_list(entries, remediation_filters(members, **query))
    rows = []
    for entry in listing.entries:
        form = None
        if editable:
            if failed and failed[0] == entry.control_id:
                form = failed[1]
            else:
                form = RemediationForm(initial=initial_for(entry), prefix=_prefix(entry.control_id), members=members)
        rows.append((entry, form))
    context = {
        "assessment": assessment,
        "is_draft": assessment.status == Assessment.Status.DRAFT,
        "member": member,
        "editable": editable,
        "listing": listing,
        "rows": rows,
        "problems": failed[2] if failed else [],
    }
    return render(request, "assessment/remediation_list.html", context, status=status)


@login_required
@require_GET
def assessment_remediation(request: HttpRequest, pk) -> HttpResponse:
    """Every gap of a submitted assessment as an item to close, filtered by `?owner=&status=&risk=&due=`."""
    return _page(request, assessment_readable_by(request.user, pk))


@login_required
@require_POST
def remediation_save(request: HttpRequest, pk, control_id: str) -> HttpResponse:
    """Save one item, then back to it on the page; a refused save shows the page again with what to fix."""
    assessment = assessment_readable_by(request.user, pk)
    if not is_member(request.user, assessment):
        raise PermissionDenied("Reviewers can read the remediation plan but not change it.")
    state = assessment_state(assessment)
    entry = next((e for e in assessment_entries(state) if e.control_id == control_id), None)
    if entry is None:
        raise Http404("This control is not a remediation item of this assessment.")
    members = members_of(assessment.organization)
    form = RemediationForm(request.POST, prefix=_prefix(control_id), members=members)
    if form.is_valid():
        try:
            remediation_update(
                assessment=assessment, control=entry.control, actor=request.user, **form.data_for_service()
            )
        except RemediationConflict as conflict:
            # Their version is shown in the form, with its new version: saving again is a deliberate choice.
            fresh = replace(entry, record=conflict.current)
            form = RemediationForm(initial=initial_for(fresh), prefix=_prefix(control_id), members=members)
            problems = [Problem(entry, str(conflict), f"r-{control_id}")]
            return _page(request, assessment, failed=(control_id, form, problems), status=409)
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for field, errors in by_field.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Saved {control_id}: {entry.control.title}.")
            return redirect(reverse("assessment_remediation", kwargs={"pk": assessment.pk}) + f"#r-{control_id}")
    problems = [
        Problem(entry, message, form[field].auto_id if field in form.fields else f"r-{control_id}")
        for field, errors in form.errors.items()
        for message in errors
    ]
    return _page(request, assessment, failed=(control_id, form, problems), status=400)


@login_required
@require_GET
def organization_remediation(request: HttpRequest) -> HttpResponse:
    """What's left to do: the gaps of the organization's latest submitted assessments, filtered and sorted."""
    membership = getattr(request.user, "membership", None)
    if membership is None:
        raise Http404("You don't belong to an organization.")
    organization = membership.organization
    members = members_of(organization)
    query = {key: request.GET.get(key, "") for key in FILTER_KEYS}
    listing = remediation_list(organization_entries(organization), remediation_filters(members, **query))
    return render(request, "assessment/remediation_org.html", {"organization": organization, "listing": listing})
