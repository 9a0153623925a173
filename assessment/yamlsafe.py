"""Read an untrusted YAML file into plain data within fixed limits, or raise YamlReadError with a message.

Pure: no Django. Parsing uses libyaml when PyYAML was built with it (about 8x faster), else PyYAML's
own parser; either way the composer is PyYAML's Python one with checks that run on each node before
anything is built. So, with any input, reading stops early with one clear message instead of
expanding an alias bomb, recursing until RecursionError, converting a 5,000-digit number or building
millions of objects:

- at most MAX_BYTES of UTF-8, and only characters YAML allows (checked before parsing);
- no anchors (&name) or aliases (*name): model files never need them;
- at most MAX_DEPTH levels of nesting and MAX_NODES values;
- numbers of at most MAX_NUMBER_CHARS characters; a value that does not fit its tag (``!!int x``,
  ``2024-13-01``) is an error, not a ValueError.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20  # a model file needs 7: model, areas, area, controls, control, references, ids
MAX_NODES = 50_000  # a 500-control file has about 17,000; composing costs ~3.5 µs a value
MAX_NUMBER_CHARS = 100
CLIP = 80  # longest piece of the file quoted in a message

TOO_LARGE = f"the file is larger than {MAX_BYTES // 2**20} MB ({MAX_BYTES:,} bytes), the limit for model files"
# The characters YAML 1.1 allows in a stream (PyYAML's Reader.NON_PRINTABLE): no C0 controls but tab and
# line breaks, no DEL, no lone surrogates. Checked here so both parsers report them the same way.
NOT_IN_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class YamlReadError(Exception):
    """The text is not YAML we will read; the message says why and, where it can, at which line and column."""


def clip(text: str, limit: int = CLIP) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def decode(data: bytes) -> str:
    """UTF-8 bytes (a leading byte order mark is dropped) to text."""
    if len(data) > MAX_BYTES:
        raise YamlReadError(TOO_LARGE)
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line_start = max(data.rfind(b"\n", 0, offset) + 1, bom)
        line = data.count(b"\n", 0, offset) + 1
        column = len(data[line_start:offset].decode("utf-8")) + 1  # everything before the bad byte decoded
        raise YamlReadError(
            f"the file is not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset} (line {line}, column {column}) "
            "cannot be decoded; save the file as UTF-8"
        ) from None


def load(text: str) -> Any:
    """One YAML document as plain data (dict, list, str, int, float, bool, None, date, bytes, set)."""
    if len(text) > MAX_BYTES:
        raise YamlReadError(TOO_LARGE)
    bad = NOT_IN_YAML.search(text)
    if bad:
        line, column = _position(text, bad.start())
        raise YamlReadError(
            f"line {line}, column {column}: character U+{ord(bad.group()):04X} is not allowed in YAML files"
        )
    if len(text.encode()) > MAX_BYTES:
        raise YamlReadError(TOO_LARGE)
    loader = LOADER(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise YamlReadError(_syntax_message(exc)) from None
    except yaml.YAMLError as exc:  # e.g. a ReaderError, which the character check above should have caught
        raise YamlReadError(f"not valid YAML: {clip(str(exc), 200)}") from None
    finally:
        loader.dispose()


def _position(text: str, index: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _at(mark, message: str) -> YamlReadError:
    return YamlReadError(f"line {mark.line + 1}, column {mark.column + 1}: {message}")


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or str(exc)
    if exc.context:
        problem = f"{exc.context}, {problem}"
    mark = exc.problem_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"not valid YAML: {clip(problem, 200)}{where}"


class _LimitedComposer(Composer):
    """Refuses each node that is an alias, has an anchor, is too deep or one too many, before composing it."""

    def __init__(self) -> None:
        super().__init__()
        self.limit_depth = 0
        self.limit_nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _at(event.start_mark, f"aliases (*name) are not allowed in model files; found *{clip(event.anchor)}")
        if event.anchor is not None:
            raise _at(event.start_mark, f"anchors (&name) are not allowed in model files; found &{clip(event.anchor)}")
        self.limit_nodes += 1
        if self.limit_nodes > MAX_NODES:
            raise _at(event.start_mark, f"more than {MAX_NODES:,} values, the limit for model files")
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self.limit_depth += 1
        if self.limit_depth > MAX_DEPTH:
            raise _at(event.start_mark, f"nested more than {MAX_DEPTH} levels deep, the limit for model files")
        try:
            return super().compose_node(parent, index)
        finally:
            self.limit_depth -= 1


class _CheckedConstructor(SafeConstructor):
    """SafeConstructor whose scalar constructors report a bad value instead of raising ValueError and the like."""

    def construct_undefined(self, node):
        # PyYAML's own message quotes the whole tag, which may be megabytes long
        raise ConstructorError(
            None, None, f"could not determine a constructor for the tag {clip(node.tag)!r}", node.start_mark
        )


def _checked(construct, name: str, *, number: bool = False, date: bool = False):
    def checked(self, node):
        value = node.value if isinstance(node.value, str) else ""
        # int() of a long decimal string raises ValueError (Python's 4,300-digit limit); sexagesimal
        # ("1:00:00...") is quadratic; and nobody means a 100-character number in a model file.
        if number and len(value) > MAX_NUMBER_CHARS:
            raise _at(
                node.start_mark,
                f"a number {len(value):,} characters long; model files allow at most {MAX_NUMBER_CHARS} "
                "(quote it if it is text)",
            )
        try:
            return construct(self, node)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
            why = (f" ({clip(str(exc))})" if isinstance(exc, ValueError) else " (not a date)") if date else ""
            raise _at(node.start_mark, f"cannot read {clip(value)!r} as {name}{why}; quote it if it is text") from None

    return checked


_CheckedConstructor.add_constructor(None, _CheckedConstructor.construct_undefined)
for _tag, _options in {
    "int": {"number": True},
    "float": {"number": True},
    "bool": {},
    "timestamp": {"date": True},
    "binary": {},
}.items():
    _tag_uri = f"tag:yaml.org,2002:{_tag}"
    _CheckedConstructor.add_constructor(
        _tag_uri, _checked(SafeConstructor.yaml_constructors[_tag_uri], f"!!{_tag}", **_options)
    )


class PyLoader(Reader, Scanner, Parser, _LimitedComposer, _CheckedConstructor, Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _LimitedComposer.__init__(self)
        _CheckedConstructor.__init__(self)
        Resolver.__init__(self)


LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
LOADER: type = PyLoader

if LIBYAML:
    from yaml._yaml import CParser

    class CLoader(_LimitedComposer, CParser, _CheckedConstructor, Resolver):
        """libyaml parses; the composer before CParser in the MRO replaces its C composer, which has no limits."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            _CheckedConstructor.__init__(self)
            Resolver.__init__(self)

    LOADER = CLoader
