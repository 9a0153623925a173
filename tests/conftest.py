"""Shared fixtures: real database, real model files, real users. No mocks of the database."""

import functools
import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from assessment.modelfile import parse
from assessment.models import Membership, Organization, User
from assessment.services.assessments import AnswerInput, answer_save, assessment_start
from assessment.services.catalog import model_load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "correct-horse-battery-42"
REVIEWER_PERMISSIONS = importlib.import_module("assessment.migrations.0002_reviewers_group").REVIEWER_PERMISSIONS


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background tasks (PDF renders) run at once, inside the request that enqueues them."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture(autouse=True)
def _media(settings, tmp_path_factory):
    """Uploaded evidence goes to a folder of the test's own, never var/media (tests may set their own)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: no test sees another's."""
    cache.clear()


@functools.cache
def fixture_spec(name: str):
    return parse((FIXTURES / f"{name}.yaml").read_text())


def load_fixture(name: str):
    return model_load(spec=fixture_spec(name), publish=True).model


@pytest.fixture
def yb_model(db):
    return load_fixture("yugabytedb-managed")


@pytest.fixture
def cloud_model(db):
    return load_fixture("cloud-division-of-responsibility")


def make_member(email: str, organization: Organization, role: str = "owner") -> User:
    user = User.objects.create_user(email, PASSWORD, name=email.split("@")[0].title())
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def org(db):
    return Organization.objects.create(name="Acme Corp")


@pytest.fixture
def user(org):
    return make_member("alice@acme.test", org)


@pytest.fixture
def other_user(db):
    return make_member("mallory@evil.test", Organization.objects.create(name="Evil Inc"))


@pytest.fixture
def managed(yb_model):
    return yb_model.deployments.get(key="managed")


@pytest.fixture
def assessment(user, yb_model, managed):
    return assessment_start(user=user, model=yb_model, deployment=managed, title="Prod cluster", scope="eu-west")


def answer(assessment, user, control_id: str, claim: str, notes: str = "", justification: str = "", version=None):
    control = assessment.model.controls.get(control_id=control_id)
    existing = assessment.answers.filter(control=control).first()
    base = version if version is not None else (existing.version if existing else 0)
    return answer_save(
        assessment=assessment,
        control=control,
        user=user,
        data=AnswerInput(claim=claim, notes=notes, justification=justification),
        base_version=base,
    )


def answer_all(assessment, user, claim: str = "implemented"):
    """Answer every applicable control (justifying N/A when that is the claim)."""
    from assessment.selectors.assessments import assessment_state

    for item in assessment_state(assessment).items:
        answer(
            assessment,
            user,
            item.control.control_id,
            claim,
            justification="Not used here" if claim == "not_applicable" else "",
        )


def reviewers_group() -> Group:
    """The group the data migration creates (recreated when a transactional test flushed it)."""
    group, created = Group.objects.get_or_create(name="Reviewers")
    if created:
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="assessment", codename__in=REVIEWER_PERMISSIONS)
        )
    return group


def make_reviewer(email: str = "riley@provider.test", **extra) -> User:
    user = User.objects.create_user(email, PASSWORD, name="Riley Reviewer", is_staff=True, **extra)
    user.groups.add(reviewers_group())
    return user


@pytest.fixture
def reviewer(db):
    return make_reviewer()


@pytest.fixture
def complete(assessment, user):
    """The assessment with every applicable control answered."""
    answer_all(assessment, user)
    return assessment
