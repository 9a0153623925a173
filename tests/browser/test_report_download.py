"""Downloading the PDF report in Chromium: it says the PDF is being prepared, downloads once, and
falls back to the plain link when something goes wrong (static/js/report-download.js)."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Assessment
from assessment.reports.sample import sample_assessment
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture

PREPARING = "Preparing your PDF… this can take a few seconds"


@pytest.fixture
def submitted(transactional_db):
    """The full managed-service sample, answered but not submitted (submitting would render its PDF at
    once; a draft's first PDF is rendered when asked for and takes a few seconds), and its member's login."""
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.DRAFT)
    member = sample.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return sample, member.email


def _pdf_requests(page) -> list[str]:
    seen = []
    page.on("request", lambda request: seen.append(request.url) if request.url.endswith("/report.pdf") else None)
    return seen


def test_the_pdf_button_says_it_is_preparing_then_downloads_once(page, submitted):
    assessment, email = submitted
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    requests = _pdf_requests(page)
    link = page.get_by_role("link", name="PDF report")
    status = page.locator(".report-download-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    with page.expect_download(timeout=60_000) as download_info:
        link.click()
        expect(status).to_have_text(PREPARING)
        expect(link).to_have_attribute("aria-disabled", "true")
        link.click(force=True)  # a second click while it is prepared does nothing
        screenshot(page, "report-download-preparing")
    download = download_info.value
    assert re.fullmatch(r"sample-customer-ltd-production-clusters-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    expect(status).to_have_text("Downloaded")
    expect(link).not_to_have_attribute("aria-disabled", "true")
    assert len(requests) == 1
    screenshot(page, "report-download-done")
    assert serious_violations(page) == []


def test_a_failed_download_says_why_and_leaves_the_plain_link(page, submitted):
    assessment, email = submitted
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    page.route("**/report.pdf", lambda route: route.fulfill(status=503, body="Try later", content_type="text/plain"))
    link = page.get_by_role("link", name="PDF report")
    link.click()
    status = page.locator(".report-download-status")
    expect(status).to_have_text(  # after the render (inline here: tests run tasks immediately)
        re.compile(
            r"^The PDF could not be prepared: the server answered 503.*Select the link again to open it directly"
        ),
        timeout=60_000,
    )
    expect(status).to_have_class(re.compile("is-error"))
    assert serious_violations(page) == []
    page.unroute("**/report.pdf")
    with page.expect_download(timeout=60_000) as download_info:
        link.click(timeout=60_000)  # now the browser follows the link itself (and waits for the render)
    assert download_info.value.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_preparing_message_fits_on_desktop_and_phone(page, submitted, width):
    assessment, email = submitted
    page.set_viewport_size({"width": width, "height": 900})
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    with page.expect_download(timeout=60_000):
        page.get_by_role("link", name="PDF report").click()
        status = page.locator(".report-download-status")
        expect(status).to_have_text(PREPARING)
        box = status.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        screenshot(page, f"report-download-preparing-{width}")
