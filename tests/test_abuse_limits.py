"""Bounds on what a visitor can make the app do: emails sent, lockouts, and what the admin confirms."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db.models import F
from django.utils import timezone

from assessment.models import Assessment, Invitation
from assessment.services.workflow import assessment_submit
from tests.conftest import PASSWORD, answer_all, make_reviewer


def test_password_reset_emails_one_address_at_most_three_times_an_hour(client, user):
    for _ in range(10):
        response = client.post("/accounts/password_reset/", {"email": "alice@acme.test"})
        assert response.status_code == 302  # the page never says whether an email went out
    assert len(mail.outbox) == 3


def test_password_reset_limit_ignores_the_case_of_the_address(client, user):
    for address in ["alice@acme.test", "ALICE@acme.test", "Alice@Acme.Test", "alice@ACME.TEST"]:
        client.post("/accounts/password_reset/", {"email": address})
    assert len(mail.outbox) == 3


def test_password_reset_limit_is_per_address(client, user, org):
    from tests.conftest import make_member

    make_member("bob@acme.test", org, role="member")
    for _ in range(4):
        client.post("/accounts/password_reset/", {"email": "alice@acme.test"})
    client.post("/accounts/password_reset/", {"email": "bob@acme.test"})
    assert [m.to for m in mail.outbox] == [["alice@acme.test"]] * 3 + [["bob@acme.test"]]


def invite(client, email: str):
    return client.post("/accounts/organization/", {"email": email})


def test_inviting_an_address_again_resends_the_pending_invitation(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, "bob@acme.test").status_code == 302
        assert invite(client, "Bob@Acme.test").status_code == 302
    assert Invitation.objects.filter(email="bob@acme.test").count() == 1
    assert len(mail.outbox) == 2


def test_invitations_to_one_address_are_limited(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            invite(client, "bob@acme.test")
        response = invite(client, "bob@acme.test")
    assert response.status_code == 200
    assert "bob@acme.test has been sent several invitations in the last hour. Try again later." in (
        response.content.decode()
    )
    assert len(mail.outbox) == 3


def test_invitations_by_one_owner_are_limited(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            assert invite(client, f"person{n}@acme.test").status_code == 302
        response = invite(client, "one-too-many@acme.test")
    assert "You have sent many invitations in the last hour. Try again later." in response.content.decode()
    assert Invitation.objects.count() == 20
    assert len(mail.outbox) == 20


def fail_login(client, username="alice@acme.test"):
    return client.post("/accounts/login/", {"username": username, "password": "wrong"})


def test_failures_count_for_the_account_whatever_the_case(client, user):
    for username in ["alice@acme.test", "ALICE@acme.test", "Alice@Acme.test", "alice@ACME.test", " alice@acme.test"]:
        fail_login(client, username)
    assert client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD}).status_code == 429


def test_attempts_during_a_lockout_do_not_extend_it(client, user):
    for _ in range(5):
        fail_login(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert fail_login(client).status_code == 429  # still locked, and trying again...
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    # ...did not restart the 15 minutes: 16 minutes after the lockout began, the right password works.
    assert client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD}).status_code == 302


def shortcut(assessment_pk) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(Assessment).pk}/{assessment_pk}/"


def test_admin_shortcut_does_not_confirm_a_draft_exists(client, assessment):
    client.force_login(make_reviewer())
    import uuid

    assert client.get(shortcut(assessment.pk)).status_code == 404
    assert client.get(shortcut(uuid.uuid4())).status_code == 404
    assert client.get(shortcut("not-a-uuid")).status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404


def test_admin_shortcut_still_works_for_what_the_reviewer_may_see(client, assessment, user):
    answer_all(assessment, user)
    assessment_submit(assessment=assessment, actor=user)
    client.force_login(make_reviewer())
    response = client.get(shortcut(assessment.pk))
    assert response.status_code == 302
    assert response.url.endswith(f"/assessments/{assessment.pk}/")


def test_admin_shortcut_needs_an_admin_login(client, assessment, user):
    client.force_login(user)
    response = client.get(shortcut(assessment.pk))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("email", ["a" * 250 + "@x.io"])
def test_invitation_address_length_is_checked(client, user, email):
    client.force_login(user)
    response = invite(client, email)
    assert response.status_code == 200
    assert not Invitation.objects.exists()
