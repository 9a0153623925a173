"""The area page's control cards, rendered in Python rather than by one `{% include %}` per control.

An include per card made an 80-control area cost some 60 ms of template work (9,000 variable
lookups, 6,000 escapes) and 80 forms. Here a card is one template string (`CARD`) filled in two
stages. Stage one puts in what the card shows of the model (title, statement, why, condition,
claim labels), escaped, once per published model version, deployment and control; the result is
kept in a process memo. A published version never changes (corrections are a new version) and the
key is the version's content hash with the deployment and the control's owner, so no other
version, deployment or owner is ever served a card. Stage two, per request, puts in the answer,
review, errors and links. Forms are built only to validate a POST (`form_fields` reads them back).

The reveal (owner and what the answer means) stays in `assessment/includes/reveal.html`, rendered
once per distinct reveal and memoized the same way; the autosave response uses `reveal_html` too.
"""

import re
from collections.abc import Mapping
from html import escape as _escape  # what Django's escape does, without its lazy-text wrapper: for the hot path
from operator import itemgetter
from string import Formatter
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import quote

from django.template.defaultfilters import linebreaksbr
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString

from .filetypes import file_size
from .models import ResponsibilityModel
from .models.assessments import MAX_TEXT, Claim
from .selectors.evidence import evidence_by_control
from .services.evidence import limits_text

# Stage one (`_fill_model`) fills the model's fields and leaves every other `{name}` for stage two
# (`_values`); braces in the model's texts are doubled so that stage two keeps them as text.
CARD = """
<section class="card control-card mb-3{flags}" id="c-{cid}" aria-labelledby="t-{cid}"
  data-control="{cid}" data-prefix="{cid}" data-url="{url_head}{cid}{url_tail}"{condition_attrs}{hidden}>
  <div class="card-body">
    <div class="d-flex justify-content-between gap-2">
      <h3 class="h6 mb-1" id="t-{cid}"><span class="font-monospace text-body-secondary small">{cid}</span> {title}</h3>
      <span class="badge risk-{severity} align-self-start">{severity_label}<span class="visually-hidden"> severity</span></span>
    </div>
    <p class="statement fw-semibold mb-2">{statement}</p>
    {condition_note}{owner_changed}{remediated}
    <details class="mb-2 small"><summary>Why it matters</summary><p class="mt-2 mb-0">{why}</p></details>
    {review}{conflicts}
    <fieldset class="mb-2"{disabled}>
      <legend class="form-label fs-6 mb-1">Who makes sure of this?</legend>
      <div class="claim-options">
{radios}
      </div>
      <div class="invalid-feedback d-block" id="e-{cid}-claim" data-error-for="claim">{claim_errors}</div>
      <div class="row g-2 mt-1">
        <div class="col-md-6">
          <label class="form-label small mb-1" for="id_{cid}-notes">Notes <span class="text-body-secondary">(optional: how you do it, evidence, owners)</span></label>
          <textarea class="form-control form-control-sm{notes_invalid}" name="{cid}-notes" id="id_{cid}-notes" rows="2" maxlength="{max_text}" aria-describedby="e-{cid}-notes"{notes_aria}>{notes}</textarea>
          <div class="invalid-feedback d-block" id="e-{cid}-notes" data-error-for="notes">{notes_errors}</div>
        </div>
        <div class="col-md-6 justification"{justification_hidden}>
          <label class="form-label small mb-1" for="id_{cid}-justification">Why is it not applicable? <span class="text-body-secondary">(only for “Does not apply to us”)</span></label>
          <textarea class="form-control form-control-sm{justification_invalid}" name="{cid}-justification" id="id_{cid}-justification" rows="2" maxlength="{max_text}" aria-describedby="e-{cid}-justification"{justification_aria}>{justification}</textarea>
          <div class="invalid-feedback d-block" id="e-{cid}-justification" data-error-for="justification">{justification_errors}</div>
        </div>
      </div>
      <input type="hidden" name="{cid}-version" value="{version}" data-version>
    </fieldset>
    <div class="reveal mb-2" aria-live="polite">{reveal}</div>
    <div class="d-flex align-items-center gap-2">
      <div class="save-state" role="status" aria-live="polite">{saved}</div>
      <button type="button" class="btn btn-sm btn-outline-danger retry" hidden>Retry</button>
    </div>
    {evidence_block}
  </div>
</section>
"""
# Indentation is for reading this file: 80 cards would carry some 100 kB of it to every browser.
CARD = re.sub(r"\n\s+", "\n", CARD).strip()
# One answer tile per claim; `{c_<claim>}` is " checked" on the chosen one.
RADIO = """        <div class="claim-option">
          <input class="form-check-input{{claim_invalid}}" type="radio" name="{cid}-claim" id="id_{cid}-claim_{i}" value="{value}" aria-describedby="e-{cid}-claim"{{claim_aria}}{{c_{value}}}>
          <label class="form-check-label" for="id_{cid}-claim_{i}">{label}</label>
        </div>"""
