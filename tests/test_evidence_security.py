"""Evidence against bad input and the wrong people (issue 16, section 3): limits enforced while the
upload streams, markup refused, names cleaned, concurrent uploads and the quota, who may download."""

import io
import os
import threading

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from assessment.filetypes import ACCEPTED
from assessment.models import Evidence, Organization, User
from assessment.services import evidence as service
from assessment.services.assessments import assessment_start
from assessment.services.workflow import assessment_submit
from assessment.uploads import EvidenceUploadHandler
from tests.conftest import PASSWORD, answer_all, load_fixture, make_member, make_reviewer
from tests.evidence_files import CONTROL, HTML, PDF, SVG, stored_files, upload

JSON = {"Accept": "application/json"}
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def add_url(assessment):
    return reverse("evidence_add", args=[assessment.pk, CONTROL])


def nothing_stored(media):
    return not Evidence.objects.exists() and stored_files(media) == []


# Size, while it streams


def test_a_real_file_of_25_mb_and_one_byte_is_refused_and_not_stored(logged_in, assessment, media):
    data = PDF + b"\0" * (25 * MB + 1 - len(PDF))
    response = logged_in.post(add_url(assessment), {"files": [upload("huge.pdf", data)]}, headers=JSON)
    assert response.status_code == 413
    assert response.json()["message"] == "“huge.pdf” is larger than 25 MB; files can be at most 25 MB each."
    assert nothing_stored(media)


def test_at_the_limit_is_accepted_one_byte_more_is_not(logged_in, assessment, media, settings):
    settings.EVIDENCE_MAX_FILE_SIZE = 2000
    exact = PDF + b"\0" * (2000 - len(PDF))
    assert logged_in.post(add_url(assessment), {"files": [upload("exact.pdf", exact)]}, headers=JSON).json()["ok"]
    response = logged_in.post(add_url(assessment), {"files": [upload("over.pdf", exact + b"\0")]}, headers=JSON)
    assert response.status_code == 413
    assert response.json()["message"] == "“over.pdf” is larger than 2 KB; files can be at most 2 KB each."
    assert Evidence.objects.get().name == "exact.pdf"
    assert len(stored_files(media)) == 1


def test_the_handler_stops_reading_into_the_file_at_the_limit(settings, rf):
    """The parser gives the handler chunks as they arrive; past the limit it stops, and the partial
    temporary file is closed and gone, not read to the end of the upload."""
    settings.EVIDENCE_MAX_FILE_SIZE = 100 * 1024
    body = encode_multipart(BOUNDARY, {"files": upload("big.pdf", PDF + b"x" * (2 * MB))})
    request = rf.generic("POST", "/", data=body, content_type=MULTIPART_CONTENT)
    handler = EvidenceUploadHandler(request)
    parser = MultiPartParser(request.META, io.BytesIO(body), [handler])
    _, files = parser.parse()
    assert not files
    assert handler.refusal == "“big.pdf” is larger than 100 KB; files can be at most 100 KB each."
    assert handler.received <= 100 * 1024 + 64 * 1024  # at most one chunk past the limit
    assert handler.file.closed and not os.path.exists(handler.file.temporary_file_path())


def test_more_files_than_a_control_holds_stop_the_upload(logged_in, assessment, media, settings):
    settings.EVIDENCE_MAX_FILES_PER_CONTROL = 2
    response = logged_in.post(add_url(assessment), {"files": [upload(f"{i}.pdf") for i in range(3)]}, headers=JSON)
    assert (response.status_code, response.json()["message"]) == (413, "Add at most 2 files at a time.")
    assert nothing_stored(media)


def test_a_body_larger_than_any_upload_can_be_is_refused_before_parsing(logged_in, assessment, media, settings):
    settings.EVIDENCE_MAX_FILE_SIZE = 1000
    settings.EVIDENCE_MAX_FILES_PER_CONTROL = 1
    EvidenceUploadHandler.FIELDS_ALLOWANCE, saved = 500, EvidenceUploadHandler.FIELDS_ALLOWANCE
    try:
        response = logged_in.post(add_url(assessment), {"files": [upload("a.pdf", PDF * 40)]}, headers=JSON)
    finally:
        EvidenceUploadHandler.FIELDS_ALLOWANCE = saved
    assert response.status_code == 413
    assert response.json()["message"] == "This upload is too large: add at most 1 files of up to 1000 bytes each."
    assert nothing_stored(media)


