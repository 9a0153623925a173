"""What every importer shares: the imported controls, the model dict built from them, and the notes.

An importer turns a provider's published matrix into `ImportedControl`s (one deployment: the one the
matrix describes) and notes for the author; `build_model` turns those into the dict of
`docs/model-format.md`, with placeholders where the matrix has nothing to say (why, severity), each
named in a note. Nothing here touches the database: the author reviews the file, then `load_model`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..modelfile import CONTROL_ID_RE, MAX_LENGTHS

MAX_BYTES = 20 * 1024 * 1024  # refused before it is opened; a published matrix is well under 1 MB
MAX_ERRORS = 100  # listed; the rest are counted

# Who gives the customer the most to do: where a control's questions disagree, the first wins.
RANK = ("customer", "shared", "provider", "infrastructure", "none")

WHY_PLACEHOLDER = "To write: why this matters to the customer (the matrix does not say)."
GUIDANCE_PLACEHOLDER = "To write: what the customer does to close a gap here (the matrix does not say)."
CUSTOMER_PART_PLACEHOLDER = "To write: the customer's part (the matrix does not say)."
STATEMENT_PLACEHOLDER = "To write: the practice, stated (the matrix does not say)."
DEFAULT_SEVERITY = "medium"

_NOT_ID = re.compile(r"[^A-Z0-9-]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class ImportRefused(Exception):
    """The input cannot become a model; `errors` name where (sheet, row and column, or JSON path)."""

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = errors[:MAX_ERRORS]
        self.total = len(errors) if total is None else total
        super().__init__("\n".join(self.errors))


class Errors:
    """Collects row errors so one run lists them all (bounded), then refuses."""

    def __init__(self):
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_any(self) -> None:
        if self.items:
            raise ImportRefused(self.items)


@dataclass(frozen=True)
class Options:
    slug: str
    version: str
    provider: str = ""
    deployment_name: str = ""


@dataclass
class ImportedControl:
    id: str
    area_key: str
    area_title: str
    title: str = ""
    statement: str = ""
    why: str = ""
    guidance: str = ""
    severity: str = ""
    owner: str = "none"
    partner: str = "provider"  # of a shared control
    provider_text: str = ""  # what the provider (or infrastructure) does
    customer_text: str = ""  # what remains the customer's
    references: dict[str, list[str]] = field(default_factory=dict)


def clean_id(raw: str) -> str:
    """Keep only capitals, digits and hyphens (what a model's control ids allow)."""
    return _NOT_ID.sub("", raw)


def valid_id(value: str) -> bool:
    return bool(CONTROL_ID_RE.match(value)) and len(value) <= MAX_LENGTHS[("control", "id")]


def slug(text: str, default: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:40].strip("-") or default


def joined(texts) -> str:
    """Distinct non-empty texts in order, a blank line apart."""
    seen: list[str] = []
    for text in texts:
        text = (text or "").strip()
        if text and text not in seen:
            seen.append(text)
    return "\n\n".join(seen)


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_model(
    controls: list[ImportedControl],
    options: Options,
    *,
    title: str,
    description: str,
    provider: str,
    infrastructure: str,
    deployment_name: str,
    notes: list[str],
) -> dict[str, Any]:
    """The model file's dict; appends a note for every placeholder the author must replace."""
    name = options.deployment_name or deployment_name
    deployment = slug(name, "service")
    areas: dict[str, dict[str, Any]] = {}
    placeholders: dict[str, list[str]] = {"why": [], "guidance": [], "severity": [], "statement": []}
    for c in controls:
        area = areas.setdefault(c.area_key, {"key": c.area_key, "title": c.area_title, "controls": []})
        area["controls"].append(_control(c, deployment, placeholders, notes))
    for fieldname, ids in placeholders.items():
        if ids:
            said = f"set to {DEFAULT_SEVERITY}" if fieldname == "severity" else "a placeholder to replace"
            notes.append(f"{fieldname}: {len(ids)} control{'s' if len(ids) != 1 else ''} got {said} ({_ids(ids)})")
    return {
        "slug": options.slug,
        "version": options.version,
        "title": clip(title, MAX_LENGTHS[("top", "title")]),
        "description": description,
        "parties": {
            "customer": "Customer",
            "provider": clip(options.provider or provider, MAX_LENGTHS[("parties", "provider")]),
            "infrastructure": clip(infrastructure, MAX_LENGTHS[("parties", "infrastructure")]),
        },
        "deployments": [{"key": deployment, "name": clip(name, MAX_LENGTHS[("deployment", "name")])}],
        "areas": list(areas.values()),
    }


def _control(c: ImportedControl, deployment: str, placeholders: dict, notes: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": c.id, "title": clip(c.title or c.id, MAX_LENGTHS[("control", "title")])}
    data["statement"] = c.statement or STATEMENT_PLACEHOLDER
    data["why"] = c.why or WHY_PLACEHOLDER
    # Whoever holds the whole control is described by its guidance (as the exporters read it back),
    # unless the source had guidance of its own; every other text stays in its party's part.
    customer, provider = c.customer_text, c.provider_text
    whole = {"customer": customer, "provider": provider, "infrastructure": provider}.get(c.owner, "")
    data["guidance"] = c.guidance or whole or GUIDANCE_PLACEHOLDER
    data["severity"] = c.severity or DEFAULT_SEVERITY
    if c.references:
        data["references"] = c.references
    data["owners"] = {deployment: c.owner}
    if c.owner == "shared":
        if c.partner != "provider":
            data["partners"] = {deployment: c.partner}
        if not customer:
            notes.append(f"{c.id}: shared, but the matrix gives no customer part: write it")
        data["customer_part"] = customer or CUSTOMER_PART_PLACEHOLDER
        if provider:
            data["provider_part"] = provider
    elif c.owner != "none":
        if customer and customer != data["guidance"]:
            data["customer_part"] = customer
        if provider and provider != data["guidance"]:
            data["provider_part"] = provider
    for key, missing in (
        ("statement", not c.statement),
        ("why", not c.why),
        ("guidance", data["guidance"] == GUIDANCE_PLACEHOLDER),
        ("severity", not c.severity),
    ):
        if missing:
            placeholders[key].append(c.id)
    return data


def _ids(ids: list[str], shown: int = 8) -> str:
    more = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" and {more} more" if more > 0 else "")


def owner_counts(controls: list[ImportedControl]) -> str:
    counts = {owner: 0 for owner in RANK}
    for c in controls:
        counts[c.owner] += 1
    return ", ".join(f"{n} {owner}" for owner, n in counts.items() if n)
