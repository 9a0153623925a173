"""The gap report and exports of one assessment: PDF download, HTML preview, CSV.

Thin on purpose: authorize with `assessment_readable_by` (members, and reviewers once submitted;
anyone else gets 404), then hand
over to `assessment.reports`; rendering and caching live there, never here. A draft with nothing
answered has no report yet: its report URLs send the user back to the results page, which says so.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..reports import render
from ..reports.export import export_csv as build_csv
from ..reports.export import export_filename
from ..selectors.assessments import assessment_readable_by, assessment_state


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk) -> HttpResponse:
    """The PDF gap report as a download (served from the cache when nothing changed)."""
    assessment = assessment_readable_by(request.user, pk)
    try:
        report = render.report_pdf(assessment)
    except render.ReportUnavailable as unavailable:
        return _back_to_results(request, assessment, unavailable)
    response = HttpResponse(report.pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report.filename)
    response["X-Report-Fingerprint"] = report.fingerprint
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def report_preview(request: HttpRequest, pk) -> HttpResponse:
    """The same report as HTML, for reading and printing in the browser."""
    assessment = assessment_readable_by(request.user, pk)
    try:
        return HttpResponse(render.report_html(assessment_state(assessment), for_browser=True))
    except render.ReportUnavailable as unavailable:
        return _back_to_results(request, assessment, unavailable)


def _back_to_results(request: HttpRequest, assessment, unavailable: render.ReportUnavailable) -> HttpResponse:
    messages.info(request, unavailable.message)
    return redirect("assessment_results", pk=assessment.pk)


@login_required
@require_GET
def export_csv(request: HttpRequest, pk) -> HttpResponse:
    """One row per control, with the JSON export's fields."""
    state = assessment_state(assessment_readable_by(request.user, pk))
    response = HttpResponse(build_csv(state), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export_filename(state.assessment, "csv"))
    return response
