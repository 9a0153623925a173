"""Evidence in export.json and the PDF's evidence index, and the audit package (issue 16, sections 1 and 2).

Tasks run immediately here (tests/conftest.py), except in the tests that say they use the real
database backend and its worker.
"""

import hashlib
import io
import json
import logging
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessment.models import Assessment, AuditPackage, Evidence
from assessment.reports import audit_package as builder
from assessment.reports import render
from assessment.reports.audit_package import safe_segment, unique_name
from assessment.services import audit_package as packages
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.evidence import evidence_add_files, evidence_add_link, evidence_remove
from tests.conftest import answer, answer_all, make_member
from tests.test_report_worker import DATABASE_TASKS, run_worker

PDF_BYTES = b"%PDF-1.4\n% a scanned firewall review\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + hashlib.sha256(b"screenshot").digest() * 500
PREPARING = (
    "Your audit package is being prepared: the report, the exports and every evidence file in one zip. "
    "This can take a minute."
)
RETRYING = (
    "The first attempt to prepare your audit package failed. "
    "It is being tried again automatically; this can take a few minutes."
)
FAILED = (
    "Your audit package could not be prepared. The problem has been logged for the team that runs this service. "
    "Try again; the report and the exports can also be downloaded one by one from the results page."
)
NOT_YET = "The audit package is available once the assessment has been submitted."
FIXED_ENTRIES = [
    "report.pdf",
    "assessment.json",
    "assessment.csv",
    "assessment.xlsx",
    "oscal/catalog.json",
    "oscal/profile.json",
    "oscal/provider-ssp.json",
    "oscal/ssp.json",
    "oscal/assessment-plan.json",
    "oscal/assessment-results.json",
    "oscal/poam.json",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence and packages go to a storage of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def small(user, cloud_model):
    """A nine-control assessment with one answer: quick to render."""
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Cloud DB"
    )
    answer(draft, user, "BACKUPS", "provider")
    return draft


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def upload(assessment, user, control_id, *files, description=""):
    return evidence_add_files(
        user, assessment.pk, control_id, [SimpleUploadedFile(name, data) for name, data in files], description
    )


def submitted(assessment, user):
    answer_all(assessment, user, "implemented")
    return workflow.assessment_submit(assessment=assessment, actor=user)


@pytest.fixture
def with_evidence(small, user):
    """Submitted, with a PDF and a PNG on DATA-ACCESS (the PDF twice under one name) and a link on BACKUPS."""
    upload(small, user, "DATA-ACCESS", ("firewall-review.pdf", PDF_BYTES), ("console.png", PNG_BYTES))
    upload(small, user, "DATA-ACCESS", ("Firewall-Review.pdf", PDF_BYTES[:-10] + b"\n%%EOF\n"))
    evidence_add_link(user, small.pk, "BACKUPS", "https://wiki.example.com/backups?run=42", "Restore drill log")
    return submitted(small, user)


def url(assessment, tail=""):
    return f"/assessments/{assessment.pk}/{tail}"


def package_url(assessment, tail=""):
    return url(assessment, "audit-package.zip" + tail)


def download(client, assessment) -> zipfile.ZipFile:
    response = client.get(package_url(assessment))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-corp-cloud-db-audit-package-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def fresh(assessment) -> Assessment:
    return Assessment.objects.select_related("organization").get(pk=assessment.pk)


# export.json


def test_export_lists_each_controls_files_and_links_in_a_fixed_shape(logged_in, small, user):
    (pdf,) = upload(small, user, "DATA-ACCESS", ("scan.pdf", PDF_BYTES), description="Quarterly access review")
    link = evidence_add_link(user, small.pk, "BACKUPS", "https://wiki.example.com/backups", "")
    controls = {c["id"]: c for c in logged_in.get(url(small, "export.json")).json()["controls"]}

    assert controls["DATA-ACCESS"]["evidence"] == [
        {
            "name": "scan.pdf",
            "size": len(PDF_BYTES),
            "sha256": hashlib.sha256(PDF_BYTES).hexdigest(),
            "content_type": "application/pdf",
            "description": "Quarterly access review",
            "added_by": "alice@acme.test",
            "added_at": pdf.added_at.isoformat(),
        }
    ]
    assert list(controls["DATA-ACCESS"]["evidence"][0]) == [
        "name", "size", "sha256", "content_type", "description", "added_by", "added_at"
    ]  # fmt: skip
    assert controls["BACKUPS"]["evidence"] == [
        {
            "name": "https://wiki.example.com/backups",
            "url": "https://wiki.example.com/backups",
            "description": "",
            "added_by": "alice@acme.test",
            "added_at": link.added_at.isoformat(),
        }
    ]
    assert controls["OS-APP"]["evidence"] == []


