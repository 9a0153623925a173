"""Deterministic uuids, tokens and the shared pieces of every OSCAL document.

Every uuid is uuid5 of a path under the project's namespace: the same model version or assessment
revision always gives the same documents, byte for byte, and the customer's SSP can point at the
provider's `provided` and `responsibilities` entries without reading them.
"""

import functools
import hashlib
import re
import uuid
from datetime import UTC, datetime

import orjson

OSCAL_VERSION = "1.2.1"
# The namespace of our own props (outcome, risk-level, answer, owner, severity, ...).
NS = "https://srsa.example/ns/oscal"
ROOT = uuid.uuid5(uuid.NAMESPACE_URL, NS)


@functools.lru_cache(maxsize=1024)
def _hasher(*prefix) -> "hashlib._Hash":
    """SHA-1 over the namespace and a path's fixed start, copied for each element under it."""
    return hashlib.sha1(ROOT.bytes + "/".join(map(str, prefix)).encode())


def _uuid5(hasher, path: tuple[str, ...]) -> str:
    """`str(uuid.uuid5(ROOT, prefix + "/" + "/".join(path)))` without UUID objects: a package makes thousands."""
    h = hasher.copy()
    h.update(("/" + "/".join(path)).encode() if path else b"")
    digest = bytearray(h.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def model_uuid(model, *path: str) -> str:
    """A uuid of an element of a model version (its catalog, profile, provider SSP)."""
    return _uuid5(_hasher("model", model.slug, model.version), path)


def assessment_uuid(assessment, *path: str) -> str:
    """A uuid of an element of an assessment's documents."""
    return _uuid5(_hasher("assessment", assessment.pk), path)


def organization_uuid(organization) -> str:
    return _uuid5(_hasher("organization", organization.pk), ())


def token(value: str) -> str:
    """An OSCAL token (ids of controls, groups, parts) must start with a letter or `_`: `2FA` → `_2FA`."""
    return value if value[:1].isalpha() else f"_{value}"


_SPACE = re.compile(r"\s+")


def line(text: str, default: str = "-") -> str:
    """Text for a one-line OSCAL string (titles, prop values): no line breaks, no edge whitespace."""
    return _SPACE.sub(" ", text or "").strip() or default


def prose(*texts: str, default: str = "-") -> str:
    """Multi-line text (descriptions, remarks): the non-empty texts, a blank line apart."""
    kept = [stripped for t in texts if t and (stripped := t.strip())]
    return "\n\n".join(kept) if kept else default


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
    """Sorted keys and fixed indent: the same document always gives the same bytes.

    orjson, because the standard library's encoder falls back to pure Python once asked to indent,
    and that took most of a large package's time.
    """
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
