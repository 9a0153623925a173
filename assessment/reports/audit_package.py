"""The audit package: one zip to hand to an auditor, written entry by entry into a file, never whole in memory.

Layout: `report.pdf`, `assessment.json`, `assessment.csv`, `assessment.xlsx`, the OSCAL documents
under `oscal/`, every evidence file of an asked control under `evidence/<control id>/<name>`, and
`manifest.json`, which lists every other entry with its size and SHA-256. Evidence is copied from
storage in chunks and hashed as it is copied; bytes that differ from what was recorded at upload
stop the package (`EvidenceProblem`): an auditor must never get a file that is not the one uploaded.
"""

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import BinaryIO

from ..models import Evidence
from ..oscal.package import package_files
from ..selectors.assessments import AssessmentState
from .evidence import state_evidence
from .export import export_csv, export_data
from .render import export_json
from .xlsx import assessment_workbook

CONTENT_TYPE = "application/zip"
CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
# Types that are compressed already (PDF streams, PNG, JPEG, the zips of XLSX and DOCX) are stored as they are.
COMPRESSIBLE_TYPES = ("text/", "application/json", "application/yaml", "application/x-yaml")
NAME_CAP = 150  # characters of one path segment: unpacks on every common file system


class EvidenceProblem(Exception):
    """A stored evidence file is missing or is not the file that was uploaded: trying again cannot help."""

    def __init__(self, evidence: Evidence, control_id: str, what: str):
        self.evidence = evidence
        self.control_id = control_id
        super().__init__(f"evidence {evidence.pk} ({control_id}, {evidence.name!r}): {what}")


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str


def write_package(state: AssessmentState, out: BinaryIO, *, pdf: bytes, generated_at: datetime) -> list[Entry]:
    """Write the zip into `out` (a file open for writing) and return the manifest's entries."""
    stamp = generated_at.timetuple()[:6]
    entries: list[Entry] = []
    with zipfile.ZipFile(out, "w") as archive:

        def add(path: str, chunks: Iterable[bytes], compress: bool, large: bool = False) -> Entry:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            digest, size = hashlib.sha256(), 0
            with archive.open(info, "w", force_zip64=large) as target:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    target.write(chunk)
            entry = Entry(path, size, digest.hexdigest())
            entries.append(entry)
            return entry

        add("report.pdf", [pdf], compress=False)
        add("assessment.json", [export_json(export_data(state)).encode()], compress=True)
        add("assessment.csv", [export_csv(state).encode()], compress=True)
        add("assessment.xlsx", [assessment_workbook(state)], compress=False)
        for name, content in package_files(state).items():
            add(f"oscal/{name}", [content], compress=True)
        for control_id, path, evidence in evidence_files(state):
            entry = add(
                path,
                _stored_chunks(evidence, control_id),
                compress=_compressible(evidence.content_type),
                large=evidence.size >= zipfile.ZIP64_LIMIT,  # an entry's size is known only once written
            )
            if (entry.size, entry.sha256) != (evidence.size, evidence.sha256):
                raise EvidenceProblem(
                    evidence,
                    control_id,
                    f"stored bytes ({entry.size} bytes, sha256 {entry.sha256}) differ from the upload "
                    f"({evidence.size} bytes, sha256 {evidence.sha256})",
                )
        manifest = manifest_document(state, generated_at, entries)
        info = zipfile.ZipInfo(MANIFEST, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, manifest)
    return entries


def manifest_document(state: AssessmentState, generated_at: datetime, entries: list[Entry]) -> bytes:
    a = state.assessment
    document = {
        "assessment": str(a.pk),
        "revision": a.revision,
        "generated_at": generated_at.isoformat(),
        "files": [asdict(entry) for entry in entries],
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def evidence_files(state: AssessmentState) -> list[tuple[str, str, Evidence]]:
    """(control id, path in the zip, evidence) of every file of an asked control, in report order.

    Names are cleaned again for the zip (the upload cleaned them for display) and made unique per
    control without regard to case, as macOS and Windows compare names: "scan.pdf", "scan (2).pdf".
    """
    grouped = state_evidence(state)
    files = []
    for item in state.items:
        control_id = item.control.control_id
        folder = f"evidence/{safe_segment(control_id, 'control')}"
        taken: set[str] = set()
        for evidence in grouped.get(item.control.pk, ()):
            if evidence.kind != Evidence.Kind.FILE:
                continue
            name = unique_name(safe_segment(evidence.name, "file"), taken)
            files.append((control_id, f"{folder}/{name}", evidence))
    return files


# Characters no common file system takes in a name, and the path separators of all of them.
UNSAFE = re.compile(r'[\\/:*?"<>|]')
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_segment(text: str, fallback: str) -> str:
    """One path segment that unpacks the same everywhere: no separators, control or format characters
    (bidi overrides among them), no leading dots, no names Windows reserves, at most NAME_CAP characters."""
    cleaned = "".join("_" if unicodedata.category(c)[0] == "C" else c for c in unicodedata.normalize("NFC", text))
    cleaned = UNSAFE.sub("_", cleaned).strip(" .")
    if not cleaned:
        return fallback
    stem, dot, ext = cleaned.rpartition(".")
    if not dot:
        stem, ext = cleaned, ""
    if stem.upper() in RESERVED:
        stem = "_" + stem
    ext = ext[:20]
    stem = stem[: NAME_CAP - len(ext) - len(dot)]
    return f"{stem}{dot}{ext}" if stem else fallback


def unique_name(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, dot, ext = name, "", ""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem} ({n}){dot}{ext}"
    taken.add(candidate.casefold())
    return candidate


def _stored_chunks(evidence: Evidence, control_id: str) -> Iterator[bytes]:
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        raise EvidenceProblem(evidence, control_id, f"the stored file {evidence.file.name} is missing") from None
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _compressible(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE_TYPES)
