"""Small things that add up: export names and columns, the decision email, SITE_URL, sign-up errors,
labels that repeat a party, the admin's favicon."""

import csv
import io
import os
import re
import subprocess
from pathlib import Path

import pytest
import tinyhtml5
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.services import workflow
from assessment.services.assessments import assessment_start
from assessment.templatetags.assessment_tags import starts_with_party
from tests.conftest import PASSWORD, load_fixture

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# 1. The JSON export is named like the PDF and the CSV.


def test_the_json_export_is_named_like_the_csv(logged_in, assessment):
    today = timezone.now().date()
    json_name = logged_in.get(f"/assessments/{assessment.pk}/export.json")["Content-Disposition"]
    csv_name = logged_in.get(f"/assessments/{assessment.pk}/export.csv")["Content-Disposition"]
    assert json_name == f'attachment; filename="acme-corp-prod-cluster-{today:%Y-%m-%d}.json"'
    assert csv_name == json_name.replace(".json", ".csv")


# 2. The CSV has the controls' titles.


def test_the_csv_has_each_controls_title_after_its_id(logged_in, assessment):
    body = logged_in.get(f"/assessments/{assessment.pk}/export.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["id", "title", "area"]
    cmk = next(row for row in rows if row[0] == "ENC-CMK")
    assert cmk[:3] == ["ENC-CMK", "Customer-managed encryption key", "encryption"]


# 3. "Changes requested" lists the controls that need work, with the reviewer's comment and a link.


@pytest.fixture
def in_review(complete, user, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = workflow.assessment_submit(assessment=complete, actor=user)
    return workflow.assessment_start_review(assessment=submitted, actor=reviewer)


def review(assessment, reviewer, control_id: str, verdict: str, comment: str = ""):
    control = assessment.model.controls.get(control_id=control_id)
    workflow.control_review_save(
        assessment=assessment, control=control, actor=reviewer, verdict=verdict, comment=comment
    )


def request_changes(assessment, reviewer, capture, message="Two controls need another look."):
    mail.outbox.clear()
    with capture(execute=True):
        workflow.assessment_request_changes(assessment=assessment, actor=reviewer, message=message)
    return mail.outbox[0]


def test_the_change_request_email_lists_each_control_that_needs_work(
    in_review, reviewer, django_capture_on_commit_callbacks
):
    review(in_review, reviewer, "NET-ALLOW", "needs_work", "Name the address ranges you allow.")
    review(in_review, reviewer, "ENC-CMK", "needs_work", "Say who rotates the key.\nAnd how often.")
    review(in_review, reviewer, "ENC-TLS-VERIFY", "accepted", "Good.")
    message = request_changes(in_review, reviewer, django_capture_on_commit_callbacks)
    area = f"{settings.SITE_URL}/assessments/{in_review.pk}/areas"
    assert message.body == (
        "The review of “Prod cluster” is done: changes requested.\n\n"
        "Reviewer's message:\nTwo controls need another look.\n\n"
        "Controls that need work (2):\n"
        "- ENC-CMK Customer-managed encryption key: Say who rotates the key.\n"
        "  And how often.\n"
        f"  {area}/encryption/#c-ENC-CMK\n"
        "- NET-ALLOW IP allow lists: Name the address ranges you allow.\n"
        f"  {area}/network/#c-NET-ALLOW\n\n"
        f"See it: {settings.SITE_URL}/assessments/{in_review.pk}/\n"
    )


def test_a_control_without_a_comment_is_listed_by_its_title(in_review, reviewer, django_capture_on_commit_callbacks):
    review(in_review, reviewer, "NET-ALLOW", "needs_work")
    body = request_changes(in_review, reviewer, django_capture_on_commit_callbacks).body
    assert "Controls that need work (1):\n- NET-ALLOW IP allow lists\n  http" in body


def test_with_nothing_marked_the_email_lists_no_controls(in_review, reviewer, django_capture_on_commit_callbacks):
    body = request_changes(in_review, reviewer, django_capture_on_commit_callbacks).body
    assert "Controls that need work" not in body


def test_listing_the_controls_takes_the_same_queries_however_many(
    in_review, reviewer, django_capture_on_commit_callbacks
):
    review(in_review, reviewer, "NET-ALLOW", "needs_work", "One")
    with CaptureQueriesContext(connection) as one:
        workflow._needs_work_text(in_review)
    for control_id in ("ENC-CMK", "ENC-TLS-VERIFY", "ENC-REST"):
        review(in_review, reviewer, control_id, "needs_work", "More")
    with CaptureQueriesContext(connection) as four:
        text_ = workflow._needs_work_text(in_review)
    assert text_.startswith("Controls that need work (4):")
    assert len(four) == len(one) == 1


# 4. `make run` links emails to the port it serves on, unless SITE_URL is set.


def make_dry_run(**env) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_points_links_at_its_port():
    out = make_dry_run()
    assert 'export SITE_URL="http://127.0.0.1:8123"; \\\n.venv/bin/python manage.py db_worker' in out
    assert ".venv/bin/python manage.py runserver 127.0.0.1:8123" in out
    assert 'SITE_URL="http://127.0.0.1:8123" .venv/bin/python manage.py seed_demo' in out
    assert "Log in with a demo account above." in out


def test_make_run_keeps_a_site_url_that_is_set():
    out = make_dry_run(SITE_URL="https://assess.example.com")
    assert 'export SITE_URL="https://assess.example.com";' in out
    assert ".venv/bin/python manage.py runserver 127.0.0.1:8123" in out


def test_seed_demo_prints_where_to_log_in(db, settings):
    settings.DEBUG, settings.SITE_URL = True, "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue().splitlines()[0] == (
        "Demo logins (customers log in at http://127.0.0.1:8123/accounts/login/; "
        "the reviewer and admin at http://127.0.0.1:8123/admin/):"
    )


def test_the_invitation_link_follows_site_url(client, user, settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/accounts/organization/", {"email": "carol@acme.test"})
    assert "http://127.0.0.1:8123/accounts/invitations/" in mail.outbox[-1].body


# 5. Sign-up shows every password problem at once.

SIGNUP = {"email": "bob@example.com", "name": "Bob Builder", "organization": "Builders Ltd"}
MISMATCH = "The two password fields didn’t match."
VALIDATORS = [
    "This password is too short. It must contain at least 8 characters.",
    "This password is too common.",
    "This password is entirely numeric.",
]


def field_errors(html: str, field: str) -> list[str]:
    page = tinyhtml5.parse(html, namespace_html_elements=False)
    box = page.find(f".//*[@id='id_{field}_error']")
    return [" ".join("".join(p.itertext()).split()) for p in box] if box is not None else []


def test_signup_shows_the_mismatch_and_every_password_problem_in_one_round(client, db):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "1234", "password2": "12345"})
    html = response.content.decode()
    assert field_errors(html, "password1") == VALIDATORS
    assert field_errors(html, "password2") == [MISMATCH]


