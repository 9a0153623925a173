"""The start page in Chromium, at desktop and phone widths: radio cards, filtering by model, the error summary."""

import pytest
from playwright.sync_api import expect

from assessment.models import Assessment, Organization, ResponsibilityModel
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture, make_member

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def member(transactional_db):
    load_fixture("yugabytedb-managed-1.1")
    load_fixture("cloud-division-of-responsibility-1.1")
    return make_member("sam@harbor.test", Organization.objects.create(name="Harbor"))


def deployment(page, name: str):
    """A deployment card's radio, by the name on the card (hidden cards of other models are not found)."""
    return page.get_by_role("radio", name=name, exact=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_choosing_a_model_shows_only_its_deployments_and_starts(page, member, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    login(page, member.email, PASSWORD)
    page.goto("/assessments/new/")
    # Before a model is chosen every deployment shows, grouped by model.
    expect(page.get_by_role("group", name="YugabyteDB Managed")).to_be_visible()
    expect(page.get_by_role("group", name="Generic cloud division of responsibility")).to_be_visible()
    assert fits(page)
    screenshot(page, f"start-{width}-empty")

    page.get_by_label("Title").fill("Harbor ledger")
    page.get_by_label("Responsibility model").select_option(label="YugabyteDB Managed 1.1")
    cards = page.locator("[data-deployment-cards] .choice-card:visible .choice-card-name")
    expect(cards).to_have_text(["On-premises", "IaaS", "YugabyteDB Managed"])
    expect(page.get_by_role("group", name="Generic cloud division of responsibility")).to_be_hidden()
    managed = deployment(page, "YugabyteDB Managed")
    expect(managed).to_have_accessible_description(
        "Fully managed YugabyteDB clusters that Yugabyte operates for you on AWS, Azure or Google Cloud. "
        "You own 41 of 51 controls here"
    )
    # The whole card is the target: a click on its description chooses it.
    page.get_by_text("Fully managed YugabyteDB clusters").click()
    expect(managed).to_be_checked()
    box = page.locator(".choice-card", has=managed).bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    radio = managed.bounding_box()
    assert radio["width"] >= 24 and radio["height"] >= 24
    expect(page.get_by_role("radio", name="Answer first, then see the model (recommended)")).to_be_checked()
    assert fits(page)
    assert serious_violations(page) == []
    screenshot(page, f"start-{width}-chosen")

    # Another model: its own cards only, and the deployment chosen for the first is dropped.
    page.get_by_label("Responsibility model").select_option(label="Generic cloud division of responsibility 1.1")
    expect(cards).to_have_text(["Private infrastructure", "IaaS", "PaaS"])
    assert page.locator("input[name=deployment]:checked").count() == 0
    page.get_by_label("Responsibility model").select_option(label="YugabyteDB Managed 1.1")
    deployment(page, "YugabyteDB Managed").check()
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", name="Encryption", level=2)).to_be_visible()
    assessment = Assessment.objects.get(title="Harbor ledger")
    assert (assessment.deployment.key, assessment.mode) == ("managed", "blind")


def test_choosing_a_deployment_first_picks_its_model(page, member):
    login(page, member.email, PASSWORD)
    page.goto("/assessments/new/")
    deployment(page, "PaaS").check()
    cloud = ResponsibilityModel.objects.get(slug="cloud-division-of-responsibility", version="1.1")
    expect(page.get_by_label("Responsibility model")).to_have_value(str(cloud.pk))
    expect(page.get_by_role("group", name="YugabyteDB Managed")).to_be_hidden()


@pytest.mark.parametrize("width", WIDTHS)
def test_submitting_empty_shows_the_error_summary_with_links_and_focus(page, member, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    login(page, member.email, PASSWORD)
    page.goto("/assessments/new/")
    page.get_by_role("button", name="Start assessment").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        ["Give the assessment a title", "Choose a responsibility model", "Choose how you deploy"]
    )
    assert [links.nth(i).get_attribute("href") for i in range(3)] == ["#id_title", "#id_model", "#id_deployment"]
    expect(page.locator("#id_deployment_error")).to_have_text("Error: Choose how you deploy")
    expect(page).to_have_title("Error: Start an assessment · Shared Responsibility Self-Assessment")
    assert fits(page)
    assert serious_violations(page) == []
    screenshot(page, f"start-{width}-errors")
    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest screen WCAG reflow asks for
    assert fits(page)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))

    links.nth(0).click()
    expect(page.get_by_label("Title")).to_be_focused()
    links.nth(2).click()
    expect(deployment(page, "Private infrastructure")).to_be_focused()  # the first card shown
    page.keyboard.press("ArrowDown")  # arrow keys move along the cards, as in any radio group
    expect(deployment(page, "IaaS")).to_be_checked()  # the other model's IaaS is hidden now: one match
    expect(page.get_by_role("group", name="YugabyteDB Managed")).to_be_hidden()
    screenshot(page, f"start-{width}-keyboard")

    # With the model chosen, the message names it.
    page.get_by_label("Title").fill("Harbor ledger")
    page.get_by_label("Responsibility model").select_option(label="YugabyteDB Managed 1.1")
    page.get_by_role("button", name="Start assessment").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Choose how you deploy YugabyteDB Managed"])
    expect(page.get_by_label("Title")).to_have_value("Harbor ledger")
    assert Assessment.objects.count() == 0
