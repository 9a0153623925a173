"""Display helpers for templates (loaded as builtins)."""

from django import template

from ..models import AuditEvent

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
