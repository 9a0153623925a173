"""The area page's evidence forms: empty forms outside the page's own form, which the inputs of an
open "Add evidence" panel join through their `form` attribute (a form inside a form is invalid HTML)."""

from html import escape

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString

from ..cards import CID_PLACEHOLDER, evidence_panel_template

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_forms(context, assessment, items, add=None) -> SafeString:
    """The form the remove and confirm buttons post through (`evidence-action`, each button names its
    address) and, for the control `add` names (the page's `?add=`, its panel open), an upload form
    (`evf-<id>`) and a link form (`evk-<id>`). The page's script creates those of the panels it opens
    in the same container; an `add` naming no control on the page adds nothing."""
    token = escape(get_token(context["request"]))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    forms = [f'<form id="evidence-action" method="post" hidden>{csrf}</form>']
    if add and any(item.control.control_id == add for item in items):
        cid = escape(add)
        action = escape(reverse("evidence_add", args=[assessment.pk, add]))
        forms.append(
            f'<form id="evf-{cid}" method="post" action="{action}" enctype="multipart/form-data" hidden>{csrf}</form>'
            f'<form id="evk-{cid}" method="post" action="{action}" hidden>{csrf}</form>'
        )
    return SafeString(f'<div id="evidence-forms">{"".join(forms)}</div>')


@register.simple_tag
def evidence_add_template(assessment) -> SafeString:
    """The "Add evidence" panel once, for the script to copy into a card: the control id is
    `data-placeholder` in its attributes and in `data-action`, the address its forms post to."""
    action = escape(reverse("evidence_add", args=[assessment.pk, CID_PLACEHOLDER]))
    return SafeString(
        f'<template id="evidence-add-template" data-placeholder="{CID_PLACEHOLDER}" data-action="{action}">'
        f"{evidence_panel_template()}</template>"
    )