RADIO = re.sub(r"\n\s+", "\n", RADIO).strip()
OWNER_CHANGED = (
    '<p class="alert alert-info py-2 small mb-2" role="note">The owner of this control changed in this model '
    "version: check that your answer still holds, then save it again.</p>"
)
REMEDIATED = (
    '<p class="alert alert-info py-2 small mb-2 remediated-note" role="note">Changed since last round: your team '
    "marked this fixed. Check that the answer still holds, then save it again.</p>"
)
# Evidence under the control. The "Add evidence" panel is shipped once, not per card: each card has
# a link (`{evidence_add}`, stage two) that opens it, by the page's script from its `<template>`
# (`evidence_panel_template`) or, without the script, by asking for the page again with `?add=<id>`,
# which renders it open in that one card. The panel's inputs belong to forms outside the page's form
# (nested forms are invalid HTML): `templatetags/evidence_tags.py` writes them for the open panel,
# the script creates them for the panels it opens.
EVIDENCE_EDITABLE = """<div class="evidence mt-3" id="ev-{cid}" data-evidence="{cid}" aria-labelledby="evt-{cid}" role="group">
  <h4 class="h6 mb-1" id="evt-{cid}">Evidence</h4>
  <ul class="evidence-list list-unstyled mb-2" data-evidence-list>{{evidence_items}}</ul>
  <div class="evidence-messages" data-evidence-messages></div>
  <p class="small text-body-secondary mb-2 evidence-limits" id="evh-{cid}">{{evidence_limits}} <span class="evidence-drop-hint" hidden>You can also drop files here.</span></p>
  {{evidence_add}}
</div>"""
EVIDENCE_EDITABLE = re.sub(r"\n\s+", "\n", EVIDENCE_EDITABLE).strip()
EVIDENCE_LINK = (
    '<a class="btn btn-sm btn-outline-secondary evidence-add-link" href="?add={query}#ev-{cid}" '
    "data-evidence-add>Add evidence</a>"
)
EVIDENCE_PANEL = """<details class="evidence-add" open>
    <summary class="btn btn-sm btn-outline-secondary">Add evidence</summary>
    <div class="evidence-drop mt-2" data-evidence-drop>
      <div class="row g-2 align-items-end">
        <div class="col-md-5">
          <label class="form-label small mb-1" for="evd-{cid}">Description of the files <span class="text-body-secondary">(optional)</span></label>
          <input type="text" class="form-control form-control-sm" id="evd-{cid}" name="description" maxlength="300" form="evf-{cid}">
        </div>
        <div class="col-md-5">
          <label class="form-label small mb-1" for="evi-{cid}">Files</label>
          <input type="file" class="form-control form-control-sm" id="evi-{cid}" name="files" multiple form="evf-{cid}" aria-describedby="evh-{cid}" accept="{accept}">
        </div>
        <div class="col-md-2"><button type="submit" class="btn btn-sm btn-primary w-100" form="evf-{cid}">Upload</button></div>
      </div>
      <div class="evidence-progress" data-evidence-progress></div>
    </div>
    <div class="row g-2 align-items-end mt-1 evidence-link-form">
      <div class="col-md-5">
        <label class="form-label small mb-1" for="evu-{cid}">Or a link <span class="text-body-secondary">(https:// or http://)</span></label>
        <input type="url" class="form-control form-control-sm" id="evu-{cid}" name="url" maxlength="2000" form="evk-{cid}" placeholder="https://">
      </div>
      <div class="col-md-5">
        <label class="form-label small mb-1" for="evkd-{cid}">Description of the link <span class="text-body-secondary">(optional)</span></label>
        <input type="text" class="form-control form-control-sm" id="evkd-{cid}" name="description" maxlength="300" form="evk-{cid}">
      </div>
      <div class="col-md-2"><button type="submit" class="btn btn-sm btn-outline-primary w-100" form="evk-{cid}">Add link</button></div>
    </div>
  </details>"""
