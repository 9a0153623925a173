"""Acceptance for remediation and rounds, in Chromium: a customer assigns two gaps, marks one done,
starts the next round, sees that control flagged for confirmation, confirms it, submits, and the
results show one gap closed and a trend chart with two points."""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Assessment, AuditEvent, Organization, RemediationItem
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, answer, answer_all, load_fixture, make_member

EMAIL = "kim@tern.test"


@pytest.fixture
def submitted(transactional_db):
    model = load_fixture("yugabytedb-managed")  # the only version: the next round stays on it
    org = Organization.objects.create(name="Tern Logistics")
    user = make_member(EMAIL, org)
    make_member("ola@tern.test", org, role="member")
    assessment = assessment_start(
        user=user, model=model, deployment=model.deployments.get(key="managed"), title="Freight DB", scope="prod"
    )
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "not_implemented", notes="allow list still open")
    answer(assessment, user, "BCK-TEST", "partial")
    return workflow.assessment_submit(assessment=assessment, actor=user)


def edit(page, control_id, **fields):
    item = page.locator(f"#r-{control_id}")
    item.get_by_text("Change this item").click()
    if "owner" in fields:
        owner = item.get_by_label("Owner")
        value = owner.locator("option", has_text=fields["owner"]).get_attribute("value")
        owner.select_option(value)
    if "due" in fields:
        item.get_by_label("Due date").fill(fields["due"])
    item.get_by_label("Status").select_option(label=fields["status"])
    item.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator(f"#r-{control_id} .r-status")).to_contain_text(fields["status"])


def test_remediate_then_next_round_closes_the_gap_and_draws_the_trend(page, submitted):
    login(page, EMAIL, PASSWORD)
    page.goto(f"/assessments/{submitted.pk}/remediation/")
    edit(page, "NET-ALLOW", owner="ola@tern.test", due="2030-01-31", status="In progress")
    edit(page, "BCK-TEST", owner=EMAIL, due="2030-02-28", status="Done")
    items = {
        i.control.control_id: (i.owner.email, i.status)
        for i in RemediationItem.objects.select_related("owner", "control")
    }
    assert items == {"NET-ALLOW": ("ola@tern.test", "in_progress"), "BCK-TEST": (EMAIL, "done")}
    assert AuditEvent.objects.filter(assessment=submitted, kind=AuditEvent.Kind.REMEDIATION).count() == 2
    screenshot(page, "next-round-remediation")

    page.goto(f"/assessments/{submitted.pk}/results/")
    page.get_by_role("link", name="Start the next round").first.click()
    page.get_by_role("button", name=re.compile("round", re.I)).click()
    expect(page.get_by_role("heading", name="Freight DB", level=1)).to_be_visible()
    second = Assessment.objects.get(previous=submitted)
    assert second.round_number == 2 and second.status == Assessment.Status.DRAFT
    # The open item carried over; the done one did not, its control is flagged instead.
    assert list(RemediationItem.objects.filter(assessment=second).values_list("control__control_id", "status")) == [
        ("NET-ALLOW", "in_progress")
    ]

    page.goto(f"/assessments/{second.pk}/areas/backups/")
    card = page.get_by_role("region", name=re.compile(r"^BCK-TEST "))
    expect(card.locator(".remediated-note")).to_contain_text("Changed since last round")
    screenshot(page, "next-round-confirm-flag")
    card.get_by_text("We do, fully", exact=True).click()
    expect(card.get_by_role("status")).to_have_text("Saved")
    page.reload()
    expect(page.get_by_role("region", name=re.compile(r"^BCK-TEST ")).locator(".remediated-note")).to_have_count(0)

    page.goto(f"/assessments/{second.pk}/review/")
    page.get_by_label("The answers are accurate to the best of our knowledge.").check()
    page.get_by_role("button", name="Submit assessment").click()
    page.get_by_role("button", name="Yes, submit and lock the answers").click()
    expect(page).to_have_url(f"/assessments/{second.pk}/results/")

    since = page.locator(".since-previous")
    expect(since.get_by_role("heading", level=2)).to_contain_text("round 1")
    closed = since.locator(".since-closed")
    expect(closed.get_by_role("heading")).to_contain_text("Gaps closed 1")
    expect(closed.get_by_role("listitem")).to_have_count(1)
    expect(closed.get_by_role("listitem")).to_contain_text("BCK-TEST")
    expect(since.locator("circle.trend-point")).to_have_count(2)
    expect(since.locator(".trend-figures li")).to_have_count(2)
    export = page.request.get(f"/assessments/{second.pk}/export.json").json()
    assert export["round"] == {"number": 2, "previous": str(submitted.pk)}
    assert export["since_previous"]["closed"] == ["BCK-TEST"]
    assert [r["control"] for r in export["remediation"]] == ["NET-ALLOW"]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"next-round-results-{width}")
        fit = overflow(page)
        assert fit["document"] <= fit["window"], fit["culprits"]
        assert serious_violations(page) == []
