"""Assessment rounds: starting the next round, what it carries over, and what changed since the previous one."""

import datetime
import io
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from assessment.models import Assessment, AuditEvent, RemediationItem
from assessment.reports import render
from assessment.selectors.assessments import assessment_state
from assessment.selectors.rounds import compare, since_previous, trend
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.rounds import RoundAlreadyStarted, start_next_round
from tests.conftest import answer, answer_all, load_fixture, make_member, make_reviewer

WEIGHTS = {"critical": 4, "high": 3, "medium": 2, "low": 1}


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def submit(assessment, user):
    return workflow.assessment_submit(assessment=assessment, actor=user)


def item_row(assessment, control_id, **fields):
    control = assessment.model.controls.get(control_id=control_id)
    return RemediationItem.objects.create(assessment=assessment, control=control, **fields)


def customer_side(assessment) -> list[str]:
    """Ids of the controls the customer owns (or shares), in model order."""
    return [i.control.control_id for i in assessment_state(assessment).items if i.owner in ("customer", "shared")]


@pytest.fixture
def round_one(assessment, user):
    """Submitted round 1: everything "We do, fully", but for four gaps and one N/A."""
    answer_all(assessment, user)
    ids = customer_side(assessment)
    answer(assessment, user, ids[0], "not_implemented", notes="On the roadmap")
    answer(assessment, user, ids[1], "partial")
    answer(assessment, user, ids[2], "provider")
    answer(assessment, user, ids[3], "unknown")
    answer(assessment, user, ids[4], "not_applicable", justification="No replicas here")
    return submit(assessment, user)


# Starting a round: what carries over


def test_the_next_round_copies_answers_and_flags_only_controls_whose_item_is_done(round_one, user):
    ids = customer_side(round_one)
    owner = make_member("bob@acme.test", round_one.organization)
    item_row(round_one, ids[0], status="done", note="Fixed in March")
    item_row(round_one, ids[1], status="in_progress", owner=owner, due=datetime.date(2027, 1, 31), note="Half way")
    item_row(round_one, ids[2], status="risk_accepted", risk_reason="Compensated elsewhere", accepted_by=user)
    revision = Assessment.objects.get(pk=round_one.pk).revision

    new = start_next_round(assessment=round_one, actor=user)

    assert (new.title, new.scope, new.mode, new.status, new.round_number, new.previous) == (
        "Prod cluster",
        "eu-west",
        "blind",
        "draft",
        2,
        round_one,
    )
    assert (new.organization, new.model, new.deployment, new.created_by) == (
        round_one.organization,
        round_one.model,
        round_one.deployment,
        user,
    )

    def answers(a):
        return {
            x.control.control_id: (x.claim, x.notes, x.justification, x.first_answer)
            for x in a.answers.select_related("control")
        }

    assert answers(new) == answers(round_one)
    assert answers(new)[ids[0]] == ("not_implemented", "On the roadmap", "", "implemented")  # first answer kept
    assert answers(new)[ids[4]] == ("not_applicable", "", "No replicas here", "implemented")
    assert set(new.answers.filter(remediated=True).values_list("control__control_id", flat=True)) == {ids[0]}

    carried = {
        i.control.control_id: (i.status, i.owner, i.due, i.note, i.risk_reason, i.accepted_by)
        for i in new.remediation_items.select_related("control")
    }
    assert carried == {
        ids[1]: ("in_progress", owner, datetime.date(2027, 1, 31), "Half way", "", None),
        ids[2]: ("risk_accepted", None, None, "", "Compensated elsewhere", user),
    }
    assert list(new.events.order_by("id").values_list("kind", "message")) == [
        ("created", "Started “Prod cluster”"),
        ("round", "Round 2 started from round 1: 45 answers carried over"),
    ]
    assert list(round_one.events.filter(kind="round").values_list("message", "after")) == [
        ("Round 2 started", {"round": 2, "assessment": str(new.pk)})
    ]
    old = Assessment.objects.get(pk=round_one.pk)
    assert (old.status, old.revision) == ("submitted", revision)  # the earlier round's record is untouched


