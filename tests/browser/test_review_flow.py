"""The review round trip in Chromium: a reviewer in the admin and a customer in the app, side by side.

Reviewer starts the review, asks for changes on one control; the customer sees the request on that
control, fixes it and resubmits; the reviewer accepts the control and approves; the customer sees it.
"""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Assessment, ControlReview, Organization
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login, screenshot, serious_violations
from tests.conftest import PASSWORD, answer, answer_all, load_fixture, make_member, make_reviewer

CUSTOMER = "casey@northwind.test"
REVIEWER = "riley@provider.test"


@pytest.fixture
def submitted(transactional_db):
    """A customer's submitted managed-service assessment, with NET-ALLOW misattributed to the provider."""
    model = load_fixture("yugabytedb-managed")
    make_reviewer(REVIEWER)
    customer = make_member(CUSTOMER, Organization.objects.create(name="Northwind"))
    assessment = assessment_start(
        user=customer, model=model, deployment=model.deployments.get(key="managed"), title="Orders DB", scope="prod"
    )
    answer_all(assessment, customer)
    answer(assessment, customer, "NET-ALLOW", "provider")
    return workflow.assessment_submit(assessment=assessment, actor=customer)


@pytest.fixture
def customer_page(browser, live_server):
    """A second browser, so reviewer and customer stay logged in at the same time."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def admin_login(page, email: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review submissions")).to_be_visible()


def check(page, name: str) -> None:
    screenshot(page, f"review-{name}")
    assert serious_violations(page) == [], name


def test_request_changes_fix_resubmit_approve(page, customer_page, submitted):
    reviewer, customer = page, customer_page
    detail = f"/assessments/{submitted.pk}/"

    # 1. The reviewer finds the submission in the admin and starts the review.
    admin_login(reviewer, REVIEWER)
    reviewer.get_by_role("link", name="Assessments").first.click()
    row = reviewer.get_by_role("row", name=re.compile("Orders DB"))
    expect(row).to_contain_text("Northwind")
    expect(row).to_contain_text("Submitted")
    expect(row.locator(".field-critical_gaps")).to_have_text("1")
    screenshot(reviewer, "review-admin-changelist")
    row.get_by_role("link", name="Orders DB").click()
    expect(reviewer.get_by_role("heading", name="Review “Orders DB”")).to_be_visible()
    reviewer.get_by_role("button", name="Start review").click()
    expect(reviewer.locator(".messagelist")).to_have_text(
        "Review started: give the controls a verdict, then approve or request changes."
    )

    # 2. Needs work on NET-ALLOW, with a comment, and a decision message: request changes.
    reviewer.get_by_label("Verdict on NET-ALLOW").select_option(label="Needs work")
    reviewer.get_by_label("Comment on NET-ALLOW").fill("The allow list is yours to restrict under the managed service.")
    reviewer.get_by_label("Decision message to the customer").fill("Please restrict network access, then resubmit.")
    screenshot(reviewer, "review-admin-assessment")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.locator(".messagelist")).to_have_text(
        "Requested changes on “Orders DB”. The organization's members have been emailed."
    )
    expect(reviewer.locator("tr#c-NET-ALLOW")).to_have_class(re.compile("needs-work"))

    # 3. The customer sees the decision and the flagged control first.
    login(customer, CUSTOMER, PASSWORD)
    customer.goto(detail)
    expect(customer.locator(".decision-message")).to_have_text("Please restrict network access, then resubmit.")
    flagged = customer.get_by_role("heading", name="Reviewer asked for changes on").locator("..")
    expect(flagged.get_by_role("listitem")).to_have_text(re.compile(r"^NET-ALLOW "))
    check(customer, "customer-changes-requested")

    flagged.get_by_role("link", name=re.compile("^NET-ALLOW")).click()
    card = customer.get_by_role("region", name=re.compile(r"^NET-ALLOW "))
    expect(card).to_have_class(re.compile("needs-work"))
    expect(card.locator(".review-comment")).to_contain_text(
        "The allow list is yours to restrict under the managed service."
    )
    assert customer.locator(".control-card").first.get_attribute("id") == "c-NET-ALLOW"  # flagged first
    check(customer, "customer-area")

    # 4. The customer fixes the answer (autosave) and resubmits.
    card.get_by_label("We do — fully in place").check()
    expect(card.get_by_role("status")).to_contain_text("Saved")
    customer.goto(f"/assessments/{submitted.pk}/review/")
    check(customer, "customer-resubmit")
    customer.get_by_role("button", name="Submit assessment").click()
    expect(customer.get_by_role("alert").first).to_contain_text("Submitted for review.")
    assert Assessment.objects.get(pk=submitted.pk).status == Assessment.Status.SUBMITTED

    # 5. The reviewer starts the review again, accepts the control and approves.
    reviewer.reload()
    reviewer.get_by_role("button", name="Start review").click()
    expect(reviewer.get_by_label("Verdict on NET-ALLOW")).to_have_value("needs_work")
    reviewer.get_by_label("Verdict on NET-ALLOW").select_option(label="Accepted")
    reviewer.get_by_label("Comment on NET-ALLOW").fill("Restricted now, thanks.")
    reviewer.get_by_label("Decision message to the customer").fill("Approved.")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator(".messagelist")).to_have_text(
        "Approved “Orders DB”. The organization's members have been emailed."
    )
    screenshot(reviewer, "review-admin-approved")
    assert ControlReview.objects.get(control__control_id="NET-ALLOW").verdict == "accepted"

    # 6. The customer sees the approval.
    customer.goto(detail)
    expect(customer.locator(".status-badge").first).to_have_text("Approved")
    expect(customer.get_by_role("note").filter(has_text="Reviewer's decision: approved.")).to_be_visible()
    expect(customer.get_by_role("heading", name="Reviewer asked for changes on")).to_have_count(0)
    check(customer, "customer-approved")

    # 7. The reviewer's history has the whole round trip.
    reviewer.get_by_role("link", name="History").first.click()
    history = reviewer.locator("#change-history")
    expect(history).to_contain_text("Status changed: In review → Approved “Approved.”")
    expect(history).to_contain_text(
        "Answer changed NET-ALLOW: We rely on the provider or cloud → We do — fully in place"
    )
    screenshot(reviewer, "review-admin-history")
