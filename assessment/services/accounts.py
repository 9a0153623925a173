"""Sign-up and invitations."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Invitation, Membership, Organization, User
from ..ratelimit import allow
from .mail import send_after_commit

INVITATION_SALT = "assessment.invitation"


@transaction.atomic
def user_signup(*, email: str, name: str, password: str, organization_name: str) -> User:
    """Create a user and a new organization that the user owns."""
    organization = Organization(name=organization_name.strip())
    organization.full_clean()
    organization.save()
    return _create_member(email=email, name=name, password=password, organization=organization, role="owner")


def _create_member(*, email: str, name: str, password: str, organization: Organization, role: str) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email already exists."}, code="duplicate")
    user = User(email=email, name=name.strip())
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@transaction.atomic
def invitation_send(*, organization: Organization, email: str, invited_by: User) -> Invitation:
    """Invite a teammate: record the invitation and email its link once this commits.

    Inviting an address that already has a pending invitation sends that one again (with a fresh
    7-day link) instead of piling up invitations. Sends are rate-limited per address and per owner.
    """
    if invited_by.membership.role != Membership.Role.OWNER or invited_by.membership.organization_id != organization.pk:
        raise ValidationError("Only the organization's owner can invite teammates.", code="forbidden")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "This person already has an account."}, code="duplicate")
    limits = settings.RATE_LIMITS
    if not allow("invitation-address", email, **limits["invitation_address"]):
        raise ValidationError(
            {"email": f"{email} has been sent several invitations in the last hour. Try again later."},
            code="rate_limited",
        )
    if not allow("invitation-sender", str(invited_by.pk), **limits["invitation_sender"]):
        raise ValidationError("You have sent many invitations in the last hour. Try again later.", code="rate_limited")
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, email=email, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(organization=organization, email=email, invited_by=invited_by)
        invitation.full_clean()
        invitation.save()
    else:
        Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now(), invited_by=invited_by)
    link = settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])
    send_after_commit(
        subject=f"{invited_by.name} invited you to {organization.name}",
        body=f"{invited_by.name} invited you to join {organization.name} on Shared Responsibility Self-Assessment.\n\n"
        f"Accept the invitation (valid for 7 days, once): {link}\n",
        recipients=[email],
    )
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.pk), salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a token names; ValidationError when it is bad, expired or used."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError("This invitation has expired. Ask for a new one.", code="expired") from exc
    except signing.BadSignature as exc:
        raise ValidationError("This invitation link is not valid.", code="invalid") from exc
    invitation = Invitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None:
        raise ValidationError("This invitation link is not valid.", code="invalid")
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been used.", code="used")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, name: str, password: str) -> User:
    """Create the invited person's account in the inviting organization; the token works once."""
    invitation = invitation_from_token(token)
    # Lock the row so two simultaneous acceptances cannot both succeed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError("This invitation has already been used.", code="used")
    user = _create_member(
        email=invitation.email, name=name, password=password, organization=invitation.organization, role="member"
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user
