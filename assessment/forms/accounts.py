"""Account forms: sign-up, invitations."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm

from ..models import User
from ..ratelimit import allow
from ..validators import validate_single_line


def normalize_email(value: str) -> str:
    return value.strip().lower()


class LoginForm(AuthenticationForm):
    """Email login, case-insensitive (addresses are stored lower-cased), with the length bounded."""

    def clean_username(self) -> str:
        username = normalize_email(self.cleaned_data["username"])
        # AuthenticationForm sets max_length after the field is built, so Django never checks it.
        if len(username) > User._meta.get_field("email").max_length:
            raise forms.ValidationError("That is longer than any email address we accept.", code="max_length")
        return username


class RateLimitedPasswordResetForm(PasswordResetForm):
    """Sends at most a few reset emails per address per hour; the page says the same either way."""

    def get_users(self, email):
        if not allow("password-reset", normalize_email(email), **settings.RATE_LIMITS["password_reset"]):
            return []
        return super().get_users(email)


class SignupForm(BaseUserCreationForm):
    organization = forms.CharField(
        label="Organization name",
        max_length=200,
        validators=[validate_single_line],
        help_text="Your company or team. You can invite teammates later.",
    )

    field_order = ["email", "name", "organization", "password1", "password2"]

    class Meta:
        model = User
        fields = ("email", "name")
        labels = {"name": "Your name"}

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.", code="duplicate")
        return email

    def validate_password_for_user(self, user, password_field_name="password1"):
        # Django checks the confirmation, which a mismatch has already removed, so "didn't match" hid
        # every other problem. Checking the password itself shows them all in one round.
        super().validate_password_for_user(user, password_field_name="password1")


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Teammate's email")

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This person already has an account.", code="duplicate")
        return email


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150, validators=[validate_single_line])
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password confirmation", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error(
                "password2", forms.ValidationError("The two password fields didn't match.", code="password_mismatch")
            )
        if p1:  # also after a mismatch: every problem with the password shows in one round
            try:
                password_validation.validate_password(p1, User(email=self.email, name=cleaned.get("name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def lockout_username(request, credentials=None) -> str | None:
    """The account django-axes counts failures for: the normalized email, cut to its 255-character column."""
    if credentials and credentials.get("username") is not None:
        value = credentials["username"]
    else:
        value = request.POST.get("username") if request is not None else None
    return normalize_email(str(value))[:255] if value is not None else None
