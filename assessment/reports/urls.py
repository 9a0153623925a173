"""Report URLs under /assessments/<id>/ (PDF, HTML preview, CSV)."""

from django.urls import path

from ..views import reports

urlpatterns = [
    path("report.pdf", reports.report_pdf, name="assessment_report_pdf"),
    path("report/", reports.report_preview, name="assessment_report"),
    path("export.csv", reports.export_csv, name="assessment_export_csv"),
]
