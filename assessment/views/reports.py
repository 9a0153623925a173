"""The gap report and exports of one assessment: PDF download, HTML preview, CSV.

Thin on purpose: authorize with `assessment_readable_by` (members, and reviewers once submitted;
anyone else gets 404), then hand over to `services/reports.py` (PDFs, rendered by the worker,
never here) or `assessment.reports` (the HTML preview, the CSV). A draft with nothing answered has
no report yet: its report URLs send the user back to the results page, which says so.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from ..models import AuditPackage, ReportRender
from ..oscal.package import CONTENT_TYPE as OSCAL_CONTENT_TYPE
from ..oscal.package import oscal_zip
from ..permissions import is_member
from ..reports import render as report_render
from ..reports.context import NO_REPORT_YET, report_available, report_filename
from ..reports.export import export_csv as build_csv
from ..reports.export import export_filename
from ..reports.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from ..reports.xlsx import assessment_workbook
from ..selectors.assessments import assessment_for, assessment_readable_by, assessment_state
from ..selectors.audit_package import ready_package
from ..selectors.reports import stored_report
from ..services import audit_package as packages
from ..services.reports import report_request, report_retry


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk) -> HttpResponse:
    """The PDF gap report as a download once the worker has rendered it; until then a page that says so."""
    assessment = assessment_readable_by(request.user, pk)
    stored = stored_report(assessment)
    if stored is None:
        if not _has_report(assessment):
            return _back_to_results(request, assessment)
        row = report_request(assessment)
        stored = stored_report(assessment) if row.status == ReportRender.Status.READY else None  # rendered inline
        if stored is None:
            return _preparing(request, assessment, row)
    response = HttpResponse(bytes(stored.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, report_filename(assessment, stored.generated_at))
    response["X-Report-Fingerprint"] = stored.fingerprint
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def report_status(request: HttpRequest, pk) -> JsonResponse:
    """Where the PDF is (for `static/js/report-download.js`): asks for it, like the download link."""
    assessment = assessment_readable_by(request.user, pk)
    if stored_report(assessment) is not None:
        return JsonResponse({"state": "ready"})
    if not _has_report(assessment):
        return JsonResponse({"state": "unavailable", "message": NO_REPORT_YET})
    row = report_request(assessment)
    return JsonResponse({"state": row.status, "message": preparing_message(row)})


@login_required
@require_POST
def report_retry_view(request: HttpRequest, pk) -> HttpResponse:
    """ "Try again" after every attempt failed."""
    assessment = assessment_readable_by(request.user, pk)
    report_retry(assessment)
    return redirect("assessment_report_pdf", pk=assessment.pk)


def preparing_message(row: ReportRender) -> str:
    if row.status == ReportRender.Status.FAILED:
        return (
            "Your PDF could not be prepared. The problem has been logged for the team that runs this service. "
            "Try again; if it keeps failing, the HTML report has the same content."
        )
    if row.error:
        return "The first attempt to prepare your PDF failed. It is being tried again automatically; this can take a few minutes."
    return "Your PDF is being prepared. This usually takes a few seconds; large assessments can take up to a minute."


def _has_report(assessment) -> bool:
    return report_available(assessment_state(assessment))


def _preparing(request: HttpRequest, assessment, row: ReportRender) -> HttpResponse:
    context = {
        "assessment": assessment,
        "row": row,
        "message": preparing_message(row),
        "is_member": is_member(request.user, assessment),  # reviewers came from the admin
    }
    # 202: accepted, not there yet; a failed render is the server's fault (503: try again later).
    status = 503 if row.status == ReportRender.Status.FAILED else 202
    response = render(request, "reports/report_preparing.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def report_preview(request: HttpRequest, pk) -> HttpResponse:
    """The same report as HTML, for reading and printing in the browser."""
    assessment = assessment_readable_by(request.user, pk)
    try:
        return HttpResponse(report_render.report_html(assessment_state(assessment), for_browser=True))
    except report_render.ReportUnavailable:
        return _back_to_results(request, assessment)


def _back_to_results(request: HttpRequest, assessment) -> HttpResponse:
    messages.info(request, NO_REPORT_YET)
    return redirect("assessment_results", pk=assessment.pk)


@login_required
@require_GET
def export_csv(request: HttpRequest, pk) -> HttpResponse:
    """One row per control, with the JSON export's fields."""
    state = assessment_state(assessment_readable_by(request.user, pk))
    response = HttpResponse(build_csv(state), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export_filename(state.assessment, "csv"))
    return response