def test_signup_with_matching_weak_passwords_lists_every_problem(client, db):
    html = client.post("/accounts/signup/", {**SIGNUP, "password1": "1234", "password2": "1234"}).content.decode()
    assert field_errors(html, "password1") == VALIDATORS
    assert field_errors(html, "password2") == []


def test_signup_with_a_good_password_that_does_not_match_says_only_that(client, db):
    html = client.post(
        "/accounts/signup/", {**SIGNUP, "password1": PASSWORD, "password2": PASSWORD + "x"}
    ).content.decode()
    assert field_errors(html, "password1") == []
    assert field_errors(html, "password2") == [MISMATCH]


def test_accepting_an_invitation_shows_every_password_problem_too(client, user):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/accounts/organization/", {"email": "carol@acme.test"})
    token = re.search(r"/accounts/invitations/(\S+)/", mail.outbox[-1].body).group(1)
    client.logout()
    response = client.post(f"/accounts/invitations/{token}/", {"name": "Carol", "password1": "1234", "password2": "5"})
    html = response.content.decode()
    assert field_errors(html, "password1") == VALIDATORS
    assert field_errors(html, "password2") == ["The two password fields didn't match."]


# 6. A label never repeats the party its text starts with.


@pytest.mark.parametrize(
    ("text_", "name", "expected"),
    [
        ("Yugabyte runs the scheduled backups.", "Yugabyte", True),
        ("The cloud provider keeps tenants apart.", "Cloud provider", True),
        ("Yugabyte’s engineers patch the nodes.", "Yugabyte", True),
        ("Yugabyte, or the cloud storage service on IaaS, encrypts backups.", "Yugabyte", True),
        ("The cloud storage service encrypts the stored data.", "Cloud provider", False),
        ("Yugabytes are a unit of data.", "Yugabyte", False),
        ("Keep an active backup policy.", "Yugabyte", False),
        ("", "Yugabyte", False),
        ("Anything", "", False),
    ],
)
def test_starts_with_party(text_, name, expected):
    assert starts_with_party(text_, name) is expected


def partner_paragraphs(html: str, needle: str) -> list[str]:
    return [p for p in (text(m) for m in re.findall(r"<p[^>]*>.*?</p>", html, re.S)) if needle in p]


def test_the_control_page_drops_the_label_only_where_the_text_names_the_party(client, db):
    load_fixture("yugabytedb-managed-1.1")
    html = client.get("/models/yugabytedb-managed/1.1/controls/BCK-PROTECT/").content.decode()
    assert partner_paragraphs(html, "Yugabyte stores every backup")[0].startswith("Yugabyte stores every backup")
    assert partner_paragraphs(html, "The cloud storage service")[0].startswith(
        "Cloud provider’s part: The cloud storage service"
    )
    assert "Yugabyte’s part:" not in html


def test_the_reveal_drops_the_label_where_the_text_names_the_party(logged_in, user):
    model = load_fixture("yugabytedb-managed-1.1")
    guided = assessment_start(
        user=user, model=model, deployment=model.deployments.get(key="managed"), title="G", mode="guided"
    )
    html = logged_in.get(f"/assessments/{guided.pk}/areas/backups/").content.decode()
    (sched,) = partner_paragraphs(html, "Yugabyte runs the scheduled backups")
    assert sched.startswith("Yugabyte runs the scheduled backups")
    assert "Yugabyte’s part:" not in html


# 7. The admin has the site's favicon, and keeps its branding.

ICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


def test_the_admin_login_page_has_the_favicon_and_the_branding(client, db):
    html = client.get("/admin/login/").content.decode()
    assert ICON in html
    assert "Shared Responsibility Self-Assessment — review" in html
    assert "<title>Log in | Self-Assessment admin</title>" in html


def test_the_review_page_keeps_its_script_and_gets_the_favicon(client, in_review, reviewer):
    client.force_login(reviewer)
    html = client.get(f"/admin/assessment/assessment/{in_review.pk}/change/").content.decode()
    assert ICON in html
    assert "js/admin-review.js" in html
    assert "Shared Responsibility Self-Assessment — review" in html


@pytest.mark.parametrize("path", ["", "assessment/assessment/", "assessment/auditevent/"])
def test_admin_pages_have_the_favicon(client, reviewer, path):
    client.force_login(reviewer)
    response = client.get(f"/admin/{path}")
    assert response.status_code == 200
    assert ICON in response.content.decode()
