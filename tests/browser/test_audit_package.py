"""The audit package in Chromium (issue 16): evidence in, one zip out.

The acceptance test: a customer attaches a PDF and a PNG to one control and a link to another, and
submits; the reviewer opens the evidence from the review page; the customer downloads the audit
package; every evidence file's SHA-256 in the manifest is that of the uploaded bytes, and the PDF's
evidence index names them. Tasks run immediately there; the waiting test uses the real database
queue and plays the worker with `db_worker --batch` while the page waits.
"""

import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from assessment.models import Assessment, Organization
from assessment.reports.sample import sample_assessment
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.evidence import evidence_add_files
from tests.browser.conftest import login, overflow, screenshot, serious_violations
from tests.conftest import PASSWORD, answer_all, load_fixture, make_member, make_reviewer

PDF_BYTES = b"%PDF-1.4\n% firewall rule review, 2026 Q3\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"console screenshot").digest() * 800
CUSTOMER = "casey@northwind.test"
REVIEWER = "riley@provider.test"
LINK = "https://wiki.northwind.test/network/private-endpoints"
PREPARING = (
    "Your audit package is being prepared: the report, the exports and every evidence file in one zip. "
    "This can take a minute."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def member_of(sample: Assessment):
    member = sample.organization.memberships.get().user
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    return member


@pytest.fixture
def queued_submission(transactional_db, settings):
    """A submitted sample with a file on NET-ALLOW; tasks go to the database queue (nothing runs them yet)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.DRAFT)
    member = member_of(sample)
    evidence_add_files(member, sample.pk, "NET-ALLOW", [SimpleUploadedFile("allow-list.pdf", PDF_BYTES)])
    return workflow.assessment_submit(assessment=sample, actor=member), member.email


def run_worker():
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def fits(page) -> None:
    layout = overflow(page)
    assert layout["document"] <= layout["window"], layout


def test_the_button_and_the_preparing_page_wait_for_the_worker(page, queued_submission):
    assessment, email = queued_submission
    login(page, email, PASSWORD)
    page.goto(f"/assessments/{assessment.pk}/results/")
    link = page.get_by_role("link", name="Download audit package")
    expect(link).to_be_visible()
    screenshot(page, "audit-package-results")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    fits(page)
    screenshot(page, "audit-package-results-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # With JavaScript the button polls the status and says so; the zip is not built yet.
    link.click()
    status = page.locator(".report-download-status[data-for-package]")
    expect(status).to_have_text("Preparing your audit package… this can take a minute")
    expect(link).to_have_attribute("aria-disabled", "true")
    screenshot(page, "audit-package-button-preparing")

    # The link's own page (what a click without JavaScript opens): 202, and it checks by itself.
    page.goto(f"/assessments/{assessment.pk}/audit-package.zip")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Audit package: {assessment.title}")
    expect(page.get_by_role("status")).to_have_text(PREPARING)
    expect(page.get_by_role("link", name="Check again and download")).to_be_visible()
    screenshot(page, "audit-package-preparing")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    fits(page)
    screenshot(page, "audit-package-preparing-phone")

    with page.expect_download(timeout=60_000) as download_info:
        run_worker()  # builds the PDF and the package; the page's next check starts the download
    download = download_info.value
    assert re.fullmatch(
        r"sample-customer-ltd-production-clusters-audit-package-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename
    )
    with zipfile.ZipFile(download.path()) as archive:
        assert archive.read("evidence/NET-ALLOW/allow-list.pdf") == PDF_BYTES
    expect(page.get_by_role("status")).to_have_text("Your audit package is ready: the download has started.")


def test_without_javascript_the_page_offers_check_again(browser, live_server, queued_submission):
    assessment, email = queued_submission
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, email, PASSWORD)
        page.goto(f"/assessments/{assessment.pk}/results/")
        page.get_by_role("link", name="Download audit package").click()
        expect(page.get_by_role("status")).to_have_text(PREPARING)
        run_worker()
        with page.expect_download(timeout=30_000) as download_info:
            page.get_by_role("link", name="Check again and download").click()
        assert download_info.value.suggested_filename.endswith(".zip")
    finally:
        context.close()


def test_a_package_that_cannot_be_made_says_why_and_offers_try_again(page, transactional_db):
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=Assessment.Status.DRAFT)
    member = member_of(sample)
    [evidence] = evidence_add_files(member, sample.pk, "NET-ALLOW", [SimpleUploadedFile("allow-list.pdf", PDF_BYTES)])
    workflow.assessment_submit(assessment=sample, actor=member)
    with evidence.file.storage.open(evidence.file.name, "wb") as handle:
        handle.write(b"%PDF-1.4 not the uploaded bytes")
    login(page, member.email, PASSWORD)
    response = page.goto(f"/assessments/{sample.pk}/audit-package.zip")
    assert response.status == 503
    expect(page.get_by_role("status")).to_contain_text(
        "The stored copy of “allow-list.pdf” (NET-ALLOW) is not the file that was uploaded"
    )
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    screenshot(page, "audit-package-failed")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    fits(page)
    screenshot(page, "audit-package-failed-phone")


def read_zip(path) -> zipfile.ZipFile:
    with open(path, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def manifest_hashes(archive: zipfile.ZipFile) -> dict[str, str]:
    manifest = json.loads(archive.read("manifest.json"))
    return {f["path"]: f["sha256"] for f in manifest["files"]}


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def draft(transactional_db):
    """A managed-service draft with every control answered, its member and a reviewer."""
    model = load_fixture("yugabytedb-managed")
    make_reviewer(REVIEWER)
    customer = make_member(CUSTOMER, Organization.objects.create(name="Northwind"))
    assessment = assessment_start(
        user=customer, model=model, deployment=model.deployments.get(key="managed"), title="Orders DB", scope="prod"
    )
    answer_all(assessment, customer)
    return assessment


def card(page, control_id: str):
    return page.locator(f"#ev-{control_id}")


def test_evidence_goes_in_on_the_area_page_and_comes_out_in_the_audit_package(page, new_page, draft):
    customer = page
    login(customer, CUSTOMER, PASSWORD)
    customer.goto(f"/assessments/{draft.pk}/areas/network/")

    # A PDF and a PNG on NET-ALLOW, through the file input (the script uploads them one by one).
    files = card(customer, "NET-ALLOW")
    files.get_by_text("Add evidence").click()
    files.get_by_label("Description of the files").fill("Allow list review, signed off")
    files.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "firewall-review.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
            {"name": "console.png", "mimeType": "image/png", "buffer": PNG_BYTES},
        ]
    )
    files.get_by_role("button", name="Upload").click()
    listed = files.locator("[data-evidence-list]")
    expect(listed).to_contain_text("firewall-review.pdf", timeout=20_000)
    expect(listed).to_contain_text("console.png", timeout=20_000)

    # A link on NET-PRIVATE.
    links = card(customer, "NET-PRIVATE")
    links.get_by_text("Add evidence").click()
    links.get_by_label("Or a link").fill(LINK)
    links.get_by_role("button", name="Add link").click()
    expect(links.locator("[data-evidence-list]")).to_contain_text(LINK)

    # Submit, as a customer does: check the answers, tick the declaration, confirm.
    customer.goto(f"/assessments/{draft.pk}/review/")
    customer.get_by_label("The answers are accurate to the best of our knowledge.").check()
    customer.get_by_role("button", name="Submit assessment").click()
    customer.get_by_role("button", name="Yes, submit and lock the answers").click()
    expect(customer.get_by_role("alert").first).to_contain_text("Submitted for review.")

    # The reviewer opens the evidence from the review page.
    reviewer = new_page()
    reviewer.goto("/admin/login/")
    reviewer.get_by_label("Email address").fill(REVIEWER)
    reviewer.get_by_label("Password").fill(PASSWORD)
    reviewer.get_by_role("button", name="Log in").click()
    reviewer.goto(f"/admin/assessment/assessment/{draft.pk}/change/")
    reviewer.locator("#area-network > summary").click()  # controls without a gap are folded by area
    evidence = reviewer.get_by_label("Evidence for NET-ALLOW")
    with reviewer.expect_download() as download_info:
        evidence.get_by_role("link", name="firewall-review.pdf").click()
    with open(download_info.value.path(), "rb") as handle:
        assert handle.read() == PDF_BYTES
    expect(reviewer.get_by_label("Evidence for NET-PRIVATE").get_by_role("link", name=LINK)).to_be_visible()

    # The customer downloads the audit package from the results page.
    customer.goto(f"/assessments/{draft.pk}/results/")
    with customer.expect_download(timeout=90_000) as download_info:
        customer.get_by_role("link", name="Download audit package").click()
    archive = read_zip(download_info.value.path())
    hashes = manifest_hashes(archive)
    assert hashes["evidence/NET-ALLOW/firewall-review.pdf"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert hashes["evidence/NET-ALLOW/console.png"] == hashlib.sha256(PNG_BYTES).hexdigest()
    assert [path for path in hashes if path.startswith("evidence/")] == [
        "evidence/NET-ALLOW/firewall-review.pdf",
        "evidence/NET-ALLOW/console.png",
    ]
    for path, sha256 in hashes.items():  # the manifest tells the truth about every other file
        assert hashlib.sha256(archive.read(path)).hexdigest() == sha256, path
    text = pdf_text(archive.read("report.pdf"))
    index = text[text.index("Evidence index") :]
    assert "firewall-review.pdf" in index and "console.png" in index
    assert hashlib.sha256(PNG_BYTES).hexdigest() in index.replace("\n", "")
    assert LINK in index.replace("\n", "")
