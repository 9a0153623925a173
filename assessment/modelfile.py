"""Responsibility model files (YAML) <-> validated, immutable specs.

Pure: no Django, no database. The loader and the export both go through `validate`, so an export
always loads back. Every problem is collected (not just the first) and named by its path in the
file, e.g. ``areas[2].controls[4] (NET-ALLOW): owners: unknown deployment 'paas'; known: ...``.
Reading the YAML itself, within size, depth and alias limits, is `yamlsafe`'s job.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from . import yamlsafe
from .yamlsafe import clip

SEVERITIES = ("critical", "high", "medium", "low")
OWNERS = ("customer", "provider", "infrastructure", "shared", "none")
PARTIES = ("customer", "provider", "infrastructure")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONTROL_ID_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")

TOP_KEYS = ("slug", "version", "title", "description", "parties", "deployments", "areas")
DEPLOYMENT_KEYS = ("key", "name", "description")
AREA_KEYS = ("key", "title", "description", "controls")
CONTROL_KEYS = (
    "id",
    "title",
    "question",
    "why",
    "guidance",
    "severity",
    "references",
    "owners",
    "customer_part",
    "provider_part",
)
# The database column sizes (assessment.models; a test keeps the two in step), checked here so that an
# over-long value is a path-precise error rather than a ValidationError or DataError from the database.
MAX_LENGTHS = {
    ("top", "slug"): 80,
    ("top", "version"): 20,
    ("top", "title"): 200,
    ("parties", "customer"): 80,
    ("parties", "provider"): 80,
    ("parties", "infrastructure"): 80,
    ("deployment", "key"): 40,
    ("deployment", "name"): 120,
    ("area", "key"): 40,
    ("area", "title"): 120,
    ("control", "id"): 40,
    ("control", "title"): 200,
}
MAX_ERRORS = 100  # listed; the rest are counted, so a file of junk gives a readable answer of bounded size
# Allowed by YAML (as escapes in double quotes) but not by PostgreSQL text (NUL) or UTF-8 (lone surrogates).
BAD_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

REQUIRED = {
    "top": ("slug", "version", "title", "description", "parties", "deployments", "areas"),
    "deployment": ("key", "name"),
    "area": ("key", "title", "controls"),
    "control": ("id", "title", "question", "why", "guidance", "severity", "owners"),
}


class ModelFileError(Exception):
    """The file is not a valid model; `errors` lists the problems found (up to MAX_ERRORS), `total` counts them."""

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class DeploymentSpec:
    key: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class ControlSpec:
    id: str
    title: str
    question: str
    why: str
    guidance: str
    severity: str
    owners: tuple[tuple[str, str], ...]  # (deployment key, owner) in deployment order
    references: tuple[tuple[str, tuple[str, ...]], ...] = ()
    customer_part: str = ""
    provider_part: str = ""


@dataclass(frozen=True)
class AreaSpec:
    key: str
    title: str
    controls: tuple[ControlSpec, ...]
    description: str = ""


@dataclass(frozen=True)
class ModelSpec:
    slug: str
    version: str
    title: str
    description: str
    customer_name: str
    provider_name: str
    infrastructure_name: str
    deployments: tuple[DeploymentSpec, ...]
    areas: tuple[AreaSpec, ...]

    @property
    def controls(self) -> list[ControlSpec]:
        return [control for area in self.areas for control in area.controls]

    def to_data(self) -> dict[str, Any]:
        """The file's structure, keys in documented order, empty optional fields left out."""
        return {
            "slug": self.slug,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "parties": {
                "customer": self.customer_name,
                "provider": self.provider_name,
                "infrastructure": self.infrastructure_name,
            },
            "deployments": [_drop_empty(vars(d).copy()) for d in self.deployments],
            "areas": [
                _drop_empty(
                    {
                        "key": area.key,
                        "title": area.title,
                        "description": area.description,
                        "controls": [_control_data(c) for c in area.controls],
                    }
                )
                for area in self.areas
            ],
        }

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.to_data(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _control_data(control: ControlSpec) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": control.id,
            "title": control.title,
            "question": control.question,
            "why": control.why,
            "guidance": control.guidance,
            "severity": control.severity,
            "references": {framework: list(ids) for framework, ids in control.references},
            "owners": dict(control.owners),
            "customer_part": control.customer_part,
            "provider_part": control.provider_part,
        }
    )


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", {}, None)}