def test_evidence_costs_one_query_however_much_there_is(logged_in, small, user):
    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert logged_in.get(url(small, "export.json")).status_code == 200
        return [q["sql"] for q in captured]

    queries()  # the published model is memoized from now on
    before = len(queries())
    upload(small, user, "DATA-ACCESS", ("a.pdf", PDF_BYTES), ("b.png", PNG_BYTES))
    for n in range(4):
        evidence_add_link(user, small.pk, "BACKUPS", f"https://wiki.example.com/{n}")
    after = queries()
    assert len(after) == before
    assert len([sql for sql in after if '"assessment_evidence"' in sql.split("WHERE")[0]]) == 1


def test_adding_evidence_moves_the_revision_so_a_stored_pdf_is_not_served_again(logged_in, small, user):
    key = render.report_key(fresh(small))
    upload(small, user, "DATA-ACCESS", ("scan.pdf", PDF_BYTES))
    assert render.report_key(fresh(small)) != key
    key = render.report_key(fresh(small))
    link = evidence_add_link(user, small.pk, "BACKUPS", "https://wiki.example.com/backups")
    assert render.report_key(fresh(small)) != key
    key = render.report_key(fresh(small))
    evidence_remove(user, small.pk, link.pk)
    assert render.report_key(fresh(small)) != key


# The PDF's evidence index


def pdf_text(client, assessment) -> str:
    response = client.get(url(assessment, "report.pdf"))
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_report_indexes_every_file_with_its_hash_and_every_link(logged_in, small, user):
    upload(small, user, "DATA-ACCESS", ("firewall-review.pdf", PDF_BYTES), ("console.png", PNG_BYTES))
    evidence_add_link(user, small.pk, "BACKUPS", "https://wiki.example.com/backups?run=42", "Restore drill log")
    text = pdf_text(logged_in, small)
    index = text[text.index("Evidence index\nThe files and links") :]
    assert "firewall-review.pdf" in index and "console.png" in index
    flat = index.replace("\n", "")
    assert hashlib.sha256(PDF_BYTES).hexdigest() in flat
    assert hashlib.sha256(PNG_BYTES).hexdigest() in flat
    assert "https://wiki.example.com/backups?run=42" in flat
    assert "Restore drill log" in index
    assert "application/pdf" in index and "image/png" in index
    # The finding says there is evidence and where to find it.
    assert "Evidence: 2 files, in the evidence index" in text
    assert "Evidence: 1 link, in the evidence index" in text


def test_without_evidence_the_index_says_so(logged_in, small):
    assert "No files or links were attached to any control." in pdf_text(logged_in, small)


def test_evidence_text_is_escaped_in_the_report(logged_in, small, user):
    upload(small, user, "DATA-ACCESS", ("<b>bold</b>.pdf", PDF_BYTES), description="<script>alert(1)</script>")
    html = logged_in.get(url(small, "report/")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html


# The audit package


def test_the_package_holds_the_report_exports_oscal_and_evidence_with_a_true_manifest(logged_in, with_evidence):
    archive = download(logged_in, with_evidence)
    names = archive.namelist()
    assert names[: len(FIXED_ENTRIES)] == FIXED_ENTRIES
    assert names[len(FIXED_ENTRIES) :] == [
        "evidence/DATA-ACCESS/firewall-review.pdf",
        "evidence/DATA-ACCESS/console.png",
        "evidence/DATA-ACCESS/Firewall-Review (2).pdf",  # the same name but for case: kept apart
        "manifest.json",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assessment = fresh(with_evidence)
    assert manifest["assessment"] == str(assessment.pk)
    assert manifest["revision"] == assessment.revision
    assert abs(timezone.datetime.fromisoformat(manifest["generated_at"]) - timezone.now()) < timedelta(minutes=1)
    # Every other file, each with its true size and hash.
    assert [f["path"] for f in manifest["files"]] == names[:-1]
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert entry == {"path": entry["path"], "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    # The evidence is the uploaded bytes, byte for byte.
    assert archive.read("evidence/DATA-ACCESS/firewall-review.pdf") == PDF_BYTES
    assert archive.read("evidence/DATA-ACCESS/console.png") == PNG_BYTES
    recorded = {e.sha256 for e in Evidence.objects.filter(kind="file")}
    assert {f["sha256"] for f in manifest["files"] if f["path"].startswith("evidence/")} == recorded
    # The exports are those of the same revision; the PDF's index names the files.
    export = json.loads(archive.read("assessment.json"))
    assert export["assessment"]["id"] == str(assessment.pk)
    assert [e["name"] for e in next(c for c in export["controls"] if c["id"] == "BACKUPS")["evidence"]] == [
        "https://wiki.example.com/backups?run=42"
    ]
    assert archive.read("assessment.csv").decode().startswith("id,title,")
    assert archive.read("assessment.xlsx")[:2] == b"PK"
    assert "ssp.json" in archive.read("oscal/assessment-plan.json").decode()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("report.pdf"))).pages)
    assert "firewall-review.pdf" in text and "console.png" in text


