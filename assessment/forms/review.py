"""The reviewer's forms in the admin: a verdict and comment per control, and the decision."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import ControlReview
from ..models.assessments import MAX_TEXT
from ..services import review

Verdict = ControlReview.Verdict


class ControlReviewForm(forms.Form):
    """One control's verdict and comment; the prefix is the control id."""

    verdict = forms.ChoiceField(
        choices=[(Verdict.ACCEPTED, "Accept"), (Verdict.NEEDS_WORK, "Needs work")],
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 36}),
    )
    evidence_missing = forms.BooleanField(
        label="Evidence missing",
        required=False,
        help_text="The answer needs a document or link to back it.",
    )

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if current == Verdict.RECHECK:
            # Set by a resubmission; offered only where it is the current verdict, so it can be left as is.
            self.fields["verdict"].choices = [*self.fields["verdict"].choices, (Verdict.RECHECK, "Re-check later")]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verdict") == Verdict.NEEDS_WORK and not cleaned.get("comment"):
            self.add_error(
                "comment", ValidationError("Say what needs to change on this control.", code="comment_required")
            )
        if cleaned.get("evidence_missing") and cleaned.get("verdict") != Verdict.NEEDS_WORK:
            # A flag on an accepted control would tell the customer two things at once.
            self.add_error(
                "evidence_missing",
                ValidationError(
                    "“Evidence missing” goes with a “needs work” verdict: choose needs work, or untick it.",
                    code="evidence_missing_needs_work",
                ),
            )
        return cleaned


class DecisionForm(forms.Form):
    """Which button was pressed, the overall message to the customer, and "accept all remaining"."""

    decision = forms.ChoiceField(
        choices=[(review.SAVE, "Save"), (review.APPROVE, "Approve"), (review.REQUEST_CHANGES, "Request changes")]
    )
    message = forms.CharField(
        label="Message to the customer",
        required=False,
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Required when requesting changes: say what needs to change.",
    )
    accept_remaining = forms.BooleanField(label="Accept every control I have not given a verdict", required=False)


def control_review_forms(items, data=None) -> list[tuple]:
    """(item, form) per applicable control, showing its saved review.

    A form is bound only when `data` carries that control: a POST that leaves a control out leaves
    its review as it is, rather than clearing it.
    """
    pairs = []
    for item in items:
        current = item.review.verdict if item.review else ""
        initial = {}
        if item.review:
            missing = item.review.evidence_missing and current == Verdict.NEEDS_WORK
            initial = {"verdict": current, "comment": item.review.comment, "evidence_missing": missing}
        prefix = item.control.control_id
        bound = data is not None and (f"{prefix}-verdict" in data or f"{prefix}-comment" in data)
        form = ControlReviewForm(data if bound else None, prefix=prefix, initial=initial, current=current)
        pairs.append((item, form))
    return pairs
