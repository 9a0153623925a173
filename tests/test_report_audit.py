"""The PDF a CISO hands to an auditor: standing (not reviewed), self-attestation, current and earlier
reviewer comments, a full cover with the contents, the screens' labels, and no report of nothing.

One managed-service assessment goes through two review rounds, rendered once in review (after the
resubmission) and once approved; the tests read the PDFs' text back with pypdf.
"""

import io
import re
import shutil
import subprocess

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags
from pypdf import PdfReader

from assessment.models import Assessment, Membership, User
from assessment.reports import render
from assessment.reports.context import OUTCOME_LABELS, report_context
from assessment.reports.sample import sample_assessment
from assessment.selectors.assessments import assessment_state
from assessment.selectors.review_history import build_review_history, review_history
from assessment.services import workflow
from assessment.services.assessments import AnswerInput, answer_save, assessment_start
from assessment.templatetags.assessment_tags import outcome_label
from tests.conftest import answer, answer_all, load_fixture, make_reviewer

NOT_REVIEWED = "Not reviewed"
NO_REPORT_YET = "The report is available once you have answered a control."
ROUND_1_SUPERSEDED = "Attach the key rotation evidence from round one."
ROUND_1_REPLACED = "Name who owns the backup copy today, please."
ROUND_2_CURRENT = "Backup owner confirmed in the second round."


def _fresh(assessment) -> Assessment:
    return Assessment.objects.select_related("model", "deployment", "organization", "reviewer").get(pk=assessment.pk)


def _two_rounds():
    """Round 1: Sam answers, submits; the reviewer asks for work on two controls and requests changes.
    Round 2: Quinn fixes both and resubmits; the reviewer accepts one keeping the old comment (now
    superseded) and the other with a new comment. Returns the assessment (in review) and the two control ids."""
    assessment = sample_assessment(model=load_fixture("yugabytedb-managed"), status="submitted", email_prefix="audit")
    sam = assessment.organization.memberships.get().user
    quinn = User.objects.create_user("quinn@harbor.test", None, name="Quinn Doe")
    Membership.objects.create(user=quinn, organization=assessment.organization, role=Membership.Role.MEMBER)
    reviewer = make_reviewer("rowan@provider.test")
    items = assessment_state(assessment).items
    kept = next(i for i in items if i.answer.claim == "provider")
    replaced = next(i for i in items if i.answer.claim == "unknown")
    assessment = workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    for item, comment in ((kept, ROUND_1_SUPERSEDED), (replaced, ROUND_1_REPLACED)):
        workflow.control_review_save(
            assessment=assessment, control=item.control, actor=reviewer, verdict="needs_work", comment=comment
        )
    assessment = workflow.assessment_request_changes(assessment=assessment, actor=reviewer, message="Two to fix.")
    for item in (kept, replaced):
        answer_save(
            assessment=assessment,
            control=item.control,
            user=quinn,
            data=AnswerInput(claim="implemented", notes="Done in March."),
            base_version=item.answer.version,
        )
    assessment = workflow.assessment_submit(assessment=_fresh(assessment), actor=quinn)
    assessment = workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    # The review page fills the comment box with the earlier comment: accepting keeps it as it was.
    workflow.control_review_save(
        assessment=assessment, control=kept.control, actor=reviewer, verdict="accepted", comment=ROUND_1_SUPERSEDED
    )
    workflow.control_review_save(
        assessment=assessment, control=replaced.control, actor=reviewer, verdict="accepted", comment=ROUND_2_CURRENT
    )
    return _fresh(assessment), sam, reviewer, kept.control.control_id, replaced.control.control_id


def _pdf(assessment) -> bytes:
    return render.render_pdf(assessment_state(_fresh(assessment))).pdf


@pytest.fixture(scope="module")
def rounds(django_db_setup, django_db_blocker):
    """The two-round assessment's PDF in review and once approved, with what the tests compare it to."""
    with django_db_blocker.unblock(), transaction.atomic():
        assessment, sam, reviewer, kept, replaced = _two_rounds()
        state = assessment_state(assessment)
        result = {
            "in_review": _pdf(assessment),
            "html": render.report_html(state),
            "declaration": assessment.declaration,
            "submitted_at": assessment.submitted_at,
            "answers_by_sam": sum(1 for i in state.items if i.answer.updated_by_id == sam.pk),
            "sam_email": sam.email,
            "kept": kept,
            "replaced": replaced,
            "labels": [
                (i.control.control_id, outcome_label(i.result.outcome), i.answer.get_claim_display(), i.owner_label)
                for i in state.items
            ],
        }
        workflow.assessment_approve(assessment=assessment, actor=reviewer, message="Approved after round two.")
        result["approved"] = _pdf(assessment)
        transaction.set_rollback(True)
    return result


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _text(pdf: bytes) -> str:
    return _flat("\n".join(_pages(pdf)))


