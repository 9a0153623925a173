"""A provider's OSCAL SSP to a model: per implemented requirement, its `export` gives the owner.

`provided` only → provider (or infrastructure, when its responsible role is `infrastructure`);
`responsibilities` only → customer; both → shared, the parts from their descriptions. The SSP has
no titles or statements: a catalog (`--catalog`) gives them, with groups as areas; without one the
control id is the title and the id's prefix the area. Errors name the JSON path.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..modelfile import SEVERITIES
from .common import (
    MAX_BYTES,
    Errors,
    ImportedControl,
    ImportRefused,
    Options,
    build_model,
    clean_id,
    joined,
    owner_counts,
    slug,
    valid_id,
)

INFRASTRUCTURE_ROLE = "infrastructure"
EMPTY_PROSE = "-"  # what our exporter writes for a text that is empty (OSCAL needs some prose)


def load_json(data: bytes, what: str) -> Any:
    if len(data) > MAX_BYTES:
        raise ImportRefused([f"{what}: the file is over {MAX_BYTES // (1024 * 1024)} MB"])
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ImportRefused([f"{what}: not JSON ({exc})"]) from exc
    except RecursionError as exc:
        raise ImportRefused([f"{what}: not JSON (nested too deeply)"]) from exc


def import_ssp(data: bytes, options: Options, catalog: bytes | None = None) -> tuple[dict, list[str]]:
    """A provider SSP's bytes (and optionally its catalog's) to (model dict, notes)."""
    document = load_json(data, "the SSP")
    try:
        titles = _catalog(load_json(catalog, "the catalog")) if catalog is not None else {}
    except RecursionError as exc:
        raise ImportRefused(["the catalog: controls nested too deeply"]) from exc
    return import_document(document, options, titles)


def import_document(document: Any, options: Options, catalog: dict[str, dict]) -> tuple[dict, list[str]]:
    ssp = _get(document, "system-security-plan", "$", dict)
    requirements = _get(
        _get(ssp, "control-implementation", "$.system-security-plan", dict),
        "implemented-requirements",
        "$.system-security-plan.control-implementation",
        list,
    )
    errors, notes, controls, seen = Errors(), [], [], {}
    for i, requirement in enumerate(requirements):
        path = f"$.system-security-plan.control-implementation.implemented-requirements[{i}]"
        control = _control(requirement, path, catalog, errors, notes)
        if control is None:
            continue
        if control.id in seen:
            errors.add(
                f"{path}.control-id: duplicate control {control.id!r} (also at implemented-requirements[{seen[control.id]}])"
            )
            continue
        seen[control.id] = i
        controls.append(control)
    errors.raise_any()
    if not controls:
        raise ImportRefused(
            ["$.system-security-plan.control-implementation.implemented-requirements: no control with an export"]
        )
    meta = ssp.get("metadata") if isinstance(ssp.get("metadata"), dict) else {}
    system = ssp.get("system-characteristics") if isinstance(ssp.get("system-characteristics"), dict) else {}
    title = _string(meta.get("title")) or "Imported OSCAL SSP"
    provider = options.provider or "Provider"
    model = build_model(
        controls,
        options,
        title=title,
        description=f"Imported from the OSCAL system security plan “{title}”: {len(controls)} controls.",
        provider=provider,
        infrastructure="Infrastructure",
        deployment_name=_string(system.get("system-name")) or "Service",
        notes=notes,
    )
    notes.insert(0, f"mapped {len(controls)} controls in {len(model['areas'])} areas: {owner_counts(controls)}")
    if not catalog:
        notes.insert(1, "no --catalog: titles are the control ids and statements placeholders")
    return model, notes


def _get(data: Any, key: str, path: str, kind: type) -> Any:
    if not isinstance(data, dict):
        raise ImportRefused([f"{path}: expected an object"])
    if key not in data:
        raise ImportRefused([f"{path}.{key}: missing"])
    if not isinstance(data[key], kind):
        raise ImportRefused([f"{path}.{key}: expected {'a list' if kind is list else 'an object'}"])
    return data[key]


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def control_id(token: str) -> str:
    """An OSCAL control id back to a model id: `_2FA` → `2FA`, `ac-2.1` → `AC-2-1`."""
    if token.startswith("_") and token[1:2].isdigit():
        token = token[1:]
    return clean_id(re.sub(r"[._\s]", "-", token.upper()))


def _control(requirement: Any, path: str, catalog: dict, errors: Errors, notes: list[str]) -> ImportedControl | None:
    if not isinstance(requirement, dict):
        errors.add(f"{path}: expected an object")
        return None
    token = requirement.get("control-id")
    if not isinstance(token, str) or not token.strip():
        errors.add(f"{path}.control-id: missing")
        return None
    cid = control_id(token.strip())
    if not valid_id(cid):
        errors.add(f"{path}.control-id: malformed control id {token[:60]!r}")
        return None
    if cid != token.lstrip("_"):
        notes.append(f"{cid}: id changed from {token} (only capitals, digits and hyphens)")
    provided, responsibilities = [], []
    components = requirement.get("by-components", [])
    statements = requirement.get("statements", [])
    places = [(f"{path}.by-components", components)]
    if isinstance(statements, list):
        places += [
            (f"{path}.statements[{j}].by-components", s.get("by-components", []))
            for j, s in enumerate(statements)
            if isinstance(s, dict)
        ]
    for where, items in places:
        if not isinstance(items, list):
            errors.add(f"{where}: expected a list")
            return None
        for k, component in enumerate(items):
            export = component.get("export") if isinstance(component, dict) else None
            if export is None:
                continue
            if not isinstance(export, dict):
                errors.add(f"{where}[{k}].export: expected an object")
                return None
            for key, into in (("provided", provided), ("responsibilities", responsibilities)):
                entries = export.get(key, [])
                if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                    errors.add(f"{where}[{k}].export.{key}: expected a list of objects")
                    return None
                into.extend(entries)
    if not provided and not responsibilities:
        notes.append(f"{cid}: no export (nothing provided, no responsibilities): left out")
        return None
    roles = {r.get("role-id") for e in provided for r in e.get("responsible-roles", []) if isinstance(r, dict)}
    holder = INFRASTRUCTURE_ROLE if roles == {INFRASTRUCTURE_ROLE} else "provider"
    owner = ("shared" if responsibilities else holder) if provided else "customer"
    entry = catalog.get(cid, {})
    domain = cid.split("-")[0]
    return ImportedControl(
        id=cid,
        area_key=entry.get("area_key") or slug(domain, "area"),
        area_title=entry.get("area_title") or domain,
        title=entry.get("title", ""),
        statement=entry.get("statement", ""),
        why=entry.get("why", ""),
        guidance=entry.get("guidance", ""),
        severity=entry.get("severity", ""),
        owner=owner,
        partner=holder,
        provider_text=_descriptions(provided),
        customer_text=_descriptions(responsibilities),
    )


def _prose(value: Any) -> str:
    text = _string(value)
    return "" if text == EMPTY_PROSE else text


def _descriptions(entries: list[dict]) -> str:
    return joined(_prose(e.get("description")) for e in entries)


def _catalog(document: Any) -> dict[str, dict]:
    """Control id → title, statement, why, guidance, severity and its group (the area), from a catalog."""
    catalog = _get(document, "catalog", "$", dict)
    found: dict[str, dict] = {}
    groups = catalog.get("groups", [])
    if not isinstance(groups, list):
        raise ImportRefused(["$.catalog.groups: expected a list"])
    for i, group in enumerate(groups):
        if not isinstance(group, dict):
            raise ImportRefused([f"$.catalog.groups[{i}]: expected an object"])
        key = slug(_string(group.get("id")), "area")
        title = _string(group.get("title")) or key
        _controls_of(group.get("controls", []), f"$.catalog.groups[{i}].controls", key, title, found)
    _controls_of(catalog.get("controls", []), "$.catalog.controls", "", "", found)
    return found


def _controls_of(controls: Any, path: str, area_key: str, area_title: str, found: dict) -> None:
    if not isinstance(controls, list):
        raise ImportRefused([f"{path}: expected a list"])
    for i, control in enumerate(controls):
        if not isinstance(control, dict) or not isinstance(control.get("id"), str):
            raise ImportRefused([f"{path}[{i}].id: missing"])
        parts = {p.get("name"): _prose(p.get("prose")) for p in control.get("parts", []) if isinstance(p, dict)}
        props = {p.get("name"): _string(p.get("value")) for p in control.get("props", []) if isinstance(p, dict)}
        severity = props.get("severity", "").lower()
        found[control_id(control["id"])] = {
            "title": _string(control.get("title")),
            "statement": parts.get("statement", ""),
            "why": parts.get("why-it-matters", ""),
            "guidance": parts.get("guidance", ""),
            "severity": severity if severity in SEVERITIES else "",
            "area_key": area_key,
            "area_title": area_title,
        }
        _controls_of(control.get("controls", []), f"{path}[{i}].controls", area_key, area_title, found)
