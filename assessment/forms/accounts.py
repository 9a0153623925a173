"""Account forms: sign-up, invitations."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import BaseUserCreationForm

from ..models import User


class SignupForm(BaseUserCreationForm):
    organization = forms.CharField(
        label="Organization name", max_length=200, help_text="Your company or team. You can invite teammates later."
    )

    field_order = ["email", "name", "organization", "password1", "password2"]

    class Meta:
        model = User
        fields = ("email", "name")
        labels = {"name": "Your name"}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.", code="duplicate")
        return email


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Teammate's email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("This person already has an account.", code="duplicate")
        return email


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150)
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
        elif p1:
            try:
                password_validation.validate_password(p1, User(email=self.email, name=cleaned.get("name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