def _html_text(html: str) -> str:
    """What the HTML report says, without its markup."""
    from html import unescape

    return _flat(unescape(strip_tags(html)))


def _section(text: str, start: str, end: str) -> str:
    """The body of a chapter: from its heading after the contents (on page 1) to the next one."""
    body = text[text.index("Self-attestation") :]
    body = body[body.index(start, body.index("Review history") + 1) :]
    return body[: body.index(end)] if end in body else body


# Standing: not reviewed, or the decision


def test_a_report_in_review_is_marked_not_reviewed_on_every_page(rounds):
    pages = _pages(rounds["in_review"])
    assert all(NOT_REVIEWED in page for page in pages)
    assert "waiting for review" not in pages[0]  # in review: "started the review but not decided"
    assert "has started the review but not decided" in _flat(pages[0])


def test_a_submitted_report_is_marked_not_reviewed(client, user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="DB"
    )
    answer_all(draft, user)
    workflow.assessment_submit(assessment=draft, actor=user)
    client.force_login(user)
    pdf = client.get(f"/assessments/{draft.pk}/report.pdf").content
    cover = _flat(_pages(pdf)[0])
    assert f"{NOT_REVIEWED} Submitted " in cover
    assert "waiting for review by Cloud provider: nobody has checked the answers yet." in cover
    assert "DRAFT" not in _text(pdf)


def test_an_approved_report_shows_the_decision_and_no_mark(rounds):
    text = _text(rounds["approved"])
    assert NOT_REVIEWED not in text
    assert "DRAFT" not in text
    assert "Reviewer's decision: approved Approved after round two." in text


# Self-attestation


def test_the_cover_carries_the_declaration_with_its_date_and_who_answered(rounds):
    cover = _flat(_pages(rounds["in_review"])[0])
    assert rounds["declaration"].startswith("Quinn Doe (quinn@harbor.test) declares, on behalf of Sample Customer Ltd")
    assert rounds["declaration"] in cover
    assert f"Made on submission, {rounds['submitted_at']:%Y-%m-%d %H:%M} UTC." in cover
    assert f"Sam Sample ({rounds['sam_email']}): {rounds['answers_by_sam']} answers" in cover
    assert "Quinn Doe (quinn@harbor.test): 2 answers" in cover
    assert re.search(r"Answered (from \d{4}-\d\d-\d\d \d\d:\d\d UTC to )?\d{4}-\d\d-\d\d \d\d:\d\d UTC\.", cover)


def test_an_assessment_submitted_before_declarations_were_kept_says_none_was_recorded(user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="DB"
    )
    answer_all(draft, user)
    submitted = workflow.assessment_submit(assessment=draft, actor=user)
    Assessment.objects.filter(pk=submitted.pk).update(declaration="", submitted_by=None)  # as migrated
    html = _html_text(render.report_html(assessment_state(_fresh(submitted))))
    assert f"No declaration recorded: submitted {submitted.submitted_at:%Y-%m-%d %H:%M} UTC" in html
    assert "declares, on behalf of" not in html


def test_answers_saved_over_days_give_the_period(user, cloud_model):
    from assessment.models import AuditEvent

    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="DB"
    )
    answer(draft, user, "DATA-ACCESS", "implemented")
    answer(draft, user, "BACKUPS", "partial")
    first, last = AuditEvent.objects.filter(assessment=draft, kind="answer").order_by("at")
    AuditEvent.objects.filter(pk=first.pk).update(at=first.at.replace(year=2025, month=3, day=2, hour=9, minute=5))
    AuditEvent.objects.filter(pk=last.pk).update(at=last.at.replace(year=2025, month=3, day=9, hour=16, minute=40))
    html = _html_text(render.report_html(assessment_state(_fresh(draft))))
    assert "Answered from 2025-03-02 09:05 UTC to 2025-03-09 16:40 UTC." in html
    assert "Alice (alice@acme.test): 2 answers" in html
    assert "No declaration yet: the person who submits the assessment makes it." in html


# Current and superseded reviewer comments


def test_a_superseded_comment_appears_only_in_the_review_history(rounds):
    for pdf in (rounds["in_review"], rounds["approved"]):
        text = _text(pdf)
        findings = _section(text, "3 Findings by area", "4 Remediation plan")
        history = _section(text, "Review history", "Provenance")
        assert text.count(ROUND_1_SUPERSEDED) == 1
        assert ROUND_1_SUPERSEDED in history
        assert ROUND_1_SUPERSEDED not in findings
        assert re.search(
            rf"{rounds['kept']} .{{0,500}}?Reviewer: Accepted Earlier verdicts: see the review history\.", findings
        )


