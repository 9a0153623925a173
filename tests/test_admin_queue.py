"""The review queue: the assessments changelist as reviewers work it (what waits, since when, who has it)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django.utils.timezone import localtime

from assessment.models import Assessment, AuditEvent, User
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.services.assignment import assessment_assign
from tests.conftest import PASSWORD, answer, answer_all, make_reviewer
from tests.test_admin import CHANGELIST, changelist_queries, changelist_rows, make_submissions, messages_of

Status = Assessment.Status


def assign_url(assessment) -> str:
    return f"{CHANGELIST}{assessment.pk}/assign/"


def unassign_url(assessment) -> str:
    return f"{CHANGELIST}{assessment.pk}/unassign/"


def titles(client, query: dict | None = None) -> list[str]:
    return [row["title"] for row in changelist_rows(client.get(CHANGELIST, query or {}).content.decode())]


def row_of(client, title: str, query: dict | None = None) -> dict[str, str]:
    rows = changelist_rows(client.get(CHANGELIST, query or {}).content.decode())
    return next(row for row in rows if row["title"] == title)


def filter_choices(html: str, title: str) -> list[tuple[str, bool]]:
    """A filter's choices as (label, selected), in the order the sidebar shows them."""
    block = re.search(rf'<details data-filter-title="{title}".*?</details>', html, re.S).group(0)
    return [
        (label, bool(selected))
        for selected, label in re.findall(r'<li( class="selected")?>\s*<a href="[^"]*">([^<]+)</a>', block)
    ]


def row_button(html: str, title: str) -> tuple[str, str]:
    """(label, formaction) of the button in the row of `title`."""
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f">{title}</a>" in r)
    match = re.search(r'<button type="submit" form="row-action" formaction="([^"]+)"[^>]*>([^<]+)</button>', row)
    return match.group(2), match.group(1).replace("&amp;", "&")


def submit(user, model, deployment, title: str, *, waited: timedelta, claims: dict | None = None) -> Assessment:
    """A submission that has waited `waited` for a reviewer; `claims` answer some controls otherwise."""
    assessment = assessment_start(user=user, model=model, deployment=deployment, title=title)
    answer_all(assessment, user)
    for control_id, claim in (claims or {}).items():
        answer(assessment, user, control_id, claim)
    workflow.assessment_submit(assessment=assessment, actor=user)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=timezone.now() - waited)
    return Assessment.objects.get(pk=assessment.pk)


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def world(user, reviewer, yb_model, managed):
    """One assessment in every status, submitted at different times."""

    def make(title: str, days: int) -> Assessment:
        return submit(user, yb_model, managed, title, waited=timedelta(days=days))

    fresh = make("Fresh", 0)
    waiting = make("Waiting", 3)
    in_review = workflow.assessment_start_review(assessment=make("In review", 5), actor=reviewer)
    sent_back = workflow.assessment_start_review(assessment=make("Sent back", 7), actor=reviewer)
    sent_back = workflow.assessment_request_changes(assessment=sent_back, actor=reviewer, message="Fix it.")
    approved = workflow.assessment_start_review(assessment=make("Approved", 9), actor=reviewer)
    approved = workflow.assessment_approve(assessment=approved, actor=reviewer)
    draft = assessment_start(user=user, model=yb_model, deployment=managed, title="Draft")
    return {
        "fresh": fresh,
        "waiting": waiting,
        "in_review": in_review,
        "sent_back": sent_back,
        "approved": approved,
        "draft": draft,
    }


@pytest.fixture
def submitted(user, yb_model, managed):
    return submit(user, yb_model, managed, "Prod cluster", waited=timedelta(days=3, hours=2))


def events_of(assessment) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(assessment=assessment, kind=AuditEvent.Kind.ASSIGNMENT)
        .order_by("at", "id")
        .values_list("actor__email", "before", "after", "message")
    )


# The default view: what needs a reviewer, oldest first.


def test_the_queue_lists_submitted_and_in_review_oldest_first(as_reviewer, world):
    assert titles(as_reviewer) == ["In review", "Waiting", "Fresh"]


def test_all_lists_every_submission_newest_first(as_reviewer, world):
    assert titles(as_reviewer, {"status": "all"}) == ["Fresh", "Waiting", "In review", "Sent back", "Approved"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("approved", ["Approved"]), ("changes_requested", ["Sent back"]), ("submitted", ["Fresh", "Waiting"])],
)
def test_decided_assessments_are_listed_under_their_status(as_reviewer, world, status, expected):
    assert titles(as_reviewer, {"status": status}) == expected


