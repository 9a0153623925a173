"""The results page in Chromium at desktop and phone widths: no sideways scrolling, no serious axe
violations, gap links that land on the control, filters without JavaScript, the ownership chart."""

import pytest
from playwright.sync_api import expect

from assessment.models import Assessment, Organization
from assessment.reports.sample import sample_assessment
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture, make_member

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def reviewed(transactional_db):
    """A fully answered assessment with every kind of finding and reviewer comments, and its member's email."""
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.CHANGES_REQUESTED)
    member = sample.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return sample, member.email


def overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_results_page_fits_and_passes_axe(page, reviewed, width):
    assessment, email = reviewed
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    expect(page.get_by_role("heading", name="Who owns what")).to_be_visible()
    chart = page.locator("table.ownership-chart")
    expect(chart.locator("thead th")).to_have_text(
        ["Area", "Customer", "Shared", "Yugabyte", "Cloud provider", "Total"]
    )
    assert not overflows(page)
    page.get_by_text("Not applicable (", exact=False).click()  # open the folded list too
    expect(page.locator(".na-justification").first).to_be_visible()
    assert not overflows(page)
    screenshot(page, f"results-{width}")
    assert serious_violations(page) == []


def test_a_gap_link_lands_on_the_control_card(page, reviewed):
    assessment, email = reviewed
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    first = page.locator("article.gap").first
    control_id = first.get_attribute("id").removeprefix("gap-")
    first.locator("a.gap-link").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#c-{control_id}")
    card = page.locator(f"#c-{control_id}")
    expect(card).to_be_in_viewport()
    expect(card).to_contain_text(control_id)


def test_filters_apply_without_javascript(browser, live_server, reviewed):
    assessment, email = reviewed
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, email, PASSWORD)
        page.goto(f"/assessments/{assessment.pk}/results/")
        total = page.locator("article.gap").count()
        page.get_by_label("Risk", exact=True).select_option("high")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_load_state()
        assert "risk=high" in page.url
        shown = page.locator("article.gap")
        expect(page.locator(".gap-showing")).to_have_text(f"Showing {shown.count()} of {total} gaps")
        for badge in shown.locator("h3 .badge").all_inner_texts():
            assert badge == "High risk"
        page.get_by_role("link", name="Clear filters").click()
        expect(page.locator("article.gap")).to_have_count(total)
    finally:
        context.close()


def test_an_empty_draft_says_no_score_yet(page, transactional_db):
    member = make_member("nina@northwind.test", Organization.objects.create(name="Northwind"))
    model = load_fixture("yugabytedb-managed-1.1")
    draft = assessment_start(user=member, model=model, deployment=model.deployments.get(key="managed"), title="New DB")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, member.email, PASSWORD)
    page.goto(f"/assessments/{draft.pk}/results/")
    expect(page.get_by_role("heading", name="No score yet")).to_be_visible()
    assert page.locator(".overall-score").count() == 0
    assert not overflows(page)
    screenshot(page, "results-empty-phone")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Start answering: Encryption").click()
    assert page.url.endswith(f"/assessments/{draft.pk}/areas/encryption/")
