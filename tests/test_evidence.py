"""Evidence on a control, as the customer sees it: add files and links, see them listed, download,
remove and confirm; every change in the audit trail; the limits stated and kept."""

import re

import pytest
from django.test import Client
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


def card_html(html: str, cid: str = CONTROL) -> str:
    match = re.search(rf'<section class="card control-card[^"]*" id="c-{cid}".*?</section>', html, re.S)
    assert match, f"no card for {cid}"
    return match.group(0)


def add_link(cid: str) -> str:
    return (
        f'<a class="btn btn-sm btn-outline-secondary evidence-add-link" href="?add={cid}#ev-{cid}" '
        "data-evidence-add>Add evidence</a>"
    )


def test_the_card_states_the_limits_and_links_to_the_panel_the_page_holds_once(logged_in, assessment):
    page = logged_in.get(area_url(assessment)).content.decode()
    assert LIMITS in page
    assert "No evidence yet." in evidence_block(page)
    cids = re.findall(r'<section class="card control-card[^"]*" id="c-([A-Z0-9-]+)"', page)
    assert len(cids) == 7
    # Every card links to its panel; no card carries the panel's inputs or forms.
    for cid in cids:
        assert add_link(cid) in card_html(page, cid)
    assert page.count("data-evidence-add>") == len(cids)
    assert '<form id="evf-' not in page and '<form id="evk-' not in page
    assert 'name="files"' not in page.split('<template id="evidence-add-template"')[0]
    # The panel once, in a template the script copies: the control id a placeholder, its address one reverse.
    assert page.count("<template") == 1
    [template] = re.findall(r'<template id="evidence-add-template".*?</template>', page, re.S)
    action = add_url(assessment, "__CID__")
    assert f'data-placeholder="__CID__" data-action="{action}">' in template
    assert 'id="evi-__CID__" name="files" multiple form="evf-__CID__" aria-describedby="evh-__CID__"' in template
    assert 'name="url" maxlength="2000" form="evk-__CID__"' in template
    # The remove / "Still current" form and the container the script puts forms in come before the page's form.
    assert page.index('<div id="evidence-forms"><form id="evidence-action" method="post" hidden>') < page.index(
        '<form method="post" id="area-form"'
    )
    assert page.count("<form") == page.count("</form>")
    assert "js/evidence" in page


def test_without_javascript_the_link_opens_that_one_panel_with_its_two_forms(logged_in, assessment):
    page = logged_in.get(f"{area_url(assessment)}?add={CONTROL}").content.decode()
    card = card_html(page)
    assert '<details class="evidence-add" open>' in card
    assert 'id="evd-NET-ALLOW" name="description" maxlength="300" form="evf-NET-ALLOW"' in card
    assert f'name="files" multiple form="evf-{CONTROL}" aria-describedby="evh-{CONTROL}"' in card
    assert f'<button type="submit" class="btn btn-sm btn-primary w-100" form="evf-{CONTROL}">Upload</button>' in card
    assert f'id="evu-{CONTROL}" name="url" maxlength="2000" form="evk-{CONTROL}"' in card
    assert f'id="evkd-{CONTROL}"' in card and f'form="evk-{CONTROL}">Add link</button>' in card
    assert "data-evidence-add>" not in card
    # That panel only: the other cards keep their link, and the page has its two forms and no others.
    assert page.count('<details class="evidence-add" open>') == 2  # the card's and the template's
    assert add_link("NET-PRIVATE") in card_html(page, "NET-PRIVATE")
    action = add_url(assessment)
    forms_at = page.index(f'<form id="evf-{CONTROL}" method="post" action="{action}" enctype="multipart/form-data"')
    assert forms_at < page.index('<form method="post" id="area-form"')
    assert f'<form id="evk-{CONTROL}" method="post" action="{action}" hidden>' in page
    assert page.count('<form id="evf-') == page.count('<form id="evk-') == 1
    assert page.count("<form") == page.count("</form>")


@pytest.mark.parametrize(
    "value",
    [
        "NO-SUCH",
        "net-allow",
        "__CID__",
        "",
        "A" * 5000,
        '"><script>alert(1)</script>',
        "NET-ALLOW ",
        "NET-ALLOW\u202e",
        "{cid}",
        "%00",
    ],
)
def test_an_add_naming_no_control_on_the_page_is_ignored(logged_in, assessment, value):
    response = logged_in.get(area_url(assessment), {"add": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form id="evf-' not in page and '<form id="evk-' not in page
    assert page.count('<details class="evidence-add" open>') == 1  # the template's only
    assert add_link(CONTROL) in card_html(page)
    assert "<script>alert" not in page


def test_a_submitted_assessment_has_neither_link_nor_panel(logged_in, assessment, user):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    response = logged_in.get(f"{area_url(assessment)}?add={CONTROL}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Add evidence" not in page and "data-evidence-add" not in page
    assert "<template" not in page and "evidence-forms" not in page and 'name="files"' not in page


def test_the_forms_of_the_open_panel_upload_without_javascript(assessment, user, media):
    client = Client(enforce_csrf_checks=True)  # the form's own token, as a browser without the script posts it
    client.force_login(user)
    page = client.get(f"{area_url(assessment)}?add={CONTROL}").content.decode()
    form = re.search(rf'<form id="evf-{CONTROL}" method="post" action="([^"]+)" .*?value="([^"]+)"></form>', page)
    action, token = form.groups()
    assert action == add_url(assessment)
    response = client.post(
        action, {"csrfmiddlewaretoken": token, "description": "Exported today", "files": [upload("rules.pdf")]}
    )
    assert response.status_code == 302
    assert response.url == f"{area_url(assessment)}#ev-{CONTROL}"  # the panel folds again: the message says it went in
    assert list(Evidence.objects.values_list("name", "description", "size")) == [
        ("rules.pdf", "Exported today", len(PDF))
    ]
    assert len(stored_files(media)) == 1
    page = client.get(response.url).content.decode()
    assert "Added “rules.pdf”." in page
    assert ">rules.pdf</a>" in evidence_block(page)
    assert add_link(CONTROL) in card_html(page)


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


def test_a_refused_upload_without_javascript_comes_back_with_its_panel_open(logged_in, assessment, user, settings):
    settings.EVIDENCE_MAX_FILES_PER_CONTROL = 1
    service.evidence_add_files(user, assessment.pk, CONTROL, [upload("a.pdf")])
    response = logged_in.post(add_url(assessment), {"files": [upload("b.pdf")], "description": "May"})
    assert response.status_code == 302
    assert response.url == f"{area_url(assessment)}?add={CONTROL}#ev-{CONTROL}"
    page = logged_in.get(response.url).content.decode()
    assert "at most 1 are allowed: remove one to add another." in page
    assert f'id="evi-{CONTROL}"' in page and f'<form id="evf-{CONTROL}"' in page  # try again from here
    assert Evidence.objects.count() == 1
