"""Acceptance: a new user completes a blind YugabyteDB Managed 1.1 assessment in Chromium, sees each
control's owner revealed the moment it is answered, and the JSON export agrees, control by control,
with an independent reading of the gap semantics."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from assessment.models import Answer, Assessment, Organization
from assessment.models.assessments import Claim
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, load_fixture, make_member
from tests.test_instrument import independent_understanding

# The outcome table, written out again here rather than imported from the engine.
OUTCOME = {
    "customer": {
        "implemented": "met",
        "partial": "partial",
        "provider": "misattributed",
        "not_implemented": "unmet",
        "unknown": "unknown",
        "not_applicable": "not_applicable",
    },
    "provider": {
        "implemented": "overlap",
        "partial": "overlap",
        "provider": "inherited",
        "not_implemented": "awareness",
        "unknown": "awareness",
        "not_applicable": "not_applicable",
    },
}
WEIGHT = {"critical": 4, "high": 3, "medium": 2, "low": 1}
CREDIT = {"met": Decimal(1), "partial": Decimal("0.5")}
CYCLE = ["implemented", "provider", "partial", "not_implemented", "unknown"]


@pytest.fixture
def member(transactional_db):
    load_fixture("yugabytedb-managed")
    load_fixture("yugabytedb-managed-1.1")
    return make_member("quinn@harbor.test", Organization.objects.create(name="Harbor Freight"))


def card(page, control_id):
    return page.locator(f"section[data-control='{control_id}']")


def choose(page, control_id, claim):
    section = card(page, control_id)
    section.get_by_text(Claim(claim).label, exact=True).click()
    if claim == "not_applicable":
        section.get_by_label("Why is it not applicable?").fill("We run no such component")
    expect(section.get_by_role("status")).to_have_text("Saved")


def expected_score(rows) -> int | None:
    earned, possible = Decimal(0), 0
    for row in rows:
        if row["owner"] in ("customer", "shared") and row["outcome"] != "not_applicable":
            earned += WEIGHT[row["severity"]] * CREDIT.get(row["outcome"], Decimal(0))
            possible += WEIGHT[row["severity"]]
    if not possible:
        return None
    return int((earned * 100 / possible).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_blind_assessment_reveals_each_owner_and_exports_what_the_semantics_say(page, member):
    login(page, member.email, PASSWORD)
    page.goto("/assessments/new/")
    page.get_by_label("Title").fill("Harbor ledger")
    page.get_by_label("Responsibility model").select_option(label="YugabyteDB Managed 1.1")
    page.get_by_role("radio", name="YugabyteDB Managed", exact=True).check()
    expect(page.get_by_label("Answer first, then see the model (recommended)")).to_be_checked()
    screenshot(page, "blind-new")
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", name="Encryption", level=2)).to_be_visible()
    assessment = Assessment.objects.get(title="Harbor ledger")
    assert (assessment.mode, assessment.model.version) == ("blind", "1.1")

    first, plan_index, revealed = {}, 0, 0
    while True:
        heading = page.get_by_role("heading", level=2).first.inner_text()
        unanswered_text = " ".join(page.locator("section[data-control]:not(:has(.reveal-box))").all_inner_texts())
        assert "Under YugabyteDB Managed" not in unanswered_text
        # Answer every control shown, in order; an answer may bring in dependents, so look again after each.
        while True:
            pending = [
                s.get_attribute("data-control")
                for s in page.locator("section[data-control]:visible").all()
                if s.locator("input[type=radio]:checked").count() == 0
            ]
            if not pending:
                break
            cid = pending[0]
            section = card(page, cid)
            expect(section.locator(".reveal")).to_be_empty()  # nothing gives the owner away yet
            if cid == "ENC-CMK":
                claim = "not_implemented"
            elif cid == "AUTHN-SOCIAL":
                claim = "not_applicable"
            else:
                claim = CYCLE[plan_index % len(CYCLE)]
                plan_index += 1
            choose(page, cid, claim)
            first[cid] = claim
            expect(section.locator(".reveal")).to_contain_text("Under YugabyteDB Managed")
            revealed += 1
            if cid == "ENC-CMK":
                # Nobody holds a key yet: its rotation and credentials are not asked, until there is one.
                expect(card(page, "ENC-CMK-LIFE")).to_be_hidden()
                screenshot(page, "blind-encryption-revealed")
                choose(page, "ENC-CMK", "implemented")
                expect(card(page, "ENC-CMK-LIFE")).to_be_visible()
        if heading == "Encryption":
            assert serious_violations(page) == []
        # A change after the reveal is allowed; the first answer stays what was believed before.
        if heading == "Network exposure":
            choose(page, "NET-ALLOW", "implemented")
            page.set_viewport_size({"width": 390, "height": 844})
            screenshot(page, "blind-network-phone")
            page.set_viewport_size({"width": 1280, "height": 900})
        button = page.get_by_role("button", name=re.compile(r"^Save and continue"))
        last = button.inner_text().endswith("to review")
        button.click()
        if last:
            break
        expect(page.get_by_role("heading", level=2).first).not_to_have_text(heading)

    export = page.request.get(f"/assessments/{assessment.pk}/export.json").json()
    rows = export["controls"]
    stored = {a.control.control_id: a for a in Answer.objects.filter(assessment=assessment).select_related("control")}
    asked = {row["id"] for row in rows}
    assert revealed == len(first) and asked <= set(first)
    assert "ENC-CMK-LIFE" in asked  # asked, once the key was said to be in place
    for row in rows:
        group = "customer" if row["owner"] in ("customer", "shared") else "provider"
        answer = stored[row["id"]]
        assert row["answer"] == answer.claim, row["id"]
        assert row["first_answer"] == first[row["id"]] == answer.first_answer, row["id"]
        assert row["outcome"] == OUTCOME[group][row["answer"]], row["id"]
        assert row["partner"] == ("provider" if row["owner"] == "shared" else None), row["id"]
    assert export["assessment"]["mode"] == "blind"
    assert export["score"]["overall"] == expected_score(rows)
    assert export["score"]["understanding"] == independent_understanding(export)
    page.goto(f"/assessments/{assessment.pk}/results/")
    expect(page.locator(".understanding-score")).to_have_text(f"{export['score']['understanding']}%")
    screenshot(page, "blind-results")
