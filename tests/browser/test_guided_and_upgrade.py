"""Guided mode in Chromium (warnings on answers that contradict the model, provider controls folded into
one acknowledgement) and moving a draft from model version 1.0 to 1.1."""

import pytest
from playwright.sync_api import expect

from assessment.models import Answer, Organization
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, answer, load_fixture, make_member


@pytest.fixture
def member(transactional_db):
    return make_member("gale@harbor.test", Organization.objects.create(name="Harbor"))


def start(user, model, mode):
    return assessment_start(
        user=user, model=model, deployment=model.deployments.get(key="managed"), title="Ledger", mode=mode
    )


def test_guided_mode_warns_and_folds_provider_controls(page, member):
    guided = start(member, load_fixture("yugabytedb-managed-1.1"), "guided")
    login(page, member.email, PASSWORD)
    page.goto(f"/assessments/{guided.pk}/areas/network/")
    allow = page.locator("section[data-control='NET-ALLOW']")
    expect(allow).to_contain_text("Under YugabyteDB Managed, this is yours.")  # shown before answering
    allow.get_by_text("Someone else does (provider or cloud)", exact=True).click()
    expect(allow.get_by_role("alert")).to_have_text("Check this answer: it names another owner than the model does.")
    allow.get_by_text("We do, fully", exact=True).click()
    expect(allow.get_by_role("alert")).to_have_count(0)
    expect(allow.get_by_role("status")).to_have_text("Saved")

    page.goto(f"/assessments/{guided.pk}/areas/operations/")
    group = page.get_by_role("region", name="Yugabyte handles these 3 under YugabyteDB Managed")
    expect(group).to_be_visible()
    screenshot(page, "guided-operations")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "guided-operations-phone")
    group.get_by_role("button", name="Acknowledge all 3").click()
    expect(page.get_by_text("Acknowledged 3 controls Yugabyte handles.")).to_be_visible()
    claims = set(Answer.objects.filter(assessment=guided).values_list("control__control_id", "claim"))
    assert claims == {
        ("NET-ALLOW", "implemented"),
        ("OPS-OSPATCH", "provider"),
        ("OPS-DBPATCH", "provider"),
        ("OPS-HARDEN", "provider"),
    }


def test_a_draft_moves_to_the_new_version_and_keeps_its_answers(page, member):
    old = start(member, load_fixture("yugabytedb-managed"), "blind")
    load_fixture("yugabytedb-managed-1.1")
    answer(old, member, "NET-ALLOW", "implemented", notes="app subnets only")
    login(page, member.email, PASSWORD)
    page.goto(f"/assessments/{old.pk}/")
    page.get_by_role("link", name="See what changes").click()
    expect(page.get_by_role("heading", name="Move to version 1.1")).to_be_visible()
    screenshot(page, "upgrade-preview")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Move to version 1.1").click()
    expect(page.get_by_role("alert")).to_contain_text("1.1")
    moved = Answer.objects.get(assessment=old, control__control_id="NET-ALLOW")
    assert (moved.control.model.version, moved.notes) == ("1.1", "app subnets only")