def test_the_next_round_moves_to_the_newest_published_version(round_one, user):
    ids = customer_side(round_one)
    item_row(round_one, ids[1], status="open", note="Plan it")
    v11 = load_fixture("yugabytedb-managed-1.1")

    new = start_next_round(assessment=round_one, actor=user)

    assert (new.model, new.deployment) == (v11, v11.deployments.get(key="managed"))
    assert set(new.answers.values_list("control__model", flat=True)) == {v11.pk}
    assert new.answers.count() == round_one.answers.count() == 45
    (item,) = new.remediation_items.select_related("control__model")
    assert (item.control.model, item.control.control_id, item.note) == (v11, ids[1], "Plan it")
    assert new.events.filter(kind=AuditEvent.Kind.VERSION, message="Moved from version 1.0 to 1.1").count() == 1
    state = assessment_state(new)
    assert len(state.unanswered) == 6  # the controls 1.1 added wait unanswered
    assert Assessment.objects.get(pk=round_one.pk).model.version == "1.0"


def test_saving_a_flagged_answer_again_confirms_it(round_one, user, logged_in):
    ids = customer_side(round_one)
    item_row(round_one, ids[5], status="done")
    new = start_next_round(assessment=round_one, actor=user)
    area = new.answers.get(control__control_id=ids[5]).control.area.key
    note = (
        "Changed since last round: your team marked this fixed. Check that the answer still holds, then save it again."
    )

    html = logged_in.get(f"/assessments/{new.pk}/areas/{area}/").content.decode()
    assert html.count(note) == 1
    answer(new, user, ids[5], "implemented")  # the same claim, saved again
    assert new.answers.get(control__control_id=ids[5]).remediated is False
    assert note not in logged_in.get(f"/assessments/{new.pk}/areas/{area}/").content.decode()


# Refusals


def test_a_draft_has_no_next_round(assessment, user, logged_in):
    with pytest.raises(ValidationError) as error:
        start_next_round(assessment=assessment, actor=user)
    assert error.value.messages == ["Submit this assessment before you start its next round."]
    response = logged_in.post(f"/assessments/{assessment.pk}/next-round/", follow=True)
    assert "Submit this assessment before you start its next round." in response.content.decode()
    assert Assessment.objects.count() == 1


def test_a_second_start_is_refused_and_links_to_the_round_started(round_one, user, logged_in):
    new = start_next_round(assessment=round_one, actor=user)
    with pytest.raises(RoundAlreadyStarted) as error:
        start_next_round(assessment=round_one, actor=user)
    assert error.value.messages == ["Round 2 has already been started."]
    response = logged_in.post(f"/assessments/{round_one.pk}/next-round/", follow=True)
    html = response.content.decode()
    assert "Round 2 has already been started." in html
    assert f'<a href="/assessments/{new.pk}/">Go to round 2</a>' in html
    assert Assessment.objects.count() == 2


def test_other_organizations_and_reviewers_cannot_start_a_round(round_one, client, other_user):
    reviewer = make_reviewer()
    for outsider in (other_user, reviewer):
        client.force_login(outsider)
        assert client.get(f"/assessments/{round_one.pk}/next-round/").status_code == 404
        assert client.post(f"/assessments/{round_one.pk}/next-round/").status_code == 404
        with pytest.raises(ValidationError) as error:
            start_next_round(assessment=round_one, actor=outsider)
        assert error.value.messages == ["Only members of the assessment's organization can start its next round."]
    assert Assessment.objects.count() == 1


# The pages