def test_the_current_comment_appears_next_to_its_control_only(rounds):
    text = _text(rounds["in_review"])
    findings = _section(text, "3 Findings by area", "4 Remediation plan")
    history = _section(text, "Review history", "Provenance")
    replaced = findings[findings.index(rounds["replaced"]) :]
    assert f"Reviewer: Accepted — {ROUND_2_CURRENT}" in replaced[:600]
    assert ROUND_2_CURRENT not in history
    assert ROUND_1_REPLACED in history and ROUND_1_REPLACED not in findings


def test_the_review_history_lists_rounds_and_earlier_verdicts_with_date_and_reviewer(rounds):
    history = _section(_text(rounds["approved"]), "Review history", "Provenance")
    rows = re.findall(
        r"(\d) \d{4}-\d\d-\d\d \d\d:\d\d UTC (Submitted|Review started|Changes requested|Approved) "
        r"(Sam Sample|Quinn Doe|Riley Reviewer)",
        history,
    )
    assert rows == [
        ("1", "Submitted", "Sam Sample"),
        ("1", "Review started", "Riley Reviewer"),
        ("1", "Changes requested", "Riley Reviewer"),
        ("2", "Submitted", "Quinn Doe"),
        ("2", "Review started", "Riley Reviewer"),
        ("2", "Approved", "Riley Reviewer"),
    ]
    assert "Changes requested Riley Reviewer Two to fix." in history
    assert rounds["kept"] in history
    assert re.search(
        rf"1 \d{{4}}-\d\d-\d\d \d\d:\d\d UTC Riley Reviewer Needs work — {re.escape(ROUND_1_SUPERSEDED)}", history
    )
    assert "On resubmission (answer changed) Re-check (changed since)" in history


def test_a_recheck_keeps_its_comment_beside_the_control(user, cloud_model, reviewer):
    """After a resubmission the re-check is the resubmission's, not a reviewer's new verdict: the comment is its reason."""
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="DB"
    )
    answer_all(draft, user)
    assessment = workflow.assessment_submit(assessment=draft, actor=user)
    assessment = workflow.assessment_start_review(assessment=assessment, actor=reviewer)
    control = cloud_model.controls.get(control_id="DATA-ACCESS")
    workflow.control_review_save(
        assessment=assessment, control=control, actor=reviewer, verdict="needs_work", comment="Show the access list."
    )
    workflow.assessment_request_changes(assessment=assessment, actor=reviewer, message="One to fix.")
    answer(assessment, user, "DATA-ACCESS", "partial")
    workflow.assessment_submit(assessment=_fresh(assessment), actor=user)
    state = assessment_state(_fresh(assessment))
    current = review_history(state.assessment, state.items).current["DATA-ACCESS"]
    assert (current.verdict_label, current.comment, current.superseded) == (
        "Re-check (changed since)",
        "Show the access list.",
        False,
    )


def test_the_review_history_is_one_query(django_assert_num_queries, user, cloud_model):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="DB"
    )
    state = assessment_state(draft)
    with django_assert_num_queries(1):
        review_history(draft, state.items)


def test_the_report_context_makes_as_many_queries_with_many_reviews_as_with_none(user, cloud_model, reviewer):
    def queries(assessment) -> int:
        state = assessment_state(_fresh(assessment))
        with CaptureQueriesContext(connection) as captured:
            report_context(state, fingerprint="f", generated_at=assessment.created_at)
        return len(captured)

    quiet = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="A"
    )
    answer_all(quiet, user)
    busy = assessment_start(user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="B")
    answer_all(busy, user)
    busy = workflow.assessment_start_review(
        assessment=workflow.assessment_submit(assessment=busy, actor=user), actor=reviewer
    )
    for item in assessment_state(busy).items:
        workflow.control_review_save(
            assessment=busy, control=item.control, actor=reviewer, verdict="accepted", comment="Checked."
        )
    assert queries(busy) == queries(quiet)


def test_build_review_history_without_any_audit_trail_trusts_the_stored_review(user, cloud_model, reviewer):
    draft = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="DB"
    )
    answer_all(draft, user)
    assessment = workflow.assessment_start_review(
        assessment=workflow.assessment_submit(assessment=draft, actor=user), actor=reviewer
    )
    workflow.control_review_save(
        assessment=assessment,
        control=cloud_model.controls.get(control_id="DATA-ACCESS"),
        actor=reviewer,
        verdict="accepted",
        comment="Fine.",
    )
    state = assessment_state(_fresh(assessment))
    history = build_review_history([], state.items)  # an assessment older than its audit trail
    assert history.current["DATA-ACCESS"].comment == "Fine."
    assert history.controls == ()


