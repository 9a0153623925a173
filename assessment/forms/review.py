"""The reviewer's forms in the admin: a verdict and comment per control, and the decision."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import ControlReview
from ..services.assessments import MAX_TEXT


class ControlReviewForm(forms.Form):
    """One control's verdict and comment; the prefix is the control id."""

    verdict = forms.ChoiceField(choices=[("", "No verdict yet"), *ControlReview.Verdict.choices], required=False)
    comment = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 36}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verdict") == ControlReview.Verdict.NEEDS_WORK and not cleaned.get("comment"):
            self.add_error(
                "comment", ValidationError("Say what needs to change on this control.", code="comment_required")
            )
        return cleaned


class Decision:
    SAVE = "save"
    START_REVIEW = "start_review"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"

    choices = [
        (SAVE, "Save control reviews"),
        (START_REVIEW, "Start review"),
        (APPROVE, "Approve"),
        (REQUEST_CHANGES, "Request changes"),
    ]


class DecisionForm(forms.Form):
    """Which button was pressed, and the overall message to the customer."""

    decision = forms.ChoiceField(choices=Decision.choices)
    message = forms.CharField(
        label="Decision message to the customer",
        required=False,
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Required when requesting changes: say what needs to change before you can approve.",
    )


def control_review_forms(items, data=None) -> list[tuple]:
    """(item, form) per applicable control, showing its saved review.

    A form is bound only when `data` carries that control: a POST that leaves a control out leaves
    its review as it is, rather than clearing it.
    """
    pairs = []
    for item in items:
        review = item.review
        initial = {"verdict": review.verdict, "comment": review.comment} if review else {}
        form = ControlReviewForm(prefix=item.control.control_id, initial=initial)
        if data is not None and form.add_prefix("verdict") in data:
            form = ControlReviewForm(data, prefix=item.control.control_id, initial=initial)
        pairs.append((item, form))
    return pairs
