"""Sign-up, log-in, lockout, invitations, password reset."""

import re

import pytest
from django.core import mail, signing
from django.test import TestCase, override_settings

from assessment.models import Invitation, Membership, Organization, User
from assessment.services.accounts import INVITATION_SALT
from tests.conftest import PASSWORD, make_member

SIGNUP = {
    "email": "Bob@Example.com",
    "name": "Bob Builder",
    "organization": "Builders Ltd",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def test_signup_creates_user_organization_and_ownership_and_logs_in(client, db):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.redirect_chain[-1][0] == "/assessments/"
    user = User.objects.get(email="bob@example.com")
    assert user.membership.organization.name == "Builders Ltd"
    assert user.membership.role == Membership.Role.OWNER
    assert user.password.startswith("argon2")
    assert "Welcome! Your organization “Builders Ltd” is ready." in response.content.decode()


def test_signup_refuses_mismatched_passwords_and_writes_nothing(client, db):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something-else-42"})
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    assert User.objects.count() == 0
    assert Organization.objects.count() == 0


def test_signup_applies_password_validators(client, db):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "123", "password2": "123"})
    html = response.content.decode()
    assert "This password is too short. It must contain at least 8 characters." in html
    assert User.objects.count() == 0


def test_signup_refuses_an_existing_email(client, user):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "ALICE@acme.test"})
    assert "An account with this email already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="alice@acme.test").count() == 1
    assert Organization.objects.count() == 1


def test_login_with_email(client, user):
    response = client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/assessments/"


def test_logout_requires_post(client, user):
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/assessments/").status_code == 302


def test_five_failures_lock_the_account_for_fifteen_minutes(client, user):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice@acme.test", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "This account is locked for 15 minutes after 5 failed log-in attempts." in response.content.decode()


def test_lockout_expires(client, user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice@acme.test", "password": "wrong"})
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD})
    assert response.status_code == 302


def test_four_failures_do_not_lock(client, user):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "alice@acme.test", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "alice@acme.test", "password": PASSWORD}).status_code == 302


def test_password_reset_sends_a_link_by_email(client, user):
    client.post("/accounts/password_reset/", {"email": "alice@acme.test"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@acme.test"]
    link = re.search(r"http://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    assert link


def test_password_change(client, user):
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-fine-secret-77",
            "new_password2": "another-fine-secret-77",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-fine-secret-77")


# Invitations


def invite(client, owner, email="carol@acme.test") -> str:
    """Invite through the page; the email goes out when the request's transaction commits."""
    client.force_login(owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/accounts/organization/", {"email": email})
    return re.search(r"/accounts/invitations/(\S+)/", mail.outbox[-1].body).group(1)


def test_owner_invites_and_invitee_joins_the_organization(client, user):
    token = invite(client, user)
    client.logout()
    response = client.post(
        f"/accounts/invitations/{token}/", {"name": "Carol", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    carol = User.objects.get(email="carol@acme.test")
    assert carol.membership.organization == user.membership.organization
    assert carol.membership.role == Membership.Role.MEMBER


def test_invitation_email_has_the_link_and_the_page_says_so(client, user):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/organization/", {"email": "carol@acme.test"}, follow=True)
    assert "Invitation sent to carol@acme.test. The link works once, for 7 days." in response.content.decode()
    assert mail.outbox[0].to == ["carol@acme.test"]
    assert "/accounts/invitations/" in mail.outbox[0].body


def test_invitation_works_once(client, user):
    token = invite(client, user)
    client.logout()
    data = {"name": "Carol", "password1": PASSWORD, "password2": PASSWORD}
    client.post(f"/accounts/invitations/{token}/", data)
    client.logout()
    response = client.get(f"/accounts/invitations/{token}/")
    assert response.status_code == 410
    assert "This invitation has already been used." in response.content.decode()


def test_expired_invitation_is_refused(client, user):
    token = invite(client, user)
    client.logout()
    with override_settings(INVITATION_MAX_AGE=-1):
        response = client.get(f"/accounts/invitations/{token}/")
    assert response.status_code == 410
    assert "This invitation has expired. Ask for a new one." in response.content.decode()


def test_tampered_invitation_is_refused(client, user):
    response = client.get("/accounts/invitations/not-a-token/")
    assert response.status_code == 410
    assert "This invitation link is not valid." in response.content.decode()


def test_forged_token_for_a_random_id_is_refused(client, db):
    token = signing.dumps("00000000-0000-0000-0000-000000000000", salt=INVITATION_SALT)
    assert client.get(f"/accounts/invitations/{token}/").status_code == 410


def test_members_cannot_invite(client, user):
    member = make_member("dave@acme.test", user.membership.organization, role="member")
    client.force_login(member)
    client.post("/accounts/organization/", {"email": "eve@acme.test"})
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("path", ["/accounts/organization/", "/accounts/password_change/"])
def test_account_pages_require_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
