"""NIST's published OSCAL JSON schema as a validator for the tests.

The schema's patterns use Unicode classes such as `\\p{L}` (tokens may hold any letter), which
Python's `re` cannot compile: they are checked with the `regex` module instead.
"""

import functools
import json
from pathlib import Path

import regex
from jsonschema import Draft7Validator, ValidationError, validators

SCHEMA = Path(__file__).parent / "schemas" / "oscal_complete_schema.json"


@functools.cache
def _compiled(pattern: str):
    return regex.compile(pattern)


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})


@functools.cache
def validator(root: str) -> Draft7Validator:
    """The schema narrowed to the model whose root key is `root`: errors then name the exact path
    (the complete schema's `oneOf` over every model would only say "not valid under any")."""
    schema = json.loads(SCHEMA.read_text())
    (branch,) = [b for b in schema.pop("oneOf") if b["required"] == [root]]
    return OscalValidator({**schema, **branch})


def schema_errors(document: dict) -> list[str]:
    """Every way `document` breaks the schema, each with its JSON path; empty when it is valid."""
    (root,) = document
    return [f"{e.json_path}: {e.message}" for e in validator(root).iter_errors(document)]