def test_a_file_larger_than_a_chunk_is_copied_whole(logged_in, small, user):
    big = b"%PDF-1.4\n" + hashlib.sha256(b"big").digest() * (builder.CHUNK // 32 * 2 + 7)  # 2 chunks and a bit
    upload(small, user, "DATA-ACCESS", ("big.pdf", big))
    submitted(small, user)
    archive = download(logged_in, small)
    assert archive.read("evidence/DATA-ACCESS/big.pdf") == big
    assert archive.getinfo("evidence/DATA-ACCESS/big.pdf").compress_type == zipfile.ZIP_STORED  # PDFs are compressed


def test_the_package_uses_the_stored_pdf_when_there_is_one(logged_in, with_evidence):
    stored = logged_in.get(url(with_evidence, "report.pdf")).content  # rendered and stored (immediate tasks)
    archive = download(logged_in, with_evidence)
    assert archive.read("report.pdf") == stored


def test_it_is_built_again_only_when_the_revision_changes(
    logged_in, with_evidence, reviewer, media, django_capture_on_commit_callbacks
):
    download(logged_in, with_evidence)
    first = AuditPackage.objects.get()
    assert default_storage.exists(first.file.name)
    download(logged_in, with_evidence)
    assert list(AuditPackage.objects.values_list("pk", "file")) == [(first.pk, first.file.name)]  # not built again

    workflow.assessment_start_review(assessment=fresh(with_evidence), actor=reviewer)  # a status change: new revision
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes once the new row is committed
        archive = download(logged_in, with_evidence)
    second = AuditPackage.objects.get()
    assert second.pk != first.pk and second.revision == fresh(with_evidence).revision
    assert json.loads(archive.read("manifest.json"))["revision"] == second.revision
    assert not default_storage.exists(first.file.name)  # the old package's file is gone with its row
    assert default_storage.exists(second.file.name)
    assert second.file.name.startswith(f"audit-packages/{with_evidence.organization_id}/")


def test_a_draft_has_no_package(logged_in, small):
    response = logged_in.get(package_url(small))
    assert response.status_code == 302 and response["Location"] == url(small, "results/")
    assert NOT_YET in logged_in.get(response["Location"]).content.decode()
    assert logged_in.get(package_url(small, "/status")).json() == {"state": "unavailable", "message": NOT_YET}
    assert not AuditPackage.objects.exists()


def test_the_results_page_offers_it_once_submitted(logged_in, small, user):
    page = logged_in.get(url(small, "results/")).content.decode()
    assert "Download audit package" not in page
    submitted(small, user)
    page = logged_in.get(url(small, "results/")).content.decode()
    assert f'data-audit-package href="/assessments/{small.pk}/audit-package.zip">Download audit package</a>' in page
    assert "js/audit-package" in page


def test_statuses_after_submission_all_offer_it(logged_in, with_evidence, reviewer, user):
    in_review = workflow.assessment_start_review(assessment=fresh(with_evidence), actor=reviewer)
    download(logged_in, in_review)
    changes = workflow.assessment_request_changes(assessment=fresh(in_review), actor=reviewer, message="Add the logs")
    download(logged_in, changes)
    approved = workflow.assessment_approve(
        assessment=workflow.assessment_start_review(
            assessment=workflow.assessment_submit(assessment=fresh(changes), actor=user), actor=reviewer
        ),
        actor=reviewer,
        message="Fine",
    )
    archive = download(logged_in, approved)
    assert json.loads(archive.read("assessment.json"))["assessment"]["status"] == "approved"


def test_a_failed_build_says_so_with_503_and_try_again_builds_it(logged_in, with_evidence, monkeypatch, caplog):
    original = builder.assessment_workbook
    monkeypatch.setattr(builder, "assessment_workbook", lambda state: (_ for _ in ()).throw(MemoryError("xlsx")))
    response = logged_in.get(package_url(with_evidence))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert FAILED in page
    assert f'action="/assessments/{with_evidence.pk}/audit-package.zip/retry"' in page
    assert "Building the audit package of assessment" in caplog.text  # with its traceback, for the operators
    row = AuditPackage.objects.get()
    assert (row.status, row.attempts, row.error, row.file.name) == ("failed", 1, "MemoryError: xlsx", "")
    assert logged_in.get(package_url(with_evidence, "/status")).json() == {"state": "failed", "message": FAILED}
    assert list(default_storage.listdir("")[0]) == ["evidence"]  # nothing half-written was kept

    monkeypatch.setattr(builder, "assessment_workbook", original)
    response = logged_in.post(package_url(with_evidence, "/retry"))
    assert response.status_code == 302 and response["Location"] == package_url(with_evidence)
    assert download(logged_in, with_evidence).read("evidence/DATA-ACCESS/console.png") == PNG_BYTES


def test_evidence_that_no_longer_matches_its_hash_stops_the_package(logged_in, with_evidence, caplog):
    png = Evidence.objects.get(name="console.png")
    with default_storage.open(png.file.name, "wb") as handle:
        handle.write(PNG_BYTES[:-1] + b"X")  # one byte changed in storage
    with caplog.at_level(logging.ERROR):
        response = logged_in.get(package_url(with_evidence))
    assert response.status_code == 503
    assert (
        "The stored copy of “console.png” (DATA-ACCESS) is not the file that was uploaded, so the package was "
        "stopped rather than hand over the wrong file."
    ) in response.content.decode()
    assert f"evidence {png.pk} (DATA-ACCESS, 'console.png'): stored bytes" in caplog.text
    row = AuditPackage.objects.get()
    assert (row.status, row.attempts) == ("failed", 1)  # not retried: trying again cannot cure it
    assert not row.file


def test_a_missing_evidence_file_stops_it_too(logged_in, with_evidence):
    default_storage.delete(Evidence.objects.get(name="console.png").file.name)
    response = logged_in.get(package_url(with_evidence))
    assert response.status_code == 503
    assert "The stored copy of “console.png” (DATA-ACCESS)" in response.content.decode()


def test_a_lost_package_file_is_built_again(logged_in, with_evidence, caplog):
    download(logged_in, with_evidence)
    default_storage.delete(AuditPackage.objects.get().file.name)
    assert download(logged_in, with_evidence).read("evidence/DATA-ACCESS/console.png") == PNG_BYTES
    assert "is missing" in caplog.text


def test_another_organization_and_reviewers_get_404(client, other_user, reviewer, with_evidence):
    for outsider in (other_user, reviewer):  # members only, like export.json
        client.force_login(outsider)
        for response in (
            client.get(package_url(with_evidence)),
            client.get(package_url(with_evidence, "/status")),
            client.post(package_url(with_evidence, "/retry")),
        ):
            assert response.status_code == 404
    assert not AuditPackage.objects.exists()


def test_a_colleague_of_the_same_organization_downloads_it(client, with_evidence, org):
    client.force_login(make_member("bob@acme.test", org, role="member"))
    assert download(client, with_evidence).read("evidence/DATA-ACCESS/firewall-review.pdf") == PDF_BYTES


def test_a_ready_download_costs_two_queries_of_its_own(logged_in, with_evidence):
    download(logged_in, with_evidence)
    with CaptureQueriesContext(connection) as queries:
        response = logged_in.get(package_url(with_evidence))
    assert response.status_code == 200
    own = [
        q["sql"]
        for q in queries
        if "django_session" not in q["sql"] and '"assessment_user"' not in q["sql"].split("WHERE")[0]
    ]
    assert len(own) == 2, own  # the scoped assessment and the package row


# Names in the zip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("a\x00b\u202etxt.pdf", "a_b_txt.pdf"),
        ("CON.txt", "_CON.txt"),
        ("...", "file"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_safe_on_every_file_system(name, expected):
    assert safe_segment(name, "file") == expected


def test_equal_names_get_a_number():
    taken: set[str] = set()
    assert [unique_name(n, taken) for n in ("a.pdf", "A.PDF", "a.pdf", "notes")] == [
        "a.pdf",
        "A (2).PDF",
        "a (3).pdf",
        "notes",
    ]


# The real database backend and its worker


def test_with_the_worker_the_page_says_it_is_being_prepared_then_serves_it(settings, logged_in, with_evidence):
    settings.TASKS = DATABASE_TASKS
    response = logged_in.get(package_url(with_evidence))
    assert response.status_code == 202
    page = response.content.decode()
    assert PREPARING in page
    assert f'href="/assessments/{with_evidence.pk}/audit-package.zip">Check again and download</a>' in page
    assert f'data-package-wait="/assessments/{with_evidence.pk}/audit-package.zip"' in page
    assert logged_in.get(package_url(with_evidence, "/status")).json() == {"state": "pending", "message": PREPARING}
    assert logged_in.get(package_url(with_evidence)).status_code == 202
    assert DBTaskResult.objects.filter(task_path__endswith="build_audit_package").count() == 1  # asked once

    run_worker()
    assert logged_in.get(package_url(with_evidence, "/status")).json() == {"state": "ready"}
    assert download(logged_in, with_evidence).read("evidence/DATA-ACCESS/console.png") == PNG_BYTES


def test_with_the_worker_a_failure_is_retried_later(settings, logged_in, with_evidence, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    original = builder.assessment_workbook
    left = {"n": 1}

    def flaky(state):
        if left["n"]:
            left["n"] -= 1
            raise OSError("disk full")
        return original(state)

    monkeypatch.setattr(builder, "assessment_workbook", flaky)
    logged_in.get(package_url(with_evidence))
    run_worker()
    row = AuditPackage.objects.get()
    assert (row.status, row.attempts, row.error) == ("pending", 1, "OSError: disk full")
    response = logged_in.get(package_url(with_evidence))
    assert response.status_code == 202 and RETRYING in response.content.decode()
    waiting = DBTaskResult.objects.get(status="READY", task_path__endswith="build_audit_package")
    assert timedelta(seconds=10) < waiting.run_after - timezone.now() <= timedelta(seconds=15)
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    run_worker()
    assert download(logged_in, with_evidence).read("evidence/DATA-ACCESS/firewall-review.pdf") == PDF_BYTES


def test_a_pending_package_whose_worker_vanished_is_queued_again(settings, logged_in, with_evidence):
    settings.TASKS = DATABASE_TASKS
    logged_in.get(package_url(with_evidence))
    DBTaskResult.objects.all().delete()  # the worker died with the task, say
    assert logged_in.get(package_url(with_evidence)).status_code == 202
    assert not DBTaskResult.objects.exists()  # not yet: it may still be building
    AuditPackage.objects.update(updated_at=timezone.now() - packages.STALE_AFTER - timedelta(seconds=1))
    assert logged_in.get(package_url(with_evidence)).status_code == 202
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert download(logged_in, with_evidence).namelist()[-1] == "manifest.json"


def test_a_task_for_a_deleted_or_draft_assessment_does_nothing(small):
    assert packages.package_build(str(small.pk)) == "not submitted"
    pk = str(small.pk)
    small.delete()
    assert packages.package_build(pk) == "assessment deleted"


def test_files_go_with_their_rows_when_the_assessment_is_deleted(
    logged_in, with_evidence, user, django_capture_on_commit_callbacks
):
    from assessment.models import Evidence
    from assessment.services.assessments import assessment_delete
    from assessment.services.rounds import start_next_round

    download(logged_in, with_evidence)
    package = AuditPackage.objects.get().file.name
    files = set(Evidence.objects.filter(assessment=with_evidence).exclude(file="").values_list("file", flat=True))
    next_round = start_next_round(assessment=with_evidence, actor=user)  # shares the files
    with django_capture_on_commit_callbacks(execute=True):
        assessment_delete(assessment=next_round, user=user)
    assert all(default_storage.exists(name) for name in files)  # round 1 still refers to them
    with django_capture_on_commit_callbacks(execute=True):
        with_evidence.delete()  # as when its organization is deleted
    assert not any(default_storage.exists(name) for name in [*files, package])


def test_a_rename_drops_the_packages_that_show_the_old_name(logged_in, with_evidence, user):
    download(logged_in, with_evidence)
    assert AuditPackage.objects.count() == 1
    user.name = "Renamed Person"
    user.save()
    assert AuditPackage.objects.count() == 0
