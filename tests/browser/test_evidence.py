"""Evidence on the area page in Chromium: choose or drop files, see the progress and the list, remove,
and the same without JavaScript; the page with evidence at desktop and phone width."""

import pytest
from playwright.sync_api import expect

from assessment.models import Evidence, Organization
from assessment.services.assessments import assessment_start
from assessment.services.evidence import evidence_add_files, evidence_add_link
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture, make_member
from tests.evidence_files import PDF, PNG, upload

CONTROL = "NET-ALLOW"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def draft(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    model = load_fixture("yugabytedb-managed")
    alice = make_member("alice@northwind.test", Organization.objects.create(name="Northwind"))
    assessment = assessment_start(user=alice, model=model, deployment=model.deployments.get(key="managed"), title="Q")
    return assessment, alice


def area(page, assessment):
    page.goto(f"/assessments/{assessment.pk}/areas/network/")
    return page.locator(f"#ev-{CONTROL}")


def drop_a_pdf(page, cid: str) -> None:
    """What a browser does when a file is dragged onto the control's evidence area and let go."""
    page.evaluate(
        """([cid]) => {
          const data = new DataTransfer();
          data.items.add(new File(["%PDF-1.4 dropped"], "dropped.pdf", {type: "application/pdf"}));
          const target = document.getElementById("ev-" + cid);
          target.dispatchEvent(new DragEvent("dragenter", {dataTransfer: data, bubbles: true, cancelable: true}));
          target.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        [cid],
    )


def test_choose_files_see_progress_and_the_list_then_drop_one_and_remove(page, draft):
    assessment, alice = draft
    login(page, alice.email, PASSWORD)
    block = area(page, assessment)
    held = []
    page.route("**/evidence/", lambda route: held.append(route))  # hold the upload: its progress stays on screen
    block.get_by_text("Add evidence").click()
    expect(block.get_by_text("Up to 20 files of 25 MB each")).to_be_visible()
    block.get_by_label("Description of the files").fill("Firewall export, May")
    block.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "firewall.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "rules.png", "mimeType": "image/png", "buffer": PNG},
        ]
    )
    block.get_by_role("button", name="Upload").click()
    expect(block.get_by_label("Uploading firewall.pdf")).to_be_visible()
    page.wait_for_function("() => true")
    while held:
        held.pop().continue_()
        page.wait_for_timeout(100)
    page.unroute("**/evidence/")
    expect(block.locator("[data-evidence-list]")).to_contain_text("firewall.pdf")
    page.wait_for_timeout(200)
    while held:  # the second file goes once the first is answered
        held.pop().continue_()
    expect(block.locator("[data-evidence-list]")).to_contain_text("rules.png")
    expect(block.get_by_role("status").first).to_contain_text("Added")
    expect(block.locator("progress")).to_have_count(0)
    assert sorted(Evidence.objects.values_list("name", "description")) == [
        ("firewall.pdf", "Firewall export, May"),
        ("rules.png", "Firewall export, May"),
    ]
    # The answer's autosave did not take the file input for a change to the answer.
    expect(page.locator(f"#c-{CONTROL} .save-state")).not_to_contain_text("Not saved")

    # Dropped on the control's evidence area.
    drop_a_pdf(page, CONTROL)
    expect(block.locator("[data-evidence-list]")).to_contain_text("dropped.pdf")

    # A refused file says why, in the control.
    block.get_by_label("Files", exact=True).set_input_files(
        [{"name": "page.pdf", "mimeType": "text/html", "buffer": b"<html>"}]
    )
    block.get_by_role("button", name="Upload").click()
    expect(block.get_by_role("alert")).to_contain_text("“page.pdf” can't be added: it looks like a web page")

    block.get_by_role("button", name="Remove “firewall.pdf”").click()
    expect(block.locator("[data-evidence-list]")).not_to_contain_text("firewall.pdf")
    assert sorted(Evidence.objects.values_list("name", flat=True)) == ["dropped.pdf", "rules.png"]


def test_the_panel_opens_from_the_page_template_with_its_forms_outside_the_page_form(page, draft):
    assessment, alice = draft
    login(page, alice.email, PASSWORD)
    block = area(page, assessment)
    expect(page.locator("#evidence-forms form")).to_have_count(1)  # the remove / "Still current" form only
    expect(block.get_by_label("Files", exact=True)).to_have_count(0)
    # Enter on the link: the panel in its place, the cursor in the file input, the two forms made.
    block.get_by_role("link", name="Add evidence").focus()
    page.keyboard.press("Enter")
    expect(block.get_by_label("Files", exact=True)).to_be_focused()
    expect(block.get_by_role("link", name="Add evidence")).to_have_count(0)
    assert page.url.endswith("/areas/network/")  # no page load
    forms = page.evaluate(
        """(cid) => ["evf-", "evk-"].map((p) => {
          const f = document.getElementById(p + cid);
          return [f.method, f.enctype, new URL(f.action).pathname, !!f.closest("#area-form"),
                  f.querySelector("input[name=csrfmiddlewaretoken]").value.length > 0];
        })""",
        CONTROL,
    )
    path = f"/assessments/{assessment.pk}/controls/{CONTROL}/evidence/"
    assert forms == [
        ["post", "multipart/form-data", path, False, True],
        ["post", "application/x-www-form-urlencoded", path, False, True],
    ]
    block.get_by_label("Description of the files").fill("Opened from the link")
    block.get_by_label("Files", exact=True).set_input_files(
        [{"name": "opened.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    block.get_by_role("button", name="Upload").click()
    expect(block.locator("[data-evidence-list]")).to_contain_text("opened.pdf")
    expect(block.get_by_role("status").first).to_contain_text("Added “opened.pdf”.")
    assert list(Evidence.objects.values_list("name", "description")) == [("opened.pdf", "Opened from the link")]
    expect(page.locator(f"#c-{CONTROL} .save-state")).not_to_contain_text("Not saved")
    # Another card's link opens that card's panel, with its own forms.
    other = page.locator("#ev-NET-PRIVATE")
    other.get_by_role("link", name="Add evidence").click()
    other.get_by_label("Or a link").fill("https://wiki.example.com/private")
    other.get_by_role("button", name="Add link").click()
    expect(other.locator("[data-evidence-list]")).to_contain_text("https://wiki.example.com/private")
    expect(page.locator("#evidence-forms form")).to_have_count(5)


def test_a_file_dropped_on_a_card_whose_panel_was_never_opened_is_added(page, draft):
    assessment, alice = draft
    login(page, alice.email, PASSWORD)
    block = area(page, assessment)
    expect(block.get_by_text("You can also drop files here.")).to_be_visible()
    drop_a_pdf(page, CONTROL)
    expect(block.locator("[data-evidence-list]")).to_contain_text("dropped.pdf")
    expect(block.get_by_role("status").first).to_contain_text("Added “dropped.pdf”.")
    expect(block.locator("progress")).to_have_count(0)
    expect(block.get_by_role("link", name="Add evidence")).to_be_visible()  # the panel stays folded
    assert list(Evidence.objects.values_list("name", "description")) == [("dropped.pdf", "")]
    # Opened afterwards, it uploads through the same forms.
    block.get_by_role("link", name="Add evidence").click()
    block.get_by_label("Files", exact=True).set_input_files(
        [{"name": "later.png", "mimeType": "image/png", "buffer": PNG}]
    )
    block.get_by_role("button", name="Upload").click()
    expect(block.locator("[data-evidence-list]")).to_contain_text("later.png")
    expect(page.locator(f"#evidence-forms #evf-{CONTROL}")).to_have_count(1)


def test_without_javascript_the_forms_post_and_come_back_with_a_message(browser, live_server, draft):
    assessment, alice = draft
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, alice.email, PASSWORD)
        block = area(page, assessment)
        expect(block.get_by_label("Files", exact=True)).to_have_count(0)
        block.get_by_role("link", name="Add evidence").click()  # the page again, this control's panel open
        assert page.url.endswith(f"/areas/network/?add={CONTROL}#ev-{CONTROL}")
        expect(page.locator(".evidence-add[open]")).to_have_count(1)
        block.get_by_label("Files", exact=True).set_input_files(
            [{"name": "nojs.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        block.get_by_role("button", name="Upload").click()
        expect(page.get_by_text("Added “nojs.pdf”.")).to_be_visible()
        expect(block.locator(".evidence-list")).to_contain_text("nojs.pdf")
        block.get_by_text("Add evidence").click()
        block.get_by_label("Or a link").fill("https://wiki.example.com/network")
        block.get_by_role("button", name="Add link").click()
        expect(page.get_by_text("Added the link.")).to_be_visible()
        expect(block.get_by_role("link", name="https://wiki.example.com/network")).to_have_attribute(
            "rel", "noopener noreferrer nofollow"
        )
        block.get_by_role("button", name="Remove “nojs.pdf”").click()
        expect(page.get_by_text("Removed “nojs.pdf”.")).to_be_visible()
        assert list(Evidence.objects.values_list("kind", flat=True)) == ["link"]
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_area_page_with_evidence_fits_and_passes_axe(page, draft, width):
    assessment, alice = draft
    files = [upload("Network segmentation policy (signed, final version 2026).pdf"), upload("diagram.png", PNG)]
    evidence_add_files(alice, assessment.pk, CONTROL, files, "Approved by the CISO")
    evidence_add_link(alice, assessment.pk, CONTROL, "https://wiki.example.com/" + "very-long-path/" * 8, "Runbook")
    Evidence.objects.filter(name="diagram.png").update(carried_from_round=1)
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    login(page, alice.email, PASSWORD)
    block = area(page, assessment)
    block.scroll_into_view_if_needed()
    block.screenshot(path=str(screenshot(page, f"evidence-area-{width}").with_name(f"evidence-link-{width}.png")))
    block.get_by_text("Add evidence").click()
    expect(block.get_by_text("From round 1 — still current?")).to_be_visible()
    block.scroll_into_view_if_needed()
    sizes = overflow(page)
    assert sizes["document"] <= sizes["window"], sizes
    screenshot(page, f"evidence-area-{width}")
    block.screenshot(path=str(screenshot(page, f"evidence-area-{width}").with_name(f"evidence-block-{width}.png")))
    assert serious_violations(page) == []
    block.get_by_role("button", name="Still current “diagram.png”").click()
    expect(block.get_by_text("From round 1 — still current?")).to_have_count(0)