def test_fields_over_djangos_memory_limit_are_a_clear_400_not_a_500(logged_in, assessment, media, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = logged_in.post(
        add_url(assessment), {"files": [upload("a.pdf")], "description": "x" * 5000}, headers=JSON
    )
    assert response.status_code == 400
    assert response.json()["message"] == "This upload could not be read. Reload the page and try again."
    assert nothing_stored(media)


# Type from the content


@pytest.mark.parametrize(("data", "name"), [(HTML, "report.pdf"), (SVG, "diagram.pdf"), (SVG, "diagram.png")])
def test_html_or_svg_named_as_a_document_is_refused(logged_in, assessment, media, data, name):
    response = logged_in.post(add_url(assessment), {"files": [upload(name, data)]}, headers=JSON)
    assert response.status_code == 415
    assert response.json()["message"] == (
        f"“{name}” can't be added: it looks like a web page or other markup (HTML, SVG or XML). Accepted: {ACCEPTED}."
    )
    assert nothing_stored(media)


def test_one_bad_file_refuses_the_whole_upload(logged_in, assessment, media):
    response = logged_in.post(add_url(assessment), {"files": [upload("good.pdf"), upload("bad.exe", b"MZ\x90")]})
    assert response.status_code == 302
    page = logged_in.get(response.url).content.decode()
    assert f"“bad.exe” can&#x27;t be added: it is a program. Accepted: {ACCEPTED}." in page
    assert nothing_stored(media)


# Names


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        ("report\x00.pdf", "report .pdf"),
        ("invoice\u202etxt.pdf", "invoicetxt.pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_cleaned_before_they_are_kept(assessment, user, given, stored):
    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload(given)])
    assert evidence.name == stored
    assert ".." not in evidence.file.name and evidence.file.name.count("/") == 2


def test_names_sent_over_http_are_cleaned_too(logged_in, assessment):
    for name in ("../../../etc/passwd.pdf", "a\u202egpj.pdf", "y" * 300 + ".pdf"):
        logged_in.post(add_url(assessment), {"files": [upload(name)]})
    assert sorted(Evidence.objects.values_list("name", flat=True)) == sorted(
        ["passwd.pdf", "agpj.pdf", "y" * 146 + ".pdf"]
    )


# Concurrency and the quota


