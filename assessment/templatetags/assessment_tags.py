"""Display helpers for templates (loaded as builtins)."""

from django import template

from ..models import AuditEvent
from ..reports.context import OUTCOME_LABELS

register = template.Library()


@register.filter
def party_name(model, owner: str) -> str:
    """Owner code in words with the model's party names: "provider" -> "Yugabyte"."""
    return model.party_name(owner)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def field_value(value, key: str):
    """An audit value in words: status, claim and verdict codes become their labels."""
    return AuditEvent.value_label(key, value)


@register.filter
def outcome_label(outcome: str) -> str:
    """An outcome code in words: "not_applicable" -> "Not applicable"."""
    return OUTCOME_LABELS.get(outcome, outcome)


@register.filter
def changed(change, key: str) -> bool:
    """Whether an AnswerChange altered `key` (claim, notes or justification)."""
    return change.changed(key)


@register.filter
def claim_label(claim: str) -> str:
    """An answer code in words: "provider" -> "Someone else does (provider or cloud)"."""
    return AuditEvent.value_label("claim", claim)


@register.filter
def starts_with_party(text: str, name: str) -> bool:
    """Whether a part's text opens with its party ("Yugabyte runs …", "The cloud provider keeps …").

    Then a "Yugabyte’s part:" label before it would only say the name twice, so the page leaves it out.
    """
    opening, name = (text or "").lstrip().casefold(), (name or "").strip().casefold()
    opening = opening.removeprefix("the ")
    return bool(name) and opening.startswith(name) and not opening[len(name) : len(name) + 1].isalnum()