EVIDENCE_PANEL = re.sub(r"\n\s+", "\n", EVIDENCE_PANEL).strip()
# Stands for the control id in the panel's `<template>`; control ids are capitals, digits and hyphens.
CID_PLACEHOLDER = "__CID__"
ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,.csv,.json,.yaml,.yml,.xlsx,.docx,.md,.log"
NO_EVIDENCE = '<li class="small text-body-secondary evidence-none">No evidence yet.</li>'
CLAIMS = frozenset(Claim.values)
UNCHECKED = {f"c_{value}": "" for value in CLAIMS}
# Stage two's defaults: an unanswered control without review or errors, shown.
STAGE_TWO = (
    *("flags", "hidden", "owner_changed", "remediated", "saved", "review", "reveal", "conflicts"),
    *("notes", "justification", "justification_hidden"),
    *(f"{name}_{part}" for name in ("claim", "notes", "justification") for part in ("invalid", "aria", "errors")),
    "evidence_readonly",
)
NO_ERRORS = dict.fromkeys(STAGE_TWO, "") | {"version": "0", "evidence_items": NO_EVIDENCE}
MEMO_SIZE = 4096  # cards (a few kB each) and reveals; cleared when full, refilled on the next views
_MARK = re.compile(r"<!--card (\d+)-->")
_cards: dict[tuple, "_Static"] = {}
_reveals: dict[tuple, str] = {}


class Fields(NamedTuple):  # a tuple: made once per card on every GET
    """What a card's inputs hold and say: the saved answer (GET) or the posted one with its errors."""

    claim: str | None = None
    notes: str | None = None
    justification: str | None = None
    version: object = 0
    errors: Mapping[str, list[str]] = MappingProxyType({})  # per field: claim, notes, justification
    non_field: tuple[str, ...] = ()  # e.g. the conflict with someone else's save


NO_FIELDS = Fields()


def answer_fields(answer) -> Fields:
    if answer is None:
        return NO_FIELDS
    return Fields(answer.claim, answer.notes, answer.justification, answer.version)


def form_fields(form) -> Fields:
    """A bound AnswerForm after a failed page save: what was posted, and what is wrong with it."""
    errors = {name: list(messages) for name, messages in form.errors.items() if name != "__all__"}
    values = [form[name].value() for name in ("claim", "notes", "justification", "version")]
    return Fields(*values, errors=errors, non_field=tuple(form.non_field_errors()))