def test_the_status_filter_starts_with_the_queue_and_selects_it_by_default(as_reviewer, world):
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert filter_choices(html, "status") == [
        ("Needs a reviewer", True),
        ("Submitted", False),
        ("In review", False),
        ("Changes requested", False),
        ("Approved", False),
        ("All", False),
    ]
    assert '<a href="?">Needs a reviewer</a>' in html  # back to the queue: no parameter at all


def test_the_status_filter_shows_all_as_selected(as_reviewer, world):
    choices = filter_choices(as_reviewer.get(CHANGELIST, {"status": "all"}).content.decode(), "status")
    assert [label for label, selected in choices if selected] == ["All"]


def test_superusers_are_offered_drafts_too(client, world):
    client.force_login(User.objects.create_superuser("root@provider.test", PASSWORD, name="Root"))
    choices = filter_choices(client.get(CHANGELIST).content.decode(), "status")
    assert [label for label, _ in choices][1] == "Draft"
    assert titles(client, {"status": "draft"}) == ["Draft"]
    assert "Draft" not in titles(client)


def test_an_unknown_status_is_an_error_not_an_empty_list(as_reviewer, world):
    response = as_reviewer.get(CHANGELIST, {"status": "bogus"})
    assert (response.status_code, response["Location"]) == (302, f"{CHANGELIST}?e=1")


# The columns.


def test_waiting_since_shows_the_time_and_how_long(as_reviewer, submitted):
    expected_time = f"{localtime(submitted.submitted_at):%Y-%m-%d %H:%M}"
    assert row_of(as_reviewer, "Prod cluster")["waiting_since"] == f"{expected_time} (3\xa0days)"


def test_a_decided_assessment_shows_when_it_was_submitted_but_no_wait(as_reviewer, world):
    expected_time = f"{localtime(world['approved'].submitted_at):%Y-%m-%d %H:%M}"
    assert row_of(as_reviewer, "Approved", {"status": "all"})["waiting_since"] == expected_time


def test_a_resubmission_is_marked_resubmitted(as_reviewer, world, user, reviewer):
    answer(world["sent_back"], user, "NET-ALLOW", "provider")
    workflow.assessment_submit(assessment=world["sent_back"], actor=user)
    rows = {row["title"]: row["resubmitted"] for row in changelist_rows(as_reviewer.get(CHANGELIST).content.decode())}
    assert rows == {"Sent back": "Resubmitted", "In review": "", "Waiting": "", "Fresh": ""}


def test_a_decided_assessment_is_not_marked_resubmitted(as_reviewer, world):
    assert row_of(as_reviewer, "Approved", {"status": "all"})["resubmitted"] == ""


def test_the_row_at_a_glance(as_reviewer, user, yb_model, managed):
    # NET-ALLOW: critical, misattributed; BCK-RPO: high, unmet.
    claims = {"NET-ALLOW": "provider", "BCK-RPO": "not_implemented"}
    submit(user, yb_model, managed, "Prod cluster", waited=timedelta(hours=1), claims=claims)
    assert {k: v for k, v in row_of(as_reviewer, "Prod cluster").items() if k != "waiting_since"} == {
        "organization": "Acme Corp",
        "title": "Prod cluster",
        "model_version": "YugabyteDB Managed 1.0",
        "deployment": "YugabyteDB Managed",
        "status": "Submitted",
        "resubmitted": "",
        "overall_score": "93%",
        "gaps": "1 critical · 1 high",
        "assigned_to": "Unassigned Assign to me",
    }


def test_a_long_model_title_is_shortened_with_the_full_one_as_tooltip(as_reviewer, user, cloud_model):
    submit(user, cloud_model, cloud_model.deployments.get(key="paas"), "Cloud", waited=timedelta(hours=1))
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert changelist_rows(html)[0]["model_version"] == "Generic cloud division… 1.0"
    assert 'title="Generic cloud division of responsibility 1.0"' in html


def test_the_page_links_its_stylesheet_and_has_no_inline_style(as_reviewer, submitted):
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert '<link rel="stylesheet" href="/static/css/admin-queue.css">' in html
    assert re.search(r"<style|\sstyle\s*=", html, re.I) is None


