"""The form for one remediation item: owner, due date, status, note and the reason for an accepted risk."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import RemediationItem, User
from ..services.remediation import parse_due, validate_item


class RemediationForm(forms.Form):
    """One item, with the control id as prefix so every item's fields have their own ids on the page.

    The owner choices are the organization's members, passed in (one query for the page, not one per form).
    """

    owner = forms.ChoiceField(label="Owner", required=False)
    due = forms.CharField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For example 2027-03-31.",
    )
    status = forms.ChoiceField(
        label="Status",
        choices=RemediationItem.Status.choices,
        error_messages={"required": "Choose a status.", "invalid_choice": "Choose a status from the list."},
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    risk_reason = forms.CharField(
        label="Why the risk is accepted",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the status is “Risk accepted”.",
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, members: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in members}
        self.fields["owner"].choices = [("", "Nobody yet")] + [
            # The address too: two members may share a name.
            (pk, f"{m.name} ({m.email})" if m.name else m.email)
            for pk, m in self.members.items()
        ]
        self.fields["owner"].error_messages["invalid_choice"] = "Choose a member of your organization as the owner."
        for name, field in self.fields.items():
            base = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{base} {base}-sm"
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def add_error(self, field, error):
        """Also mark the field itself, so its error is announced with it (Django routes field errors here)."""
        super().add_error(field, error)
        for name in [field] if field else []:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "").replace(" is-invalid", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                hint = f" {self[name].auto_id}-hint" if self.fields[name].help_text else ""
                attrs["aria-describedby"] = f"{self[name].auto_id}-error{hint}"

    def clean_due(self):
        try:
            return parse_due(self.cleaned_data.get("due", ""))
        except ValidationError as error:
            raise ValidationError(error.message_dict["due"][0], code="invalid_date") from None

    def clean(self):
        cleaned = super().clean()
        if "status" in cleaned:
            try:
                validate_item(
                    status=cleaned["status"],
                    note=cleaned.get("note", "").strip(),
                    risk_reason=cleaned.get("risk_reason", "").strip(),
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    for e in errors:
                        self.add_error(field, e)
        return cleaned

    @property
    def chosen_owner(self) -> User | None:
        return self.members.get(self.cleaned_data.get("owner") or "")

    def data_for_service(self) -> dict:
        return {
            "owner": self.chosen_owner,
            "due": self.cleaned_data.get("due"),
            "status": self.cleaned_data["status"],
            "note": self.cleaned_data.get("note", ""),
            "risk_reason": self.cleaned_data.get("risk_reason", ""),
            "base_version": self.cleaned_data.get("version") or 0,
        }


def initial_for(entry) -> dict:
    """The form's values for an entry as stored."""
    return {
        "owner": str(entry.owner.pk) if entry.owner else "",
        "due": entry.due.isoformat() if entry.due else "",
        "status": entry.status,
        "note": entry.note,
        "risk_reason": entry.risk_reason,
        "version": entry.version,
    }
