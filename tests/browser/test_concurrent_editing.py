"""Two teammates on the same area page: different controls both stick; a stale change is refused, not lost."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Answer, Organization
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD, load_fixture, make_member


@pytest.fixture
def shared_draft(transactional_db):
    model = load_fixture("yugabytedb-managed")
    org = Organization.objects.create(name="Northwind")
    alice = make_member("alice@northwind.test", org)
    make_member("bob@northwind.test", org, role="member")
    return assessment_start(user=alice, model=model, deployment=model.deployments.get(key="managed"), title="Orders")


def open_area(new_page, email: str, assessment):
    page = new_page()
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/areas/network/")
    return page


def card(page, control_id: str):
    return page.get_by_role("region", name=re.compile(rf"^{control_id} "))


def test_teammates_editing_the_same_area(new_page, shared_draft):
    alice = open_area(new_page, "alice@northwind.test", shared_draft)
    bob = open_area(new_page, "bob@northwind.test", shared_draft)

    # Different controls: both answers are kept.
    card(alice, "NET-ALLOW").get_by_label("We do, fully").check()
    expect(card(alice, "NET-ALLOW").get_by_role("status")).to_have_text("Saved")
    card(bob, "NET-PRIVATE").get_by_label("We do, partly").check()
    expect(card(bob, "NET-PRIVATE").get_by_role("status")).to_have_text("Saved")
    assert dict(Answer.objects.values_list("control__control_id", "claim")) == {
        "NET-ALLOW": "implemented",
        "NET-PRIVATE": "partial",
    }

    # Bob's page still shows NET-ALLOW unanswered; his change to it is refused with Alice's value shown.
    card(bob, "NET-ALLOW").get_by_label("Nobody does yet").check()
    bob_status = card(bob, "NET-ALLOW").get_by_role("status")
    expect(bob_status).to_contain_text("Not saved — Alice changed this answer while you were editing.")
    expect(bob_status).to_contain_text("Current answer: “We do, fully”")
    screenshot(bob, "concurrent-conflict")
    assert Answer.objects.get(control__control_id="NET-ALLOW").claim == "implemented"

    # Having seen it, Bob retries on purpose and his answer is saved.
    card(bob, "NET-ALLOW").get_by_role("button", name="Retry").click()
    expect(bob_status).to_have_text("Saved")
    assert Answer.objects.get(control__control_id="NET-ALLOW").claim == "not_implemented"
