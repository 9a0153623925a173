"""The PDF rendered by the background worker, as a customer sees it in Chromium (issue 12).

Tasks go to the real database queue here; the test plays the worker by running `db_worker --batch`
while the page waits.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessment.models import Assessment
from assessment.reports.sample import sample_assessment
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture

PREPARING_PAGE = (
    "Your PDF is being prepared. This usually takes a few seconds; large assessments can take up to a minute."
)


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def draft(transactional_db, queued):
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.DRAFT)
    member = sample.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return sample, member.email


def run_worker():
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def test_the_button_waits_for_the_worker_then_downloads(page, draft):
    assessment, email = draft
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    status = page.locator(".report-download-status")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="PDF report").click()
        expect(status).to_have_text("Preparing your PDF… this can take a few seconds")
        page.wait_for_timeout(2_000)  # a poll or two while nothing renders
        expect(status).to_have_text("Preparing your PDF… this can take a few seconds")
        run_worker()
    assert re.fullmatch(
        r"sample-customer-ltd-production-clusters-\d{4}-\d{2}-\d{2}\.pdf", download_info.value.suggested_filename
    )
    expect(status).to_have_text("Downloaded")


@pytest.mark.parametrize("width", [1280, 390])
def test_without_javascript_the_link_opens_a_page_that_says_so(browser, live_server, draft, width):
    assessment, email = draft
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, email, PASSWORD)
        page.goto(f"/assessments/{assessment.pk}/report.pdf")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"PDF report: {assessment.title}")
        expect(page.get_by_role("status")).to_have_text(PREPARING_PAGE)
        layout = overflow(page)
        assert layout["document"] <= layout["window"], layout
        screenshot(page, f"report-preparing-{width}")
        run_worker()
        with page.expect_download(timeout=30_000) as download_info:
            page.get_by_role("link", name="Check again and download").click()
        assert download_info.value.suggested_filename.endswith(".pdf")
    finally:
        context.close()


def test_the_preparing_page_is_accessible(page, draft):
    assessment, email = draft
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/report.pdf")
    expect(page.get_by_role("status")).to_have_text(PREPARING_PAGE)
    assert serious_violations(page) == []
