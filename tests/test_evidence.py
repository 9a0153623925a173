"""Evidence on a control, as the customer sees it: add files and links, see them listed, download,
remove and confirm; every change in the audit trail; the limits stated and kept."""

import re

import pytest
from django.urls import reverse

from assessment.filetypes import ACCEPTED
from assessment.models import Assessment, AuditEvent, Evidence
from assessment.services import evidence as service
from assessment.services.workflow import assessment_submit
from tests.conftest import answer_all
from tests.evidence_files import AREA, CONTROL, PDF, PNG, sha256, stored_files, upload

LIMITS = f"Up to 20 files of 25 MB each: {ACCEPTED}."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def add_url(assessment, control=CONTROL):
    return reverse("evidence_add", args=[assessment.pk, control])


def area_url(assessment):
    return reverse("assessment_area", args=[assessment.pk, AREA])


def evidence_block(html: str, cid: str = CONTROL) -> str:
    match = re.search(rf'<div class="evidence mt-3" id="ev-{cid}".*?</ul>', html, re.S)
    assert match, f"no evidence block for {cid}"
    return match.group(0)


def test_files_added_without_javascript_are_stored_hashed_and_listed(logged_in, assessment, user, media):
    revision = assessment.revision
    response = logged_in.post(
        add_url(assessment),
        {"files": [upload("Firewall policy.pdf", PDF), upload("rules.png", PNG)], "description": "Signed off in May"},
    )
    assert response.status_code == 302
    assert response.url == f"{area_url(assessment)}#ev-{CONTROL}"
    rows = list(Evidence.objects.filter(assessment=assessment).order_by("name"))
    assert [(e.name, e.kind, e.size, e.sha256, e.content_type, e.description) for e in rows] == [
        ("Firewall policy.pdf", "file", len(PDF), sha256(PDF), "application/pdf", "Signed off in May"),
        ("rules.png", "file", len(PNG), sha256(PNG), "image/png", "Signed off in May"),
    ]
    # Stored under random names in the organization's folder, never the name given.
    assert {p.read_bytes() for p in stored_files(media)} == {PDF, PNG}
    assert all(re.fullmatch(rf"evidence/{assessment.organization_id}/[0-9a-f]{{32}}", e.file.name) for e in rows)
    events = AuditEvent.objects.filter(assessment=assessment, kind=AuditEvent.Kind.EVIDENCE).order_by("id")
    assert [(e.control_id, e.message, e.actor) for e in events] == [
        (CONTROL, f"Added “Firewall policy.pdf” ({len(PDF)} bytes)", user),
        (CONTROL, f"Added “rules.png” ({len(PNG)} bytes)", user),
    ]
    assert Assessment.objects.get(pk=assessment.pk).revision == revision + 2

    page = logged_in.get(response.url).content.decode()
    assert "Added 2 files." in page
    block = evidence_block(page)
    download = reverse("evidence_download", args=[assessment.pk, rows[0].pk])
    assert f'<a class="evidence-name" href="{download}" download>Firewall policy.pdf</a>' in block
    assert "added by Alice" in block
    assert "Signed off in May" in block
    assert '>Remove<span class="visually-hidden"> “rules.png”</span></button>' in block


def test_the_card_states_the_limits_and_offers_both_forms_outside_the_page_form(logged_in, assessment):
    page = logged_in.get(area_url(assessment)).content.decode()
    assert LIMITS in page
    assert "No evidence yet." in evidence_block(page)
    # The upload and link forms come before the page's form; the card's inputs join them by id.
    action = add_url(assessment)
    forms_at = page.index(f'<form id="evf-{CONTROL}" method="post" action="{action}" enctype="multipart/form-data"')
    assert forms_at < page.index('<form method="post" id="area-form"')
    assert f'<form id="evk-{CONTROL}" method="post" action="{action}"' in page
    assert f'name="files" multiple form="evf-{CONTROL}"' in page
    assert f'name="url" maxlength="2000" form="evk-{CONTROL}"' in page
    assert page.count("<form") == page.count("</form>")
    assert "js/evidence" in page


