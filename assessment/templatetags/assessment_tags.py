"""Display helpers for templates (loaded as builtins)."""

from django import template

from ..models import Assessment, ControlReview
from ..models.assessments import Claim

register = template.Library()


@register.filter
def party_name(model, owner: str) -> str:
    """Owner code in words with the model's party names: "provider" -> "Yugabyte"."""
    return model.party_name(owner)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# Audit values are stored as codes; people read labels.
_LABELS = {
    "status": dict(Assessment.Status.choices),
    "claim": dict(Claim.choices),
    "verdict": dict(ControlReview.Verdict.choices),
}


@register.filter
def field_value(value, key: str) -> str:
    """An audit value in words: status, claim and verdict codes become their labels."""
    return _LABELS.get(key, {}).get(value, value)
