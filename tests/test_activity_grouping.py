"""The activity page shows one entry per save: a run of autosaves of one answer is folded, never deleted."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import AuditEvent
from assessment.selectors.activity import activity_page
from assessment.services import workflow
from tests.conftest import answer, answer_all, make_member

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def trail(assessment):
    """The assessment, its "created" event moved to just before T0 so saves stamped from T0 on follow it."""
    AuditEvent.objects.filter(assessment=assessment).update(at=T0 - timedelta(minutes=5))
    return assessment


@pytest.fixture
def bob(org):
    return make_member("bob@acme.test", org, role="member")


def save(assessment, user, control_id: str, claim: str, notes: str = "", *, minute: float) -> None:
    """Save an answer as autosave would, recorded `minute` minutes after T0."""
    answer(assessment, user, control_id, claim, notes=notes)
    event = AuditEvent.objects.filter(assessment=assessment).latest("id")
    AuditEvent.objects.filter(pk=event.pk).update(at=T0 + timedelta(minutes=minute))


def entries(assessment, **kwargs) -> list:
    return list(activity_page(assessment, **kwargs).object_list)


def summary(assessment) -> list[tuple]:
    return [(e.kind, e.control_id, e.actor.email, e.saves) for e in entries(assessment)]


def test_an_answer_and_its_notes_typed_in_pauses_are_one_entry(trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    save(trail, user, "NET-ALLOW", "provider", "Checked", minute=1)
    save(trail, user, "NET-ALLOW", "provider", "Checked with the platform team", minute=2)
    newest, created = entries(trail)
    assert (newest.kind, newest.control_id, newest.actor, newest.saves) == ("answer", "NET-ALLOW", user, 3)
    assert newest.before is None  # the first save's "before": unanswered
    assert newest.after == {"claim": "provider", "notes": "Checked with the platform team", "justification": ""}
    assert (newest.at, newest.first_at) == (T0 + timedelta(minutes=2), T0)
    assert newest.saves_text == "3 saves, from 09:00:00"
    assert created.kind == "created" and created.saves_text == ""


def test_folding_keeps_every_event_of_the_trail(trail, user):
    for minute, notes in enumerate(["a", "ab", "abc"]):
        save(trail, user, "NET-ALLOW", "provider", notes, minute=minute)
    entries(trail)
    assert AuditEvent.objects.filter(assessment=trail, kind="answer").count() == 3


def test_another_persons_save_in_between_starts_a_new_entry(trail, user, bob):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    save(trail, bob, "NET-ALLOW", "implemented", minute=1)
    save(trail, user, "NET-ALLOW", "partial", minute=2)
    assert summary(trail)[:3] == [
        ("answer", "NET-ALLOW", "alice@acme.test", 1),
        ("answer", "NET-ALLOW", "bob@acme.test", 1),
        ("answer", "NET-ALLOW", "alice@acme.test", 1),
    ]


def test_a_save_of_another_control_in_between_starts_a_new_entry(trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    save(trail, user, "NET-PRIVATE", "implemented", minute=1)
    save(trail, user, "NET-ALLOW", "partial", minute=2)
    assert [(e.control_id, e.saves) for e in entries(trail)][:3] == [
        ("NET-ALLOW", 1),
        ("NET-PRIVATE", 1),
        ("NET-ALLOW", 1),
    ]


def test_saves_ten_minutes_apart_are_one_entry_and_a_longer_pause_starts_another(trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    save(trail, user, "NET-ALLOW", "partial", minute=10)
    save(trail, user, "NET-ALLOW", "implemented", minute=20.5)
    later, earlier, _created = entries(trail)
    assert (later.saves, later.before["claim"], later.after["claim"]) == (1, "partial", "implemented")
    assert (earlier.saves, earlier.before, earlier.after["claim"]) == (2, None, "partial")


def test_each_save_counts_from_the_one_before_it(trail, user):
    # A long note typed with short pauses: 24 minutes from first to last, never 10 minutes idle.
    for minute, notes in [(0, ""), (8, "Rotated"), (16, "Rotated yearly"), (24, "Rotated yearly by the team")]:
        save(trail, user, "NET-ALLOW", "provider", notes, minute=minute)
    newest = entries(trail)[0]
    assert (newest.saves, newest.after["notes"]) == (4, "Rotated yearly by the team")


def test_only_answers_are_folded(trail, user, reviewer):
    answer_all(trail, user)
    submitted = workflow.assessment_submit(assessment=trail, actor=user)
    in_review = workflow.assessment_start_review(assessment=submitted, actor=reviewer)
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    for comment in ("Too open", "Too open: restrict it to the app subnets"):
        workflow.control_review_save(
            assessment=in_review, control=control, actor=reviewer, verdict="needs_work", comment=comment
        )
    assert [(e.kind, e.saves) for e in entries(in_review)[:4]] == [
        ("review", 1),
        ("review", 1),
        ("transition", 1),
        ("transition", 1),
    ]


def test_pages_count_entries_and_never_split_a_run_of_saves(trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    save(trail, user, "NET-ALLOW", "provider", "Checked", minute=1)
    save(trail, user, "NET-ALLOW", "implemented", "Checked", minute=2)
    save(trail, user, "NET-PRIVATE", "implemented", minute=3)
    save(trail, user, "BCK-RPO", "implemented", minute=4)
    first = activity_page(trail, 1, per_page=2)
    second = activity_page(trail, 2, per_page=2)
    assert (first.paginator.count, first.paginator.num_pages) == (4, 2)
    assert [(e.control_id, e.saves) for e in first.object_list] == [("BCK-RPO", 1), ("NET-PRIVATE", 1)]
    assert [(e.kind, e.control_id, e.saves) for e in second.object_list] == [
        ("answer", "NET-ALLOW", 3),
        ("created", "", 1),
    ]


def test_a_page_past_the_end_shows_the_last_page(trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    page = activity_page(trail, 99, per_page=1)
    assert page.number == 2
    assert [e.kind for e in page.object_list] == ["created"]


def test_reading_a_page_takes_two_queries_however_long_the_trail(django_assert_num_queries, trail, user, bob):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    with django_assert_num_queries(2):
        entries(trail)
    for i in range(30):
        who = user if i % 3 else bob
        save(trail, who, ["NET-ALLOW", "NET-PRIVATE"][i % 2], ["implemented", "partial"][i % 4 // 2], minute=i)
    with django_assert_num_queries(2):
        assert len(entries(trail, per_page=10)) == 10


# The page.


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def activity_html(client, assessment, query: str = "") -> str:
    return client.get(f"/assessments/{assessment.pk}/activity/{query}").content.decode()


def test_the_page_shows_one_entry_with_the_first_before_and_the_last_after(logged_in, trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    save(trail, user, "NET-ALLOW", "provider", "Checked", minute=1)
    save(trail, user, "NET-ALLOW", "provider", "Checked with the platform team", minute=2)
    html = activity_html(logged_in, trail)
    assert html.count("Answer changed") == 1
    assert "3 saves, from 09:00:00" in html
    assert '<time datetime="2025-03-04T09:02:00+00:00">2025-03-04 09:02:00</time>' in html
    assert "Checked with the platform team" in html
    assert "Notes:</span> Checked</div>" not in html  # the intermediate value is not an entry of its own


def test_control_ids_never_break_across_lines(logged_in, trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    assert '<span class="font-monospace text-nowrap">NET-ALLOW</span>' in activity_html(logged_in, trail)


def test_the_second_page_holds_the_rest(logged_in, trail, user):
    for i in range(52):  # two controls in turn: 52 entries, one more than fits with "created" on a page of 50
        save(trail, user, ["NET-ALLOW", "NET-PRIVATE"][i % 2], ["implemented", "partial"][i // 2 % 2], minute=i)
    first, second = activity_html(logged_in, trail), activity_html(logged_in, trail, "?page=2")
    assert "Page 1 of 2" in first
    assert first.count("Answer changed") == 50
    assert second.count("Answer changed") == 2
    assert "Started “Prod cluster”" in second


def test_the_page_makes_as_many_queries_for_a_long_trail(logged_in, trail, user):
    save(trail, user, "NET-ALLOW", "provider", minute=0)
    with CaptureQueriesContext(connection) as short:
        activity_html(logged_in, trail)
    for i in range(20):
        save(trail, user, ["NET-ALLOW", "NET-PRIVATE"][i % 2], ["implemented", "partial"][i // 2 % 2], minute=i + 1)
    with CaptureQueriesContext(connection) as long:
        activity_html(logged_in, trail)
    assert len(long) == len(short)
