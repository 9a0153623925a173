"""Reading audit packages."""

from ..models import Assessment, AuditPackage
from ..reports.render import report_key


def ready_package(assessment: Assessment) -> AuditPackage | None:
    """The ready package for the assessment as it is now, or None: one query, nothing built."""
    return AuditPackage.objects.filter(
        assessment=assessment, key=report_key(assessment), status=AuditPackage.Status.READY
    ).first()
