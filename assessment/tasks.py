"""Background tasks (django-tasks): run by `manage.py db_worker`, immediately in tests."""

from django_tasks import task

from .services.audit_package import package_build
from .services.reports import report_render


@task()
def render_report(assessment_id: str) -> str:
    """Render an assessment's PDF report and store it (see `services/reports.py`)."""
    return report_render(assessment_id)


@task()
def build_audit_package(assessment_id: str) -> str:
    """Build an assessment's audit package and keep it in storage (see `services/audit_package.py`)."""
    return package_build(assessment_id)
