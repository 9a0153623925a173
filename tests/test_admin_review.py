"""The review page: one pass (verdicts, comments, decision) in one request, and what changed since the last review."""

import re

import pytest
from django.utils import timezone

from assessment.models import Assessment, AuditEvent, ControlReview
from assessment.selectors.assessments import assessment_state
from assessment.services import workflow
from tests.conftest import answer, answer_all

Status = Assessment.Status
CHANGELIST = "/admin/assessment/assessment/"
GAP_IDS = ["NET-ALLOW", "BCK-RPO"]  # critical misattributed, high unmet


def change_url(assessment) -> str:
    return f"/admin/assessment/assessment/{assessment.pk}/change/"


@pytest.fixture
def submitted(assessment, user):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "provider")
    answer(assessment, user, "BCK-RPO", "not_implemented")
    return workflow.assessment_submit(assessment=assessment, actor=user)


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


def pass_data(assessment, *, decision, message="", verdicts=None, comments=None, accept_remaining=False) -> dict:
    """What the review form posts: a comment box for every control, a verdict where one was chosen."""
    data = {"decision": decision, "message": message}
    for item in assessment_state(assessment).items:
        cid = item.control.control_id
        data[f"{cid}-comment"] = (comments or {}).get(cid, item.review.comment if item.review else "")
        verdict = (verdicts or {}).get(cid, item.review.verdict if item.review else "")
        if verdict:
            data[f"{cid}-verdict"] = verdict
    if accept_remaining:
        data["accept_remaining"] = "on"
    return data


def verdicts_of(assessment) -> dict[str, str]:
    return dict(ControlReview.objects.filter(assessment=assessment).values_list("control__control_id", "verdict"))


def test_a_submission_can_be_judged_without_starting_the_review_first(as_reviewer, submitted):
    body = as_reviewer.get(change_url(submitted)).content.decode()
    assert 'name="NET-ALLOW-verdict"' in body
    assert "Start review" not in body


def test_gaps_come_first_and_the_rest_is_collapsed_by_area(as_reviewer, submitted):
    body = as_reviewer.get(change_url(submitted)).content.decode()
    gaps = body[body.index('id="gaps-heading"') : body.index('id="rest-heading"')]
    assert "Gaps (2)" in gaps
    assert re.findall(r'<article class="control-row[^"]*" id="c-([A-Z0-9-]+)"', gaps) == GAP_IDS
    rest = body[body.index('id="rest-heading"') :]
    assert rest.count('<details class="module review-area"') == 7
    assert 'id="c-NET-ALLOW"' not in rest


def test_outcomes_and_dates_are_in_words_and_one_format(as_reviewer, assessment, user):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "not_applicable", justification="No network")
    answer(assessment, user, "BCK-RPO", "provider")
    submitted = workflow.assessment_submit(assessment=assessment, actor=user)
    body = as_reviewer.get(change_url(submitted)).content.decode()
    assert "Not_applicable" not in body and "Not applicable" in body and "Misattributed" in body
    assert "Revision" not in body
    stamp = timezone.localtime(submitted.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert f"<td>{stamp}</td>" in body


def test_the_first_pass_in_one_request(as_reviewer, submitted, reviewer):
    """Accept all but two, two need work with comments, request changes: one POST."""
    data = pass_data(
        submitted,
        decision="request_changes",
        message="Two controls need evidence.",
        verdicts={"NET-ALLOW": "needs_work", "BCK-RPO": "needs_work"},
        comments={"NET-ALLOW": "This one is yours: restrict the IP allow list.", "BCK-RPO": "Set a backup schedule."},
        accept_remaining=True,
    )
    response = as_reviewer.post(change_url(submitted), data)
    assert response.status_code == 302
    assert response.url == CHANGELIST
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer, submitted.decision_message) == (
        Status.CHANGES_REQUESTED,
        reviewer,
        "Two controls need evidence.",
    )
    verdicts = verdicts_of(submitted)
    assert len(verdicts) == len(assessment_state(submitted).items)
    assert {cid for cid, v in verdicts.items() if v == "needs_work"} == set(GAP_IDS)
    assert {v for cid, v in verdicts.items() if cid not in GAP_IDS} == {"accepted"}
    transitions = AuditEvent.objects.filter(assessment=submitted, kind="transition").order_by("at", "id")
    assert [e.after["status"] for e in transitions] == ["submitted", "in_review", "changes_requested"]