def area_cards(items, assessment, fields: list[Fields] | None = None, add: str | None = None) -> list[str]:
    """One card per item, in order; `fields` (per item) after a failed POST, else the saved answers.

    `add` (the page's `?add=`) names the control whose "Add evidence" panel is open; any other value is ignored.
    """
    guided, editable = assessment.mode == "guided", assessment.is_editable
    # One reverse for the page; each card's autosave address differs only by its control id.
    url_head, url_tail = reverse("answer_autosave", args=[assessment.pk, "CONTROL"]).split("CONTROL")
    page = {
        **UNCHECKED,
        **NO_ERRORS,
        "url_head": _escape(url_head),
        "url_tail": _escape(url_tail),
        "disabled": "" if editable else " disabled",
    }
    if editable:
        page["evidence_limits"] = _escape(limits_text())
    key = _version_key(assessment)
    tz = timezone.get_current_timezone()
    # One query for the page, none when the read of the assessment found no evidence.
    evidence = evidence_by_control(assessment) if getattr(assessment, "has_evidence", True) else {}
    links = EvidenceLinks(assessment) if evidence else None
    cards = []
    for i, item in enumerate(items):
        f = fields[i] if fields else answer_fields(item.answer)
        values = _values(item, f, page, guided, editable, key, tz)
        if editable:
            cid = item.control.control_id
            values["evidence_add"] = evidence_panel(cid) if cid == add else _evidence_link(cid)
        rows = evidence.get(item.control.pk)
        if rows:
            listed = evidence_items(rows, links, editable, tz)
            if editable:
                values["evidence_items"] = listed
            else:
                values["evidence_readonly"] = EVIDENCE_READONLY.format(
                    cid=_escape(item.control.control_id), items=listed
                )
        cards.append(_static(item, key, editable).fill(values))
    return cards


def _evidence_link(control_id: str) -> str:
    return EVIDENCE_LINK.format(query=_escape(quote(control_id)), cid=_escape(control_id))


def evidence_panel(control_id: str) -> str:
    """The open "Add evidence" panel of one control (the page without JavaScript, `?add=<id>`)."""
    return EVIDENCE_PANEL.format(cid=_escape(control_id), accept=ACCEPT)


def evidence_panel_template() -> str:
    """The panel once for the page's script, `CID_PLACEHOLDER` where the control id goes (in attributes only)."""
    return EVIDENCE_PANEL.format(cid=CID_PLACEHOLDER, accept=ACCEPT)


EVIDENCE_READONLY = (
    '<div class="evidence mt-3" id="ev-{cid}" role="group" aria-labelledby="evt-{cid}">'
    '<h4 class="h6 mb-1" id="evt-{cid}">Evidence</h4><ul class="evidence-list list-unstyled mb-0">{items}</ul></div>'
)


class EvidenceLinks:
    """The download, remove and confirm addresses of one assessment's evidence: one reverse each per page."""

    def __init__(self, assessment):
        marker = "00000000-0000-0000-0000-000000000000"
        self.parts = {
            name: reverse(name, args=[assessment.pk, marker]).split(marker)
            for name in ("evidence_download", "evidence_remove", "evidence_confirm")
        }

    def url(self, name: str, evidence) -> str:
        head, tail = self.parts[name]
        return _escape(f"{head}{evidence.pk}{tail}")


def evidence_items(rows, links: "EvidenceLinks", editable: bool, tz=None) -> str:
    """The `<li>`s of one control's evidence list (also the `html` of the evidence endpoints' JSON)."""
    if not rows:
        return NO_EVIDENCE if editable else ""
    tz = tz or timezone.get_current_timezone()
    return "".join(_evidence_item(e, links, editable, tz) for e in rows)


