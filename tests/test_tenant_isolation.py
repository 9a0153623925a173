"""Every route that names an object, requested by someone from another organization: 404, nothing changed.

The routes come from the URLconf itself, so a route added later without a case here fails the
test until someone decides how it is protected.
"""

import uuid

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from assessment.models import Evidence
from assessment.services.evidence import evidence_add_files
from assessment.services.workflow import assessment_submit
from tests.conftest import answer, answer_all, load_fixture

CSRF = "b" * 32
EVIDENCE_ID = uuid.UUID("00000000-0000-4000-8000-00000000e1d0")  # the victim's evidence file

# Routes scoped to the organization: parameters for the victim's objects.
ORGANIZATION_ROUTES = {
    "assessments/<uuid:pk>/": {},
    "assessments/<uuid:pk>/areas/<slug:area_key>/": {"area_key": "network"},
    "assessments/<uuid:pk>/answers/<str:control_id>/": {"control_id": "NET-ALLOW"},
    "assessments/<uuid:pk>/review/": {},
    "assessments/<uuid:pk>/submit/": {},
    "assessments/<uuid:pk>/results/": {},
    "assessments/<uuid:pk>/export.json": {},
    "assessments/<uuid:pk>/delete/": {},
    "assessments/<uuid:pk>/upgrade/": {},
    "assessments/<uuid:pk>/next-round/": {},
    "assessments/<uuid:pk>/activity/": {},
    "assessments/<uuid:pk>/remediation/": {},
    "assessments/<uuid:pk>/remediation/<str:control_id>/": {"control_id": "NET-ALLOW"},
    "assessments/<uuid:pk>/report.pdf": {},
    "assessments/<uuid:pk>/report.pdf/status": {},
    "assessments/<uuid:pk>/report.pdf/retry": {},
    "assessments/<uuid:pk>/report/": {},
    "assessments/<uuid:pk>/export.csv": {},
    "assessments/<uuid:pk>/export.xlsx": {},
    "assessments/<uuid:pk>/export.oscal.zip": {},
    "assessments/<uuid:pk>/audit-package.zip": {},
    "assessments/<uuid:pk>/audit-package.zip/status": {},
    "assessments/<uuid:pk>/audit-package.zip/retry": {},
    "assessments/<uuid:pk>/controls/<str:control_id>/evidence/": {"control_id": "NET-ALLOW"},
    "assessments/<uuid:pk>/evidence/<uuid:evidence_id>/": {"evidence_id": EVIDENCE_ID},
    "assessments/<uuid:pk>/evidence/<uuid:evidence_id>/remove/": {"evidence_id": EVIDENCE_ID},
    "assessments/<uuid:pk>/evidence/<uuid:evidence_id>/confirm/": {"evidence_id": EVIDENCE_ID},
}
# Routes that name something, but not an organization's object (and why that is fine).
NOT_ORGANIZATION_SCOPED = {
    "accounts/invitations/<str:token>/": "the signed token is the secret; whoever holds the link may join",
    "accounts/reset/<uidb64>/<token>/": "Django's password reset: the signed token is the secret",
    "models/<slug:slug>/<str:version>/": "published models are public",
    "models/<slug:slug>/<str:version>/export.<str:fmt>": "published models are public",
    "models/<slug:slug>/<str:version>/catalog.json": "published models are public",
    "models/<slug:slug>/<str:version>/profile.json": "published models are public",
    "models/<slug:slug>/<str:version>/controls/<str:control_id>/": "published models are public",
}
POST_DATA = {
    "claim": "not_implemented",
    "notes": "overwritten by an outsider",
    "version": "1",
    "title": "Hijacked",
    "csrfmiddlewaretoken": CSRF,
}