def test_every_problem_is_reported_in_one_round_and_nothing_is_saved(as_reviewer, submitted):
    data = pass_data(submitted, decision="request_changes", verdicts={"NET-ALLOW": "needs_work"})
    response = as_reviewer.post(change_url(submitted), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#c-NET-ALLOW">NET-ALLOW' in body
    assert "Say what needs to change on this control." in body
    assert '<a href="#id_message">Say what needs to change: a decision message is required.</a>' in body
    assert "Nothing was saved. Fix these, then decide again:" in body
    assert status_of(submitted) == Status.SUBMITTED
    assert verdicts_of(submitted) == {}


def test_approval_names_each_control_still_needing_work(as_reviewer, submitted):
    data = pass_data(
        submitted,
        decision="approve",
        verdicts={"BCK-RPO": "needs_work"},
        comments={"BCK-RPO": "Schedule it."},
        accept_remaining=True,
    )
    response = as_reviewer.post(change_url(submitted), data)
    assert response.status_code == 400
    assert "BCK-RPO" in response.content.decode()
    assert "still marked “needs work”; accept it, or request changes." in response.content.decode()
    assert verdicts_of(submitted) == {}


def test_accept_remaining_does_not_overrule_a_verdict(as_reviewer, submitted):
    data = pass_data(
        submitted, decision="save", verdicts={"BCK-RPO": "needs_work"}, comments={"BCK-RPO": "x"}, accept_remaining=True
    )
    assert as_reviewer.post(change_url(submitted), data).status_code == 302
    assert verdicts_of(submitted)["BCK-RPO"] == "needs_work"
    assert status_of(submitted) == Status.IN_REVIEW


def test_opening_and_saving_nothing_does_not_start_the_review(as_reviewer, submitted):
    response = as_reviewer.post(change_url(submitted), pass_data(submitted, decision="save"))
    assert response.status_code == 302
    assert status_of(submitted) == Status.SUBMITTED


def status_of(assessment) -> str:
    return Assessment.objects.get(pk=assessment.pk).status


@pytest.fixture
def resubmitted(as_reviewer, submitted, user):
    """Changes requested on two gaps; the customer changes one of them (and nothing else), then resubmits."""
    data = pass_data(
        submitted,
        decision="request_changes",
        message="Fix both.",
        verdicts={"NET-ALLOW": "needs_work", "BCK-RPO": "needs_work"},
        comments={"NET-ALLOW": "Yours.", "BCK-RPO": "Schedule."},
        accept_remaining=True,
    )
    assert as_reviewer.post(change_url(submitted), data).status_code == 302
    answer(submitted, user, "NET-ALLOW", "implemented", notes="IP allow list restricted to the office range")
    return workflow.assessment_submit(assessment=submitted, actor=user)


def test_a_resubmission_shows_exactly_what_changed_with_old_and_new(as_reviewer, resubmitted):
    body = as_reviewer.get(change_url(resubmitted)).content.decode()
    changed = body[body.index('id="changed-heading"') : body.index('id="gaps-heading"')]
    assert "Changed since your last review (1)" in changed
    assert re.findall(r'id="c-([A-Z0-9-]+)"', changed) == ["NET-ALLOW"]
    assert "<del>Someone else does (provider or cloud)</del> → <ins>We do, fully</ins>" in changed
    assert "<del>(none)</del> → <ins>IP allow list restricted to the office range</ins>" in changed
    assert "resubmitted after changes were requested" in body


def test_needs_work_on_a_changed_control_becomes_recheck_and_stops_blocking(as_reviewer, resubmitted):
    assert verdicts_of(resubmitted)["NET-ALLOW"] == "recheck"
    assert verdicts_of(resubmitted)["BCK-RPO"] == "needs_work"  # unchanged: still blocks
    event = AuditEvent.objects.filter(assessment=resubmitted, kind="review", control_id="NET-ALLOW").first()
    assert (event.before["verdict"], event.after["verdict"]) == ("needs_work", "recheck")
    data = pass_data(resubmitted, decision="approve", verdicts={"BCK-RPO": "accepted"})
    response = as_reviewer.post(change_url(resubmitted), data)
    assert response.status_code == 302
    assert status_of(resubmitted) == Status.APPROVED


def test_an_unchanged_needs_work_still_blocks_approval(as_reviewer, resubmitted):
    data = pass_data(resubmitted, decision="approve", verdicts={"NET-ALLOW": "accepted"})
    response = as_reviewer.post(change_url(resubmitted), data)
    assert response.status_code == 400
    assert '<a href="#c-BCK-RPO">BCK-RPO' in response.content.decode()
    assert status_of(resubmitted) == Status.SUBMITTED


def test_a_crafted_recheck_verdict_is_refused(as_reviewer, submitted):
    data = pass_data(submitted, decision="save", verdicts={"BCK-RPO": "recheck"})
    response = as_reviewer.post(change_url(submitted), data)
    assert response.status_code == 400
    assert verdicts_of(submitted) == {}


def test_long_unbroken_text_is_marked_to_wrap(as_reviewer, assessment, user):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "implemented", notes="x" * 300)
    workflow.assessment_submit(assessment=assessment, actor=user)
    body = as_reviewer.get(change_url(assessment)).content.decode()
    assert re.search(r'<div class="wrap notes"><strong>Notes:</strong> x{300}</div>', body)
