"""Starting the next round in Chromium: the confirmation, the note on a control marked fixed, what changed since."""

import pytest
from playwright.sync_api import expect

from assessment.models import Organization, RemediationItem
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, answer, answer_all, load_fixture, make_member

NOTE = "Changed since last round: your team marked this fixed. Check that the answer still holds, then save it again."


@pytest.fixture
def member(transactional_db):
    return make_member("rowan@quay.test", Organization.objects.create(name="Quay"))


def fits(page) -> None:
    fit = overflow(page)
    assert fit["document"] <= fit["window"], fit


def test_starting_a_round_shows_the_note_and_what_changed(page, member):
    model = load_fixture("yugabytedb-managed")
    first = assessment_start(
        user=member, model=model, deployment=model.deployments.get(key="managed"), title="Payments platform"
    )
    answer_all(first, member)
    answer(first, member, "NET-ALLOW", "not_implemented")
    answer(first, member, "NET-PRIVATE", "partial")
    workflow.assessment_submit(assessment=first, actor=member)
    control = model.controls.get(control_id="NET-ALLOW")
    RemediationItem.objects.create(assessment=first, control=control, status="done", note="Allow list set up")

    login(page, member.email, PASSWORD)
    page.goto(f"/assessments/{first.pk}/results/")
    page.get_by_role("link", name="Start the next round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start round 2")
    expect(page.locator(".next-round-carries")).to_contain_text("1 control your team marked fixed is marked")
    assert serious_violations(page) == []
    fits(page)
    screenshot(page, "rounds-confirm")
    page.get_by_role("button", name="Start round 2").click()
    expect(page.get_by_text("Round 2 started. Your answers from round 1 are filled in")).to_be_visible()
    expect(page.locator(".round-number")).to_have_text("Round 2")

    page.goto(page.url + "areas/network/")
    card = page.locator("section[data-control='NET-ALLOW']")
    expect(card.get_by_role("note").filter(has_text="Changed since last round")).to_have_text(NOTE)
    assert serious_violations(page) == []
    fits(page)
    screenshot(page, "rounds-remediated-note")
    card.get_by_text("We do, fully", exact=True).click()
    expect(card.get_by_role("status")).to_have_text("Saved")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("section[data-control='NET-PRIVATE']")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_have_count(0)  # saved again: confirmed
    fits(page)
    screenshot(page, "rounds-area-phone")

    second = first.next_round
    for width in (1280, 390, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/assessments/{second.pk}/results/")
        section = page.get_by_role("region", name="Since round 1")
        expect(section.locator(".since-closed")).to_contain_text("NET-ALLOW")
        expect(section.locator(".trend-figures li")).to_have_count(2)
        assert serious_violations(page) == []
        fits(page)
        screenshot(page, f"rounds-results-{width}")
        page.goto("/assessments/")
        expect(page.get_by_text("Round 2 of 2")).to_be_visible()
        page.get_by_text("Earlier rounds").click()
        expect(page.get_by_role("link", name="Round 1 of Payments platform")).to_be_visible()
        assert serious_violations(page) == []
        fits(page)
        screenshot(page, f"rounds-dashboard-{width}")
