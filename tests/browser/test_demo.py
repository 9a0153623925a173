"""The demo as a newcomer meets it after `make run`: the customer's dashboard and rounds, the reviewer's queue."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import load_fixture, reviewers_group

CUSTOMER = ("customer@example.com", "demo-customer-2026")
REVIEWER = ("reviewer@example.com", "demo-reviewer-2026")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.DEBUG = True  # seed_demo refuses otherwise; the live server is started already
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("yugabytedb-managed", "yugabytedb-managed-1.1"):
        load_fixture(name)
    reviewers_group()  # the migration's group, gone after an earlier test's flush
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False


@pytest.mark.parametrize("width", [1280, 390])
def test_the_customer_opens_on_their_rounds_and_a_draft(page, demo, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, *CUSTOMER)
    page.goto("/assessments/")
    expect(page.get_by_role("link", name="Production cluster").first).to_be_visible()
    expect(page.get_by_text("Round 2 of 2").first).to_be_visible()
    expect(page.get_by_role("link", name="Reporting replica").first).to_be_visible()
    screenshot(page, f"demo-dashboard-{width}")
    report = overflow(page)
    assert report["document"] <= report["window"], report
    assert serious_violations(page) == []


def test_the_reviewer_finds_round_two_in_the_queue(page, demo):
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(REVIEWER[0])
    page.get_by_label("Password").fill(REVIEWER[1])
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/assessment/assessment/")
    row = page.get_by_role("row", name=re.compile("Production cluster"))
    expect(row).to_contain_text("Demo Customer Inc.")
    screenshot(page, "demo-review-queue")
    row.get_by_role("link", name="Production cluster").click()
    expect(page.get_by_role("heading", name="Review “Production cluster”")).to_be_visible()
    expect(page.locator("#c-NET-ALLOW")).to_contain_text("from round 1, not confirmed since")
    screenshot(page, "demo-review-page")
