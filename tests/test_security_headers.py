"""The Content-Security-Policy: the same strict header on every kind of response, and templates that need nothing looser.

django-csp builds the header from a set, so the order of directives differs between processes; the
tests compare the parsed directives, which must be exactly these.
"""

import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse

from assessment.services import workflow
from config.urls import urlpatterns as app_urlpatterns
from tests.conftest import answer_all

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

EXPECTED = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# What the policy forbids in markup. JSON data blocks (`json_script`) are not executed, so they may stay.
INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE)


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


# The app's own URLs plus two that fail, for the error pages (ROOT_URLCONF points here in those tests).
urlpatterns = [path("test-boom/", boom), path("test-forbidden/", forbidden), *app_urlpatterns]


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    parsed = {name: sources for name, *sources in parts}
    assert len(parsed) == len(parts), f"a directive appears twice: {header}"
    return parsed


def assert_strict_policy(response) -> None:
    assert "Content-Security-Policy" in response, f"no CSP on {response.status_code} {response.get('Content-Type')}"
    assert directives(response["Content-Security-Policy"]) == EXPECTED
    assert "Content-Security-Policy-Report-Only" not in response


def assert_no_inline_code(html: str) -> None:
    for pattern in (INLINE_STYLE, INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
        assert not pattern.search(html), f"{pattern.pattern!r} matches {pattern.search(html).group(0)!r}"


def assert_page(response, status: int = 200) -> None:
    assert response.status_code == status
    assert_strict_policy(response)
    assert_no_inline_code(response.content.decode())


@pytest.fixture
def submitted(assessment, user):
    answer_all(assessment, user)
    return workflow.assessment_submit(assessment=assessment, actor=user)


def test_home_page(client, db):
    assert_page(client.get(reverse("home")))


def test_login_page(client, db):
    assert_page(client.get(reverse("login")))


def test_assessment_pages_for_a_member(client, assessment, user):
    client.force_login(user)
    assert_page(client.get(reverse("assessment_list")))
    assert_page(client.get(reverse("assessment_detail", args=[assessment.pk])))
    area = assessment.model.areas.order_by("position").first()
    assert_page(client.get(reverse("assessment_area", args=[assessment.pk, area.key])))


def test_results_and_report_preview(client, submitted, user):
    client.force_login(user)
    assert_page(client.get(reverse("assessment_results", args=[submitted.pk])))
    preview = client.get(reverse("assessment_report", args=[submitted.pk]))
    assert_page(preview)
    assert '<link rel="stylesheet" href="/static/css/report.css">' in preview.content.decode()


def test_admin_pages_for_a_reviewer(client, submitted, reviewer):
    client.force_login(reviewer)
    assert_page(client.get(reverse("admin:index")))
    assert_page(client.get(reverse("admin:assessment_assessment_changelist")))
    review = client.get(reverse("admin:assessment_assessment_change", args=[submitted.pk]))
    assert_page(review)
    assert "/static/css/admin-review.css" in review.content.decode()


def test_admin_login_page(client, db):
    assert_page(client.get(reverse("admin:login")))


@override_settings(DEBUG=False)
def test_404_page(client, db):
    assert_page(client.get("/no-such-page/"), status=404)


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_403_page(client, db):
    assert_page(client.get("/test-forbidden/"), status=403)


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_500_page(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    assert_page(response, status=500)
    assert "Something went wrong on our side" in response.content.decode()


@override_settings(WHITENOISE_USE_FINDERS=True)  # serve from static/, as in development (no collectstatic here)
def test_static_files_get_the_policy_too(db):
    # An SVG opened on its own is a document that could run script; the policy stops it.
    response = Client().get("/static/favicon.svg")
    assert response.status_code == 200
    assert_strict_policy(response)


def test_no_template_has_inline_style_or_script():
    offenders = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_STYLE, INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            offenders += [f"{template.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_lint_patterns_catch_what_the_policy_blocks():
    for bad in ("<style>", ' style="color: red"', "<script>", '<script type="module">', ' onclick="x()"'):
        with pytest.raises(AssertionError):
            assert_no_inline_code(f"<p>{bad}</p>")
    assert_no_inline_code('<script src="/static/x.js" defer></script><link rel="stylesheet" href="/s.css">')
    assert_no_inline_code('<script id="data" type="application/json">{}</script><input name="onboarding">')


def test_no_admin_inlines_a_style():
    # Django's change_list.html inlines a <style> when a ModelAdmin hides the actions bar top and bottom.
    hidden = [
        type(ma).__name__ for ma in admin.site._registry.values() if not (ma.actions_on_top or ma.actions_on_bottom)
    ]
    assert hidden == []
