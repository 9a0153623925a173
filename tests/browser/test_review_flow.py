"""The review round trip in Chromium: a reviewer in the admin and a customer in the app, side by side.

First pass from the queue in one page load after opening the submission: all accepted but two,
which need work; changes requested. The customer fixes one and resubmits; the reviewer sees exactly
that one as changed (old and new value), accepts, and approves. Page loads and clicks are counted.
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
LONG_NOTE = "see-the-runbook-" * 20  # 320 characters without a space: must wrap, not widen the page


@pytest.fixture
def submitted(transactional_db):
    """A submitted managed-service assessment with two gaps: NET-ALLOW misattributed, BCK-RPO unmet."""
    model = load_fixture("yugabytedb-managed")
    make_reviewer(REVIEWER)
    customer = make_member(CUSTOMER, Organization.objects.create(name="Northwind"))
    assessment = assessment_start(
        user=customer, model=model, deployment=model.deployments.get(key="managed"), title="Orders DB", scope="prod"
    )
    answer_all(assessment, customer)
    answer(assessment, customer, "NET-ALLOW", "provider", notes=LONG_NOTE)
    answer(assessment, customer, "BCK-RPO", "not_implemented")
    return workflow.assessment_submit(assessment=assessment, actor=customer)


@pytest.fixture
def customer_page(browser, live_server):
    """A second browser, so reviewer and customer stay logged in at the same time."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


class Counter:
    """Page loads and clicks of one person, as they happen."""

    def __init__(self, page):
        self.page, self.loads, self.clicks = page, 0, 0
        page.on("load", lambda _page: self.count_load())

    def count_load(self) -> None:
        self.loads += 1

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()

    def reset(self) -> None:
        self.loads = self.clicks = 0


def admin_login(page, email: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review submissions")).to_be_visible()


def check(page, name: str) -> None:
    screenshot(page, f"review-{name}")
    assert serious_violations(page) == [], name


def control(page, control_id: str):
    return page.get_by_role("article", name=re.compile(rf"^{control_id} "))


def test_first_pass_and_resubmission_each_in_two_page_loads(page, customer_page, submitted):
    reviewer, customer = page, customer_page
    admin_login(reviewer, REVIEWER)
    reviewer.goto("/admin/assessment/assessment/")
    row = reviewer.get_by_role("row", name=re.compile("Orders DB"))
    expect(row).to_contain_text("Northwind")
    check(reviewer, "admin-queue")  # the queue, with its search and filters

    # 1. First pass: open from the queue, judge everything, request changes.
    counter = Counter(reviewer)
    counter.click(row.get_by_role("link", name="Orders DB"))
    expect(reviewer.get_by_role("heading", name="Review “Orders DB”")).to_be_visible()
    width = reviewer.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    expect(reviewer.get_by_role("heading", name="Gaps (2)")).to_be_visible()
    expect(reviewer.get_by_role("region", name="Decision")).to_be_in_viewport()  # stays on screen
    check(reviewer, "admin-assessment")
    for control_id, comment in [
        ("NET-ALLOW", "The allow list is yours to restrict under the managed service."),
        ("BCK-RPO", "Schedule backups with a retention you chose."),
    ]:
        card = control(reviewer, control_id)
        counter.click(card.get_by_label("Needs work"))
        card.get_by_label(re.compile("^Comment")).fill(comment)
    counter.click(reviewer.get_by_label("Accept every control I have not given a verdict"))
    reviewer.get_by_label("Message to the customer").fill("Two controls need work, then resubmit.")
    counter.click(reviewer.get_by_role("button", name="Request changes"))
    expect(reviewer.locator(".messagelist")).to_have_text(
        "Requested changes on “Orders DB”. The organization's members have been emailed."
    )
    reviewer.wait_for_load_state("load")
    assert (counter.loads, counter.clicks) == (2, 5)
    verdicts = dict(ControlReview.objects.values_list("control__control_id", "verdict"))
    assert {cid for cid, v in verdicts.items() if v == "needs_work"} == {"NET-ALLOW", "BCK-RPO"}
    assert set(verdicts.values()) == {"accepted", "needs_work"}

    # 2. The customer fixes NET-ALLOW (autosave) and resubmits.
    login(customer, CUSTOMER, PASSWORD)
    customer.goto(f"/assessments/{submitted.pk}/areas/network/")
    card = customer.get_by_role("region", name=re.compile(r"^NET-ALLOW "))
    expect(card.locator(".review-comment")).to_contain_text("The allow list is yours to restrict")
    card.get_by_label("We do, fully").check()
    expect(card.get_by_role("status")).to_contain_text("Saved")
    customer.goto(f"/assessments/{submitted.pk}/review/")
    customer.get_by_label("The answers are accurate to the best of our knowledge.").check()
    customer.get_by_role("button", name="Resubmit").click()
    customer.get_by_role("button", name="Yes, resubmit and lock the answers").click()
    expect(customer.get_by_role("alert").first).to_contain_text("Submitted for review.")

    # 3. The reviewer sees exactly what changed, accepts it (by keyboard), accepts the other, approves.
    reviewer.goto("/admin/assessment/assessment/")
    counter.reset()
    counter.click(reviewer.get_by_role("row", name=re.compile("Orders DB")).get_by_role("link", name="Orders DB"))
    changed = reviewer.get_by_role("region", name=re.compile("^Changed since your last review"))
    expect(changed.get_by_role("heading", level=2)).to_have_text("Changed since your last review (1)")
    expect(changed.get_by_role("article")).to_have_count(1)
    expect(control(reviewer, "NET-ALLOW").locator(".change")).to_contain_text(
        "Someone else does (provider or cloud) → We do, fully"
    )
    check(reviewer, "admin-resubmission")
    reviewer.keyboard.press("j")
    reviewer.keyboard.press("a")
    expect(control(reviewer, "NET-ALLOW").get_by_label("Accept")).to_be_checked()
    counter.click(control(reviewer, "BCK-RPO").get_by_label("Accept"))
    counter.click(reviewer.get_by_role("button", name="Approve"))
    expect(reviewer.locator(".messagelist")).to_have_text(
        "Approved “Orders DB”. The organization's members have been emailed."
    )
    reviewer.wait_for_load_state("load")
    assert (counter.loads, counter.clicks) == (2, 3)
    assert Assessment.objects.get(pk=submitted.pk).status == Assessment.Status.APPROVED
    assert set(ControlReview.objects.values_list("verdict", flat=True)) == {"accepted"}

    # 4. The customer sees the approval; the history has the whole round trip.
    customer.goto(f"/assessments/{submitted.pk}/")
    expect(customer.locator(".status-badge").first).to_have_text("Approved")
    reviewer.goto(f"/admin/assessment/assessment/{submitted.pk}/history/")
    history = reviewer.locator("#change-history")
    expect(history).to_contain_text("Status changed: Submitted → In review")
    expect(history).to_contain_text("Answer changed NET-ALLOW: Someone else does (provider or cloud) → We do, fully")
    screenshot(reviewer, "review-admin-history")


def test_a_refused_pass_lists_every_problem_with_links(page, submitted):
    admin_login(page, REVIEWER)
    page.goto(f"/admin/assessment/assessment/{submitted.pk}/change/")
    control(page, "NET-ALLOW").get_by_label("Needs work").click()
    page.get_by_role("button", name="Request changes").click()
    summary = page.locator("#problems")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    summary.get_by_role("link", name=re.compile("^Say what needs to change: a decision")).click()
    expect(page.get_by_label("Message to the customer")).to_be_visible()
    check(page, "admin-refused")
