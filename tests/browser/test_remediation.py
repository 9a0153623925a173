"""Remediation pages in Chromium at 390, 1280 (and 320) px: they fit, pass axe, save an item and show overdue."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import Assessment, RemediationItem
from assessment.reports.sample import sample_assessment
from assessment.selectors.assessments import assessment_state
from assessment.services.remediation import remediation_update
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture, make_member

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844), "small": (320, 640)}


@pytest.fixture
def planned(transactional_db):
    """A submitted assessment with a few items: one overdue with an owner, one accepted risk."""
    assessment = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.SUBMITTED)
    member = assessment.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    colleague = make_member("priya.a-very-long-name@sample-customer.example", assessment.organization, role="member")
    gaps = [item.control for item in assessment_state(assessment).gaps]
    base = {"assessment": assessment, "actor": member, "note": "", "risk_reason": "", "base_version": 0}
    remediation_update(
        control=gaps[0],
        owner=colleague,
        due=timezone.localdate() - timedelta(days=3),
        status="in_progress",
        **{**base, "note": "Waiting for the network team to open a change request."},
    )
    remediation_update(
        control=gaps[1],
        owner=None,
        due=None,
        status="risk_accepted",
        **{**base, "risk_reason": "The cluster holds test data only."},
    )
    return assessment, member.email, gaps


@pytest.mark.parametrize("width", WIDTHS)
def test_remediation_pages_fit_and_pass_axe(page, planned, width):
    assessment, email, gaps = planned
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/remediation/")
    first = page.locator(f"#r-{gaps[0].control_id}")
    expect(first).to_contain_text("Overdue")
    first.get_by_text("Change this item").click()
    expect(first.get_by_label("Owner")).to_be_visible()
    sizes = overflow(page)
    assert sizes["document"] <= sizes["window"], sizes
    screenshot(page, f"remediation-{width}")
    assert serious_violations(page) == []

    page.goto("/remediation/")
    expect(page.get_by_role("heading", name="What's left to do")).to_be_visible()
    expect(page.locator("tr.remediation-row.is-overdue")).to_have_count(1)
    sizes = overflow(page)
    assert sizes["document"] <= sizes["window"], sizes
    screenshot(page, f"remediation-org-{width}")
    assert serious_violations(page) == []


def test_saving_an_item_returns_to_it(page, planned):
    assessment, email, gaps = planned
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/remediation/")
    card = page.locator(f"#r-{gaps[2].control_id}")
    card.get_by_text("Change this item").click()
    card.get_by_label("Status").select_option("risk_accepted")
    card.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Say why the risk is accepted.")
    assert serious_violations(page) == []
    screenshot(page, "remediation-error-phone")
    card = page.locator(f"#r-{gaps[2].control_id}")
    card.get_by_label("Why the risk is accepted").fill("Covered by the provider's contract.")
    card.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#r-{gaps[2].control_id}")
    expect(page.get_by_role("alert").first).to_contain_text(f"Saved {gaps[2].control_id}")
    assert RemediationItem.objects.get(control=gaps[2]).status == "risk_accepted"
