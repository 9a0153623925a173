"""The area page's evidence forms: empty forms outside the page's own form, which the inputs under
each control join through their `form` attribute (a form inside a form is invalid HTML)."""

from html import escape

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_forms(context, assessment, items) -> SafeString:
    """Per control an upload form (`evf-<id>`) and a link form (`evk-<id>`), and one form the
    remove and confirm buttons post through (`evidence-action`, each button names its address)."""
    token = escape(get_token(context["request"]))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    head, tail = reverse("evidence_add", args=[assessment.pk, "CONTROL"]).split("CONTROL")
    forms = [f'<form id="evidence-action" method="post" hidden>{csrf}</form>']
    for item in items:
        cid = escape(item.control.control_id)
        action = escape(f"{head}{item.control.control_id}{tail}")
        forms.append(
            f'<form id="evf-{cid}" method="post" action="{action}" enctype="multipart/form-data" hidden>{csrf}</form>'
            f'<form id="evk-{cid}" method="post" action="{action}" hidden>{csrf}</form>'
        )
    return SafeString("".join(forms))
