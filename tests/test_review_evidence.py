"""The reviewer's side of evidence: each control's evidence on the review page, and "evidence missing"."""

import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import AuditEvent, ControlReview, Evidence
from assessment.selectors.assessments import assessment_state
from assessment.services import workflow
from tests.conftest import answer, answer_all
from tests.test_evidence_rounds import add_file, add_link

PDF = b"%PDF-1.4 firewall rules"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def filled(assessment, user):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "provider")
    return assessment


@pytest.fixture
def submitted(filled, user):
    return workflow.assessment_submit(assessment=filled, actor=user)


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


def change_url(assessment) -> str:
    return f"/admin/assessment/assessment/{assessment.pk}/change/"


def row_html(page: str, control_id: str) -> str:
    """The control's article on the review page."""
    match = re.search(rf'<article class="control-row[^"]*" id="c-{control_id}".*?</article>', page, re.S)
    assert match, control_id
    return match.group(0)


def pass_data(assessment, **per_control) -> dict:
    """A "save verdicts" post: each control's stored verdict and comment, overridden by `per_control`."""
    data = {"decision": "save", "message": ""}
    for item in assessment_state(assessment).items:
        cid = item.control.control_id
        values = {
            "verdict": item.review.verdict if item.review else "",
            "comment": item.review.comment if item.review else "",
        }
        if item.review and item.review.evidence_missing:
            values["evidence_missing"] = "on"
        values |= per_control.get(cid.replace("-", "_"), {})
        data |= {f"{cid}-{name}": value for name, value in values.items() if value}
        data.setdefault(f"{cid}-comment", "")
    return data


# Evidence on the review page


def test_each_control_shows_its_evidence_or_says_there_is_none(filled, user, as_reviewer):
    pdf = add_file(filled, user, "NET-ALLOW", "allow-list.pdf", PDF)
    add_link(filled, user, "NET-ALLOW", "https://wiki.example.com/net?a=1&b=2")
    submitted = workflow.assessment_submit(assessment=filled, actor=user)

    page = as_reviewer.get(change_url(submitted)).content.decode()

    row = row_html(page, "NET-ALLOW")
    download = reverse("evidence_download", kwargs={"pk": submitted.pk, "evidence_id": pdf.pk})
    digest = hashlib.sha256(PDF).hexdigest()
    assert f'<a href="{download}" class="evidence-name">allow-list.pdf</a>' in row
    assert "23 bytes · application/pdf" in row
    assert f'<code title="{digest}">{digest[:12]}…</code>' in row  # the full hash in the title and the details
    assert f'<code class="wrap">{digest}</code>' in row
    assert f"Added by {user.name}, {pdf.added_at.astimezone().strftime('%Y-%m-%d')}" in row
    assert (
        '<a href="https://wiki.example.com/net?a=1&amp;b=2" class="evidence-name" target="_blank" '
        'rel="noopener noreferrer nofollow">https://wiki.example.com/net?a=1&amp;b=2</a>'
    ) in row
    assert "Evidence (2)" in row
    assert "No evidence attached." in row_html(page, "BCK-RPO")


def test_a_link_that_is_not_http_is_never_a_link(filled, user, as_reviewer):
    # Refused when added; a row that holds one anyway (an old import, a bug) must not become a script link.
    Evidence.objects.create(
        assessment=filled,
        control=filled.model.controls.get(control_id="BCK-RPO"),
        kind=Evidence.Kind.LINK,
        name="javascript:alert(1)",
        url="javascript:alert(1)",
        added_by=user,
    )
    submitted = workflow.assessment_submit(assessment=filled, actor=user)
    row = row_html(as_reviewer.get(change_url(submitted)).content.decode(), "BCK-RPO")
    assert 'href="javascript' not in row
    assert "link (not http or https: not opened)" in row


def test_carried_evidence_says_which_round_it_came_from(filled, user, as_reviewer):
    carried = add_file(filled, user, "NET-ALLOW", "old.pdf", PDF)
    carried.carried_from_round = 1
    carried.save()
    submitted = workflow.assessment_submit(assessment=filled, actor=user)
    row = row_html(as_reviewer.get(change_url(submitted)).content.decode(), "NET-ALLOW")
    assert "from round 1, not confirmed since" in row


def page_queries(client, assessment) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(change_url(assessment))
    assert response.status_code == 200
    return len(queries)


def test_the_review_page_reads_evidence_in_one_query_however_much_there_is(filled, user, as_reviewer):
    add_file(filled, user, "NET-ALLOW", "one.pdf", PDF)
    submitted = workflow.assessment_submit(assessment=filled, actor=user)
    page_queries(as_reviewer, submitted)  # warm caches (content types, session)
    one = page_queries(as_reviewer, submitted)
    for n, item in enumerate(assessment_state(submitted).items[:20]):
        add_file(submitted, user, item.control.control_id, f"f{n}.pdf", PDF + bytes([n]))
        add_link(submitted, user, item.control.control_id, f"https://example.com/{n}")
    assert page_queries(as_reviewer, submitted) == one


# "Evidence missing"