def _evidence_item(evidence, links: "EvidenceLinks", editable: bool, tz) -> str:
    name = _escape(evidence.name)
    if evidence.kind == "link":
        what = (
            f'<a class="evidence-name" href="{_escape(evidence.url)}" rel="noopener noreferrer nofollow" '
            f'target="_blank">{name}</a> <span class="small text-body-secondary">link</span>'
        )
    else:
        what = (
            f'<a class="evidence-name" href="{links.url("evidence_download", evidence)}" download>{name}</a> '
            f'<span class="small text-body-secondary">{file_size(evidence.size)}</span>'
        )
    who = evidence.added_by.name if evidence.added_by else "someone no longer here"
    when = evidence.added_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    parts = [f'<li class="evidence-item" id="e-{evidence.pk}"><div class="evidence-line">{what} ']
    parts.append(f'<span class="small text-body-secondary">added by {_escape(who)}, {when}</span>')
    buttons = []
    if evidence.carried_from_round is not None:
        parts.append(
            f' <span class="badge text-bg-warning evidence-carried">From round {evidence.carried_from_round} — still current?</span>'
        )
        if editable:
            buttons.append(
                _action_button(links.url("evidence_confirm", evidence), "Still current", name, "btn-outline-success")
            )
    if editable:
        buttons.append(_action_button(links.url("evidence_remove", evidence), "Remove", name, "btn-outline-danger"))
    if buttons:
        parts.append(f' <span class="evidence-actions">{"".join(buttons)}</span>')
    parts.append("</div>")
    if evidence.description:
        parts.append(f'<div class="small evidence-description">{_escape(evidence.description)}</div>')
    parts.append("</li>")
    return "".join(parts)


def _action_button(url: str, label: str, name: str, tone: str) -> str:
    return (
        f'<button type="submit" class="btn btn-sm {tone} py-0" form="evidence-action" formaction="{url}" '
        f'data-evidence-action>{label}<span class="visually-hidden"> “{name}”</span></button>'
    )


def mark(index: int) -> SafeString:
    """Where the card `index` goes in the rendered page (see `splice`)."""
    return SafeString(f"<!--card {index}-->")


def splice(page: str, cards: list[str]) -> str:
    """The page with each mark replaced by its card, in one join.

    No text on the page can forge a mark: every text is escaped, so "<" never reaches it unescaped.
    """
    parts = _MARK.split(page)
    parts[1::2] = [cards[int(index)] for index in parts[1::2]]
    return "".join(parts)


def reveal_html(item, assessment) -> str:
    """The owner and what the answer means (`reveal.html`), or "" while blind mode hides them."""
    return _reveal(item, assessment.mode == "guided", _version_key(assessment))


def _reveal(item, guided: bool, key: tuple | None) -> str:
    if not item.revealed:
        return ""
    memo_key = key and (*key, *_item_key(item), guided, item.reveal)
    html = _reveals.get(memo_key) if memo_key else None
    if html is None:
        html = get_template("assessment/includes/reveal.html").render({"item": item, "guided": guided})
        if memo_key:
            _remember(_reveals, memo_key, html)
    return html


def _version_key(assessment) -> tuple | None:
    """What a memoized card may be reused for: one published model version's content, one deployment."""
    model = assessment.model
    if model.status == ResponsibilityModel.Status.DRAFT:
        return None  # a draft can still be replaced: never memoized
    return (model.content_hash, assessment.deployment.key)


def _item_key(item) -> tuple:
    return (item.control.control_id, item.ownership.owner, item.ownership.partner)


def _values(item, f: Fields, page: dict, guided: bool, editable: bool, key: tuple | None, tz) -> dict:
    """Stage two: what this request shows on the card (answer, review, errors, reveal)."""
    answer, review = item.answer, item.review
    values = page.copy()
    if not item.asked:
        values["hidden"] = " hidden"
    if item.needs_work:
        values["flags"] = " needs-work"
    if answer:
        if answer.owner_changed:
            values["flags"] += " owner-changed"
            values["owner_changed"] = OWNER_CHANGED
        if answer.remediated:
            values["remediated"] = REMEDIATED
        when = answer.updated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # the page's "Y-m-d H:i"
        by = f" by {_escape(answer.saved_by_name)}" if answer.updated_by_id else ""
        values["saved"] = f'<span class="text-body-secondary">Last saved {when}{by}</span>'
    if (review and review.comment) or item.needs_work:
        values["review"] = _review(item)
    if f.claim in CLAIMS:
        values[f"c_{f.claim}"] = " checked"
    if f.notes:
        values["notes"] = _escape(f.notes)
    if f.justification:
        values["justification"] = _escape(f.justification)
    elif not editable:
        values["justification_hidden"] = " hidden"
    if f.version is not None:
        values["version"] = _escape(str(f.version))
    if item.revealed:
        values["reveal"] = _reveal(item, guided, key)
    if f.non_field:
        values["conflicts"] = "".join(
            f'<div class="alert alert-danger py-2 small conflict" role="alert">{_escape(e)}</div>' for e in f.non_field
        )
    for name, messages in f.errors.items():
        values[f"{name}_invalid"] = " is-invalid"
        values[f"{name}_aria"] = ' aria-invalid="true"'
        values[f"{name}_errors"] = " ".join(_escape(m) for m in messages)
    return values