def to_yaml(spec: ModelSpec) -> str:
    return yaml.safe_dump(spec.to_data(), sort_keys=False, allow_unicode=True, width=100)


def to_json(spec: ModelSpec) -> str:
    return json.dumps(spec.to_data(), indent=2, ensure_ascii=False)


def parse_bytes(data: bytes) -> ModelSpec:
    """A model file's content (UTF-8, at most yamlsafe.MAX_BYTES) to a spec."""
    try:
        text = yamlsafe.decode(data)
    except yamlsafe.YamlReadError as exc:
        raise ModelFileError([str(exc)]) from exc
    return parse(text)


def parse(text: str) -> ModelSpec:
    """Parse YAML (JSON is YAML too) and validate it; any text gives a spec or ModelFileError."""
    try:
        data = yamlsafe.load(text)
    except yamlsafe.YamlReadError as exc:
        raise ModelFileError([str(exc)]) from exc
    return validate(data)


def validate(data: Any) -> ModelSpec:
    """Check the whole structure; raise ModelFileError listing every problem."""
    return _Validator().run(data)


class _Validator:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.total = 0

    def add(self, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def error(self, where: str, field: str, message: str) -> None:
        self.add(f"{where}: {field}: {message}" if where else f"{field}: {message}")

    def fail(self) -> ModelFileError:
        more = self.total - len(self.errors)
        listed = (
            [*self.errors, f"… and {more:,} more (only the first {MAX_ERRORS} are listed)"] if more else self.errors
        )
        return ModelFileError(listed, self.total)

    def mapping(self, value: Any, where: str, kind: str, allowed: tuple[str, ...]) -> dict | None:
        """Check a mapping's keys: unknown keys and missing required fields are errors."""
        if not isinstance(value, dict):
            self.add(f"{where or 'file'}: must be a mapping, got {_type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(where, _name(key), f"unknown key; allowed: {', '.join(allowed)}")
        for key in REQUIRED[kind]:
            if key not in value or value[key] is None:
                self.error(where, key, "required field missing")
        return value

    def text(
        self, data: dict, key: str, where: str, *, kind: str = "", pattern: re.Pattern | None = None, hint: str = ""
    ) -> str:
        value = data.get(key)
        if value is None:
            return ""  # missing required fields are reported by mapping()
        if not self.is_text(value, where, key, quote_numbers=True):
            return ""
        value = value.strip()
        limit = MAX_LENGTHS.get((kind, key))
        if not value:
            self.error(where, key, "must not be empty")
        elif limit and len(value) > limit:
            self.error(where, key, f"too long ({len(value):,} characters); at most {limit}")
        elif pattern and not pattern.match(value):
            self.error(where, key, f"{_quote(value)} is not valid; {hint}")
        return value

    def is_text(self, value: Any, where: str, field: str, *, quote_numbers: bool = False) -> bool:
        """A string that may go into the database; otherwise an error naming what it is instead."""
        if not isinstance(value, str):
            number = _number_text(value) if quote_numbers else ""
            quote = f'; quote it, e.g. "{number}"' if number else ""
            self.error(where, field, f"must be text, got {_type_name(value)}{quote}")
            return False
        bad = BAD_TEXT_RE.search(value)
        if bad:
            what = "lone surrogates" if bad.group() >= "\ud800" else "control characters"
            self.error(
                where, field, f"must not contain {what}; found U+{ord(bad.group()):04X} at character {bad.start() + 1}"
            )
            return False
        return True

    def items(self, data: dict, key: str, where: str, *, empty: str) -> list:
        """A list field; `empty` is the complaint when it is present but has no items."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, key, f"must be a list, got {_type_name(value)}")
            return []
        if not value:
            self.error(where, key, empty)
        return value

    def run(self, data: Any) -> ModelSpec:
        if not isinstance(data, dict):
            raise ModelFileError([f"the file must be a YAML mapping at the top level, got {_type_name(data)}"])
        self.mapping(data, "", "top", TOP_KEYS)
        slug = self.text(data, "slug", "", kind="top", pattern=SLUG_RE, hint=SLUG_HINT)
        version = self.text(data, "version", "", kind="top")
        title = self.text(data, "title", "", kind="top")
        description = self.text(data, "description", "")
        parties = self.parties(data.get("parties"))
        deployments = self.deployments(data)
        known = [d.key for d in deployments]
        areas = self.areas(data, known)
        if self.total:
            raise self.fail()
        return ModelSpec(
            slug=slug,
            version=version,
            title=title,
            description=description,
            customer_name=parties["customer"],
            provider_name=parties["provider"],
            infrastructure_name=parties["infrastructure"],
            deployments=tuple(deployments),
            areas=tuple(areas),
        )

    def parties(self, value: Any) -> dict[str, str]:
        names = dict.fromkeys(PARTIES, "")
        if value is None:
            return names
        if not isinstance(value, dict):
            self.error("", "parties", f"must be a mapping, got {_type_name(value)}")
            return names
        for key in value:
            if key not in PARTIES:
                self.error("parties", _name(key), f"unknown party; allowed: {', '.join(PARTIES)}")
        for key in PARTIES:
            if value.get(key) is None:
                self.error("parties", key, "required field missing")
            else:
                names[key] = self.text(value, key, "parties", kind="parties")
        return names

    def deployments(self, data: dict) -> list[DeploymentSpec]:
        result: list[DeploymentSpec] = []
        raw = self.items(data, "deployments", "", empty="a model needs at least one deployment")
        seen: set[str] = set()
        for i, item in enumerate(raw):
            where = f"deployments[{i}]"
            if self.mapping(item, where, "deployment", DEPLOYMENT_KEYS) is None:
                continue
            key = self.text(item, "key", where, kind="deployment", pattern=SLUG_RE, hint=SLUG_HINT)
            if key in seen:
                self.error(where, "key", f"duplicate deployment key {_quote(key)}")
            seen.add(key)
            result.append(
                DeploymentSpec(
                    key=key,
                    name=self.text(item, "name", where, kind="deployment"),
                    description=self.optional_text(item, "description", where),
                )
            )
        return result

    def optional_text(self, data: dict, key: str, where: str) -> str:
        return self.text(data, key, where) if data.get(key) not in (None, "") else ""

    def areas(self, data: dict, known: list[str]) -> list[AreaSpec]:
        result: list[AreaSpec] = []
        raw = self.items(data, "areas", "", empty="a model needs at least one area")
        area_keys: set[str] = set()
        first_seen: dict[str, str] = {}
        for i, item in enumerate(raw):
            where = f"areas[{i}]"
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                where += f" ({_name(item['key'])})"
            if self.mapping(item, where, "area", AREA_KEYS) is None:
                continue
            key = self.text(item, "key", where, kind="area", pattern=SLUG_RE, hint=SLUG_HINT)
            if key in area_keys:
                self.error(where, "key", f"duplicate area key {_quote(key)}")
            area_keys.add(key)
            controls = []
            raw_controls = self.items(item, "controls", where, empty="an area needs at least one control")
            for j, control in enumerate(raw_controls):
                spec = self.control(control, f"areas[{i}].controls[{j}]", known, first_seen)
                if spec:
                    controls.append(spec)
            result.append(
                AreaSpec(
                    key=key,
                    title=self.text(item, "title", where, kind="area"),
                    description=self.optional_text(item, "description", where),
                    controls=tuple(controls),
                )
            )
        return result

    def control(self, item: Any, path: str, known: list[str], first_seen: dict[str, str]) -> ControlSpec | None:
        where = path
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            where += f" ({_name(item['id'])})"
        if self.mapping(item, where, "control", CONTROL_KEYS) is None:
            return None
        control_id = self.text(
            item, "id", where, kind="control", pattern=CONTROL_ID_RE, hint="use capitals, digits and hyphens"
        )
        if control_id in first_seen:
            self.error(where, "id", f"duplicate control id {_quote(control_id)} (first at {first_seen[control_id]})")
        elif control_id:
            first_seen[control_id] = path
        severity = self.text(item, "severity", where)
        if severity and severity not in SEVERITIES:
            self.error(where, "severity", f"unknown severity {_quote(severity)}; known: {', '.join(SEVERITIES)}")
        owners = self.owners(item.get("owners"), where, known)
        customer_part = self.optional_text(item, "customer_part", where)
        shared_under = [key for key, owner in owners if owner == "shared"]
        if shared_under and not customer_part:
            self.error(
                where,
                "customer_part",
                f"required because the control is shared under {', '.join(shared_under)}",
            )
        return ControlSpec(
            id=control_id,
            title=self.text(item, "title", where, kind="control"),
            question=self.text(item, "question", where),
            why=self.text(item, "why", where),
            guidance=self.text(item, "guidance", where),
            severity=severity,
            owners=owners,
            references=self.references(item.get("references"), where),
            customer_part=customer_part,
            provider_part=self.optional_text(item, "provider_part", where),
        )

    def owners(self, value: Any, where: str, known: list[str]) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(where, "owners", f"must be a mapping of deployment to owner, got {_type_name(value)}")
            return ()
        known_list = clip(", ".join(known), 200)  # one file may have thousands of deployments
        for key in value:
            if key not in known:
                self.error(where, "owners", f"unknown deployment {_quote(key)}; known: {known_list}")
        for key in known:
            if key not in value:
                self.error(where, "owners", f"missing deployment {_quote(key)}; every deployment needs an owner")
        result = []
        for key in known:
            owner = value.get(key)
            if key not in value or not self.is_text(owner, where, f"owners.{key}"):
                continue
            if owner not in OWNERS:
                self.error(where, f"owners.{key}", f"unknown owner {_quote(owner)}; known: {', '.join(OWNERS)}")
                continue
            result.append((key, owner))
        return tuple(result)

    def references(self, value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(where, "references", f"must be a mapping of framework to a list of ids, got {_type_name(value)}")
            return ()
        result = []
        for framework, ids in value.items():
            if not isinstance(framework, str):
                number = _number_text(framework)
                quote = f'; quote it, e.g. "{number}"' if number else ""
                self.error(where, "references", f"framework names must be text, got {_type_name(framework)}{quote}")
                continue
            field = f"references.{_name(framework)}"
            if not self.is_text(framework, where, field):
                continue
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.strip() for i in ids):
                self.error(where, field, 'must be a non-empty list of ids as text, e.g. ["3.10"]')
                continue
            if all(self.is_text(i, where, field) for i in ids):
                result.append((framework, tuple(i.strip() for i in ids)))
        return tuple(result)


SLUG_HINT = "use lowercase letters, digits and hyphens"
# Python refuses str() of an int with more than 4,300 digits; this bound also keeps messages short.
_SHOWN_NUMBER = 10**40


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}
    names |= {bytes: "binary data", set: "a set", tuple: "a pair", datetime.date: "a date"}
    names[datetime.datetime] = "a date and time"
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _number_text(value: Any) -> str:
    """How a number was probably written, to show it quoted; "" for anything else or a number too long to show."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not -_SHOWN_NUMBER < value < _SHOWN_NUMBER:
        return ""
    return str(value)


def _name(value: Any) -> str:
    """A key or id from the file, as part of a path in a message: short, and on one line."""
    if isinstance(value, str):
        return clip(value) if value.isprintable() else repr(clip(value))
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return _number_text(value) or ("a very long number" if isinstance(value, int) else _type_name(value))


def _quote(value: Any) -> str:
    """A value from the file, quoted in a message."""
    return repr(clip(value)) if isinstance(value, str) else _name(value)
