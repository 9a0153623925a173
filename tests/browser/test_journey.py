"""The walk-through in Chromium: what is shown is what is stored after leaving "Does not apply",
the error summary of a page save without JavaScript (links and focus), progress on every width,
and check your answers with Change links, the declaration and the confirmation."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Answer, Assessment, Organization
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, answer, answer_all, load_fixture, make_member

EMAIL = "lee@fjord.test"


@pytest.fixture
def draft(transactional_db):
    model = load_fixture("yugabytedb-managed")
    user = make_member(EMAIL, Organization.objects.create(name="Fjord Analytics"))
    return assessment_start(
        user=user, model=model, deployment=model.deployments.get(key="managed"), title="Telemetry", scope="prod"
    )


def card(page, control_id):
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(control_id)} "))


def fits(page) -> bool:
    fit = overflow(page)
    assert fit["document"] <= fit["window"], fit["culprits"]
    return True


def test_leaving_not_applicable_clears_the_reason_the_server_dropped(page, draft):
    answer(draft, draft.created_by, "ENC-CMK", "not_applicable", justification="No regulated data")
    login(page, EMAIL, PASSWORD)
    page.goto(f"/assessments/{draft.pk}/areas/encryption/")
    cmk = card(page, "ENC-CMK")
    reason = cmk.get_by_label("Why is it not applicable?")
    expect(reason).to_have_value("No regulated data")
    cmk.get_by_text("We do, fully", exact=True).click()
    expect(cmk.get_by_role("status")).to_have_text("Saved")
    expect(reason).to_be_hidden()
    expect(reason).to_have_value("")
    assert Answer.objects.get(assessment=draft, control__control_id="ENC-CMK").justification == ""
    # Changing one's mind back within the page brings the typed reason back, and saves it again.
    cmk.get_by_text("Does not apply to us", exact=True).click()
    expect(reason).to_have_value("No regulated data")
    expect(cmk.get_by_role("status")).to_have_text("Saved")
    stored = Answer.objects.get(assessment=draft, control__control_id="ENC-CMK")
    assert (stored.claim, stored.justification) == ("not_applicable", "No regulated data")
    page.reload()
    expect(card(page, "ENC-CMK").get_by_label("Why is it not applicable?")).to_have_value("No regulated data")


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_failed_page_save_shows_an_error_summary_with_links_and_focus(browser, live_server, draft, javascript):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, EMAIL, PASSWORD)
        answer(draft, draft.created_by, "NET-ALLOW", "partial")
        page.goto(f"/assessments/{draft.pk}/areas/network/")
        card(page, "NET-PRIVATE").get_by_label("Does not apply to us", exact=True).check()
        card(page, "NET-REVIEW").get_by_label("Notes").fill("quarterly, by the platform team")
        page.get_by_role("button", name=re.compile("^Save and continue")).click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("There are problems with answers on this page")
        expect(summary).to_contain_text("The 1 answer saved earlier (marked “Last saved”) is kept as it was.")
        links = summary.get_by_role("link")
        expect(links).to_have_count(2)
        expect(links.nth(0)).to_contain_text("NET-PRIVATE")
        expect(links.nth(0)).to_contain_text("Explain why this control does not apply to you.")
        expect(links.nth(1)).to_contain_text("NET-REVIEW")
        expect(links.nth(1)).to_contain_text("Choose an answer so your notes can be saved.")
        screenshot(page, f"journey-error-summary-phone-{'js' if javascript else 'no-js'}")
        assert fits(page)
        if javascript:  # axe runs as a script
            assert serious_violations(page) == []
        links.nth(0).click()
        expect(card(page, "NET-PRIVATE").get_by_label("Why is it not applicable?")).to_be_focused()
        expect(card(page, "NET-REVIEW").get_by_label("Notes")).to_have_value("quarterly, by the platform team")
        assert Answer.objects.filter(assessment=draft).count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_progress_and_step_list_on_phone_and_desktop(page, draft, width):
    answer_all(draft, draft.created_by)
    Answer.objects.filter(assessment=draft, control__area__key="network").delete()
    page.set_viewport_size({"width": width, "height": 844})
    login(page, EMAIL, PASSWORD)
    page.goto(f"/assessments/{draft.pk}/areas/network/")
    total = Answer.objects.filter(assessment=draft).count()
    asked = total + 7 - 0  # network has 7 asked controls under the managed service
    expect(page.locator("#walk-progress-label")).to_have_text(re.compile(rf"^Area 2 of 7 · {total} of \d+ answered$"))
    label = page.locator("#walk-progress-label").inner_text()
    assert int(label.rsplit(" of ", 1)[1].split()[0]) == asked
    nav = page.get_by_role("navigation", name="Areas")
    if width < 992:
        # Phones: a closed picker, and the first question is on the first screen.
        expect(nav.locator("summary")).to_have_text(re.compile("^Area 2 of 7: Network"))
        expect(nav.get_by_role("link", name="Encryption")).to_be_hidden()
        first = page.locator("section.control-card").first
        assert first.bounding_box()["y"] < 844
        nav.locator("summary").click()
        expect(nav.get_by_role("link", name="Encryption")).to_be_visible()
    steps = nav.get_by_role("listitem").filter(has=page.get_by_role("link", name="Encryption")).last
    expect(steps).to_contain_text("✓")
    expect(steps).to_contain_text("answered, complete")
    screenshot(page, f"journey-area-{width}")
    assert fits(page)
    assert serious_violations(page) == []


def test_check_answers_change_link_declaration_and_confirmation(page, draft):
    answer_all(draft, draft.created_by)
    answer(draft, draft.created_by, "NET-ALLOW", "not_implemented", notes="no allow list yet")
    login(page, EMAIL, PASSWORD)
    page.goto(f"/assessments/{draft.pk}/review/")
    expect(page.get_by_role("heading", name="Check your answers before submitting")).to_be_visible()
    screenshot(page, "journey-check-answers")
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile(r"^Change NET-ALLOW ")).click()
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/areas/network/#c-NET-ALLOW$"))
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^NET-ALLOW ")).first.click()  # the gap link
    expect(page).to_have_url(re.compile("#c-NET-ALLOW$"))
    page.go_back()
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Tick the declaration")
    page.get_by_label("The answers are accurate to the best of our knowledge.").check()
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_role("heading", name="Submit “Telemetry” for review?")).to_be_visible()
    screenshot(page, "journey-confirm")
    assert serious_violations(page) == []
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    page.get_by_role("button", name="Yes, submit and lock the answers").click()
    expect(page.get_by_role("alert").first).to_contain_text("Submitted for review.")
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    assert draft.declaration.startswith(f"{draft.created_by.name} ({EMAIL}) declares")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/assessments/{draft.pk}/review/")
    screenshot(page, "journey-answers-locked-phone")
    assert fits(page)
