"""System checks for mistakes that would otherwise only show once the site serves requests.

A missing collectstatic manifest is the one that matters: with the manifest storage (DEBUG off)
every `{% static %}` raises, so every page is a 500. `check`, `check --deploy`, `runserver` and
`migrate` run these checks; gunicorn runs none, so config/wsgi.py calls `raise_startup_errors()`.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

# Not Tags.staticfiles: collectstatic runs those checks first, and it is the command that fixes this.
STARTUP = "startup"

FIX = "Run `python manage.py collectstatic --noinput` (with the production settings) before starting the app."


def static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The manifest storage needs STATIC_ROOT/staticfiles.json, which only collectstatic writes."""
    # A fresh instance: the shared `staticfiles_storage` would keep what it read here for good.
    try:
        storage = storages.create_storage(settings.STORAGES["staticfiles"])
    except ValueError as error:  # the manifest exists but cannot be read (corrupt, other version)
        return [checks.Error(f"The static files manifest is unreadable: {error}", hint=FIX, id="assessment.E002")]
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is not None:
        return []
    return [
        checks.Error(
            f"No static files manifest at {storage.manifest_storage.path(storage.manifest_name)}: with "
            f"{type(storage).__name__} every page would fail with a server error.",
            hint=FIX,
            id="assessment.E001",
        )
    ]


def raise_startup_errors() -> None:
    """Refuse to serve when a startup check fails (for servers that run no checks, such as gunicorn)."""
    errors = [
        message for message in checks.run_checks(tags=[STARTUP]) if message.is_serious() and not message.is_silenced()
    ]
    if errors:
        raise ImproperlyConfigured("\n".join(str(error) for error in errors))
