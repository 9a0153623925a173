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
    "statement",
    "why",
    "guidance",
    "severity",
    "references",
    "owners",
    "partners",
    "condition",
    "customer_part",
    "provider_part",
    "question",  # what files before version 1.1 called the statement; still read, never written
)
# The customer's answers (gap.ANSWERS); a condition lists some of them.
ANSWERS = ("implemented", "partial", "provider", "not_implemented", "unknown", "not_applicable")
PARTNERS = ("provider", "infrastructure")
COMMON = "common"  # the key of the part of a per-deployment text that every deployment shows
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
    "control": ("id", "title", "why", "guidance", "severity", "owners"),
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
class Texts:
    """A text that may differ by deployment: a part every deployment shows, plus one per deployment."""

    common: str = ""
    by_deployment: tuple[tuple[str, str], ...] = ()  # (deployment key, text), in deployment order

    def specific(self, deployment: str) -> str:
        return dict(self.by_deployment).get(deployment, "")

    def for_deployment(self, deployment: str) -> str:
        """What a customer of this deployment reads: the common part, then their own."""
        return "\n\n".join(t for t in (self.common, self.specific(deployment)) if t)

    def to_data(self) -> str | dict[str, str]:
        if not self.by_deployment:
            return self.common
        return _drop_empty({COMMON: self.common, **dict(self.by_deployment)})

    def __bool__(self) -> bool:
        return bool(self.common or self.by_deployment)


