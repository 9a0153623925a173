"""The questionnaire as a new user meets it, in Chromium: sign up, start, answer, autosave, submit, results.

One journey test walks the whole flow (with axe and a screenshot on every page); focused tests cover
autosave failing (server unreachable, server error, leaving the page with unsaved input) and
recovering through Retry.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from assessment.models import Answer, Assessment, Organization
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, answer, load_fixture, make_member

EMAIL = "dana@northwind.test"
UNREACHABLE = "Not saved — the server could not be reached. Check your connection, then retry."


@pytest.fixture
def models(transactional_db):
    """Two published models, so the start form has to filter deployments by the chosen model."""
    return load_fixture("yugabytedb-managed"), load_fixture("cloud-division-of-responsibility")


@pytest.fixture
def draft(models):
    """A member with a draft managed-service assessment, for the focused autosave tests."""
    user = make_member("erin@northwind.test", Organization.objects.create(name="Northwind"))
    model = models[0]
    return assessment_start(
        user=user, model=model, deployment=model.deployments.get(key="managed"), title="Orders DB", scope="prod"
    )


def control(page, control_id: str):
    """A control's card: a region named by its id and title."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(control_id)} "))


def status(page, control_id: str):
    return control(page, control_id).get_by_role("status")


def stored(assessment, control_id: str) -> Answer:
    return Answer.objects.get(assessment=assessment, control__control_id=control_id)


def check_page(page, name: str) -> None:
    screenshot(page, f"flow-{name}")
    assert serious_violations(page) == [], name