# Layout: a full cover with the contents, no page of contents alone


def test_page_one_holds_the_cover_and_the_contents(rounds):
    pages = _pages(rounds["in_review"])
    assert 10 <= len(pages) <= 18
    cover = _flat(pages[0])
    for text in ("Self-attestation", "Contents", "Executive summary", "Review history", "Appendix: method"):
        assert text in cover
    assert all("Contents" not in page for page in pages[1:])
    assert "1 Executive summary" in _flat(pages[1])  # the summary starts on page 2


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed")
def test_no_page_is_mostly_blank_before_the_findings(rounds, tmp_path):
    """The cover and the summary pages are filled: no white band taller than a third of the page."""
    from PIL import Image

    path = tmp_path / "report.pdf"
    path.write_bytes(rounds["in_review"])
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "3", str(path), str(tmp_path / "p")], check=True)
    for png in sorted(tmp_path.glob("p-*.png")):
        image = Image.open(png).convert("L")
        width, height = image.size
        pixels = image.load()
        inked = [any(pixels[x, y] < 200 for x in range(0, width, 2)) for y in range(height)]
        gap = longest = 0
        for row in inked:
            gap = 0 if row else gap + 1
            longest = max(longest, gap)
        assert longest < height / 3, f"{png.name}: {longest / height:.0%} of the page is one white band"


# Labels: the screens' own


def test_every_outcome_answer_and_owner_label_is_the_screens(rounds):
    html = rounds["html"]
    for control_id, outcome, claim, owner in rounds["labels"]:
        row = html[html.index(f'id="finding-{control_id}"') :]
        row = row[: row.index("</li>")].replace("&#x27;", "'")
        assert f"Owner: {owner} · Answer: {claim} · " in row, (control_id, owner, claim)
        assert f">{outcome}</span>" in row, (control_id, outcome)


def test_partly_met_is_the_label_in_the_pdf_as_on_the_screens(rounds, client):
    assert OUTCOME_LABELS["partial"] == outcome_label("partial") == "Partly met"
    text = _text(rounds["approved"])
    assert "Partly met" in text
    assert not re.search(r"\bPartial\b", text)
    assert "We do, partly" in _section(text, "5 Appendix", "Risk of a gap")  # the method table's heads are the answers


# No report of nothing


@pytest.fixture
def empty_draft(user, cloud_model):
    return assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Empty"
    )


@pytest.mark.parametrize("tail", ["report.pdf", "report/"])
def test_a_draft_without_answers_has_no_report_and_says_why(client, user, empty_draft, tail):
    client.force_login(user)
    response = client.get(f"/assessments/{empty_draft.pk}/{tail}")
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{empty_draft.pk}/results/"
    page = client.get(response["Location"]).content.decode()
    assert page.count(NO_REPORT_YET) == 2  # the message, and in place of the buttons
    assert "report.pdf" not in page
    assert f'href="/assessments/{empty_draft.pk}/report/"' not in page
    assert f'href="/assessments/{empty_draft.pk}/export.csv">CSV</a>' in page


def test_the_dashboard_offers_no_pdf_for_a_draft_without_answers(client, user, empty_draft, cloud_model):
    other = assessment_start(
        user=user, model=cloud_model, deployment=cloud_model.deployments.get(key="paas"), title="Half"
    )
    answer(other, user, "BACKUPS", "provider")
    client.force_login(user)
    page = client.get("/assessments/").content.decode()
    assert f"/assessments/{empty_draft.pk}/report.pdf" not in page
    assert f"/assessments/{other.pk}/report.pdf" in page
    assert f"/assessments/{empty_draft.pk}/export.csv" in page  # the CSV export stays


def test_one_answer_is_enough_for_a_report(client, user, empty_draft):
    answer(empty_draft, user, "BACKUPS", "provider")
    client.force_login(user)
    response = client.get(f"/assessments/{empty_draft.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_an_outsider_still_gets_404_for_an_empty_draft(client, other_user, empty_draft):
    client.force_login(other_user)
    assert client.get(f"/assessments/{empty_draft.pk}/report.pdf").status_code == 404


# The download script


def test_pdf_links_are_marked_for_the_download_script_and_it_is_loaded_once(client, user, empty_draft):
    answer(empty_draft, user, "BACKUPS", "provider")
    client.force_login(user)
    page = client.get(f"/assessments/{empty_draft.pk}/results/").content.decode()
    assert f'data-report-pdf href="/assessments/{empty_draft.pk}/report.pdf">PDF report</a>' in page
    assert page.count("js/report-download") == 1
    assert re.search(r'<script src="[^"]*js/report-download[^"]*\.js" defer></script>', page)
