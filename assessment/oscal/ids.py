"""Deterministic uuids, tokens and the shared pieces of every OSCAL document.

Every uuid is uuid5 of a path under the project's namespace: the same model version or assessment
revision always gives the same documents, byte for byte, and the customer's SSP can point at the
provider's `provided` and `responsibilities` entries without reading them.
"""

import json
import re
import uuid
from datetime import UTC, datetime

OSCAL_VERSION = "1.2.1"
# The namespace of our own props (outcome, risk-level, answer, owner, severity, ...).
NS = "https://srsa.example/ns/oscal"
ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)


def model_uuid(model, *path: str) -> str:
    """A uuid of an element of a model version (its catalog, profile, provider SSP)."""
    return str(uuid.uuid5(ROOT, "/".join(("model", model.slug, model.version, *path))))


def assessment_uuid(assessment, *path: str) -> str:
    """A uuid of an element of an assessment's documents."""
    return str(uuid.uuid5(ROOT, "/".join(("assessment", str(assessment.pk), *path))))


def organization_uuid(organization) -> str:
    return str(uuid.uuid5(ROOT, f"organization/{organization.pk}"))


def token(value: str) -> str:
    """An OSCAL token (ids of controls, groups, parts) must start with a letter or `_`: `2FA` → `_2FA`."""
    return value if value[:1].isalpha() else f"_{value}"


_SPACE = re.compile(r"\s+")


def line(text: str, default: str = "-") -> str:
    """Text for a one-line OSCAL string (titles, prop values): no line breaks, no edge whitespace."""
    return _SPACE.sub(" ", text or "").strip() or default


def prose(*texts: str, default: str = "-") -> str:
    """Multi-line text (descriptions, remarks): the non-empty texts, a blank line apart."""
    return "\n\n".join(t.strip() for t in texts if t and t.strip()) or default


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def prop(name: str, value: str, ns: bool = True) -> dict:
    """A prop; ours carry the project's namespace, OSCAL's own (control-origination) none."""
    return {"name": name, "value": line(value), **({"ns": NS} if ns else {})}


def party(party_uuid: str, name: str, kind: str = "organization") -> dict:
    return {"uuid": party_uuid, "type": kind, "name": line(name)}


def metadata(title: str, last_modified: datetime, version: str, roles: dict, parties: list) -> dict:
    """`roles`: id → title; every role id a document uses is declared here, as OSCAL requires."""
    meta = {
        "title": line(title),
        "last-modified": timestamp(last_modified),
        "version": version,
        "oscal-version": OSCAL_VERSION,
    }
    if roles:
        meta["roles"] = [{"id": role_id, "title": role_title} for role_id, role_title in roles.items()]
    if parties:
        meta["parties"] = parties
    return meta


def dump(document: dict) -> bytes:
    """Sorted keys and fixed indent: the same document always gives the same bytes."""
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