def test_new_user_signs_up_answers_an_area_and_submits(page, models):
    # 1. Sign up, land on the empty dashboard.
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    check_page(page, "signup")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Your name").fill("Dana Scully")
    page.get_by_label("Organization name").fill("Northwind Traders")
    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url("/assessments/")
    expect(page.get_by_role("alert")).to_contain_text("Welcome! Your organization “Northwind Traders” is ready.")
    expect(page.get_by_role("heading", name="No assessments yet")).to_be_visible()
    check_page(page, "dashboard-empty")

    # 2. Start a managed-service assessment, land on the first area.
    page.get_by_role("link", name="Start your first assessment").click()
    expect(page).to_have_url("/assessments/new/")
    check_page(page, "new")
    page.get_by_label("Title").fill("Orders database, production")
    page.get_by_label("Scope").fill("The orders cluster in eu-west-1")
    page.get_by_label("Responsibility model").select_option(label="YugabyteDB Managed 1.0")
    expect(page.locator("[data-deployment-cards] .choice-card:visible .choice-card-name")).to_have_text(
        ["On-premises", "IaaS", "YugabyteDB Managed"]
    )
    page.get_by_role("radio", name="YugabyteDB Managed", exact=True).check()
    page.get_by_role("button", name="Start assessment").click()

    expect(page.get_by_role("heading", name="Encryption", level=2)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Assessment started.")
    assessment = Assessment.objects.get(title="Orders database, production")
    assert page.url.endswith(f"/assessments/{assessment.pk}/areas/encryption/")
    assert assessment.deployment.key == "managed"

    # 3a. Mouse: click the answers' labels; each control reports "Saved".
    for control_id, label in [
        ("ENC-TLS-VERIFY", "We do, fully"),
        ("ENC-NODE-TLS", "Someone else does (provider or cloud)"),
        ("ENC-KMS-CRED", "Someone else does (provider or cloud)"),
        ("ENC-CMK-LIFE", "We do, partly"),
    ]:
        control(page, control_id).get_by_text(label, exact=True).click()
        expect(status(page, control_id)).to_have_text("Saved")
    control(page, "ENC-CMK-LIFE").get_by_label("Notes").click()
    with page.expect_response(lambda r: "/answers/ENC-CMK-LIFE/" in r.url):
        page.keyboard.type("Rotation yearly; old versions kept 35 days")
    expect(status(page, "ENC-CMK-LIFE")).to_have_text("Saved")

    # 3b. Keyboard: Tab from the previous control into the next radio group, arrows choose, type notes.
    control(page, "ENC-NODE-TLS").get_by_label("Notes").focus()
    page.keyboard.press("Tab")  # its reveal's "What to do" disclosure (it is answered)
    page.keyboard.press("Tab")  # its "Add evidence" link
    page.keyboard.press("Tab")  # the next control's "Why it matters" disclosure
    page.keyboard.press("Tab")  # the first answer of the group
    rest = control(page, "ENC-REST")
    expect(rest.get_by_label("We do, fully")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(rest.get_by_label("Someone else does (provider or cloud)")).to_be_checked()
    expect(rest.get_by_label("Someone else does (provider or cloud)")).to_be_focused()
    expect(status(page, "ENC-REST")).to_have_text("Saved")
    page.keyboard.press("Tab")
    expect(rest.get_by_label("Notes")).to_be_focused()
    with page.expect_response(lambda r: "/answers/ENC-REST/" in r.url):
        page.keyboard.type("AES-256, always on")
    expect(status(page, "ENC-REST")).to_have_text("Saved")

    # 3c. "Does not apply to us" needs a reason: the box opens with the cursor in it and no error; the
    # error appears only if the box is left empty; a reason saves it.
    cmk = control(page, "ENC-CMK")
    justification = cmk.get_by_label("Why is it not applicable?")
    expect(justification).to_be_hidden()
    cmk.get_by_text("Does not apply to us", exact=True).click()
    expect(justification).to_be_visible()
    expect(justification).to_be_focused()
    expect(status(page, "ENC-CMK")).to_have_text("Say why it does not apply to you; it saves as you type.")
    expect(cmk.get_by_text("Explain why this control does not apply to you.")).to_have_count(0)
    expect(justification).not_to_have_attribute("aria-invalid", "true")
    expect(cmk.get_by_role("button", name="Retry")).to_be_hidden()
    check_page(page, "area-na-open")
    cmk.get_by_label("Notes").focus()  # leaves the reason empty
    expect(cmk.get_by_text("Explain why this control does not apply to you.")).to_be_visible()
    expect(justification).to_have_accessible_description("Explain why this control does not apply to you.")
    expect(justification).to_have_attribute("aria-invalid", "true")
    expect(status(page, "ENC-CMK")).to_have_text("Not saved yet — explain why it does not apply, then it saves.")
    check_page(page, "area-error")
    justification.fill("No regulated data in this cluster")
    expect(status(page, "ENC-CMK")).to_have_text("Saved")
    expect(cmk.get_by_text("Explain why this control does not apply to you.")).to_have_count(0)
    expect(justification).not_to_have_attribute("aria-invalid", "true")
    expect(cmk.get_by_role("button", name="Retry")).to_be_hidden()
    check_page(page, "area")

    assert {a.control.control_id: (a.claim, a.notes, a.justification) for a in assessment.answers.all()} == {
        "ENC-TLS-VERIFY": ("implemented", "", ""),
        "ENC-NODE-TLS": ("provider", "", ""),
        "ENC-REST": ("provider", "AES-256, always on", ""),
        "ENC-CMK": ("not_applicable", "", "No regulated data in this cluster"),
        "ENC-CMK-LIFE": ("partial", "Rotation yearly; old versions kept 35 days", ""),
        "ENC-KMS-CRED": ("provider", "", ""),
    }

    # 4. Reload: the answers are still there.
    page.reload()
    expect(control(page, "ENC-TLS-VERIFY").get_by_label("We do, fully")).to_be_checked()
    expect(rest.get_by_label("Someone else does (provider or cloud)")).to_be_checked()
    expect(rest.get_by_label("Notes")).to_have_value("AES-256, always on")
    expect(control(page, "ENC-CMK-LIFE").get_by_label("We do, partly")).to_be_checked()
    expect(control(page, "ENC-CMK-LIFE").get_by_label("Notes")).to_have_value(
        "Rotation yearly; old versions kept 35 days"
    )
    expect(cmk.get_by_label("Does not apply to us", exact=True)).to_be_checked()
    expect(justification).to_have_value("No regulated data in this cluster")
    expect(status(page, "ENC-TLS-VERIFY")).to_have_text(
        re.compile(r"^Last saved \d{4}-\d\d-\d\d \d\d:\d\d by Dana Scully$")
    )

    # 7. The other areas are answered directly (they are not what this test is about), then review.
    user = assessment.created_by
    for item in assessment_state(assessment).unanswered:
        answer(assessment, user, item.control.control_id, "implemented")

    total = assessment_state(assessment).evaluation.total
    page.goto("/assessments/")
    row = page.get_by_role("row", name=re.compile("^Orders database, production"))
    expect(row.get_by_role("cell")).to_have_text(
        [
            re.compile(r"^\s*Orders database, production\s+YugabyteDB Managed v1\.0 · YugabyteDB Managed\s*$"),
            "Draft",
            f"{total} / {total}",
            re.compile(r"^\d+%$"),
            re.compile(r"^\d{4}-"),
            re.compile(r"^\s*Continue Orders database, production\s+More actions for Orders database, production"),
        ]
    )
    check_page(page, "dashboard")

    row.get_by_role("link", name="Continue Orders database, production").click()
    expect(page.get_by_role("heading", name="Orders database, production", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Check answers and submit")).to_be_visible()
    check_page(page, "overview")

    page.goto(f"/assessments/{assessment.pk}/review/")
    expect(page.get_by_text("Every control is answered.")).to_be_visible()
    check_page(page, "review")
    page.get_by_label("The answers are accurate to the best of our knowledge.").check()
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.locator(".declaration-quote")).to_contain_text("declares, on behalf of")
    check_page(page, "confirm")
    page.get_by_role("button", name="Yes, submit and lock the answers").click()

    expect(page).to_have_url(f"/assessments/{assessment.pk}/results/")
    expect(page.get_by_role("alert")).to_contain_text("Submitted for review. Answers are locked")
    export = page.request.get(f"/assessments/{assessment.pk}/export.json")
    assert export.ok
    data = export.json()
    assert data["assessment"]["status"] == "submitted"
    overall = data["score"]["overall"]
    assert isinstance(overall, int)
    expect(page.locator(".overall-score")).to_have_text(f"{overall}%")
    gaps = {row["id"]: row["outcome"] for row in data["controls"] if row["outcome"] in {"partial", "misattributed"}}
    assert gaps == {"ENC-CMK-LIFE": "partial", "ENC-KMS-CRED": "misattributed"}
    expect(page.get_by_role("heading", name="Gaps 2")).to_be_visible()
    expect(page.locator("#gap-ENC-KMS-CRED")).to_contain_text(
        "Misattributed: you rely on someone else, but this is yours"
    )
    expect(page.locator("#gap-ENC-CMK-LIFE")).to_contain_text("Your notes: Rotation yearly; old versions kept 35 days")
    check_page(page, "results")

    page.goto(f"/assessments/{assessment.pk}/activity/")
    newest = page.get_by_role("row").nth(1)  # after the header row
    expect(newest.get_by_role("cell")).to_have_text(
        [
            re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"),
            "Dana Scully",
            "Status changed",
            "Status: Draft",
            "Status: Submitted",
        ]
    )
    check_page(page, "activity")

    # 8. Submitted: the area page is read-only, and the autosave endpoint refuses changes.
    page.goto(f"/assessments/{assessment.pk}/areas/encryption/")
    expect(page.get_by_text("This assessment is submitted: its answers are read-only.")).to_be_visible()
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(36)
    for radio in radios.all():
        expect(radio).to_be_disabled()
    expect(rest.get_by_label("Notes")).to_be_disabled()
    # Read-only, a justification box shows only where there is a justification.
    expect(page.get_by_label("Why is it not applicable?").filter(visible=True)).to_have_count(1)
    expect(justification).to_have_value("No regulated data in this cluster")
    expect(page.get_by_role("button", name=re.compile("^Save and continue"))).to_have_count(0)
    check_page(page, "area-readonly")

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"/assessments/{assessment.pk}/answers/ENC-TLS-VERIFY/",
        form={"claim": "not_implemented", "notes": "", "justification": "", "version": "1"},
        headers={"X-CSRFToken": csrf, "Accept": "application/json"},
    )
    assert refused.status == 403
    assert refused.json() == {
        "ok": False,
        "message": "This assessment is submitted; its answers can't be changed now.",
    }
    assert stored(assessment, "ENC-TLS-VERIFY").claim == "implemented"


def test_autosave_when_the_server_cannot_be_reached_keeps_the_answer_until_retry(page, draft):
    login(page, "erin@northwind.test", PASSWORD)
    page.goto(f"/assessments/{draft.pk}/areas/encryption/")
    page.route("**/answers/**", lambda route: route.abort("internetdisconnected"))

    control(page, "ENC-TLS-VERIFY").get_by_text("Nobody does yet", exact=True).click()
    expect(status(page, "ENC-TLS-VERIFY")).to_have_text(UNREACHABLE)
    retry = control(page, "ENC-TLS-VERIFY").get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    assert not Answer.objects.filter(assessment=draft).exists()
    kept = page.evaluate("localStorage.getItem(`autosave:${location.pathname}:ENC-TLS-VERIFY`)")
    assert json.loads(kept)["claim"] == "not_implemented"
    screenshot(page, "flow-area-offline")

    page.unroute("**/answers/**")
    retry.click()
    expect(status(page, "ENC-TLS-VERIFY")).to_have_text("Saved")
    expect(retry).to_be_hidden()
    assert stored(draft, "ENC-TLS-VERIFY").claim == "not_implemented"
    assert page.evaluate("localStorage.length") == 0


def test_unsaved_input_survives_leaving_the_page_and_is_offered_again(page, draft):
    login(page, "erin@northwind.test", PASSWORD)
    page.goto(f"/assessments/{draft.pk}/areas/encryption/")
    page.route("**/answers/**", lambda route: route.abort("internetdisconnected"))
    tls = control(page, "ENC-TLS-VERIFY")
    tls.get_by_text("We do, partly", exact=True).click()
    expect(status(page, "ENC-TLS-VERIFY")).to_have_text(UNREACHABLE)

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.reload()
    assert dialogs == ["beforeunload"]  # the browser warned before leaving unsaved input

    expect(tls.get_by_label("We do, partly")).to_be_checked()
    expect(status(page, "ENC-TLS-VERIFY")).to_have_text(
        "Not saved — your earlier unsaved input was restored. Retry to save it."
    )
    page.unroute("**/answers/**")
    tls.get_by_role("button", name="Retry").click()
    expect(status(page, "ENC-TLS-VERIFY")).to_have_text("Saved")
    assert stored(draft, "ENC-TLS-VERIFY").claim == "partial"


def test_autosave_server_error_says_so_and_retry_succeeds(page, draft):
    login(page, "erin@northwind.test", PASSWORD)
    page.goto(f"/assessments/{draft.pk}/areas/encryption/")
    page.route(
        "**/answers/**",
        lambda route: route.fulfill(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>"),
        times=1,
    )

    control(page, "ENC-CMK").get_by_text("We don't know", exact=True).click()
    expect(status(page, "ENC-CMK")).to_have_text("Not saved — the server had a problem (500).")
    assert not Answer.objects.filter(assessment=draft).exists()

    control(page, "ENC-CMK").get_by_role("button", name="Retry").click()
    expect(status(page, "ENC-CMK")).to_have_text("Saved")
    assert stored(draft, "ENC-CMK").claim == "unknown"


def test_status_never_says_saved_while_a_change_waits_to_be_sent(page, draft):
    login(page, "erin@northwind.test", PASSWORD)
    page.goto(f"/assessments/{draft.pk}/areas/encryption/")
    cmk = control(page, "ENC-CMK")
    cmk.get_by_text("We do, fully", exact=True).click()
    expect(status(page, "ENC-CMK")).to_have_text("Saved")
    # Typing waits for a pause before it is sent; until then the page must not claim it is saved.
    cmk.get_by_label("Notes").fill("Keys rotate yearly")
    assert status(page, "ENC-CMK").text_content() == "Saving…"
    expect(status(page, "ENC-CMK")).to_have_text("Saved")
    assert stored(draft, "ENC-CMK").notes == "Keys rotate yearly"


def test_login_page(page, transactional_db):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    check_page(page, "login")