def test_javascript_gets_json_with_the_list_rendered_again(logged_in, assessment):
    response = logged_in.post(
        add_url(assessment), {"files": [upload("scan.pdf")], "description": ""}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["message"] == "Added “scan.pdf”."
    assert ">scan.pdf</a>" in body["html"] and "Remove" in body["html"]


def test_a_link_is_listed_as_a_link_never_fetched(logged_in, assessment):
    response = logged_in.post(
        add_url(assessment), {"url": "https://wiki.example.com/firewall?x=1&y=2", "description": "Runbook"}
    )
    assert response.status_code == 302
    link = Evidence.objects.get(assessment=assessment)
    assert (link.kind, link.url, link.size, link.sha256, link.file.name) == (
        "link",
        "https://wiki.example.com/firewall?x=1&y=2",
        None,
        "",
        "",
    )
    block = evidence_block(logged_in.get(response.url).content.decode())
    assert (
        '<a class="evidence-name" href="https://wiki.example.com/firewall?x=1&amp;y=2" '
        'rel="noopener noreferrer nofollow" target="_blank">' in block
    )
    # A link has no download.
    assert logged_in.get(reverse("evidence_download", args=[assessment.pk, link.pk])).status_code == 404


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "Enter a full web address starting with https:// or http://."),
        ("ftp://files.example.com/x", "Enter a full web address starting with https:// or http://."),
        ("file:///etc/passwd", "Enter a full web address starting with https:// or http://."),
        ("   ", "Enter the address of the link, starting with https:// or http://."),
        ("https://example.com/" + "a" * 2000, "The link can be at most 2,000 characters (it has 2,020)."),
    ],
)
def test_only_http_and_https_links_are_accepted(logged_in, assessment, url, message):
    response = logged_in.post(add_url(assessment), {"url": url}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert not Evidence.objects.exists()


def test_removing_deletes_the_row_and_the_file_and_is_in_the_activity(
    logged_in, assessment, media, django_capture_on_commit_callbacks
):
    [evidence] = service.evidence_add_files(assessment.created_by, assessment.pk, CONTROL, [upload("old.pdf")])
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the removal is committed
        response = logged_in.post(reverse("evidence_remove", args=[assessment.pk, evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert "Removed “old.pdf”." in logged_in.get(response.url).content.decode()
    activity = logged_in.get(reverse("assessment_activity", args=[assessment.pk])).content.decode()
    assert "Removed “old.pdf”" in activity and "Added “old.pdf”" in activity
    assert "Evidence changed" in activity


def test_a_file_shared_with_another_round_stays_until_no_row_refers_to_it(
    assessment, user, media, django_capture_on_commit_callbacks
):
    [first] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("shared.pdf")])
    carried = Evidence.objects.create(
        assessment=assessment,
        control=first.control,
        kind="file",
        name=first.name,
        file=first.file.name,
        size=first.size,
        sha256=first.sha256,
        content_type=first.content_type,
        carried_from_round=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        service.evidence_remove(user, assessment.pk, first.pk)
    assert len(stored_files(media)) == 1  # the carried row still refers to it
    with django_capture_on_commit_callbacks(execute=True):
        service.evidence_remove(user, assessment.pk, carried.pk)
    assert stored_files(media) == []


def test_carried_evidence_asks_still_current_until_confirmed(logged_in, assessment, user):
    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("pentest.pdf")])
    Evidence.objects.filter(pk=evidence.pk).update(carried_from_round=2)
    block = evidence_block(logged_in.get(area_url(assessment)).content.decode())
    assert "From round 2 — still current?" in block
    assert ">Still current<span" in block
    response = logged_in.post(
        reverse("evidence_confirm", args=[assessment.pk, evidence.pk]), headers={"Accept": "application/json"}
    )
    assert response.json()["message"] == "Kept “pentest.pdf” as still current."
    assert "still current?" not in response.json()["html"]
    assert Evidence.objects.get(pk=evidence.pk).carried_from_round is None
    assert AuditEvent.objects.filter(kind="evidence", message="Confirmed “pentest.pdf” is still current").exists()


def test_once_submitted_evidence_is_read_only(logged_in, assessment, user):
    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("policy.pdf")])
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    response = logged_in.post(
        add_url(assessment), {"files": [upload("late.pdf")]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "This assessment is submitted; its evidence can't be changed now."
    response = logged_in.post(reverse("evidence_remove", args=[assessment.pk, evidence.pk]))
    assert response.status_code == 302
    assert Evidence.objects.count() == 1
    page = logged_in.get(area_url(assessment)).content.decode()
    assert "This assessment is submitted; its evidence can&#x27;t be changed now." in page
    block = evidence_block(page)
    assert ">policy.pdf</a>" in block and "Remove" not in block and "Add evidence" not in page
    assert logged_in.get(reverse("evidence_download", args=[assessment.pk, evidence.pk])).status_code == 200


def test_the_download_is_an_attachment_of_the_stored_type_in_a_sandbox(logged_in, assessment, user):
    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("Rapport d’audit «final».pdf")])
    response = logged_in.get(reverse("evidence_download", args=[assessment.pk, evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Rapport%20d%E2%80%99audit%20%C2%ABfinal%C2%BB.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy.split("; ") and "default-src 'none'" in policy
    assert response["Content-Length"] == str(len(PDF))


def test_twenty_files_per_control(logged_in, assessment, user, settings):
    settings.EVIDENCE_MAX_FILES_PER_CONTROL = 3
    service.evidence_add_files(user, assessment.pk, CONTROL, [upload("a.pdf"), upload("b.pdf")])
    response = logged_in.post(
        add_url(assessment), {"files": [upload("c.pdf"), upload("d.pdf")]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert (
        response.json()["message"] == "This control has 2 files already, and at most 3 are allowed: you can add 1 more."
    )
    assert Evidence.objects.count() == 2
    service.evidence_add_files(user, assessment.pk, CONTROL, [upload("c.pdf")])
    with pytest.raises(service.EvidenceRefused) as refused:
        service.evidence_add_files(user, assessment.pk, CONTROL, [upload("d.pdf")])
    assert refused.value.message == (
        "This control has 3 files already, and at most 3 are allowed: remove one to add another."
    )


def test_a_description_is_one_short_line(logged_in, assessment, user):
    [evidence] = service.evidence_add_files(user, assessment.pk, CONTROL, [upload("a.pdf")], "two\nlines\u202e")
    assert evidence.description == "two lines"
    response = logged_in.post(
        add_url(assessment),
        {"files": [upload("b.pdf")], "description": "x" * 301},
        headers={"Accept": "application/json"},
    )
    assert response.json()["message"] == "The description can be at most 300 characters (you have 301)."


def test_no_file_chosen(logged_in, assessment):
    response = logged_in.post(add_url(assessment), {"description": "forgot"}, headers={"Accept": "application/json"})
    assert (response.status_code, response.json()["message"]) == (400, "Choose one or more files to add.")


def test_a_control_the_assessment_does_not_ask_is_404(logged_in, assessment):
    assert logged_in.post(add_url(assessment, "NO-SUCH"), {"files": [upload("a.pdf")]}).status_code == 404
