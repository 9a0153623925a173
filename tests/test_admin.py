"""The reviewers' admin: who may see what, the changelist, the review page and its buttons, bulk actions."""

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessment.models import Assessment, AuditEvent, ControlReview, Organization, User
from assessment.services import workflow
from assessment.services.assessments import assessment_start
from tests.conftest import PASSWORD, answer, answer_all, make_member, make_reviewer

Status = Assessment.Status
CHANGELIST = "/admin/assessment/assessment/"


def change_url(assessment) -> str:
    return f"/admin/assessment/assessment/{assessment.pk}/change/"


class _ResultRows(HTMLParser):
    """The changelist's rows as {column: text}, columns named by the admin's field-<name> classes."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self.column: str | None = None
        self.in_results = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "result_list":
            self.in_results = True
        elif self.in_results and tag == "tr" and self.rows is not None:
            self.rows.append({})
        elif self.in_results and tag in ("td", "th"):
            field = next((c for c in (attrs.get("class") or "").split() if c.startswith("field-")), None)
            self.column = field.removeprefix("field-") if field else None
            if self.column:
                self.rows[-1][self.column] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_results = False
        elif tag in ("td", "th"):
            self.column = None

    def handle_data(self, data):
        if self.in_results and self.column:
            self.rows[-1][self.column] += data


def changelist_rows(html: str) -> list[dict[str, str]]:
    parser = _ResultRows()
    parser.feed(html)
    return [row for row in parser.rows if row]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@provider.test", PASSWORD, name="Root")


@pytest.fixture
def submitted(assessment, user):
    answer_all(assessment, user)
    answer(assessment, user, "NET-ALLOW", "provider")  # critical, misattributed
    answer(assessment, user, "BCK-RPO", "not_implemented")  # high, unmet
    return workflow.assessment_submit(assessment=assessment, actor=user)


@pytest.fixture
def in_review(submitted, reviewer):
    return workflow.assessment_start_review(assessment=submitted, actor=reviewer)


@pytest.fixture
def draft(user, yb_model, managed):
    return assessment_start(user=user, model=yb_model, deployment=managed, title="Secret draft")


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer)
    return client


def status_of(assessment) -> str:
    return Assessment.objects.get(pk=assessment.pk).status


# Who may use which admin URL.


@pytest.mark.parametrize("path", ["/admin/", CHANGELIST, "/admin/assessment/auditevent/"])
def test_anonymous_visitors_are_sent_to_the_admin_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={path}"


def test_anonymous_review_page_goes_to_the_admin_login(client, submitted):
    response = client.get(change_url(submitted))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_customers_are_sent_to_the_admin_login(client, submitted, user):
    client.force_login(user)
    response = client.get(change_url(submitted))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_customer_cannot_post_a_decision(client, in_review, user):
    client.force_login(user)
    response = client.post(change_url(in_review), {"decision": "approve", "message": "Self-approved"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert status_of(in_review) == Status.IN_REVIEW


def test_anonymous_cannot_post_a_decision(client, in_review):
    response = client.post(change_url(in_review), {"decision": "approve"})
    assert response.status_code == 302
    assert status_of(in_review) == Status.IN_REVIEW


def test_staff_outside_the_reviewers_group_may_not_see_assessments(client, submitted):
    staff = User.objects.create_user("ops@provider.test", PASSWORD, name="Ops", is_staff=True)
    client.force_login(staff)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(submitted)).status_code == 403


def test_view_only_staff_cannot_post_a_decision(client, submitted):
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("auditor@provider.test", PASSWORD, name="Auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    client.force_login(viewer)
    assert client.get(change_url(submitted)).status_code == 200
    assert client.post(change_url(submitted), {"decision": "start_review"}).status_code == 403
    assert status_of(submitted) == Status.SUBMITTED


def test_reviewer_sees_the_changelist(as_reviewer, submitted):
    assert as_reviewer.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize("query", [{}, {"status": "all"}, {"status": "draft"}])
def test_reviewers_do_not_see_drafts_in_the_changelist(as_reviewer, submitted, draft, query):
    titles = [row["title"] for row in changelist_rows(as_reviewer.get(CHANGELIST, query).content.decode())]
    assert titles == ([] if query.get("status") == "draft" else ["Prod cluster"])


def test_reviewers_cannot_open_a_draft(as_reviewer, draft):
    response = as_reviewer.get(change_url(draft))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_superusers_see_drafts_listed_after_submissions(client, superuser, submitted, draft):
    client.force_login(superuser)
    titles = [row["title"] for row in changelist_rows(client.get(CHANGELIST, {"status": "all"}).content.decode())]
    assert titles == ["Prod cluster", "Secret draft"]
    # Not in the queue, though: a draft needs no reviewer.
    assert [row["title"] for row in changelist_rows(client.get(CHANGELIST).content.decode())] == ["Prod cluster"]


def test_nobody_adds_assessments_in_the_admin(as_reviewer, db):
    assert as_reviewer.get("/admin/assessment/assessment/add/").status_code == 403


def test_reviewers_cannot_delete_assessments(as_reviewer, submitted):
    response = as_reviewer.post(f"/admin/assessment/assessment/{submitted.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Assessment.objects.filter(pk=submitted.pk).exists()


@pytest.mark.parametrize("path", ["/admin/assessment/user/", "/admin/assessment/organization/", "/admin/auth/group/"])
def test_reviewers_may_not_see_accounts_or_organizations(as_reviewer, db, path):
    assert as_reviewer.get(path).status_code == 403


def test_reviewers_may_not_see_a_user_or_their_password_form(as_reviewer, user):
    assert as_reviewer.get(f"/admin/assessment/user/{user.pk}/change/").status_code == 403
    assert as_reviewer.get(f"/admin/assessment/user/{user.pk}/password/").status_code == 403


def test_the_admin_index_offers_reviewers_no_users(as_reviewer, db):
    html = as_reviewer.get("/admin/").content.decode()
    assert "/admin/assessment/assessment/" in html
    assert "/admin/assessment/user/" not in html


def test_superusers_manage_users(client, superuser, user):
    client.force_login(superuser)
    html = client.get(f"/admin/assessment/user/{user.pk}/change/").content.decode()
    assert 'name="email"' in html
    assert 'name="is_staff"' in html
    assert 'name="password"' not in html  # the hash is shown read-only, never as an input


def test_superusers_add_a_user_by_email(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/assessment/user/add/",
        {
            "email": "new@provider.test",
            "name": "New Reviewer",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="new@provider.test").check_password(PASSWORD)


def test_reviewers_can_look_at_models_but_not_change_them(as_reviewer, yb_model):
    url = f"/admin/assessment/responsibilitymodel/{yb_model.pk}/change/"
    assert as_reviewer.get(url).status_code == 200
    assert as_reviewer.post(url, {"title": "Renamed"}).status_code == 403


def test_a_published_model_is_read_only_even_for_superusers(client, superuser, yb_model):
    client.force_login(superuser)
    url = f"/admin/assessment/responsibilitymodel/{yb_model.pk}/change/"
    assert client.post(url, {"title": "Renamed", "description": "x"}).status_code == 403
    yb_model.refresh_from_db()
    assert yb_model.title == "YugabyteDB Managed"


# The changelist.


def test_all_lists_newest_submissions_first(as_reviewer, submitted, user, yb_model, managed):
    later = assessment_start(user=user, model=yb_model, deployment=managed, title="Staging cluster")
    answer_all(later, user)
    workflow.assessment_submit(assessment=later, actor=user)
    html = as_reviewer.get(CHANGELIST, {"status": "all"}).content.decode()
    assert [row["title"] for row in changelist_rows(html)] == ["Staging cluster", "Prod cluster"]


def test_changelist_filters_by_status(as_reviewer, submitted, in_review_other):
    html = as_reviewer.get(CHANGELIST, {"status": "in_review"}).content.decode()
    assert [row["title"] for row in changelist_rows(html)] == ["Other cluster"]


@pytest.fixture
def in_review_other(user, reviewer, yb_model, managed):
    other = assessment_start(user=user, model=yb_model, deployment=managed, title="Other cluster")
    answer_all(other, user)
    workflow.assessment_submit(assessment=other, actor=user)
    return workflow.assessment_start_review(assessment=other, actor=reviewer)


def test_reviewers_are_not_offered_a_draft_filter(as_reviewer, submitted):
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert re.findall(r'<a href="\?status=(\w+)"', html) == [
        "submitted",
        "in_review",
        "changes_requested",
        "approved",
        "all",
    ]


def test_changelist_searches_by_member_email_without_duplicates(as_reviewer, submitted, org):
    make_member("bob@acme.test", org, role="member")
    html = as_reviewer.get(CHANGELIST, {"q": "acme.test"}).content.decode()
    assert [row["title"] for row in changelist_rows(html)] == ["Prod cluster"]


def test_changelist_search_by_email_leaves_out_other_organizations(as_reviewer, submitted):
    html = as_reviewer.get(CHANGELIST, {"q": "mallory@evil.test"}).content.decode()
    assert changelist_rows(html) == []


def test_changelist_filters_by_deployment_naming_the_model(as_reviewer, submitted, managed):
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert f'?deployment__id__exact={managed.pk}">YugabyteDB Managed 1.0 · YugabyteDB Managed</a>' in html


def test_a_search_does_not_also_count_every_assessment(as_reviewer, submitted):
    with CaptureQueriesContext(connection) as queries:
        html = as_reviewer.get(CHANGELIST, {"q": "Prod"}).content.decode()
    assert len([q for q in queries if "COUNT(" in q["sql"].upper()]) == 1
    assert re.search(r"\d+ total", html) is None


def make_submissions(organization, deployment, creator, count: int, assignees=(None,)) -> None:
    """`count` submitted assessments with a few answers each, written in bulk.

    Every other one is a resubmission (an earlier decision); they are assigned to `assignees` in turn.
    """
    now = timezone.now()
    created = Assessment.objects.bulk_create(
        Assessment(
            organization=organization,
            model=deployment.model,
            deployment=deployment,
            title=f"Cluster {i}",
            status=Status.SUBMITTED,
            submitted_at=now,
            reviewed_at=now if i % 2 else None,
            assignee=assignees[i % len(assignees)],
            created_by=creator,
        )
        for i in range(count)
    )
    from assessment.models import Answer

    controls = list(deployment.model.controls.filter(control_id__in=["NET-ALLOW", "BCK-RPO", "AUTHN-SSO"]))
    Answer.objects.bulk_create(
        Answer(assessment=a, control=c, claim="provider", updated_by=creator) for a in created for c in controls
    )


def changelist_queries(client, query: dict | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST, query or {})
    assert response.status_code == 200
    return len(queries), len(changelist_rows(response.content.decode()))


def test_changelist_queries_do_not_grow_with_rows(as_reviewer, org, user, managed, reviewer):
    # Assigned rows: the Assignee column reads the user through list_select_related, not a query per row.
    make_submissions(org, managed, user, 1, assignees=(reviewer,))
    changelist_queries(as_reviewer)  # warm caches (content types, session)
    one = changelist_queries(as_reviewer, {"all": ""})
    make_submissions(org, managed, user, 199, assignees=(reviewer, None, make_reviewer("sam@provider.test")))
    many = changelist_queries(as_reviewer, {"all": ""})
    paged = changelist_queries(as_reviewer)
    assert (one[1], many[1], paged[1]) == (1, 200, 50)
    assert one[0] == many[0] == paged[0]


# The review page.


def test_review_page_shows_the_header_facts(as_reviewer, submitted):
    html = as_reviewer.get(change_url(submitted)).content.decode()
    for fact in ("Acme Corp", "Alice &lt;alice@acme.test&gt;", "YugabyteDB Managed 1.0", "Submitted", "93%"):
        assert fact in html


def test_review_page_links_the_reports_that_exist(as_reviewer, submitted):
    html = as_reviewer.get(change_url(submitted)).content.decode()
    expected = []
    for name in ("assessment_report_pdf", "assessment_report_html", "assessment_report"):
        try:
            expected.append(reverse(name, args=[submitted.pk]))
        except NoReverseMatch:
            continue
    assert all(f'href="{url}"' in html for url in expected)


def test_review_page_groups_the_other_answers_by_area(as_reviewer, submitted):
    html = as_reviewer.get(change_url(submitted)).content.decode()
    assert re.findall(r'<details class="module review-area" id="area-([\w-]+)">', html) == [
        "encryption",
        "network",
        "authentication",
        "authorization",
        "backups",
        "logging",
        "operations",
    ]


def test_review_page_shows_each_answer_with_outcome_and_risk(as_reviewer, submitted, user):
    answer_row = re.search(
        r'<article [^>]*id="c-NET-ALLOW".*?</article>', as_reviewer.get(change_url(submitted)).content.decode(), re.S
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", answer_row.group(0)).split())
    assert text.startswith("NET-ALLOW")
    assert "owner: Customer · Misattributed · critical risk" in text
    assert "Answer: Someone else does (provider or cloud)" in text


@pytest.mark.parametrize("fixture", ["submitted", "in_review"])
def test_a_submission_offers_save_request_changes_and_approve(as_reviewer, request, fixture):
    html = as_reviewer.get(change_url(request.getfixturevalue(fixture))).content.decode()
    assert re.findall(r'name="decision" value="(\w+)"', html) == ["save", "request_changes", "approve"]
    assert 'name="NET-ALLOW-verdict"' in html


def test_request_changes_with_a_control_comment(as_reviewer, in_review):
    response = as_reviewer.post(
        change_url(in_review),
        {
            "NET-ALLOW-verdict": "needs_work",
            "NET-ALLOW-comment": "0.0.0.0/0 is open.",
            "decision": "request_changes",
            "message": "Close the allow list.",
        },
        follow=True,
    )
    assert messages_of(response) == [
        "Requested changes on “Prod cluster”. The organization's members have been emailed."
    ]
    after = Assessment.objects.get(pk=in_review.pk)
    assert (after.status, after.decision_message) == (Status.CHANGES_REQUESTED, "Close the allow list.")
    assert list(ControlReview.objects.values_list("control__control_id", "verdict", "comment")) == [
        ("NET-ALLOW", "needs_work", "0.0.0.0/0 is open.")
    ]


def test_request_changes_without_a_message_saves_nothing(as_reviewer, in_review):
    response = as_reviewer.post(
        change_url(in_review),
        {"NET-ALLOW-verdict": "needs_work", "NET-ALLOW-comment": "Open.", "decision": "request_changes", "message": ""},
    )
    assert response.status_code == 400
    assert "Say what needs to change: a decision message is required." in response.content.decode()
    assert status_of(in_review) == Status.IN_REVIEW
    assert ControlReview.objects.count() == 0


def test_a_refused_post_keeps_what_the_reviewer_typed(as_reviewer, in_review):
    response = as_reviewer.post(
        change_url(in_review),
        {"NET-ALLOW-verdict": "needs_work", "NET-ALLOW-comment": "Open to all.", "decision": "request_changes"},
    )
    assert "Open to all.</textarea>" in response.content.decode()


def test_needs_work_requires_a_comment(as_reviewer, in_review):
    response = as_reviewer.post(
        change_url(in_review), {"NET-ALLOW-verdict": "needs_work", "NET-ALLOW-comment": "", "decision": "save"}
    )
    assert response.status_code == 400
    assert "Say what needs to change on this control." in response.content.decode()
    assert ControlReview.objects.count() == 0


def test_save_stores_control_reviews_without_a_decision(as_reviewer, in_review):
    response = as_reviewer.post(
        change_url(in_review),
        {
            "NET-ALLOW-verdict": "accepted",
            "NET-ALLOW-comment": "",
            "BCK-RPO-verdict": "",
            "BCK-RPO-comment": "Hm.",
            "decision": "save",
        },
        follow=True,
    )
    assert messages_of(response) == ["Saved 2 control reviews."]
    assert status_of(in_review) == Status.IN_REVIEW


def test_a_post_that_leaves_controls_out_keeps_their_reviews(as_reviewer, in_review, reviewer):
    control = in_review.model.controls.get(control_id="NET-ALLOW")
    workflow.control_review_save(
        assessment=in_review, control=control, actor=reviewer, verdict="accepted", comment="OK"
    )
    as_reviewer.post(change_url(in_review), {"decision": "approve", "message": "Fine."})
    review = ControlReview.objects.get()
    assert (review.verdict, review.comment) == ("accepted", "OK")
    assert status_of(in_review) == Status.APPROVED


def test_approve_button(as_reviewer, in_review):
    response = as_reviewer.post(change_url(in_review), {"decision": "approve", "message": "Good."}, follow=True)
    assert messages_of(response) == ["Approved “Prod cluster”. The organization's members have been emailed."]
    assert status_of(in_review) == Status.APPROVED


def test_approve_while_a_control_needs_work_is_refused(as_reviewer, in_review):
    response = as_reviewer.post(
        change_url(in_review),
        {"NET-ALLOW-verdict": "needs_work", "NET-ALLOW-comment": "Open.", "decision": "approve"},
    )
    assert response.status_code == 400
    assert "NET-ALLOW IP allow lists: still marked “needs work”; accept it, or request changes." in (
        response.content.decode()
    )
    assert status_of(in_review) == Status.IN_REVIEW


def test_approving_a_submission_directly_records_the_review_starting(as_reviewer, submitted, reviewer):
    response = as_reviewer.post(change_url(submitted), {"decision": "approve", "message": "All good"})
    assert response.status_code == 302
    transitions = AuditEvent.objects.filter(assessment=submitted, kind="transition").order_by("at", "id")
    assert [(e.after["status"], e.actor) for e in transitions][1:] == [("in_review", reviewer), ("approved", reviewer)]


def test_a_crafted_post_of_model_fields_changes_nothing(as_reviewer, submitted):
    response = as_reviewer.post(
        change_url(submitted), {"status": "approved", "title": "Hacked", "scope": "", "_save": "Save"}
    )
    assert response.status_code == 400
    after = Assessment.objects.get(pk=submitted.pk)
    assert (after.status, after.title) == (Status.SUBMITTED, "Prod cluster")


def test_an_approved_assessment_refuses_every_decision(as_reviewer, in_review, reviewer):
    workflow.assessment_approve(assessment=in_review, actor=reviewer)
    for decision in ("start_review", "approve", "request_changes"):
        as_reviewer.post(change_url(in_review), {"decision": decision, "message": "Again"})
    assert status_of(in_review) == Status.APPROVED
    assert AuditEvent.objects.filter(assessment=in_review, kind="transition").count() == 3


def test_an_approved_assessment_shows_no_buttons(as_reviewer, in_review, reviewer):
    workflow.assessment_approve(assessment=in_review, actor=reviewer)
    html = as_reviewer.get(change_url(in_review)).content.decode()
    assert 'name="decision"' not in html
    assert "Approved: this assessment no longer changes." in html


# Bulk actions.


def test_bulk_assign_reports_assigned_and_refused(as_reviewer, submitted, in_review_other, reviewer):
    workflow.assessment_approve(assessment=in_review_other, actor=reviewer)
    # Posted from the "All" view, where the approved one is listed (an action acts on the rows of the current view).
    response = as_reviewer.post(
        f"{CHANGELIST}?status=all",
        {"action": "assign_to_me", "_selected_action": [submitted.pk, in_review_other.pk]},
        follow=True,
    )
    assert messages_of(response) == [
        "Assigned 1 assessment to you.",
        "Not assigned: “Other cluster” (Acme Corp): This assessment is approved; its review is finished.",
    ]
    assert Assessment.objects.get(pk=submitted.pk).assignee == reviewer
    assert Assessment.objects.get(pk=in_review_other.pk).assignee is None


def test_bulk_assign_is_not_offered_to_view_only_staff(client, submitted):
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("auditor@provider.test", PASSWORD, name="Auditor", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    client.force_login(viewer)
    assert 'value="assign_to_me"' not in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": [submitted.pk]})
    assert Assessment.objects.get(pk=submitted.pk).assignee is None


def test_bulk_delete_is_not_offered(as_reviewer, submitted):
    html = as_reviewer.get(CHANGELIST).content.decode()
    assert 'value="delete_selected"' not in html


def test_export_selected_as_csv(as_reviewer, submitted):
    response = as_reviewer.post(CHANGELIST, {"action": "export_csv", "_selected_action": [submitted.pk]})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Organization",
        "Title",
        "Model",
        "Version",
        "Deployment",
        "Status",
        "Overall score",
        "Critical gaps",
        "High gaps",
        "Submitted at",
    ]
    assert rows[1][:9] == [
        "Acme Corp",
        "Prod cluster",
        "YugabyteDB Managed",
        "1.0",
        "YugabyteDB Managed",
        "Submitted",
        "93",
        "1",
        "1",
    ]
    assert rows[1][9] == Assessment.objects.get(pk=submitted.pk).submitted_at.isoformat(timespec="seconds")


def test_csv_export_defuses_formulas(as_reviewer, submitted):
    Organization.objects.filter(pk=submitted.organization_id).update(name='=HYPERLINK("http://evil")')
    response = as_reviewer.post(CHANGELIST, {"action": "export_csv", "_selected_action": [submitted.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'


# The customer's app URLs involved in the review, for each kind of visitor.

APP_PAGES = ["", "results/", "review/", "activity/"]


@pytest.mark.parametrize("page", APP_PAGES)
def test_app_pages_are_404_to_reviewers(as_reviewer, in_review, page):
    assert as_reviewer.get(f"/assessments/{in_review.pk}/{page}").status_code == 404


@pytest.mark.parametrize("page", APP_PAGES)
def test_app_pages_are_404_to_other_organizations(client, in_review, other_user, page):
    client.force_login(other_user)
    assert client.get(f"/assessments/{in_review.pk}/{page}").status_code == 404


@pytest.mark.parametrize("page", APP_PAGES)
def test_app_pages_send_anonymous_visitors_to_log_in(client, in_review, page):
    response = client.get(f"/assessments/{in_review.pk}/{page}")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/assessments/{in_review.pk}/{page}"


@pytest.mark.parametrize("page", APP_PAGES)
def test_app_pages_open_for_the_customer(client, in_review, user, page):
    client.force_login(user)
    assert client.get(f"/assessments/{in_review.pk}/{page}").status_code == 200


def test_a_reviewer_cannot_change_an_answer(as_reviewer, changes_requested):
    response = as_reviewer.post(
        f"/assessments/{changes_requested.pk}/answers/NET-ALLOW/", {"claim": "implemented", "version": "2"}
    )
    assert response.status_code == 404
    assert changes_requested.answers.get(control__control_id="NET-ALLOW").claim == "provider"


def test_a_customer_cannot_change_an_answer_under_review(client, in_review, user):
    client.force_login(user)
    response = client.post(f"/assessments/{in_review.pk}/answers/NET-ALLOW/", {"claim": "implemented", "version": "2"})
    assert response.status_code == 403
    assert response.json()["message"] == "This assessment is in review; its answers can't be changed now."
    assert in_review.answers.get(control__control_id="NET-ALLOW").claim == "provider"


def test_a_reviewer_cannot_submit_for_the_customer(as_reviewer, changes_requested):
    assert as_reviewer.post(f"/assessments/{changes_requested.pk}/submit/").status_code == 404
    assert status_of(changes_requested) == Status.CHANGES_REQUESTED


def test_anonymous_autosave_is_told_to_log_in(client, changes_requested):
    response = client.post(f"/assessments/{changes_requested.pk}/answers/NET-ALLOW/", {"claim": "implemented"})
    assert response.status_code == 401
    assert changes_requested.answers.get(control__control_id="NET-ALLOW").claim == "provider"


@pytest.fixture
def changes_requested(in_review, reviewer):
    return workflow.assessment_request_changes(assessment=in_review, actor=reviewer, message="Fix NET-ALLOW.")
