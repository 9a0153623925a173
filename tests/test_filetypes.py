"""Evidence file types are told from the bytes, not the name; names are cleaned (assessment/filetypes.py)."""

import io
import zipfile

import pytest

from assessment.filetypes import (
    ACCEPTED,
    CSV,
    DOCX_TYPE,
    JPEG,
    JSON,
    PDF,
    PNG,
    TEXT,
    XLSX_TYPE,
    YAML,
    Refused,
    clean_name,
    detect,
    file_size,
    name_for,
)

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
CT = '<?xml version="1.0"?><Types xmlns="x">{}</Types>'
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def office(*content_types: str, extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        overrides = "".join(f'<Override PartName="/p{i}" ContentType="{ct}"/>' for i, ct in enumerate(content_types))
        archive.writestr("[Content_Types].xml", CT.format(overrides))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def kind(data: bytes, name: str = "file"):
    return detect(io.BytesIO(data), name)


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(Refused) as refused:
        kind(data, name)
    return str(refused.value)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "policy.pdf", PDF),
        (PNG_BYTES, "screen.png", PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.jpeg", JPEG),
        (b"Backups run nightly.\n", "notes.txt", TEXT),
        ("\ufeffname,owner\nbackup,ops\n".encode(), "list.csv", CSV),
        (b'{"backups": true}', "config.json", JSON),
        (b"backups:\n  nightly: true\n", "config.yaml", YAML),
        (b"backups: true\n", "config.yml", YAML),
        ("Sauvegardes chiffrées — ✓".encode(), "notes.md", TEXT),
        (office(WORKBOOK), "controls.xlsx", XLSX_TYPE),
        (office(DOCUMENT), "policy.docx", DOCX_TYPE),
    ],
)
def test_accepted_types_are_told_from_their_content(data, name, expected):
    assert kind(data, name) is expected


def test_the_name_never_decides_a_binary_type():
    assert kind(PNG_BYTES, "report.pdf") is PNG  # a PNG named .pdf is stored as what it is
    assert name_for("report.pdf", PNG) == "report.pdf.png"
    assert kind(b"not json at all", "data.json") is TEXT
    assert kind(b"%PDF-1.4 ...", "scan.png") is PDF


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "it looks like a web page or other markup (HTML, SVG or XML)",
        ),
        (b"  \n<html><body>hi</body></html>", "it looks like a web page or other markup (HTML, SVG or XML)"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "it looks like a web page or other markup (HTML, SVG or XML)",
        ),
        (b'<?xml version="1.0"?><svg/>', "it looks like a web page or other markup (HTML, SVG or XML)"),
        (b"\xef\xbb\xbf<svg/>", "it looks like a web page or other markup (HTML, SVG or XML)"),
        (b"Report\n\n<script>steal()</script>", "it looks like a web page or other markup (HTML, SVG or XML)"),
        (b"MZ\x90\x00\x03", "it is a program"),
        (b"\x7fELF\x02\x01\x01", "it is a program"),
        (b"#!/bin/sh\nrm -rf /\n", "it is a program (a script)"),
        (b"\x1f\x8b\x08\x00", "it is an archive or a file type we don't accept"),
        (b"Rar!\x1a\x07\x00", "it is an archive or a file type we don't accept"),
        (b"GIF89a\x01\x00", "it is not a type we accept"),
        (b"caf\xe9 latin-1", "it is not a type we accept (text files must be saved as UTF-8)"),
        (b"", "the file is empty"),
    ],
)
def test_markup_programs_archives_and_unknown_types_are_refused_saying_what_is_accepted(data, reason):
    assert refusal(data, "evil.pdf") == f"“evil.pdf” can't be added: {reason}. Accepted: {ACCEPTED}."


def test_zips_other_than_office_documents_are_archives():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert "it is an archive" in refusal(plain.getvalue(), "policy.docx")
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert "an Office file with macros" in refusal(office(macro), "book.xlsx")
    assert "it is an archive" in refusal(office(WORKBOOK, DOCUMENT), "both.xlsx")  # claims to be two things
    assert "it is an archive" in refusal(b"PK\x03\x04 truncated", "broken.docx")


def test_a_nul_byte_anywhere_makes_text_binary():
    assert "not a type we accept" in refusal(b"a" * 100_000 + b"\x00" + b"b", "log.txt")


def test_utf8_split_across_read_chunks_is_still_text():
    data = ("é" * 70_000).encode()  # 140 kB: several 64 kB chunks, a character cut at every boundary
    assert kind(data, "notes.txt") is TEXT


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("..", "evidence"),
        ("", "evidence"),
        ("report\x00.pdf", "report .pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066name\u2069\u200e\u200f.txt", "name.txt"),
        ("line\nbreak\r\t.txt", "line break .txt"),
        ("  .hidden  ", "hidden"),
    ],
)
def test_names_lose_paths_control_characters_and_bidi_overrides(given, cleaned):
    assert clean_name(given) == cleaned


def test_long_names_are_cut_keeping_their_extension():
    cleaned = clean_name("a" * 300 + ".pdf")
    assert len(cleaned) == 150
    assert cleaned == "a" * 146 + ".pdf"
    assert len(clean_name("b" * 300)) == 150


def test_sizes_read_as_people_say_them():
    assert [file_size(n) for n in (0, 1, 17, 1024, 1536, 312 * 1024, 25 * 1024 * 1024, 500 * 1024 * 1024)] == [
        "0 bytes",
        "1 byte",
        "17 bytes",
        "1 KB",
        "1.5 KB",
        "312 KB",
        "25 MB",
        "500 MB",
    ]
