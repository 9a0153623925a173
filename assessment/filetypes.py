"""What an evidence file is, told from its bytes rather than its name, and a name safe to show and send.

Pure standard-library Python (no Django), so the rules can be tested on bytes alone. A file is
accepted only as one of a few document types an auditor opens without risk; anything a browser
could run (HTML, SVG, other markup), programs, archives and unknown binaries are refused. Text
files must be UTF-8 without NUL bytes; which text type they are (CSV, JSON, YAML or plain) is
taken from the name's extension, as the bytes of those formats overlap.
"""

import codecs
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

ACCEPTED = "PDF, PNG, JPEG, plain text, CSV, JSON, YAML, XLSX or DOCX"
NAME_LIMIT = 150
HEAD = 4096  # what is read to tell a type, and to look for markup in text
CHUNK = 64 * 1024
MAX_ZIP_ENTRIES = 10_000  # an Office file has dozens of parts; the central directory is read whole
MAX_CONTENT_TYPES = 256 * 1024  # [Content_Types].xml, uncompressed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class FileType:
    label: str  # what people call it
    content_type: str  # what the file is stored and served as
    extensions: tuple[str, ...]  # the first is added to a name that has none of them


PDF = FileType("PDF", "application/pdf", (".pdf",))
PNG = FileType("PNG", "image/png", (".png",))
JPEG = FileType("JPEG", "image/jpeg", (".jpg", ".jpeg"))
TEXT = FileType("text", "text/plain", (".txt", ".text", ".log", ".md"))
CSV = FileType("CSV", "text/csv", (".csv",))
JSON = FileType("JSON", "application/json", (".json",))
YAML = FileType("YAML", "application/yaml", (".yaml", ".yml"))
XLSX_TYPE = FileType("XLSX", XLSX, (".xlsx",))
DOCX_TYPE = FileType("DOCX", DOCX, (".docx",))
TEXT_BY_EXTENSION = {ext: t for t in (CSV, JSON, YAML) for ext in t.extensions}
OFFICE_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX_TYPE,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX_TYPE,
}


class Refused(ValueError):
    """The file is not one we accept; the message says why and what is accepted."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"“{name}” can't be added: {reason}. Accepted: {ACCEPTED}.")


# Programs and archives by their first bytes: refused with a reason people recognise.
PROGRAMS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
PROGRAMS += (b"\xca\xfe\xba\xbe", b"\x00asm", b"dex\n")
ARCHIVES = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c", b"Rar!")
ARCHIVES += (b"\x28\xb5\x2f\xfd", b"MSCF", b"\xd0\xcf\x11\xe0")  # zstd, cab, old Office (macros)
# Markup a browser would render or run, looked for near the start of a text file.
MARKUP = re.compile(
    r"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|link|style|img|a\s|\?xml|xml|x:|math)",
    re.IGNORECASE,
)


def detect(stream: BinaryIO, name: str) -> FileType:
    """The type of the file in `stream` (seekable, read from the start), or Refused."""
    stream.seek(0)
    head = stream.read(HEAD)
    if not head:
        raise Refused(name, "the file is empty")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office(stream, name)
    if head.startswith(PROGRAMS):
        raise Refused(name, "it is a program")
    if head.startswith(ARCHIVES) or head[257:262] == b"ustar":
        raise Refused(name, "it is an archive or a file type we don't accept")
    return _text(stream, head, name)


def _office(stream: BinaryIO, name: str) -> FileType:
    """XLSX or DOCX: a zip whose [Content_Types].xml names a workbook or a document as its main part."""
    entries = _zip_entries(stream)
    if entries is None or entries > MAX_ZIP_ENTRIES:
        raise Refused(name, "it is an archive")
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES:
                raise Refused(name, "it is an archive")
            with archive.open(info) as part:
                text = part.read(MAX_CONTENT_TYPES + 1).decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise Refused(name, "it is an archive") from None
    found = {OFFICE_MAIN_PARTS[t] for t in re.findall(r'ContentType="([^"]+)"', text) if t in OFFICE_MAIN_PARTS}
    if len(found) != 1:  # none (another zip, or macro-enabled Office) or a file claiming to be both
        raise Refused(name, "it is an archive or an Office file with macros")
    return found.pop()


def _zip_entries(stream: BinaryIO) -> int | None:
    """The entry count in the zip's end record, read before zipfile loads the whole directory."""
    stream.seek(0, 2)
    size = stream.tell()
    tail_size = min(size, 22 + 65535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return None if entries == 0xFFFF else entries  # zip64: never an Office file this small


def _text(stream: BinaryIO, head: bytes, name: str) -> FileType:
    """UTF-8 text without NUL bytes and without markup near its start; the kind from the extension."""
    start = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    first = True
    while chunk := stream.read(CHUNK):
        if first and chunk.startswith(codecs.BOM_UTF8):
            chunk = chunk[3:]
        first = False
        if b"\x00" in chunk:
            raise Refused(name, "it is not a type we accept")
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            raise Refused(name, "it is not a type we accept (text files must be saved as UTF-8)") from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Refused(name, "it is not a type we accept (text files must be saved as UTF-8)") from None
    text = start.decode("utf-8", errors="ignore").lstrip()
    if text.startswith("<") or MARKUP.search(text):
        raise Refused(name, "it looks like a web page or other markup (HTML, SVG or XML)")
    if text.startswith("#!"):
        raise Refused(name, "it is a program (a script)")
    kind = TEXT_BY_EXTENSION.get(_extension(name), TEXT)
    if kind is JSON and not text.startswith(("{", "[")):
        kind = TEXT
    return kind


# Characters that change how a name reads without being seen: bidi overrides and marks, line separators.
INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
INVISIBLE |= dict.fromkeys((0x2028, 0x2029, 0xFEFF))


def clean_name(name: str, limit: int = NAME_LIMIT) -> str:
    """A file name to show and to send in Content-Disposition: its last path part, without control
    characters or bidi overrides, at most `limit` characters with its extension kept; "evidence" if
    nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name.translate(INVISIBLE))
    name = " ".join(name.split()).strip(". ")
    if not name:
        return "evidence"
    if len(name) > limit:
        ext = _extension(name)
        ext = ext if len(ext) <= 10 else ""
        name = name[: limit - len(ext)].rstrip(". ") + ext
    return name


def name_for(name: str, filetype: FileType) -> str:
    """`name` with the detected type's extension added when it claims another (so it opens as what it is)."""
    if _extension(name) in filetype.extensions:
        return name
    return clean_name(name, NAME_LIMIT - len(filetype.extensions[0])) + filetype.extensions[0]


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def file_size(size: int) -> str:
    """A size as people read it: "17 bytes", "312 KB", "1.2 MB", "25 MB" (units of 1,024)."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            text = f"{size:.1f}" if size < 10 else f"{size:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    raise AssertionError("unreachable")