@dataclass(frozen=True)
class ConditionSpec:
    """Ask the control only when the control `control` got one of `answers`."""

    control: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class ControlSpec:
    id: str
    title: str
    statement: str
    why: str
    guidance: Texts
    severity: str
    owners: tuple[tuple[str, str], ...]  # (deployment key, owner) in deployment order
    references: tuple[tuple[str, tuple[str, ...]], ...] = ()
    customer_part: Texts = Texts()
    provider_part: Texts = Texts()  # the partner's part of a shared control
    partners: tuple[tuple[str, str], ...] = ()  # (deployment key, "infrastructure"): shared with the cloud there
    condition: ConditionSpec | None = None

    def partner(self, deployment: str) -> str | None:
        """Who holds the other part where the control is shared there (the provider unless the file says)."""
        if dict(self.owners).get(deployment) != "shared":
            return None
        return dict(self.partners).get(deployment, "provider")


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
            "statement": control.statement,
            "why": control.why,
            "guidance": control.guidance.to_data(),
            "severity": control.severity,
            "references": {framework: list(ids) for framework, ids in control.references},
            "owners": dict(control.owners),
            "partners": dict(control.partners),
            "condition": {"control": control.condition.control, "answers": list(control.condition.answers)}
            if control.condition
            else None,
            "customer_part": control.customer_part.to_data(),
            "provider_part": control.provider_part.to_data(),
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
        self.conditions: list[tuple[str, str, str]] = []  # (where, the control's id, the control it names)

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
            elif key == COMMON:
                self.error(where, "key", f"{COMMON!r} is reserved for the part of a text every deployment shows")
            seen.add(key)
            result.append(
                DeploymentSpec(
                    key=key,
                    name=self.text(item, "name", where, kind="deployment"),
                    description=self.optional_text(item, "description", where),
                )
            )
        return result

    def optional_text(self, data: dict, key: str, where: str, *, field: str = "") -> str:
        if data.get(key) in (None, ""):
            return ""
        value = self.text(data, key, where) if not field else self.text({field: data[key]}, field, where)
        return value

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
        self.check_conditions(first_seen)
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
        owner_of = dict(owners)
        customer_part = self.texts(item, "customer_part", where, known, owner_of)
        shared_under = [key for key, owner in owners if owner == "shared"]
        missing_part = [key for key in shared_under if not customer_part.for_deployment(key)]
        if missing_part:
            self.error(
                where,
                "customer_part",
                f"required because the control is shared under {', '.join(missing_part)}",
            )
        problems = self.total
        guidance = self.texts(item, "guidance", where, known, owner_of)
        if item.get("guidance") is not None and not guidance and self.total == problems:
            self.error(where, "guidance", "must not be empty")
        return ControlSpec(
            id=control_id,
            title=self.text(item, "title", where, kind="control"),
            statement=self.statement(item, where),
            why=self.text(item, "why", where),
            guidance=guidance,
            severity=severity,
            owners=owners,
            references=self.references(item.get("references"), where),
            customer_part=customer_part,
            provider_part=self.texts(item, "provider_part", where, known, owner_of),
            partners=self.partners(item.get("partners"), where, owner_of),
            condition=self.condition(item.get("condition"), where, control_id),
        )

    def statement(self, item: dict, where: str) -> str:
        """The practice the customer is asked about; files before 1.1 called it `question`."""
        if "statement" in item and "question" in item:
            self.error(where, "question", "give the practice once, as statement (question is its old name)")
            return ""
        key = "question" if "question" in item else "statement"
        if item.get(key) is None:
            self.error(where, "statement", "required field missing")
            return ""
        return self.text(item, key, where)

    def texts(self, item: dict, key: str, where: str, known: list[str], owner_of: dict[str, str]) -> Texts:
        """One text, or a mapping of `common` and deployment keys to texts."""
        value = item.get(key)
        if value is None or value == "":
            return Texts()
        if not isinstance(value, dict):
            return Texts(common=self.text(item, key, where))
        for name in value:
            if name != COMMON and name not in known:
                allowed = clip(", ".join([COMMON, *known]), 200)
                self.error(where, f"{key}.{_name(name)}", f"unknown deployment; known: {allowed}")
            elif owner_of.get(name) == "none":
                self.error(
                    where,
                    f"{key}.{name}",
                    f"the control is not asked under {name} (owner none), so no one would read this",
                )
        common = self.optional_text(value, COMMON, where, field=f"{key}.{COMMON}")
        specific = tuple(
            (name, text)
            for name in known
            if name in value and (text := self.optional_text(value, name, where, field=f"{key}.{name}"))
        )
        return Texts(common, specific)

    def partners(self, value: Any, where: str, owner_of: dict[str, str]) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error(
                where,
                "partners",
                f"must be a mapping of deployment to provider or infrastructure, got {_type_name(value)}",
            )
            return ()
        result = []
        for key, party in value.items():
            field = f"partners.{_name(key)}"
            if key not in owner_of:
                self.error(where, field, "unknown deployment")
            elif owner_of[key] != "shared":
                self.error(
                    where,
                    field,
                    f"only a shared control has a partner; the owner under {key} is {_quote(owner_of[key])}",
                )
            elif party not in PARTNERS:
                self.error(where, field, f"unknown partner {_quote(party)}; known: {', '.join(PARTNERS)}")
            elif party != "provider":  # the default, so the spec (and its hash) is the same either way
                result.append((key, party))
        order = list(owner_of)
        return tuple(sorted(result, key=lambda pair: order.index(pair[0])))

    def condition(self, value: Any, where: str, own_id: str) -> ConditionSpec | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(where, "condition", f"must be a mapping with control and answers, got {_type_name(value)}")
            return None
        for key in value:
            if key not in ("control", "answers"):
                self.error(where, f"condition.{_name(key)}", "unknown key; allowed: control, answers")
        control = value.get("control")
        answers = value.get("answers")
        ok = True
        if control is None:
            self.error(where, "condition.control", "required field missing")
            ok = False
        elif not self.is_text(control, where, "condition.control"):
            ok = False
        if answers is None:
            self.error(where, "condition.answers", "required field missing")
            return None
        if not isinstance(answers, list) or not answers:
            self.error(
                where,
                "condition.answers",
                f"must be a non-empty list of answers, e.g. [implemented, partial]; known: {', '.join(ANSWERS)}",
            )
            return None
        for i, answer in enumerate(answers):
            if answer not in ANSWERS:
                self.error(
                    where, f"condition.answers[{i}]", f"unknown answer {_quote(answer)}; known: {', '.join(ANSWERS)}"
                )
                ok = False
        if not ok:
            return None
        spec = ConditionSpec(control.strip(), tuple(dict.fromkeys(answers)))
        self.conditions.append((where, own_id, spec.control))
        return spec

    def check_conditions(self, first_seen: dict[str, str]) -> None:
        """Every condition names another control of the file, and no chain of them comes back to its start."""
        depends = {}
        for where, own_id, control in self.conditions:
            if control not in first_seen:
                self.error(where, "condition.control", f"unknown control {_quote(control)}")
            elif control == own_id:
                self.error(where, "condition.control", "a control cannot be conditional on itself")
            elif own_id:
                depends[own_id] = (where, control)
        reported: set[str] = set()
        for start in depends:
            path = [start]
            while path[-1] in depends and depends[path[-1]][1] not in path:
                path.append(depends[path[-1]][1])
            nxt = depends.get(path[-1], (None, None))[1]
            if nxt == start and start not in reported:
                reported.update(path)
                self.error(depends[start][0], "condition", "cycle: " + " -> ".join([*path, start]))

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
