"""The Content-Security-Policy in Chromium: the pages customers and reviewers use break none of it.

Chromium reports every blocked script, style or image twice: a console error ("... violates the
following Content Security Policy directive ...") and a `securitypolicyviolation` event. Both are
collected while a customer and a reviewer click through their pages; there must be none.
"""

import re

import pytest
from playwright.sync_api import expect

from assessment.models import Organization
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.browser.conftest import login
from tests.conftest import PASSWORD, answer_all, load_fixture, make_member, make_reviewer

pytestmark = pytest.mark.browser

CUSTOMER = "casey@northwind.test"
REVIEWER = "riley@provider.test"

# Playwright injects this before the page's own scripts, outside the page's CSP.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Violations:
    """CSP violations seen on one page, from the console and from the DOM event, with where they happened."""

    def __init__(self, page):
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.seen.append(f"console on {self.page.url}: {message.text}")

    def collect(self) -> list[str]:
        """Everything so far, including the events of the current document."""
        events = self.page.evaluate("window.__cspViolations || []")
        return self.seen + [f"event on {self.page.url}: {event}" for event in events]

    def visit(self, path: str) -> None:
        """Go to `path`, keeping the events of the document being left."""
        self.seen += [f"event on {self.page.url}: {e}" for e in self.page.evaluate("window.__cspViolations || []")]
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def customer_world(transactional_db):
    """A customer with a draft (editable area page) and a submitted assessment (results), and a reviewer."""
    model = load_fixture("yugabytedb-managed")
    make_reviewer(REVIEWER)
    customer = make_member(CUSTOMER, Organization.objects.create(name="Northwind"))
    managed = model.deployments.get(key="managed")
    draft = assessment_start(user=customer, model=model, deployment=managed, title="Staging DB")
    submitted = assessment_start(user=customer, model=model, deployment=managed, title="Orders DB")
    answer_all(submitted, customer)
    return draft, workflow.assessment_submit(assessment=submitted, actor=customer)


def test_customer_pages_have_no_csp_violations(page, customer_world):
    draft, submitted = customer_world
    violations = Violations(page)

    violations.visit("/")
    violations.visit("/accounts/login/")
    login(page, CUSTOMER, PASSWORD)  # a form post and a redirect: form-action
    expect(page).to_have_url("/assessments/")

    # The area page runs autosave (script, fetch to this origin) and toggles fields.
    violations.visit(f"/assessments/{draft.pk}/areas/encryption/")
    card = page.get_by_role("region", name=re.compile(r"^ENC-CMK "))
    card.get_by_text("Does not apply to us", exact=True).click()
    expect(card.get_by_role("status")).to_contain_text("Say why it does not apply")
    card.get_by_label("Why is it not applicable?").fill("No regulated data here")
    expect(card.get_by_role("status")).to_have_text("Saved")
    page.get_by_role("button", name=CUSTOMER).click()  # Bootstrap's dropdown positions itself with inline styles
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    violations.visit(f"/assessments/{submitted.pk}/results/")
    expect(page.get_by_role("link", name="HTML report")).to_be_visible()
    violations.visit(f"/assessments/{submitted.pk}/report/")
    expect(page.locator("h1")).to_have_text("Orders DB")
    # The report's own stylesheet applied (it lays the preview bar out as a flex row).
    assert page.locator(".preview-bar nav").evaluate("e => getComputedStyle(e).display") == "flex"

    assert violations.collect() == []


def test_reviewer_pages_have_no_csp_violations(page, customer_world):
    _draft, submitted = customer_world
    violations = Violations(page)

    violations.visit("/admin/login/")
    page.get_by_label("Email address").fill(REVIEWER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Review submissions")).to_be_visible()

    violations.visit("/admin/assessment/assessment/")
    expect(page.get_by_role("link", name="Orders DB")).to_be_visible()
    page.get_by_role("link", name="Orders DB").click()
    expect(page).to_have_url(f"/admin/assessment/assessment/{submitted.pk}/change/")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Submission")).to_be_visible()
    # The review page's stylesheet applied: control ids are set in the admin's monospace font.
    assert "mono" in page.locator(".control-id").first.evaluate("e => getComputedStyle(e).fontFamily")
    page.keyboard.press("j")  # the review page's script runs
    page.keyboard.press("a")
    page.get_by_role("button", name="Save verdicts").click()  # a form post: form-action
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messagelist")).to_have_text("Saved 1 control review.")

    assert violations.collect() == []


def test_a_violation_would_be_caught(page, customer_world):
    # The collector itself: inline style added to a page is blocked and reported.
    violations = Violations(page)
    violations.visit("/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)  # the event is dispatched asynchronously
    found = violations.collect()
    assert any(line.startswith("console") and "style-src" in line for line in found), found
    assert any(line.startswith("event") and "style-src" in line for line in found), found
