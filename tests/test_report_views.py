"""Report URLs: access rules, the PDF download and its cache, the HTML preview, the buttons."""

import io
import re

import pytest
import weasyprint
from django.contrib.auth.models import Group
from django.core.cache import cache
from pypdf import PdfReader

from assessment.models import Assessment, User
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.conftest import answer, answer_all

REPORT_URLS = ("report.pdf", "report/", "export.csv")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def small(user, cloud_model):
    """A draft against the nine-control cloud model, one control answered: a full report that renders quickly.

    (A draft with no answer at all has no report: see tests/test_report_audit.py.)
    """
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Cloud DB"
    )
    answer(draft, user, "BACKUPS", "provider")
    return draft


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def renders(monkeypatch):
    """Counts PDF renders by wrapping WeasyPrint's write_pdf (it still renders for real)."""
    calls = []
    original = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    return calls


def url(assessment, tail):
    return f"/assessments/{assessment.pk}/{tail}"


@pytest.mark.parametrize("tail", REPORT_URLS)
def test_login_required(client, small, tail):
    response = client.get(url(small, tail))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("tail", REPORT_URLS)
def test_other_organizations_get_404(client, other_user, small, tail, renders):
    client.force_login(other_user)
    assert client.get(url(small, tail)).status_code == 404
    assert renders == []


@pytest.mark.parametrize("tail", REPORT_URLS)
def test_get_only(logged_in, small, tail):
    assert logged_in.post(url(small, tail)).status_code == 405


def test_pdf_download(logged_in, small):
    response = logged_in.get(url(small, "report.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="acme-corp-cloud-db-\d{4}-\d{2}-\d{2}\.pdf"', response["Content-Disposition"]
    )
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.author == "Acme Corp"
    assert list(reader.attachments) == ["assessment.json"]


def test_second_download_is_served_from_the_cache(logged_in, small, renders):
    first = logged_in.get(url(small, "report.pdf"))
    second = logged_in.get(url(small, "report.pdf"))
    assert len(renders) == 1
    assert second.content == first.content
    assert second["X-Report-Fingerprint"] == first["X-Report-Fingerprint"]


def test_an_answer_change_renders_again(logged_in, small, user, renders):
    first = logged_in.get(url(small, "report.pdf"))
    answer(small, user, "DATA-ACCESS", "implemented", notes="Done")
    second = logged_in.get(url(small, "report.pdf"))
    assert len(renders) == 2
    assert second["X-Report-Fingerprint"] != first["X-Report-Fingerprint"]


def test_a_notes_only_change_renders_again(logged_in, small, user, renders):
    answer(small, user, "DATA-ACCESS", "implemented", notes="Before")
    logged_in.get(url(small, "report.pdf"))
    answer(small, user, "DATA-ACCESS", "implemented", notes="After")
    response = logged_in.get(url(small, "report.pdf"))
    assert len(renders) == 2
    assert "After" in PdfReader(io.BytesIO(response.content)).attachments["assessment.json"][0].decode()


def test_status_change_and_review_comment_render_again(logged_in, small, user, renders):
    answer_all(small, user, "implemented")
    logged_in.get(url(small, "report.pdf"))
    submitted = workflow.assessment_submit(assessment=small, actor=user)
    logged_in.get(url(small, "report.pdf"))
    reviewer = User.objects.create_user("rev@provider.test", "x-Pass-word-42", name="Rev", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=workflow.REVIEWERS_GROUP))
    reviewer = User.objects.get(pk=reviewer.pk)
    in_review = workflow.assessment_start_review(assessment=submitted, actor=reviewer)
    logged_in.get(url(small, "report.pdf"))
    control = small.model.controls.get(control_id="DATA-ACCESS")
    workflow.control_review_save(
        assessment=in_review, control=control, actor=reviewer, verdict="needs_work", comment="Show evidence"
    )
    response = logged_in.get(url(small, "report.pdf"))
    logged_in.get(url(small, "report.pdf"))  # unchanged since: from the cache
    assert len(renders) == 4
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Show evidence" in text


def test_cached_download_makes_few_queries(logged_in, small, django_assert_max_num_queries):
    logged_in.get(url(small, "report.pdf"))
    with django_assert_max_num_queries(8):  # session, user, assessment, state (3): never per control
        logged_in.get(url(small, "report.pdf"))


def test_html_preview_is_the_report_without_scripts(logged_in, small, user):
    answer(small, user, "DATA-ACCESS", "provider", notes='<script>alert(1)</script><img src="http://x/y.png">')
    response = logged_in.get(url(small, "report/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for heading in ("Executive summary", "Who owns what", "Findings by area", "Remediation plan", "Appendix"):
        assert heading in html
    assert f'href="/assessments/{small.pk}/report.pdf"' in html
    assert "DRAFT — not submitted" in html


def test_results_page_has_report_buttons(logged_in, small):
    html = logged_in.get(url(small, "results/")).content.decode()
    assert f'href="/assessments/{small.pk}/report.pdf">PDF report</a>' in html
    assert f'href="/assessments/{small.pk}/report/">HTML report</a>' in html
    assert f'href="/assessments/{small.pk}/export.csv">CSV</a>' in html


def test_dashboard_menus_have_report_items_named_for_the_assessment(logged_in, small, user):
    answer(small, user, "DATA-ACCESS", "provider")  # reports are offered once something is answered
    html = logged_in.get("/assessments/").content.decode()
    assert (
        f'href="/assessments/{small.pk}/report.pdf" data-report-pdf>PDF report'
        '<span class="visually-hidden"> of Cloud DB</span>' in html
    )
    assert (
        f'href="/assessments/{small.pk}/report/">HTML report<span class="visually-hidden"> of Cloud DB</span>' in html
    )
    assert (
        f'href="/assessments/{small.pk}/export.csv">CSV export<span class="visually-hidden"> of Cloud DB</span>' in html
    )


def test_a_submitted_assessment_is_not_watermarked(logged_in, small, user):
    answer_all(small, user, "implemented")
    workflow.assessment_submit(assessment=small, actor=user)
    assert Assessment.objects.get(pk=small.pk).status == Assessment.Status.SUBMITTED
    html = logged_in.get(url(small, "report/")).content.decode()
    assert "DRAFT — not submitted" not in html
