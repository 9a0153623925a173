"""Production settings refuse weak secrets; demo accounts exist only in development."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessment.models import User

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, cwd=ROOT, env=environment
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set to a random string of at least 32 characters" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = run_check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="example.com")
    assert result.returncode == 0, result.stderr


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
