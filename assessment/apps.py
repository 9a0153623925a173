from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self) -> None:
        from django.core import checks

        from . import checks as assessment_checks
        from . import signals

        checks.register(assessment_checks.static_manifest, assessment_checks.STARTUP)
        signals.connect()