@login_required
@require_GET
def export_xlsx(request: HttpRequest, pk) -> HttpResponse:
    """The JSON export as a workbook for people: controls in words, the summary, the model's matrix."""
    state = assessment_state(assessment_readable_by(request.user, pk))
    response = HttpResponse(assessment_workbook(state), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(state.assessment, "xlsx"))
    return response


@login_required
@require_GET
def export_oscal(request: HttpRequest, pk) -> HttpResponse:
    """The OSCAL package: catalog, profile, the provider's and the customer's SSP, plan, results, POA&M."""
    state = assessment_state(assessment_readable_by(request.user, pk))
    response = HttpResponse(oscal_zip(state), content_type=OSCAL_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(state.assessment, "oscal.zip"))
    return response


# The audit package: members only, like export.json (whose data it carries, with every evidence file).
PACKAGE_NOT_YET = "The audit package is available once the assessment has been submitted."
PACKAGE_FAILED = (
    "Your audit package could not be prepared. The problem has been logged for the team that runs this service."
)


@login_required
@require_GET
def audit_package(request: HttpRequest, pk) -> HttpResponse:
    """The zip for an auditor, streamed from storage once the worker has built it; until then a page that says so."""
    assessment = assessment_for(request.user, pk)
    if not packages.package_available(assessment):
        messages.info(request, PACKAGE_NOT_YET)
        return redirect("assessment_results", pk=assessment.pk)
    for _ in range(2):  # twice when the stored zip was lost (storage restored, cleaned by hand): built again
        package = ready_package(assessment)
        if package is None:
            row = packages.package_request(assessment)
            package = ready_package(assessment) if row.status == AuditPackage.Status.READY else None  # built inline
            if package is None:
                return _package_preparing(request, assessment, row)
        try:
            handle = package.file.open("rb")
            break
        except FileNotFoundError:
            packages.package_lost(package)
    else:
        return _package_preparing(request, assessment, packages.package_request(assessment))
    name = packages.package_filename(assessment, package.generated_at)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def audit_package_status(request: HttpRequest, pk) -> JsonResponse:
    """Where the package is (for `static/js/audit-package.js`): asks for it, like the download link."""
    assessment = assessment_for(request.user, pk)
    if not packages.package_available(assessment):
        return JsonResponse({"state": "unavailable", "message": PACKAGE_NOT_YET})
    if ready_package(assessment) is not None:
        return JsonResponse({"state": "ready"})
    row = packages.package_request(assessment)
    return JsonResponse({"state": row.status, "message": package_message(row)})


@login_required
@require_POST
def audit_package_retry(request: HttpRequest, pk) -> HttpResponse:
    """ "Try again" after the package failed."""
    assessment = assessment_for(request.user, pk)
    packages.package_retry(assessment)
    return redirect("assessment_audit_package", pk=assessment.pk)


def package_message(row: AuditPackage) -> str:
    if row.status == AuditPackage.Status.READY:
        return "Your audit package is ready."
    if row.status == AuditPackage.Status.FAILED:
        if row.problem:  # trying again cannot cure it: the operators must look at the stored file
            return f"{row.problem} The report and the exports can still be downloaded one by one from the results page."
        return f"{PACKAGE_FAILED} Try again; the report and the exports can also be downloaded one by one from the results page."
    if row.error:
        return "The first attempt to prepare your audit package failed. It is being tried again automatically; this can take a few minutes."
    return "Your audit package is being prepared: the report, the exports and every evidence file in one zip. This can take a minute."


def _package_preparing(request: HttpRequest, assessment, row: AuditPackage) -> HttpResponse:
    context = {"assessment": assessment, "row": row, "message": package_message(row)}
    status = 503 if row.status == AuditPackage.Status.FAILED else 202
    response = render(request, "reports/audit_package_preparing.html", context, status=status)
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = "60"
    return response
