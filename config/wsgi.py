"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: fail at boot, with the reason, rather than answer every request with a 500.
from assessment.checks import raise_startup_errors  # noqa: E402  (needs the app registry loaded above)

raise_startup_errors()
