"""Production settings refuse weak secrets and pass `check --deploy`; demo accounts exist only in development."""

import io
import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.models import User

ROOT = Path(__file__).resolve().parent.parent


def run(*args, **env):
    """Run `args` in a fresh interpreter at the project root with only `env` for the DJANGO_ variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=environment)


def run_check(*options, **env):
    return run("manage.py", "check", *options, **env)


def production(static_root) -> dict[str, str]:
    """The documented production variables: a 50-character random key, a host, and where collectstatic writes."""
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "DJANGO_ALLOWED_HOSTS": "assess.example.com",
        "DJANGO_STATIC_ROOT": str(static_root),
    }


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A STATIC_ROOT filled by a real `collectstatic` with the production storage (which the check must not block)."""
    root = tmp_path_factory.mktemp("staticfiles")
    result = run("manage.py", "collectstatic", "--noinput", **production(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "staticfiles.json").is_file()
    return root


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set to a random string of at least 32 characters" in result.stderr


def test_production_starts_with_a_real_secret_key(collected):
    result = run_check(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.com",
        DJANGO_STATIC_ROOT=str(collected),
    )
    assert result.returncode == 0, result.stderr


def test_deploy_check_has_no_warnings(collected):
    result = run_check("--deploy", "--fail-level", "WARNING", **production(collected))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "W0" not in output, output
    assert "System check identified no issues" in output


def _settings(*names: str, **env) -> dict:
    """The named settings as the production process sees them."""
    code = f"import json; from django.conf import settings; print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    result = run("-c", code, DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_forces_https_with_a_year_of_hsts(tmp_path):
    values = _settings(
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
        **production(tmp_path),
    )  # fmt: skip
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_a_tls_terminating_proxy_can_take_over_redirect_and_hsts(tmp_path):
    env = production(tmp_path) | {"DJANGO_SECURE_SSL_REDIRECT": "false", "DJANGO_SECURE_HSTS_SECONDS": "0"}
    assert _settings("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", **env) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_missing_static_manifest_is_a_startup_error(tmp_path):
    env = production(tmp_path)  # an empty STATIC_ROOT: collectstatic never ran
    for options in ((), ("--deploy",)):
        result = run_check(*options, **env)
        assert result.returncode != 0
        assert "assessment.E001" in result.stderr
        assert f"No static files manifest at {tmp_path / 'staticfiles.json'}" in result.stderr
        assert "manage.py collectstatic --noinput" in result.stderr


def test_gunicorn_refuses_to_boot_without_the_static_manifest(tmp_path):
    # gunicorn runs no system checks; importing the WSGI module is what each worker does at boot.
    result = run("-c", "import config.wsgi", **production(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "manage.py collectstatic --noinput" in result.stderr


def test_wsgi_module_loads_once_static_files_are_collected(collected):
    result = run("-c", "import config.wsgi; print(callable(config.wsgi.application))", **production(collected))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_seed_demo_creates_the_printed_accounts_once(db, settings):
    settings.DEBUG = True  # pytest-django runs with DEBUG off
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert "customer  customer@example.com / demo-customer-2026" in out.getvalue()
    assert User.objects.count() == 3
    customer = User.objects.get(email="customer@example.com")
    assert customer.check_password("demo-customer-2026")
    assert customer.membership.organization.name == "Demo Customer Inc."
    reviewer = User.objects.get(email="reviewer@example.com")
    assert reviewer.is_staff and not reviewer.is_superuser
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert User.objects.get(email="admin@example.com").is_superuser


def test_seed_demo_never_runs_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as info:
        call_command("seed_demo")
    assert "never runs when DEBUG is off" in str(info.value)
    assert User.objects.count() == 0
