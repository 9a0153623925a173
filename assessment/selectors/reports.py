"""Reading stored PDF reports."""

from ..models import Assessment, ReportRender
from ..reports.render import report_key


def stored_report(assessment: Assessment) -> ReportRender | None:
    """The ready PDF for the assessment as it is now, or None: one query, nothing rendered."""
    return ReportRender.objects.filter(
        assessment=assessment, key=report_key(assessment), status=ReportRender.Status.READY
    ).first()
