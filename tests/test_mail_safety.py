"""Names travel into email subjects: one line only, and a mail failure never undoes or hides a done action."""

import pytest
from django.core import mail

from assessment.models import Assessment, Invitation, Organization, User
from tests.conftest import PASSWORD, answer_all, make_reviewer

LINE_BREAK_MESSAGE = "Use one line of text, without line breaks, tabs or other control characters."


@pytest.mark.parametrize("field", ["name", "organization"])
@pytest.mark.parametrize("value", ["Acme\nBcc: victim@example.com", "Acme\r\nCorp", "Acme\tCorp", "Acme\u2028Corp"])
def test_signup_refuses_names_on_several_lines(db, client, field, value):
    data = {
        "email": "new@acme.test",
        "name": "New Person",
        "organization": "Acme",
        "password1": PASSWORD,
        "password2": PASSWORD,
        field: value,
    }
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert LINE_BREAK_MESSAGE in response.content.decode()
    assert not User.objects.exists() and not Organization.objects.exists()


def test_starting_an_assessment_refuses_a_title_on_two_lines(client, user, yb_model, managed):
    client.force_login(user)
    response = client.post(
        "/assessments/new/", {"title": "Prod\nBcc: x@y.z", "model": yb_model.pk, "deployment": managed.pk}
    )
    assert response.status_code == 200
    assert LINE_BREAK_MESSAGE in response.content.decode()
    assert not Assessment.objects.exists()


def test_scope_has_a_stated_maximum(client, user, yb_model, managed):
    client.force_login(user)
    response = client.post(
        "/assessments/new/", {"title": "Prod", "scope": "x" * 2001, "model": yb_model.pk, "deployment": managed.pk}
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 2000 characters (it has 2001)." in response.content.decode()
    assert "up to 2,000 characters" in response.content.decode()
    assert not Assessment.objects.exists()


def test_an_old_name_with_a_line_break_still_gets_a_one_line_subject(
    client, user, org, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=org.pk).update(name="Acme\nBcc: victim@example.com")  # stored before the rule
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/organization/", {"email": "bob@acme.test"})
    assert response.status_code == 302
    assert mail.outbox[0].subject == "Alice invited you to Acme Bcc: victim@example.com"
    assert mail.outbox[0].to == ["bob@acme.test"]


def test_submission_with_an_old_multiline_title_emails_reviewers(
    client, complete, user, django_capture_on_commit_callbacks
):
    make_reviewer()
    Assessment.objects.filter(pk=complete.pk).update(title="Prod\r\ncluster")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessments/{complete.pk}/submit/", {"declare": "on", "confirm": "on"})
    assert response.status_code == 302
    assert [m.subject for m in mail.outbox] == ["Submitted for review: Acme Corp — Prod cluster"]


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.failing_mail.EmailBackend"


def test_submission_stands_when_the_mail_server_is_down(
    client, complete, user, mail_server_down, django_capture_on_commit_callbacks, caplog
):
    make_reviewer()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assessments/{complete.pk}/submit/", {"declare": "on", "confirm": "on"})
    assert response.status_code == 302
    assert response.url == f"/assessments/{complete.pk}/results/"
    complete.refresh_from_db()
    assert complete.status == Assessment.Status.SUBMITTED
    assert "Email not sent: 'Submitted for review: Acme Corp — Prod cluster' to 1 recipient(s)" in caplog.text


def test_invitation_stands_when_the_mail_server_is_down(
    client, user, mail_server_down, django_capture_on_commit_callbacks, caplog
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/organization/", {"email": "bob@acme.test"})
    assert response.status_code == 302
    assert Invitation.objects.filter(email="bob@acme.test").count() == 1
    assert "Email not sent: 'Alice invited you to Acme Corp'" in caplog.text


def test_no_email_when_the_action_rolls_back(complete, user, django_capture_on_commit_callbacks):
    from django.db import transaction

    from assessment.services import workflow

    make_reviewer()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        workflow.assessment_submit(assessment=complete, actor=user)
        raise RuntimeError("something later in the same transaction failed")
    assert mail.outbox == []


def test_decision_email_to_members_survives_a_multiline_title(complete, user, django_capture_on_commit_callbacks):
    from assessment.services import workflow

    reviewer = make_reviewer()
    answer_all(complete, user)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_submit(assessment=complete, actor=user)
        workflow.assessment_start_review(assessment=complete, actor=reviewer)
    Assessment.objects.filter(pk=complete.pk).update(title="Prod\ncluster")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_approve(assessment=complete, actor=reviewer)
    assert [m.subject for m in mail.outbox] == ["Review approved: Prod cluster"]