def routes(patterns=None, prefix=""):
    """(route, parameter names) of every URL pattern that takes parameters."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "<" in route:
            yield route


def fill(route: str, values: dict) -> str:
    url = route
    for key, value in values.items():
        url = url.replace(key, str(value))
    assert "<" not in url, f"no value for a parameter of {route}"
    return "/" + url


def snapshot() -> dict:
    """Every row of the app's tables, so "nothing changed" means nothing at all."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values_list()))
        for model in apps.get_app_config("assessment").get_models()
    }


@pytest.fixture
def victim(assessment, user, settings, tmp_path):
    load_fixture("yugabytedb-managed-1.1")  # so the victim has a version to move to
    answer(assessment, user, "NET-ALLOW", "implemented", notes="ours")
    settings.MEDIA_ROOT = tmp_path / "media"
    [evidence] = evidence_add_files(user, assessment.pk, "NET-ALLOW", [SimpleUploadedFile("ours.pdf", b"%PDF-1.4 x")])
    Evidence.objects.filter(pk=evidence.pk).update(id=EVIDENCE_ID, carried_from_round=1)
    return assessment


@pytest.fixture
def outsider(other_user):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(other_user)
    client.cookies["csrftoken"] = CSRF
    return client


def test_every_route_with_parameters_has_a_case():
    app_routes = {r for r in routes() if not r.startswith("admin/")}
    assert app_routes == set(ORGANIZATION_ROUTES) | set(NOT_ORGANIZATION_SCOPED)


@pytest.mark.parametrize("route", sorted(ORGANIZATION_ROUTES))
def test_another_organization_gets_404_and_changes_nothing(outsider, victim, route):
    url = victim_url(route, victim)
    before = snapshot()
    statuses = {
        "GET": outsider.get(url).status_code,
        "POST": outsider.post(url, POST_DATA, headers={"X-CSRFToken": CSRF}).status_code,
    }
    # 405 for a method the route never accepts (same for any id); 404 for the one it does.
    assert set(statuses.values()) <= {404, 405} and 404 in statuses.values(), statuses
    assert snapshot() == before


def test_reviewers_get_404_for_drafts_too(client, reviewer, victim):
    client.force_login(reviewer)
    client.raise_request_exception = False
    before = snapshot()
    for route in ORGANIZATION_ROUTES:
        url = victim_url(route, victim)
        statuses = {client.get(url).status_code, client.post(url, POST_DATA).status_code}
        assert statuses <= {404, 405} and 404 in statuses, (route, statuses)
    assert snapshot() == before


def test_reviewers_cannot_change_a_submitted_assessment_through_customer_routes(client, reviewer, assessment, user):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    client.force_login(reviewer)
    client.raise_request_exception = False
    before = snapshot()
    for route in ORGANIZATION_ROUTES:
        client.post(victim_url(route, assessment), POST_DATA)
    assert snapshot() == before


# Admin routes that name an object (the others list apps or catch everything else).
ADMIN_OBJECT_ROUTES = sorted(r for r in routes() if r.startswith("admin/") and ("<path:" in r or "<id>" in r))


def test_admin_routes_send_customers_to_the_admin_login(outsider, victim):
    values = {
        "<path:object_id>": victim.pk,
        "<id>": victim.created_by_id,
        "<path:content_type_id>": ContentType.objects.get_for_model(victim).pk,
    }
    before = snapshot()
    for route in ADMIN_OBJECT_ROUTES:
        url = fill(route, values)
        for response in (outsider.get(url), outsider.post(url, POST_DATA, headers={"X-CSRFToken": CSRF})):
            assert response.status_code == 302, route
            assert response.url.startswith("/admin/login/"), route
    assert snapshot() == before


def victim_url(route: str, assessment) -> str:
    """The route filled in with the victim's assessment and the route's own parameters."""
    values = {"<uuid:pk>": assessment.pk}
    for name, value in ORGANIZATION_ROUTES[route].items():
        end = route.index(f":{name}>")
        values[route[route.rindex("<", 0, end) : end + len(name) + 2]] = value
    return fill(route, values)
