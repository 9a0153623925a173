"""Assessment forms: starting one, and the answer to one control."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from ..models import Deployment, ResponsibilityModel
from ..models.assessments import MAX_SCOPE, Claim, Mode
from ..selectors.catalog import deployment_choices
from ..services.assessments import AnswerInput, validate_answer
from ..validators import validate_single_line


class AssessmentStartForm(forms.Form):
    """Start a draft: title, scope, model, deployment and how to answer; every error says what to do."""

    # What each way of answering means, shown on its card.
    MODE_HINTS = {
        Mode.BLIND: "Your team says who makes sure of each control before the model shows its owner. The report "
        "scores how many owners you identified.",
        Mode.GUIDED: "The model’s owner shows from the start. Quicker, but misattributions found with the model in "
        "view say less.",
    }

    title = forms.CharField(
        max_length=200,
        validators=[validate_single_line],
        help_text="For example: “Payments platform, production”.",
        error_messages={"required": "Give the assessment a title"},
    )
    scope = forms.CharField(
        required=False,
        max_length=MAX_SCOPE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Which clusters, environments or accounts this assessment covers (up to {MAX_SCOPE:,} characters).",
    )
    model = forms.ModelChoiceField(
        label="Responsibility model",
        queryset=ResponsibilityModel.objects.none(),
        empty_label="Choose a model",
        error_messages={
            "required": "Choose a responsibility model",
            "invalid_choice": "Choose a responsibility model from the list",
        },
    )
    # A fresh id per form shown: posting the same form twice starts one assessment, not two.
    pk = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Checked against the chosen model in clean_deployment, so each message can name the model.
    deployment = forms.CharField(
        label="How you deploy",
        required=False,
        widget=forms.RadioSelect,
        help_text="Who owns each control depends on how you deploy. You can’t change this later.",
    )
    mode = forms.ChoiceField(
        label="How to answer",
        choices=[
            (Mode.BLIND, "Answer first, then see the model (recommended)"),
            (Mode.GUIDED, "Guided: show the model while answering"),
        ],
        initial=Mode.BLIND,
        required=False,  # a post without it (an old form, a script) starts the recommended way
        widget=forms.RadioSelect,
        help_text="You can’t change this later.",
        error_messages={"invalid_choice": "Choose how to answer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pk"].initial = uuid.uuid4()
        current = ResponsibilityModel.objects.current()
        self.fields["model"].queryset = current
        self.deployment_groups = deployment_choices(current)
        choices = [c for group in self.deployment_groups for c in group.choices]
        self.deployments = {str(c.deployment.pk): c.deployment for c in choices}
        self.fields["deployment"].widget.choices = [(c.deployment.pk, c.deployment.name) for c in choices]

    def clean_deployment(self) -> Deployment:
        model = self.cleaned_data.get("model")
        deployment = self.deployments.get(self.cleaned_data["deployment"])
        if deployment is None:
            message = f"Choose how you deploy {model.title}" if model else "Choose how you deploy"
            raise ValidationError(message, code="required")
        if model and deployment.model_id != model.pk:
            raise ValidationError(
                f"“{deployment.name}” belongs to {deployment.model}, not {model}; choose one of {model}’s deployments.",
                code="mismatch",
            )
        return deployment

    def clean_mode(self) -> str:
        return self.cleaned_data["mode"] or Mode.BLIND

    @property
    def deployment_cards(self) -> list[dict]:
        """Per model: its deployments as radio cards (the model's legend only matters with several)."""
        chosen = str(self["deployment"].value() or "")
        return [
            {
                "model": group.model,
                "cards": [
                    {
                        "id": f"id_deployment_{c.deployment.pk}",
                        "value": c.deployment.pk,
                        "name": c.deployment.name,
                        "hint": c.deployment.description,
                        "summary": c.summary,
                        "checked": str(c.deployment.pk) == chosen,
                    }
                    for c in group.choices
                ],
            }
            for group in self.deployment_groups
        ]

    @property
    def mode_cards(self) -> list[dict]:
        chosen = self["mode"].value() or Mode.BLIND
        return [
            {
                "id": f"id_mode_{value}",
                "value": value,
                "name": label,
                "hint": self.MODE_HINTS[value],
                "checked": value == chosen,
            }
            for value, label in self.fields["mode"].choices
        ]

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(link, message) for each error, in the order of the fields; errors of no visible field have no link."""
        items = [("", str(error)) for error in self.non_field_errors()]
        for name, field in self.fields.items():
            link = "" if field.widget.is_hidden else f"#{self[name].auto_id}"
            items += [(link, str(error)) for error in self.errors.get(name, [])]
        return items


class AnswerForm(forms.Form):
    """One control's answer. Used with a prefix per control on the area page, without one by autosave."""

    claim = forms.ChoiceField(
        label="Who makes sure of this?", choices=Claim.choices, required=False, widget=forms.RadioSelect
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    justification = forms.CharField(
        label="Why is it not applicable?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        claim, notes = cleaned.get("claim"), cleaned.get("notes", "")
        if not claim:
            if notes or cleaned.get("justification"):
                self.add_error(
                    "claim", ValidationError("Choose an answer so your notes can be saved.", code="required")
                )
            return cleaned
        try:
            validate_answer(self.to_input())
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                for e in errors:
                    self.add_error(field, e)
        return cleaned

    @property
    def is_blank(self) -> bool:
        return not (
            self.cleaned_data.get("claim") or self.cleaned_data.get("notes") or self.cleaned_data.get("justification")
        )

    def to_input(self) -> AnswerInput:
        return AnswerInput(
            claim=self.cleaned_data.get("claim", ""),
            notes=self.cleaned_data.get("notes", ""),
            justification=self.cleaned_data.get("justification", ""),
        )


class SubmitForm(forms.Form):
    """Submitting: the declaration must be ticked, then a second, explicit confirmation locks the answers."""

    declare = forms.BooleanField(
        error_messages={"required": "Tick the declaration to confirm the answers are accurate, then submit."}
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
