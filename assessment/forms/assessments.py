"""Assessment forms: starting one, and the answer to one control."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from ..models import Deployment, ResponsibilityModel
from ..models.assessments import MAX_SCOPE, Claim, Mode
from ..services.assessments import AnswerInput, validate_answer
from ..validators import validate_single_line


class AssessmentStartForm(forms.Form):
    title = forms.CharField(
        max_length=200, validators=[validate_single_line], help_text="For example: “Payments platform, production”."
    )
    scope = forms.CharField(
        required=False,
        max_length=MAX_SCOPE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Which clusters, environments or accounts this assessment covers (up to {MAX_SCOPE:,} characters).",
    )
    model = forms.ModelChoiceField(
        label="Responsibility model", queryset=ResponsibilityModel.objects.none(), empty_label="Choose a model"
    )
    # A fresh id per form shown: posting the same form twice starts one assessment, not two.
    pk = forms.UUIDField(widget=forms.HiddenInput, required=False)
    deployment = forms.TypedChoiceField(
        label="How you deploy",
        coerce=int,
        help_text="Who owns each control depends on how you deploy.",
        widget=forms.Select(attrs={"data-follows": "id_model"}),
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
        help_text="Answering first shows what your team believes, and the report scores how many owners you "
        "identified before seeing them. Guided is quicker, but misattributions found with the model in view "
        "say less. You can't change this later.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pk"].initial = uuid.uuid4()
        current = ResponsibilityModel.objects.current()
        self.fields["model"].queryset = current
        published = Deployment.objects.filter(model__in=current)
        self.deployments = {d.pk: d for d in published.select_related("model").order_by("model__title", "position")}
        # Grouped by model (the group label is the model's name), so the choice is clear without JavaScript.
        groups: dict[str, list] = {}
        for d in self.deployments.values():
            groups.setdefault(str(d.model), []).append((d.pk, d.name))
        self.fields["deployment"].choices = [("", "Choose how you deploy"), *groups.items()]

    def clean_mode(self) -> str:
        return self.cleaned_data["mode"] or Mode.BLIND

    def clean_deployment(self) -> Deployment:
        return self.deployments[self.cleaned_data["deployment"]]

    def clean(self):
        cleaned = super().clean()
        model, deployment = cleaned.get("model"), cleaned.get("deployment")
        if model and deployment and deployment.model_id != model.pk:
            self.add_error(
                "deployment",
                ValidationError(
                    f"“{deployment.name}” belongs to {deployment.model}, not {model}; choose one of {model}’s deployments.",
                    code="mismatch",
                ),
            )
        return cleaned


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