def run_together(*calls):
    """Run each call in its own thread and database connection, started at the same moment."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # the outcome is asserted
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def northwind(transactional_db):
    model = load_fixture("yugabytedb-managed")
    org = Organization.objects.create(name="Northwind")
    alice, bob = make_member("alice@northwind.test", org), make_member("bob@northwind.test", org, role="member")
    managed = model.deployments.get(key="managed")
    first = assessment_start(user=alice, model=model, deployment=managed, title="Orders")
    second = assessment_start(user=bob, model=model, deployment=managed, title="Billing")
    return alice, bob, first, second


def test_two_uploads_at_once_to_a_control_with_room_for_one(northwind, settings, media):
    alice, bob, assessment, _ = northwind
    settings.EVIDENCE_MAX_FILES_PER_CONTROL = 3
    service.evidence_add_files(alice, assessment.pk, CONTROL, [upload("1.pdf"), upload("2.pdf")])
    results = run_together(
        lambda: service.evidence_add_files(alice, assessment.pk, CONTROL, [upload("alice.pdf")]),
        lambda: service.evidence_add_files(bob, assessment.pk, CONTROL, [upload("bob.pdf")]),
    )
    added = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, service.EvidenceRefused)]
    assert len(added) == 1 and len(refused) == 1, results
    assert (
        refused[0].message == "This control has 3 files already, and at most 3 are allowed: remove one to add another."
    )
    assert Evidence.objects.filter(assessment=assessment).count() == 3
    assert len(stored_files(media)) == 3  # the refused upload's file was deleted again


def test_the_quota_is_reached_by_two_uploads_at_once_to_two_assessments(northwind, settings, media):
    alice, bob, first, second = northwind
    settings.EVIDENCE_ORGANIZATION_QUOTA = 3 * len(PDF)
    service.evidence_add_files(alice, first.pk, CONTROL, [upload("old.pdf")])
    results = run_together(
        lambda: service.evidence_add_files(alice, first.pk, CONTROL, [upload("a.pdf")]),
        lambda: service.evidence_add_files(bob, second.pk, CONTROL, [upload("b.pdf"), upload("c.pdf")]),
    )
    refused = [r for r in results if isinstance(r, service.EvidenceRefused)]
    assert len(refused) == 1, results
    assert refused[0].status == 413
    assert refused[0].message.startswith("Your organization's evidence storage is full: ")
    assert refused[0].message.endswith("Remove evidence you no longer need, then try again.")
    total = sum(Evidence.objects.values_list("size", flat=True))
    assert total <= 3 * len(PDF)
    assert len(stored_files(media)) == Evidence.objects.count()


def test_the_quota_message_says_what_is_used(logged_in, assessment, user, settings, media):
    settings.EVIDENCE_ORGANIZATION_QUOTA = 3000
    service.evidence_add_files(user, assessment.pk, CONTROL, [upload("a.pdf", PDF + b"\0" * (2000 - len(PDF)))])
    response = logged_in.post(
        add_url(assessment), {"files": [upload("b.pdf", PDF + b"\0" * (1500 - len(PDF)))]}, headers=JSON
    )
    assert response.status_code == 413
    assert response.json()["message"] == (
        "Your organization's evidence storage is full: 2 KB of 2.9 KB is used, and this file needs 1.5 KB. "
        "Remove evidence you no longer need, then try again."
    )
    assert Evidence.objects.count() == 1 and len(stored_files(media)) == 1


def test_a_file_shared_by_two_rounds_counts_once_against_the_quota(assessment, user):
    from assessment.selectors.evidence import organization_usage

    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("a.pdf")])
    Evidence.objects.create(
        assessment=assessment,
        control=evidence.control,
        kind="file",
        name="a.pdf",
        file=evidence.file.name,
        size=evidence.size,
        sha256=evidence.sha256,
        carried_from_round=1,
    )
    assert organization_usage(assessment.organization_id) == len(PDF)


# Who may read


@pytest.fixture
def stored(assessment, user):
    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("secret.pdf")])
    return evidence


def download_url(evidence):
    return reverse("evidence_download", args=[evidence.assessment_id, evidence.pk])


def test_another_organizations_evidence_is_404_everywhere(client, other_user, stored, media):
    client.force_login(other_user)
    assert client.get(download_url(stored)).status_code == 404
    for name in ("evidence_remove", "evidence_confirm"):
        assert client.post(reverse(name, args=[stored.assessment_id, stored.pk])).status_code == 404
    assert client.post(add_url(stored.assessment), {"files": [upload("x.pdf")]}).status_code == 404
    # Even with the evidence id under the outsider's own assessment.
    model = stored.assessment.model
    own = assessment_start(user=other_user, model=model, deployment=stored.assessment.deployment, title="Mine")
    assert client.get(reverse("evidence_download", args=[own.pk, stored.pk])).status_code == 404
    assert Evidence.objects.count() == 1 and len(stored_files(media)) == 1


def test_a_removed_file_is_404(logged_in, stored, user):
    service.evidence_remove(user, stored.assessment_id, stored.pk)
    assert logged_in.get(download_url(stored)).status_code == 404


def test_staff_who_are_not_reviewers_get_404_reviewers_read_once_submitted(client, stored, user, assessment):
    staff = User.objects.create_user("staff@provider.test", PASSWORD, name="Sam", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    reviewer = make_reviewer()
    client.force_login(reviewer)
    assert client.get(download_url(stored)).status_code == 404  # a draft is the customer's own
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    assert client.get(download_url(stored)).status_code == 200
    client.force_login(staff)
    assert client.get(download_url(stored)).status_code == 404
    client.logout()
    assert client.get(download_url(stored)).status_code == 302  # to the login page


def test_reviewers_cannot_add_or_remove(client, stored, user, assessment):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    client.force_login(make_reviewer())
    assert client.post(reverse("evidence_remove", args=[assessment.pk, stored.pk])).status_code == 404
    assert client.post(add_url(assessment), {"files": [upload("x.pdf")]}).status_code == 404
    assert Evidence.objects.count() == 1


# Rate limit


def test_uploads_are_rate_limited_per_user(logged_in, client, assessment, user, settings, media):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "evidence_upload": {"limit": 3, "window": 3600}}
    assert logged_in.post(add_url(assessment), {"files": [upload("1.pdf"), upload("2.pdf")]}, headers=JSON).json()["ok"]
    response = logged_in.post(add_url(assessment), {"files": [upload("3.pdf"), upload("4.pdf")]}, headers=JSON)
    assert response.status_code == 429
    assert (
        response.json()["message"] == "You have added a lot of evidence in the last hour. Wait a while, then try again."
    )
    assert Evidence.objects.count() == 2 and len(stored_files(media)) == 2
    # Another member of the organization has a count of their own.
    bob = make_member("bob@acme.test", user.membership.organization, role="member")
    client.force_login(bob)
    assert client.post(add_url(assessment), {"files": [upload("5.pdf")]}, headers=JSON).json()["ok"]
