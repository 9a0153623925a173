"""Malformed and hostile model files: every one gets a clear message with its place, fast, and no traceback.

Each case runs through the `load_model` command (CommandError, nothing written) and, where it is text, through
`parse` with both the C (libyaml) and the pure-Python YAML loader.
"""

import copy
import datetime
import io
import time
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment import yamlsafe
from assessment.modelfile import ModelFileError, parse, validate
from assessment.models import Area, Control, Deployment, ResponsibilityModel

# 19 lines; the cases below change one piece of it, so line and column numbers are easy to check by eye.
BASE = """\
slug: tiny
version: "1.0"
title: Tiny
description: A tiny model.
parties: {customer: Customer, provider: Yugabyte, infrastructure: Cloud provider}
deployments:
  - {key: on-premises, name: On-premises}
  - {key: managed, name: Managed}
areas:
  - key: network
    title: Network exposure
    controls:
      - id: NET-ALLOW
        title: Allow lists
        question: Is access limited by allow lists?
        why: Open endpoints get attacked.
        guidance: Add only your application CIDRs.
        severity: critical
        owners: {on-premises: customer, managed: provider}
"""
OWNERS = "owners: {on-premises: customer, managed: provider}"
CONTROL = "areas[0].controls[0] (NET-ALLOW)"
MB2 = 2 * 1024 * 1024