def test_view_only_staff_see_the_assignee_but_no_buttons(client, submitted):
    viewer = User.objects.create_user("auditor@provider.test", PASSWORD, name="Auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    client.force_login(viewer)
    html = client.get(CHANGELIST).content.decode()
    assert changelist_rows(html)[0]["assigned_to"] == "Unassigned"
    assert "formaction=" not in html


# Assign to me: the row's button.


def test_assign_to_me_from_the_row(reviewer, submitted):
    client = Client(enforce_csrf_checks=True)  # the page's own form and token, as a browser sends them
    client.force_login(reviewer)
    query = {"assignee": "unassigned", "q": "Prod"}
    html = client.get(CHANGELIST, query).content.decode()
    label, action = row_button(html, "Prod cluster")
    assert label == "Assign to me"
    assert action == f"{assign_url(submitted)}?_changelist_filters=assignee%3Dunassigned%26q%3DProd"
    form = re.search(r'<form id="row-action" method="post" hidden>(.*?)</form>', html, re.S).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(action, {"csrfmiddlewaretoken": token})

    assert (response.status_code, response["Location"]) == (302, f"{CHANGELIST}?assignee=unassigned&q=Prod")
    assert messages_of(client.get(response["Location"])) == ["Assigned “Prod cluster” to you."]
    assert Assessment.objects.get(pk=submitted.pk).assignee == reviewer
    assert events_of(submitted) == [
        ("riley@provider.test", {"assignee": None}, {"assignee": "riley@provider.test"}, "Assigned to Riley Reviewer")
    ]
    assert row_of(client, "Prod cluster")["assigned_to"] == "Riley Reviewer (you) Unassign"


def test_the_row_post_needs_the_csrf_token(reviewer, submitted):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.post(assign_url(submitted)).status_code == 403
    assert Assessment.objects.get(pk=submitted.pk).assignee is None


def test_without_filters_the_row_post_goes_back_to_the_queue(as_reviewer, submitted):
    _label, action = row_button(as_reviewer.get(CHANGELIST).content.decode(), "Prod cluster")
    assert action == assign_url(submitted)
    response = as_reviewer.post(action)
    assert (response.status_code, response["Location"]) == (302, CHANGELIST)


def test_assigning_what_is_already_yours_changes_nothing(as_reviewer, submitted, reviewer):
    assessment_assign(assessment=submitted, actor=reviewer)
    response = as_reviewer.post(assign_url(submitted), follow=True)
    assert messages_of(response) == ["Assigned “Prod cluster” to you."]
    assert len(events_of(submitted)) == 1


def test_a_reviewer_takes_over_from_another(as_reviewer, submitted, reviewer):
    sam = make_reviewer("sam@provider.test")
    User.objects.filter(pk=sam.pk).update(name="Sam Spade")
    assessment_assign(assessment=submitted, actor=sam)
    assert row_of(as_reviewer, "Prod cluster")["assigned_to"] == "Sam Spade Assign to me"
    as_reviewer.post(assign_url(submitted))
    assert Assessment.objects.get(pk=submitted.pk).assignee == reviewer
    assert events_of(submitted)[-1] == (
        "riley@provider.test",
        {"assignee": "sam@provider.test"},
        {"assignee": "riley@provider.test"},
        "Assigned to Riley Reviewer",
    )


def test_unassign_puts_it_back_in_the_queue(as_reviewer, submitted, reviewer):
    assessment_assign(assessment=submitted, actor=reviewer)
    label, action = row_button(as_reviewer.get(CHANGELIST).content.decode(), "Prod cluster")
    assert (label, action) == ("Unassign", unassign_url(submitted))
    response = as_reviewer.post(action, follow=True)
    assert messages_of(response) == ["Unassigned “Prod cluster”."]
    assert Assessment.objects.get(pk=submitted.pk).assignee is None
    assert events_of(submitted)[-1] == (
        "riley@provider.test",
        {"assignee": "riley@provider.test"},
        {"assignee": None},
        "Unassigned",
    )


def test_an_approved_assessment_is_not_assigned(as_reviewer, world):
    approved = world["approved"]
    assert row_of(as_reviewer, "Approved", {"status": "all"})["assigned_to"] == "Unassigned"  # no button
    response = as_reviewer.post(f"{assign_url(approved)}?_changelist_filters=status%3Dall", follow=True)
    assert response.redirect_chain == [(f"{CHANGELIST}?status=all", 302)]
    assert messages_of(response) == [
        "Not assigned: “Approved” (Acme Corp): This assessment is approved; its review is finished."
    ]
    assert Assessment.objects.get(pk=approved.pk).assignee is None
    assert events_of(approved) == []


def test_changes_requested_can_be_assigned_for_the_resubmission(as_reviewer, world, reviewer):
    as_reviewer.post(assign_url(world["sent_back"]))
    assert Assessment.objects.get(pk=world["sent_back"].pk).assignee == reviewer


def test_get_on_the_assign_url_is_not_allowed(as_reviewer, submitted):
    response = as_reviewer.get(assign_url(submitted))
    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert Assessment.objects.get(pk=submitted.pk).assignee is None


def test_a_draft_is_not_found(as_reviewer, world):
    assert as_reviewer.post(assign_url(world["draft"])).status_code == 404
    assert as_reviewer.post(f"{CHANGELIST}00000000-0000-0000-0000-000000000000/assign/").status_code == 404
    assert as_reviewer.post(f"{CHANGELIST}not-a-uuid/assign/").status_code == 404
    assert Assessment.objects.get(pk=world["draft"].pk).assignee is None


def test_staff_outside_the_reviewers_group_are_refused(client, submitted):
    staff = User.objects.create_user("ops@provider.test", PASSWORD, name="Ops", is_staff=True)
    client.force_login(staff)
    assert client.post(assign_url(submitted)).status_code == 403
    assert Assessment.objects.get(pk=submitted.pk).assignee is None


def test_view_only_staff_are_refused(client, submitted):
    viewer = User.objects.create_user("auditor@provider.test", PASSWORD, name="Auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    client.force_login(viewer)
    assert client.post(assign_url(submitted)).status_code == 403
    assert client.post(unassign_url(submitted)).status_code == 403
    assert Assessment.objects.get(pk=submitted.pk).assignee is None


@pytest.mark.parametrize("who", ["member of another organization", "member of the organization", "anonymous"])
def test_customers_and_anonymous_visitors_are_sent_to_the_admin_login(client, submitted, user, other_user, who):
    if who != "anonymous":
        client.force_login(other_user if who == "member of another organization" else user)
    response = client.post(assign_url(submitted))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert Assessment.objects.get(pk=submitted.pk).assignee is None
    assert events_of(submitted) == []


def test_the_service_refuses_non_reviewers_and_drafts(submitted, user, world, reviewer):
    with pytest.raises(workflow.TransitionRefused, match="Only reviewers can take assessments"):
        assessment_assign(assessment=submitted, actor=user)
    with pytest.raises(workflow.TransitionRefused, match="This assessment is a draft; it can be assigned once"):
        assessment_assign(assessment=world["draft"], actor=reviewer)
    assert events_of(submitted) == events_of(world["draft"]) == []


# Assign to me: the bulk action.


def test_the_bulk_action_assigns_the_selected_rows(as_reviewer, world, reviewer):
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert re.findall(r'<option value="(\w*)"', html) == ["", "assign_to_me", "export_csv"]
    assert '<option value="assign_to_me">Assign to me</option>' in html
    selected = [world["waiting"].pk, world["in_review"].pk]
    response = as_reviewer.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": selected}, follow=True)
    assert messages_of(response) == ["Assigned 2 assessments to you."]
    assert list(Assessment.objects.filter(assignee=reviewer).order_by("title").values_list("title", flat=True)) == [
        "In review",
        "Waiting",
    ]
    assert len(events_of(world["waiting"])) == len(events_of(world["in_review"])) == 1


# The "Assigned to" filter.


def test_the_assigned_to_filter(as_reviewer, world, reviewer):
    assessment_assign(assessment=world["waiting"], actor=reviewer)
    assessment_assign(assessment=world["fresh"], actor=make_reviewer("sam@provider.test"))
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert filter_choices(html, "assigned to") == [("Anyone", True), ("Me", False), ("Unassigned", False)]
    assert titles(as_reviewer, {"assignee": "me"}) == ["Waiting"]
    assert titles(as_reviewer, {"assignee": "unassigned"}) == ["In review"]
    assert titles(as_reviewer) == ["In review", "Waiting", "Fresh"]
    assert titles(as_reviewer, {"assignee": "me", "status": "all"}) == ["Waiting"]


# Queries.


def test_the_queue_makes_the_same_queries_for_1_and_200_rows(as_reviewer, org, user, managed, reviewer):
    sam = make_reviewer("sam@provider.test")
    make_submissions(org, managed, user, 1, assignees=(sam,))
    changelist_queries(as_reviewer)  # warm caches (content types, session)
    one = changelist_queries(as_reviewer, {"all": ""})
    make_submissions(org, managed, user, 199, assignees=(reviewer, None, sam))
    many = changelist_queries(as_reviewer, {"all": ""})
    mine = changelist_queries(as_reviewer, {"all": "", "assignee": "me"})
    assert (one[1], many[1], mine[1]) == (1, 200, 67)
    assert one[0] == many[0] == mine[0]


def test_assigning_is_not_a_change_of_the_assessment(as_reviewer, submitted, user):
    """Bookkeeping on the provider's side: the customer's activity and the report's fingerprint don't move."""
    before = Assessment.objects.values_list("revision", "updated_at").get(pk=submitted.pk)
    as_reviewer.post(f"/admin/assessment/assessment/{submitted.pk}/assign/")
    assert Assessment.objects.values_list("revision", "updated_at").get(pk=submitted.pk) == before
    assert len(events_of(submitted)) == 1
    from django.test import Client

    customer = Client()
    customer.force_login(user)
    activity = customer.get(f"/assessments/{submitted.pk}/activity/").content.decode()
    assert "Assigned" not in activity and "riley@provider.test" not in activity