def test_confirming_starts_the_round_and_opens_its_overview(round_one, user, logged_in):
    page = logged_in.get(f"/assessments/{round_one.pk}/next-round/").content.decode()
    assert "Round 2 is a new draft of “Prod cluster”" in page
    assert "It uses YugabyteDB Managed version 1.0, the version round 1 used." in page
    assert "45 answers carry over, with their notes and justifications." in page
    assert (
        f'href="/assessments/{round_one.pk}/next-round/"'
        in logged_in.get(f"/assessments/{round_one.pk}/").content.decode()
    )

    response = logged_in.post(f"/assessments/{round_one.pk}/next-round/")
    new = Assessment.objects.get(previous=round_one)
    assert response["Location"] == f"/assessments/{new.pk}/"
    overview = logged_in.get(response["Location"]).content.decode()
    assert "Round 2 started. Your answers from round 1 are filled in" in overview
    assert 'v1.0 · <span class="round-number">Round 2</span>' in overview
    earlier = logged_in.get(f"/assessments/{round_one.pk}/results/").content.decode()
    assert f'<a href="/assessments/{new.pk}/">Go to round 2</a>' in earlier
    assert "Start the next round" not in earlier


# Since the previous round, on a hand-built pair


def independent_score(assessment) -> int:
    """The overall score computed here from the rules, not by the gap engine."""
    earned, possible = Decimal(0), 0
    for item in assessment_state(assessment).items:
        claim = item.answer.claim if item.answer else None
        if item.owner not in ("customer", "shared") or claim == "not_applicable":
            continue
        weight = WEIGHTS[item.control.severity]
        possible += weight
        earned += weight * {"implemented": Decimal(1), "partial": Decimal("0.5")}.get(claim, Decimal(0))
    return int((earned * 100 / possible).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def points(change: int) -> str:
    return (
        f"{'+' if change > 0 else '−'}{abs(change)} point{'' if abs(change) == 1 else 's'}" if change else "No change"
    )


@pytest.fixture
def pair(round_one, user):
    """Round 2 changes six of round 1's answers: two gaps closed, one improved within gaps, two new gaps."""
    ids = customer_side(round_one)
    new = start_next_round(assessment=round_one, actor=user)
    answer(new, user, ids[0], "implemented")  # unmet -> met: closed, improved
    answer(new, user, ids[1], "implemented")  # partial -> met: closed, improved
    answer(new, user, ids[3], "partial")  # unknown -> partial: still a gap, improved
    answer(new, user, ids[6], "not_implemented")  # met -> unmet: new gap, regressed
    answer(new, user, ids[7], "provider")  # met -> misattributed: new gap, regressed
    answer(new, user, ids[4], "implemented")  # N/A -> met: not ranked before, so neither
    return round_one, Assessment.objects.select_related("model", "deployment", "organization").get(pk=new.pk), ids


def test_since_previous_lists_exactly_what_changed(pair):
    before, now, ids = pair
    since = since_previous(assessment_state(now))
    assert since.changes.as_export() == {
        "score_change": independent_score(now) - independent_score(before),
        "closed": [ids[0], ids[1]],
        "new": [ids[6], ids[7]],
        "improved": [ids[0], ids[1], ids[3]],
        "regressed": [ids[6], ids[7]],
    }
    assert since.changes.score_change == 0 or since.score_change.startswith(("+", "−"))
    assert [r.before + ">" + r.after for r in since.regressed] == ["met>unmet", "met>misattributed"]


def test_the_comparison_counts_a_missing_score_as_zero():
    from assessment import gap

    control = gap.ControlInput(id="A", area="x", severity="high", owner="customer")
    before = gap.evaluate([control], {"A": "not_applicable"})  # nothing to score: None
    now = gap.evaluate([control], {"A": "partial"})
    assert (before.overall, now.overall) == (None, 50)
    changes = compare(before, now)
    assert (changes.score_change, changes.closed, changes.new, changes.improved) == (50, (), ("A",), ())


def test_the_export_carries_the_round_and_what_changed(pair, logged_in):
    before, now, ids = pair
    first = logged_in.get(f"/assessments/{before.pk}/export.json").json()
    assert (first["round"], first["since_previous"]) == ({"number": 1, "previous": None}, None)
    second = logged_in.get(f"/assessments/{now.pk}/export.json").json()
    assert second["round"] == {"number": 2, "previous": str(before.pk)}
    assert second["since_previous"] == {
        "score_change": independent_score(now) - independent_score(before),
        "closed": [ids[0], ids[1]],
        "new": [ids[6], ids[7]],
        "improved": [ids[0], ids[1], ids[3]],
        "regressed": [ids[6], ids[7]],
    }


def test_the_results_page_shows_since_round_1_with_links(pair, logged_in):
    before, now, ids = pair
    html = logged_in.get(f"/assessments/{now.pk}/results/").content.decode()
    change = points(independent_score(now) - independent_score(before))
    assert "Since round 1" in html
    assert f'<strong class="score-change">{change}</strong>' in html
    closed = html[html.index("since-closed") : html.index("since-new")]
    assert re.findall(r'href="[^"]*#c-([A-Z-]+)"', closed) == [ids[0], ids[1]]
    assert html.count('class="trend-point"') == 2
    assert f"<li>Round 1: {independent_score(before)}%</li>" in html


def test_the_trend_has_one_point_per_round_over_three_rounds(pair, user, logged_in):
    _before, now, _ids = pair
    submit(now, user)
    third = start_next_round(assessment=now, actor=user)
    html = logged_in.get(f"/assessments/{third.pk}/results/").content.decode()
    svg = html[html.index('<svg class="trend-svg"') : html.index("</svg>", html.index('<svg class="trend-svg"'))]
    assert [int(n) for n in re.findall(r'data-round="(\d+)"', svg)] == [1, 2, 3]
    assert 'aria-hidden="true"' in svg and "style=" not in svg
    assert "Since round 2" in html
    assert [p.label for p in trend([(1, 62), (2, None)]).points] == ["Round 1: 62%", "Round 2: n/a"]


def test_the_pdf_summary_shows_since_round_1(pair):
    _before, now, ids = pair
    pdf = render.render_pdf(assessment_state(now)).pdf
    if os.environ.get("ROUNDS_PDF"):  # to look at the pages: ROUNDS_PDF=/tmp/rounds.pdf
        Path(os.environ["ROUNDS_PDF"]).write_bytes(pdf)
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Since round 1" in text
    assert "Gaps closed (2)" in text and "New gaps (2)" in text and "Improved (3)" in text
    assert ids[6] in text[text.index("Since round 1") :]


# Dashboard


def test_the_dashboard_shows_one_row_per_line_with_the_latest_round(pair, user, yb_model, managed, logged_in):
    before, now, _ids = pair
    assessment_start(user=user, model=yb_model, deployment=managed, title="Staging")
    html = logged_in.get("/assessments/").content.decode()
    assert html.count('class="assessment-title"') == 2
    change = points(independent_score(now) - independent_score(before))
    assert (
        f'<span class="text-nowrap">Round 2 of 2</span> · <span class="text-nowrap round-change">{change} since round 1</span>'
        in html
    )
    assert (
        f'<a href="/assessments/{before.pk}/results/">Round 1<span class="visually-hidden"> of Prod cluster</span></a> · Submitted'
        in html
    )
    assert f'href="/assessments/{now.pk}/"' in html
    assert f'href="/assessments/{before.pk}/"' not in html  # the earlier round is behind the disclosure, as results


def test_dashboard_queries_do_not_grow_with_rounds(round_one, user, yb_model, managed, logged_in):
    with CaptureQueriesContext(connection) as one:
        logged_in.get("/assessments/")
    second = start_next_round(assessment=round_one, actor=user)
    submit(second, user)
    start_next_round(assessment=second, actor=user)
    for title in ("A", "B"):
        other = assessment_start(user=user, model=yb_model, deployment=managed, title=title)
        answer_all(other, user)
        start_next_round(assessment=submit(other, user), actor=user)
    with CaptureQueriesContext(connection) as many:
        html = logged_in.get("/assessments/").content.decode()
    assert html.count('class="assessment-title"') == 3
    assert len(many) == len(one) + 1  # the earlier rounds' query, made once rounds exist
