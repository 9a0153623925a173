"""Sign-up, the organization page and invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..forms.accounts import AcceptInvitationForm, InvitationForm, SignupForm
from ..services import accounts

BACKEND = "assessment.backends.MembershipModelBackend"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and its organization, then log in."""
    if request.user.is_authenticated:
        return redirect("assessment_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.user_signup(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                organization_name=form.cleaned_data["organization"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, f"Welcome! Your organization “{user.membership.organization}” is ready.")
            return redirect("assessment_list")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organization(request: HttpRequest) -> HttpResponse:
    """Members of the user's organization; the owner invites teammates here."""
    membership = getattr(request.user, "membership", None)
    if membership is None:
        return redirect("home")
    org = membership.organization
    is_owner = membership.role == membership.Role.OWNER
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and is_owner and form.is_valid():
        try:
            invitation = accounts.invitation_send(
                organization=org, email=form.cleaned_data["email"], invited_by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}. The link works once, for 7 days.")
            return redirect("organization")
    context = {
        "organization": org,
        "is_owner": is_owner,
        "members": org.memberships.select_related("user").order_by("joined_at"),
        "pending": org.invitations.filter(accepted_at__isnull=True),
        "form": form,
    }
    return render(request, "registration/organization.html", context)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Join an organization through an invitation link: create the account, then log in."""
    try:
        invitation = accounts.invitation_from_token(token)
    except ValidationError as error:
        return render(request, "registration/invitation_invalid.html", {"error": error.messages[0]}, status=410)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.invitation_accept(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, f"You joined {invitation.organization.name}.")
            return redirect("assessment_list")
    return render(request, "registration/invitation_accept.html", {"form": form, "invitation": invitation})