class _Static:
    """CARD with the model's parts filled in (stage one), split into its text and stage two's fields.

    Filling it joins the pieces: parsing an 80-field format string again for every card cost more
    than everything else the card needs.
    """

    def __init__(self, template: str):
        self.texts, names, text = [], [], ""
        for literal, name, _, _ in Formatter().parse(template):
            text += literal  # a doubled brace ends a literal without a field after it
            if name is not None:
                self.texts.append(text)
                names.append(name)
                text = ""
        self.texts.append(text)
        self.values = itemgetter(*names)
        self.parts = len(self.texts) + len(names)

    def fill(self, values: dict) -> str:
        out = [""] * self.parts
        out[0::2] = self.texts
        out[1::2] = self.values(values)
        return "".join(out)


def _static(item, key: tuple | None, editable: bool) -> _Static:
    """Memoized per model version, deployment and owner, and whether the assessment can change."""
    memo_key = key and (*key, *_item_key(item), editable)
    card = _cards.get(memo_key) if memo_key else None
    if card is None:
        card = _Static(_fill_model(item, editable))
        if memo_key:
            _remember(_cards, memo_key, card)
    return card


def _fill_model(item, editable: bool) -> str:
    control = item.control
    cid = _text(control.control_id)
    condition = control.condition
    model = {
        "cid": cid,
        # Holds stage-two fields ({evidence_items}, {evidence_limits}, {evidence_add}) already.
        "evidence_block": EVIDENCE_EDITABLE.format(cid=cid) if editable else "{evidence_readonly}",
        "title": _text(control.title),
        "severity": _text(control.severity),
        "severity_label": _text(control.get_severity_display()),
        "statement": _text(control.statement),
        "why": _text(control.why),
        "max_text": MAX_TEXT,
        "condition_attrs": (
            f' data-condition-control="{_text(condition["control"])}"'
            f' data-condition-answers="{" ".join(_text(a) for a in condition["answers"])}"'
            if condition
            else ""
        ),
        "condition_note": (
            f'<p class="small text-body-secondary mb-2 condition-note">{_text(item.condition_text)}</p>'
            if item.condition_text
            else ""
        ),
        # Holds stage-two fields ({claim_invalid}, {c_partial}, …) already.
        "radios": "\n".join(
            RADIO.format(cid=cid, i=i, value=value, label=_text(label))
            for i, (value, label) in enumerate(Claim.choices)
        ),
    }
    return CARD.format_map(_LeaveForStageTwo(model))


class _LeaveForStageTwo(dict):
    def __missing__(self, name: str) -> str:
        return f"{{{name}}}"


def _text(value) -> str:
    """Escaped for HTML, with braces doubled so that stage two keeps them as text."""
    return escape(value).replace("{", "{{").replace("}", "}}")


def _review(item) -> str:
    review = item.review
    tone = "alert-warning" if item.needs_work else "alert-secondary"
    verdict = f" ({escape(review.get_verdict_display().lower())})" if review.verdict else ""
    missing = (
        '<span class="badge text-bg-warning evidence-missing">Evidence missing</span> '
        if item.needs_work and review.evidence_missing
        else ""
    )
    return (
        f'<div class="alert {tone} py-2 small review-comment" role="note"><strong>Reviewer{verdict}:</strong> '
        f"{missing}{linebreaksbr(review.comment)}</div>"
    )


def _remember(memo: dict, key: tuple, value) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value
