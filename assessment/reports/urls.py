"""Report URLs under /assessments/<id>/ (PDF and its status, HTML preview, CSV, XLSX, OSCAL, audit package)."""

from django.urls import path

from ..views import reports

urlpatterns = [
    path("report.pdf", reports.report_pdf, name="assessment_report_pdf"),
    path("report.pdf/status", reports.report_status, name="assessment_report_status"),
    path("report.pdf/retry", reports.report_retry_view, name="assessment_report_retry"),
    path("report/", reports.report_preview, name="assessment_report"),
    path("export.csv", reports.export_csv, name="assessment_export_csv"),
    path("export.xlsx", reports.export_xlsx, name="assessment_export_xlsx"),
    path("export.oscal.zip", reports.export_oscal, name="assessment_export_oscal"),
    path("audit-package.zip", reports.audit_package, name="assessment_audit_package"),
    path("audit-package.zip/status", reports.audit_package_status, name="assessment_audit_package_status"),
    path("audit-package.zip/retry", reports.audit_package_retry, name="assessment_audit_package_retry"),
]