def test_needs_work_can_say_evidence_missing(submitted, as_reviewer):
    data = pass_data(
        submitted, NET_ALLOW={"verdict": "needs_work", "comment": "Attach the allow list.", "evidence_missing": "on"}
    )
    response = as_reviewer.post(change_url(submitted), data)
    assert response.status_code == 302
    review = ControlReview.objects.get(assessment=submitted, control__control_id="NET-ALLOW")
    assert (review.verdict, review.evidence_missing) == ("needs_work", True)
    event = submitted.events.get(kind=AuditEvent.Kind.EVIDENCE)
    assert (event.control_id, event.message, event.after) == (
        "NET-ALLOW",
        "Marked “evidence missing” on NET-ALLOW",
        {"evidence_missing": True},
    )
    row = row_html(as_reviewer.get(change_url(submitted)).content.decode(), "NET-ALLOW")
    assert re.search(r'<input type="checkbox" name="NET-ALLOW-evidence_missing"[^>]* checked', row)


def test_evidence_missing_without_needs_work_is_refused_and_nothing_is_saved(submitted, as_reviewer):
    data = pass_data(
        submitted,
        NET_ALLOW={"verdict": "accepted", "evidence_missing": "on"},
        BCK_RPO={"verdict": "needs_work", "comment": "A date, please."},
    )
    response = as_reviewer.post(change_url(submitted), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        "NET-ALLOW IP allow lists: “Evidence missing” goes with a “needs work” verdict: choose needs work, or untick it."
        in body
    )
    assert not ControlReview.objects.filter(assessment=submitted).exists()


def test_a_verdict_other_than_needs_work_clears_the_flag(submitted, as_reviewer):
    as_reviewer.post(
        change_url(submitted),
        pass_data(submitted, NET_ALLOW={"verdict": "needs_work", "comment": "Attach it.", "evidence_missing": "on"}),
    )
    # Accepting (the box left ticked would be refused; unticked by the page's script or by hand).
    data = pass_data(submitted, NET_ALLOW={"verdict": "accepted"})
    data.pop("NET-ALLOW-evidence_missing")
    assert as_reviewer.post(change_url(submitted), data).status_code == 302
    review = ControlReview.objects.get(assessment=submitted, control__control_id="NET-ALLOW")
    assert (review.verdict, review.evidence_missing) == ("accepted", False)
    assert list(
        submitted.events.filter(kind=AuditEvent.Kind.EVIDENCE).order_by("at", "id").values_list("message", flat=True)
    ) == [
        "Marked “evidence missing” on NET-ALLOW",
        "No longer marked “evidence missing” on NET-ALLOW",
    ]


def test_evidence_missing_is_one_entry_of_its_own_not_a_second_verdict(submitted, as_reviewer):
    as_reviewer.post(
        change_url(submitted), pass_data(submitted, NET_ALLOW={"verdict": "needs_work", "comment": "Attach it."})
    )
    as_reviewer.post(change_url(submitted), pass_data(submitted, NET_ALLOW={"evidence_missing": "on"}))
    reviews = submitted.events.filter(kind=AuditEvent.Kind.REVIEW, control_id="NET-ALLOW")
    assert reviews.count() == 1  # the review history keeps one verdict; the flag is an evidence event
    assert ControlReview.objects.get(assessment=submitted, control__control_id="NET-ALLOW").evidence_missing


def test_the_customer_sees_evidence_missing_with_the_comment(submitted, as_reviewer, reviewer, client, user):
    as_reviewer.post(
        change_url(submitted),
        pass_data(
            submitted,
            NET_ALLOW={"verdict": "needs_work", "comment": "Attach the allow list.", "evidence_missing": "on"},
        ),
    )
    workflow.assessment_request_changes(assessment=submitted, actor=reviewer, message="See NET-ALLOW.")
    client.force_login(user)
    results = client.get(f"/assessments/{submitted.pk}/results/").content.decode()
    assert re.search(
        r'<span class="badge text-bg-warning evidence-missing">Evidence missing</span> Attach the allow list\.', results
    )
    check = client.get(f"/assessments/{submitted.pk}/review/").content.decode()
    assert "Evidence missing</span>" in check and "Reviewer: Attach the allow list." in check
    overview = client.get(f"/assessments/{submitted.pk}/").content.decode()
    assert 'IP allow lists</a> <span class="badge text-bg-warning evidence-missing">Evidence missing</span>' in overview
    report = client.get(f"/assessments/{submitted.pk}/report/").content.decode()
    assert '<span class="verdict">Needs work (evidence missing)</span> — Attach the allow list.' in report
    area = client.get(f"/assessments/{submitted.pk}/areas/network/").content.decode()
    assert (
        '<strong>Reviewer (needs work):</strong> <span class="badge text-bg-warning evidence-missing">'
        "Evidence missing</span> Attach the allow list." in area
    )


def test_the_review_page_activity_names_the_control_of_an_evidence_change(submitted, as_reviewer):
    AuditEvent.objects.create(
        assessment=submitted,
        kind=AuditEvent.Kind.EVIDENCE,
        control_id="NET-ALLOW",
        message="Added “rules.pdf” (9 bytes)",
    )
    page = as_reviewer.get(change_url(submitted)).content.decode()
    assert "Evidence changed NET-ALLOW: Added “rules.pdf” (9 bytes)" in page