def base(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


def billion_laughs(levels: int = 10, width: int = 1000) -> str:
    """The classic alias bomb, ~50 KB: one owner would expand to width**levels strings."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n" + base(OWNERS, f"owners: {{on-premises: customer, managed: *l{levels - 1}}}")


def deep_block(levels: int) -> str:
    """`nest:` at line 20, then one nested mapping per line, each indented one more space."""
    return BASE + "nest:\n" + "".join(f"{' ' * i}k{i}:\n" for i in range(1, levels)) + f"{' ' * levels}end: x\n"


NOT_ALLOWED = "aliases (*name) are not allowed in model files"

# (case id, file content, the one error message). Positions are 1-based line and column.
TEXT_CASES = [
    (
        "alias",
        base("title: Tiny", "title: *t"),
        f"line 3, column 8: {NOT_ALLOWED}; found *t",
    ),
    (
        "anchor",
        base("title: Tiny", "title: &t Tiny"),
        "line 3, column 8: anchors (&name) are not allowed in model files; found &t",
    ),
    (
        "alias-bomb",
        billion_laughs(),
        "line 1, column 5: anchors (&name) are not allowed in model files; found &l0",
    ),
    (
        "alias-bomb-in-owners",
        base(OWNERS, "owners: {on-premises: customer, managed: *l9}"),
        f"line 19, column 50: {NOT_ALLOWED}; found *l9",
    ),
    (
        "deep-flow-nesting",
        base("title: Tiny", "title: " + "[" * 100_000 + "]" * 100_000),
        # the top-level mapping is level 1, so the 20th bracket opens level 21
        "line 3, column 27: nested more than 20 levels deep, the limit for model files",
    ),
    (
        "deep-block-nesting",
        deep_block(30),
        # `nest:` is on line 20 and its mapping is level 2; k20 (line 40, 20 spaces in) opens level 21
        "line 40, column 21: nested more than 20 levels deep, the limit for model files",
    ),
    (
        "huge-integer",
        base('version: "1.0"', "version: " + "9" * 5000),
        "line 2, column 10: a number 5,000 characters long; model files allow at most 100 (quote it if it is text)",
    ),
    (
        "huge-negative-integer-key",
        base(OWNERS, "owners: {? -" + "1" * 5000 + ": customer, managed: provider}"),
        "line 19, column 20: a number 5,001 characters long; model files allow at most 100 (quote it if it is text)",
    ),
    (
        "huge-hex-integer",
        base('version: "1.0"', "version: 0x" + "f" * 5000),
        "line 2, column 10: a number 5,002 characters long; model files allow at most 100 (quote it if it is text)",
    ),
    (
        "huge-sexagesimal-integer",
        base('version: "1.0"', "version: 1" + ":00" * 100_000),
        "line 2, column 10: a number 300,001 characters long; model files allow at most 100 (quote it if it is text)",
    ),
    (
        "huge-float",
        base('version: "1.0"', "version: 1." + "5" * 5000),
        "line 2, column 10: a number 5,002 characters long; model files allow at most 100 (quote it if it is text)",
    ),
    (
        "impossible-date",
        base('version: "1.0"', "version: 2024-13-01"),
        "line 2, column 10: cannot read '2024-13-01' as !!timestamp (month must be in 1..12); quote it if it is text",
    ),
    (
        "explicit-int-tag-on-text",
        base("title: Tiny", "title: !!int Tiny"),
        "line 3, column 8: cannot read 'Tiny' as !!int; quote it if it is text",
    ),
    (
        "explicit-int-tag-on-nothing",
        base("title: Tiny", 'title: !!int ""'),
        "line 3, column 8: cannot read '' as !!int; quote it if it is text",
    ),
    (
        "explicit-bool-tag",
        base("title: Tiny", "title: !!bool maybe"),
        "line 3, column 8: cannot read 'maybe' as !!bool; quote it if it is text",
    ),
    (
        "explicit-float-tag",
        base("title: Tiny", "title: !!float Tiny"),
        "line 3, column 8: cannot read 'Tiny' as !!float; quote it if it is text",
    ),
    (
        "explicit-timestamp-tag",
        base("title: Tiny", "title: !!timestamp Tiny"),
        "line 3, column 8: cannot read 'Tiny' as !!timestamp (not a date); quote it if it is text",
    ),
    (
        "long-value-in-tag-message",
        base("title: Tiny", "title: !!bool " + "T" * 10_000),
        f"line 3, column 8: cannot read '{'T' * 80}…' as !!bool; quote it if it is text",
    ),
    (
        "python-object-tag",
        base("title: Tiny", "title: !!python/object/apply:os.system [echo owned]"),
        "not valid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' at line 3, column 8",
    ),
    (
        "long-unknown-tag",
        base("title: Tiny", "title: !" + "t" * 10_000 + " Tiny"),
        f"not valid YAML: could not determine a constructor for the tag '!{'t' * 79}…' at line 3, column 8",
    ),
    (
        "too-many-values",
        base("title: Tiny", "title: [" + "1, " * 150_000 + "1]"),
        # nodes 1-7: the top mapping, slug, tiny, version, 1.0, title, the list; item i (0-based) is at 9 + 3i
        f"line 3, column {9 + 3 * (50_001 - 8)}: more than 50,000 values, the limit for model files",
    ),
    (
        "nul-character",
        base("title: Tiny", "title: Ti\x00ny"),
        "line 3, column 10: character U+0000 is not allowed in YAML files",
    ),
    (
        "escape-character",
        base("title: Tiny", "title: Tiny\x1b[31m"),
        "line 3, column 12: character U+001B is not allowed in YAML files",
    ),
    (
        "lone-surrogate",
        base("title: Tiny", "title: Ti\ud800ny"),
        "line 3, column 10: character U+D800 is not allowed in YAML files",
    ),
    (
        "nul-escape",
        base("title: Tiny", 'title: "Ti\\0ny"'),
        "title: must not contain control characters; found U+0000 at character 3",
    ),
    (
        "unclosed-flow-sequence",
        BASE + "extra: [unclosed\n",
        None,  # the wording is the YAML library's: see test_a_syntax_error_names_the_problem_and_its_place
    ),
    (
        "two-documents",
        BASE + "---\n" + BASE,
        "not valid YAML: expected a single document in the stream, but found another document at line 20, column 1",
    ),
    (
        "unhashable-key",
        base("title: Tiny", "? [a, b]\n: Tiny"),
        "not valid YAML: while constructing a mapping, found unhashable key at line 3, column 3",
    ),
    (
        "empty-file",
        "",
        "the file must be a YAML mapping at the top level, got nothing",
    ),
    (
        "long-severity-is-clipped",
        base("severity: critical", "severity: " + "x" * 100_000),
        f"{CONTROL}: severity: unknown severity '{'x' * 80}…'; known: critical, high, medium, low",
    ),
    (
        "owner-is-a-number",
        base(OWNERS, "owners: {on-premises: customer, managed: 5}"),
        f"{CONTROL}: owners.managed: must be text, got a number",
    ),
    (
        "owner-is-a-list",
        base(OWNERS, "owners: {on-premises: customer, managed: [provider]}"),
        f"{CONTROL}: owners.managed: must be text, got a list",
    ),
    (
        "owner-is-a-date",
        base(OWNERS, "owners: {on-premises: customer, managed: 2024-01-01}"),
        f"{CONTROL}: owners.managed: must be text, got a date",
    ),
    (
        "title-is-a-mapping",
        base("title: Tiny", "title: {a: b}"),
        "title: must be text, got a mapping",
    ),
    (
        "version-is-binary",
        base('version: "1.0"', "version: !!binary aGVsbG8="),
        "version: must be text, got binary data",
    ),
    (
        "version-is-a-set",
        base('version: "1.0"', "version: !!set {a, b}"),
        "version: must be text, got a set",
    ),
    (
        "version-is-true",
        base('version: "1.0"', "version: yes"),
        "version: must be text, got true/false",
    ),
    (
        "framework-name-is-a-number",
        base(OWNERS, OWNERS + "\n        references: {2022: [A-1]}"),
        f'{CONTROL}: references: framework names must be text, got a number; quote it, e.g. "2022"',
    ),
    (
        "long-unknown-key-is-clipped",
        base("title: Tiny", f"title: Tiny\n? {'k' * 5000}\n: v"),
        f"{'k' * 80}…: unknown key; allowed: slug, version, title, description, parties, deployments, areas",
    ),
    (
        "title-longer-than-the-database-column",
        base("title: Tiny", "title: " + "T" * 201),
        "title: too long (201 characters); at most 200",
    ),
    (
        "party-name-longer-than-the-database-column",
        base("customer: Customer", "customer: " + "C" * 81),
        "parties: customer: too long (81 characters); at most 80",
    ),
    (
        "deployment-name-longer-than-the-database-column",
        base("name: Managed", "name: " + "M" * 121),
        "deployments[1]: name: too long (121 characters); at most 120",
    ),
]

# The message the command prints for one error, and how long any case may take: generous on purpose,
# since it is there to catch a runaway case (an alias bomb ran 17 s to MemoryError), not to time one
# on a busy machine. Measured: the alias bomb is refused in 0.2 ms, the worst 2 MB file in about 0.23 s.
ONE_ERROR = "{path}: 1 error; nothing was loaded:\n  {message}"
FAST = 3.0


def run_command(path: Path, *args: str) -> str:
    started = time.perf_counter()
    with pytest.raises(CommandError) as info:
        call_command("load_model", str(path), *args)
    assert time.perf_counter() - started < FAST
    assert ResponsibilityModel.objects.count() == 0
    assert Deployment.objects.count() == Area.objects.count() == Control.objects.count() == 0
    return str(info.value)


def write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "model.yaml"
    path.write_bytes(content)
    return path


@pytest.fixture(params=["libyaml", "python"])
def loader(request, monkeypatch):
    """Run a test with the C loader (when PyYAML has it) and with the pure-Python one."""
    if request.param == "libyaml":
        if not yamlsafe.LIBYAML:
            pytest.skip("PyYAML was built without libyaml")
    else:
        monkeypatch.setattr(yamlsafe, "LOADER", yamlsafe.PyLoader)
    return request.param


def parse_errors(text: str, limit: float = FAST) -> list[str]:
    started = time.perf_counter()
    with pytest.raises(ModelFileError) as info:
        parse(text)
    assert time.perf_counter() - started < limit
    return info.value.errors


@pytest.mark.parametrize(("case", "text", "message"), TEXT_CASES, ids=[case[0] for case in TEXT_CASES])
def test_parse_reports_one_clear_error(loader, case, text, message):
    # Pure-Python YAML takes ~30 µs a value, so reaching the value limit takes it ~1.5 s (libyaml: ~0.2 s).
    errors = parse_errors(text, limit=5 * FAST if loader == "python" and case == "too-many-values" else FAST)
    if message is None:
        assert len(errors) == 1
        assert errors[0].startswith("not valid YAML: ")
    else:
        assert errors == [message]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "text", "message"),
    [case for case in TEXT_CASES if case[0] != "lone-surrogate"],  # not encodable; see the UTF-8 cases
    ids=[case[0] for case in TEXT_CASES if case[0] != "lone-surrogate"],
)
def test_load_model_refuses_with_command_error_and_writes_nothing(tmp_path, case, text, message):
    path = write(tmp_path, text.encode())
    output = run_command(path)
    if message is not None:
        assert output == ONE_ERROR.format(path=path, message=message)


def test_a_syntax_error_names_the_problem_and_its_place(loader):
    errors = parse_errors(BASE + "extra: [unclosed\n")
    problem = {"libyaml": "did not find expected ',' or ']'", "python": "expected ',' or ']', but got '<stream end>'"}
    assert errors == [f"not valid YAML: while parsing a flow sequence, {problem[loader]} at line 21, column 1"]


def test_the_alias_bomb_is_refused_in_milliseconds(loader):
    bomb = billion_laughs()
    assert 45_000 < len(bomb) < 60_000
    started = time.perf_counter()
    with pytest.raises(ModelFileError):
        parse(bomb)
    assert time.perf_counter() - started < FAST


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            base("title: Tiny", "title: Tiny @").encode().replace(b"@", b"\xff"),
            # "slug: tiny\n" is 11 bytes, 'version: "1.0"\n' 15, "title: Tiny " 12
            "the file is not valid UTF-8: byte 0xff at offset 38 (line 3, column 13) cannot be decoded; "
            "save the file as UTF-8",
        ),
        (
            # é is two bytes but one column
            base("title: Tiny", "title: Café @").encode().replace(b"@", b"\xff"),
            "the file is not valid UTF-8: byte 0xff at offset 39 (line 3, column 13) cannot be decoded; "
            "save the file as UTF-8",
        ),
        (
            # a UTF-8 byte order mark is allowed, and is not a column
            b"\xef\xbb\xbf" + base("slug: tiny", "slug: t@").encode().replace(b"@", b"\xe9"),
            "the file is not valid UTF-8: byte 0xe9 at offset 10 (line 1, column 8) cannot be decoded; "
            "save the file as UTF-8",
        ),
        (
            BASE.encode() + "# truncated €".encode()[:-1],
            f"the file is not valid UTF-8: byte 0xe2 at offset {len(BASE) + 12} (line 20, column 13) cannot be decoded; "
            "save the file as UTF-8",
        ),
        (
            BASE.encode("utf-16"),
            "the file is not valid UTF-8: byte 0xff at offset 0 (line 1, column 1) cannot be decoded; "
            "save the file as UTF-8",
        ),
        (
            # a surrogate encoded as if it were a character (CESU-8): not UTF-8
            b"title: Ti\xed\xa0\x80ny\n",
            "the file is not valid UTF-8: byte 0xed at offset 9 (line 1, column 10) cannot be decoded; "
            "save the file as UTF-8",
        ),
        (
            BASE.encode() + b"#" * MB2,
            "the file is larger than 2 MB (2,097,152 bytes), the limit for model files",
        ),
    ],
    ids=["latin-1", "after-multibyte", "after-bom", "truncated-at-end", "utf-16", "cesu-8", "2mb"],
)
def test_load_model_refuses_bytes_that_are_not_a_small_utf8_file(tmp_path, content, message):
    path = write(tmp_path, content)
    assert run_command(path, "--dry-run") == ONE_ERROR.format(path=path, message=message)
    assert run_command(path) == ONE_ERROR.format(path=path, message=message)


@pytest.mark.django_db
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_not_read_to_its_end():
    assert run_command(Path("/dev/zero")) == ONE_ERROR.format(
        path="/dev/zero", message="the file is larger than 2 MB (2,097,152 bytes), the limit for model files"
    )


@pytest.mark.django_db
def test_a_path_with_a_nul_byte_is_an_error():
    with pytest.raises(CommandError) as info:
        call_command("load_model", "model\x00.yaml")
    assert str(info.value) == "model\x00.yaml: cannot read the file: embedded null byte"


@pytest.mark.django_db
def test_a_file_of_exactly_the_limit_with_a_bom_still_loads(tmp_path):
    content = b"\xef\xbb\xbf" + BASE.encode()
    content += b"#" * (MB2 - len(content) - 1) + b"\n"
    assert len(content) == MB2
    call_command("load_model", str(write(tmp_path, content)), "--publish")
    assert ResponsibilityModel.objects.get().title == "Tiny"


@pytest.mark.django_db
def test_thousands_of_errors_are_counted_but_only_the_first_hundred_listed(tmp_path):
    text = BASE.split("areas:")[0] + "extra: 1\nareas: [" + ", ".join(["1"] * 1000) + "]\n"
    output = run_command(write(tmp_path, text.encode()))
    lines = output.splitlines()
    assert lines[0].endswith(": 1,001 errors; nothing was loaded:")
    assert lines[1:4] == [
        "  extra: unknown key; allowed: slug, version, title, description, parties, deployments, areas",
        "  areas[0]: must be a mapping, got a number",
        "  areas[1]: must be a mapping, got a number",
    ]
    assert lines[100:] == [
        "  areas[98]: must be a mapping, got a number",
        "  … and 901 more (only the first 100 are listed)",
    ]


# `validate` gets Python data, which may hold values YAML cannot produce through `parse`.


def tiny() -> dict:
    return yaml.safe_load(BASE)


def validate_errors(data) -> list[str]:
    with pytest.raises(ModelFileError) as info:
        validate(data)
    return info.value.errors


HUGE = 10**5000  # str() of this raises ValueError (Python's int string conversion limit)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=HUGE), "version: must be text, got a number"),
        (lambda d: d.update(version=1.5), 'version: must be text, got a number; quote it, e.g. "1.5"'),
        (lambda d: d.update(version=True), "version: must be text, got true/false"),
        (
            lambda d: d.update({HUGE: "x"}),
            "a very long number: unknown key; allowed: slug, version, title, description, parties, deployments, areas",
        ),
        (
            lambda d: d.update({7: "x"}),
            "7: unknown key; allowed: slug, version, title, description, parties, deployments, areas",
        ),
        (
            lambda d: d["areas"][0]["controls"][0]["owners"].update({HUGE: "customer"}),
            f"{CONTROL}: owners: unknown deployment a very long number; known: on-premises, managed",
        ),
        (
            lambda d: d["areas"][0]["controls"][0]["owners"].update(managed=HUGE),
            f"{CONTROL}: owners.managed: must be text, got a number",
        ),
        (
            lambda d: d["areas"][0]["controls"][0].update(references={HUGE: ["A-1"]}),
            f"{CONTROL}: references: framework names must be text, got a number",
        ),
        (
            lambda d: d["areas"][0]["controls"][0].update(references={"NIST": ["A-1", HUGE]}),
            f'{CONTROL}: references.NIST: must be a non-empty list of ids as text, e.g. ["3.10"]',
        ),
        (
            lambda d: d["areas"][0]["controls"][0].update(id="NET-" + "A" * 1000),
            f"areas[0].controls[0] (NET-{'A' * 76}…): id: too long (1,004 characters); at most 40",
        ),
        (
            lambda d: d["areas"][0]["controls"][0].update(id="NET\nALLOW"),
            "areas[0].controls[0] ('NET\\nALLOW'): id: 'NET\\nALLOW' is not valid; use capitals, digits and hyphens",
        ),
        (
            lambda d: d.update(title="Ti\ud800ny"),
            "title: must not contain lone surrogates; found U+D800 at character 3",
        ),
        (lambda d: d.update(title=datetime.date(2024, 1, 1)), "title: must be text, got a date"),
    ],
    ids=[
        "huge-version",
        "float-version",
        "bool-version",
        "huge-key",
        "int-key",
        "huge-owner-key",
        "huge-owner",
        "huge-framework",
        "huge-reference-id",
        "long-id",
        "id-with-newline",
        "surrogate",
        "date",
    ],
)
def test_validate_never_formats_a_value_it_cannot_show(change, message):
    data = tiny()
    change(data)
    assert validate_errors(data) == [message]


def test_every_database_length_limit_is_checked_by_the_validator():
    """The validator knows the column sizes (it may not import Django); this keeps the two in step."""
    from assessment.modelfile import MAX_LENGTHS

    columns = {
        ("top", "slug"): ResponsibilityModel._meta.get_field("slug"),
        ("top", "version"): ResponsibilityModel._meta.get_field("version"),
        ("top", "title"): ResponsibilityModel._meta.get_field("title"),
        ("parties", "customer"): ResponsibilityModel._meta.get_field("customer_name"),
        ("parties", "provider"): ResponsibilityModel._meta.get_field("provider_name"),
        ("parties", "infrastructure"): ResponsibilityModel._meta.get_field("infrastructure_name"),
        ("deployment", "key"): Deployment._meta.get_field("key"),
        ("deployment", "name"): Deployment._meta.get_field("name"),
        ("area", "key"): Area._meta.get_field("key"),
        ("area", "title"): Area._meta.get_field("title"),
        ("control", "id"): Control._meta.get_field("control_id"),
        ("control", "title"): Control._meta.get_field("title"),
    }
    assert {place: field.max_length for place, field in columns.items()} == MAX_LENGTHS


def test_the_c_loader_is_used_when_pyyaml_has_it():
    assert yaml.__with_libyaml__ == yamlsafe.LIBYAML
    assert yamlsafe.LOADER is (yamlsafe.CLoader if yamlsafe.LIBYAML else yamlsafe.PyLoader)


def test_shipped_fixtures_parse_the_same_with_both_loaders(monkeypatch):
    for path in sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.yaml")):
        text = path.read_text()
        fast = parse(text)
        monkeypatch.setattr(yamlsafe, "LOADER", yamlsafe.PyLoader)
        assert parse(text) == fast
        monkeypatch.undo()


# Property-based: nothing but ModelFileError from `parse`/`validate`, nothing but CommandError from the command.

FAST_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["customer", "shared", "managed", "on-premises", "critical", "NET-X", "1.0", "", " "])
    | st.dates()
)
keys = st.text(max_size=12) | st.sampled_from(["id", "key", "title", "owners", "references", "controls"])
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)
# Where in an otherwise valid model a random value goes, so the validator's deeper branches run too.
PLACES = [
    (),
    ("slug",),
    ("version",),
    ("parties",),
    ("parties", "customer"),
    ("deployments",),
    ("deployments", 0),
    ("deployments", 0, "key"),
    ("areas",),
    ("areas", 0),
    ("areas", 0, "key"),
    ("areas", 0, "controls"),
    ("areas", 0, "controls", 0),
    ("areas", 0, "controls", 0, "id"),
    ("areas", 0, "controls", 0, "owners"),
    ("areas", 0, "controls", 0, "owners", "managed"),
    ("areas", 0, "controls", 0, "references"),
    ("areas", 0, "controls", 0, "references", "NIST"),
    ("areas", 0, "controls", 0, "customer_part"),
]


def put(place: tuple, value):
    data = tiny()
    if not place:
        return value
    target = data
    for step in place[:-1]:
        target = target.setdefault(step, {}) if isinstance(target, dict) else target[step]
    target[place[-1]] = copy.deepcopy(value)
    return data


def parse_or_refuse(text: str) -> None:
    try:
        parse(text)
    except ModelFileError as exc:
        assert exc.errors and all(isinstance(e, str) and len(e) < 1000 for e in exc.errors)


@FAST_SETTINGS
@given(st.text(max_size=300))
def test_parse_of_any_text_raises_only_model_file_error(text):
    parse_or_refuse(text)


@FAST_SETTINGS
@given(st.sampled_from(PLACES), documents | st.just(HUGE) | st.text(min_size=100, max_size=300))
def test_validate_of_any_data_raises_only_model_file_error(place, value):
    try:
        validate(put(place, value))
    except ModelFileError as exc:
        assert exc.errors


@FAST_SETTINGS
@given(st.sampled_from(PLACES), documents, st.booleans())
def test_parse_of_any_yaml_document_raises_only_model_file_error(place, value, flow):
    parse_or_refuse(yaml.safe_dump(put(place, value), default_flow_style=flow, allow_unicode=True))


# YAML's punctuation, tags and number shapes, strung together: reaches the scanner's and constructors' corners.
yaml_tokens = st.lists(
    st.sampled_from(
        [
            *"[]{}:,-?&*!|>'\"#%@` \n\tax0.~=\\",
            *("  ", ": ", "- ", "? ", "&a ", "*a", "<<: ", "---\n", "...\n"),
            *("!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!set ", "!!omap ", "!!pairs ", "!!str "),
            *("!!python/name:os.system ", "!x ", "2024-", "13", "0x", "0o", "0b", "1:", "99", ".5", "e+9", ".inf"),
            *("yes", "\\u", "\\0", "\\x", "\\ud800", "\u2028", "\x85", "\ufeff", "é"),
        ]
    ),
    max_size=120,
).map("".join)


@FAST_SETTINGS
@given(yaml_tokens)
def test_parse_of_yaml_punctuation_raises_only_model_file_error(text):
    parse_or_refuse(text)


@FAST_SETTINGS
@given(yaml_tokens)
def test_parse_of_yaml_punctuation_with_the_python_loader_raises_only_model_file_error(text):
    original, yamlsafe.LOADER = yamlsafe.LOADER, yamlsafe.PyLoader
    try:
        parse_or_refuse(text)
    finally:
        yamlsafe.LOADER = original


def mutate(data: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    for position, insert in edits:
        position %= len(data) + 1
        data = data[:position] + insert + data[position + 1 :]
    return data


@pytest.mark.django_db
@FAST_SETTINGS
@given(
    st.binary(max_size=500)
    | st.builds(
        mutate, st.just(BASE.encode()), st.lists(st.tuples(st.integers(0, 600), st.binary(max_size=4)), max_size=6)
    )
)
def test_load_model_of_any_bytes_raises_only_command_error(tmp_path, content):
    path = write(tmp_path, content)
    try:
        call_command("load_model", str(path), "--dry-run", stdout=io.StringIO())
    except CommandError as exc:
        assert str(exc).startswith(f"{path}: ")
    assert ResponsibilityModel.objects.count() == 0
