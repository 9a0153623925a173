"""The reviewer opens a customer's evidence from the review page, and marks a control "evidence missing"."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from assessment.demo import pdf, png
from assessment.models import ControlReview, Organization
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.evidence import evidence_add_files, evidence_add_link
from tests.browser.conftest import overflow, screenshot, serious_violations
from tests.browser.test_review_flow import REVIEWER, admin_login, control
from tests.conftest import answer, answer_all, load_fixture, make_member, make_reviewer

RULES = pdf(["Firewall rules", "203.0.113.0/24 office"])
CONSOLE = png()


@pytest.fixture
def submitted(transactional_db, settings, tmp_path):
    """A submission with a PDF and a PNG on NET-ALLOW and a link on BCK-RPO, added as the customer adds them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    model = load_fixture("yugabytedb-managed")
    make_reviewer(REVIEWER)
    customer = make_member("casey@northwind.test", Organization.objects.create(name="Northwind"))
    assessment = assessment_start(
        user=customer, model=model, deployment=model.deployments.get(key="managed"), title="Orders DB"
    )
    answer_all(assessment, customer)
    answer(assessment, customer, "NET-ALLOW", "provider")
    answer(assessment, customer, "BCK-RPO", "not_implemented")
    files = [SimpleUploadedFile("firewall-rules.pdf", RULES), SimpleUploadedFile("console.png", CONSOLE)]
    evidence_add_files(customer, assessment.pk, "NET-ALLOW", files, "Rules as exported")
    evidence_add_link(customer, assessment.pk, "BCK-RPO", "https://wiki.example.com/backups", "Backup runbook")
    return workflow.assessment_submit(assessment=assessment, actor=customer)


def test_the_reviewer_opens_the_evidence_and_asks_for_what_is_missing(page, submitted):
    admin_login(page, REVIEWER)
    page.goto(f"/admin/assessment/assessment/{submitted.pk}/change/")
    net = control(page, "NET-ALLOW")
    expect(net.locator(".evidence")).to_contain_text("Evidence (2)")
    expect(net.locator(".evidence")).to_contain_text("Added by Casey")
    link = control(page, "BCK-RPO").get_by_role("link", name="https://wiki.example.com/backups")
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
    expect(page.locator("#c-AUTHN-SSO")).to_contain_text("No evidence attached.")  # folded in its area
    # The full SHA-256 is a click away.
    net.locator(".evidence-hash summary").first.click()
    expect(net.locator(".evidence-hash code.wrap").first).to_have_text(hashlib.sha256(RULES).hexdigest())
    screenshot(page, "review-evidence-desktop")
    assert serious_violations(page) == []

    for name, data in (("firewall-rules.pdf", RULES), ("console.png", CONSOLE)):
        with page.expect_download() as info:
            net.get_by_role("link", name=name).click()
        download = info.value
        assert download.suggested_filename == name
        assert download.path().read_bytes() == data

    # "Evidence missing" is offered once "needs work" is chosen, and stored with it.
    missing = net.get_by_label("Evidence missing")
    expect(missing).to_be_hidden()
    net.get_by_label("Needs work").check()
    expect(missing).to_be_visible()
    missing.check()
    net.get_by_label(re.compile("^Comment")).fill("Attach the allow list export, not only the rules.")
    page.get_by_role("button", name="Save verdicts").click()
    expect(page.locator(".messagelist")).to_have_text("Saved 1 control review.")
    review = ControlReview.objects.get(control__control_id="NET-ALLOW")
    assert (review.verdict, review.evidence_missing) == ("needs_work", True)
    screenshot(page, "review-evidence-missing")
    # Accepting unticks it again.
    net = control(page, "NET-ALLOW")
    expect(net.get_by_label("Evidence missing")).to_be_checked()
    net.get_by_label("Accept").check()
    expect(net.get_by_label("Evidence missing")).to_be_hidden()
    expect(net.get_by_label("Evidence missing")).not_to_be_checked()


def test_the_review_page_with_evidence_fits_a_phone(page, submitted):
    page.set_viewport_size({"width": 390, "height": 844})
    admin_login(page, REVIEWER)
    page.goto(f"/admin/assessment/assessment/{submitted.pk}/change/")
    expect(control(page, "NET-ALLOW").locator(".evidence")).to_contain_text("firewall-rules.pdf")
    control(page, "NET-ALLOW").scroll_into_view_if_needed()
    screenshot(page, "review-evidence-phone")
    report = overflow(page)
    assert report["document"] <= report["window"], report
