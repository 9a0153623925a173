"""Background tasks (django-tasks): run by `manage.py db_worker`, immediately in tests."""

from django_tasks import task

from .services.reports import report_render


@task()
def render_report(assessment_id: str) -> str:
    """Render an assessment's PDF report and store it (see `services/reports.py`)."""
    return report_render(assessment_id)
