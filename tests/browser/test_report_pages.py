"""The HTML report preview in Chromium: no scripts, no serious accessibility violations, buttons reachable."""

import pytest

from assessment.models import Assessment
from assessment.reports.sample import sample_assessment
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture


@pytest.fixture
def reviewed(transactional_db):
    """A fully answered assessment with reviewer comments, and its member's login (set to PASSWORD)."""
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.CHANGES_REQUESTED)
    member = sample.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return sample, member.email


@pytest.fixture
def draft(transactional_db):
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.DRAFT)
    member = sample.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return sample, member.email


@pytest.mark.parametrize("which", ["reviewed", "draft"])
def test_report_preview_has_no_serious_accessibility_violations(page, request, which):
    assessment, email = request.getfixturevalue(which)
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/report/")
    assert page.locator("h1").inner_text() == assessment.title
    assert page.locator("script").count() == 0
    screenshot(page, f"report-preview-{which}")
    assert serious_violations(page) == []


def test_report_buttons_on_results_and_dashboard(page, reviewed):
    assessment, email = reviewed
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    page.get_by_role("link", name="HTML report").click()
    assert page.url.endswith(f"/assessments/{assessment.pk}/report/")
    page.goto("/assessments/")
    page.get_by_role("button", name=f"More actions for {assessment.title}").click()  # the reports are in the menu
    link = page.get_by_role("link", name=f"PDF report of {assessment.title}")
    assert link.get_attribute("href") == f"/assessments/{assessment.pk}/report.pdf"
    screenshot(page, "report-buttons-dashboard")
    assert serious_violations(page) == []
