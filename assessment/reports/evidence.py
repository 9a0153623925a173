"""The evidence an assessment's exports and report show: read once per state, in the export's shape.

`export.json`, the CSV, the XLSX, the OSCAL package, the PDF and the audit package are all built
from one `AssessmentState`; the evidence of every control is read with it in one query and kept on
the state, so however many of them a request or the worker builds, it is one query.
"""

from dataclasses import dataclass

from ..models import Evidence
from ..selectors.assessments import AssessmentState
from ..selectors.evidence import evidence_by_control as read_evidence

_CACHE = "_evidence_by_control"  # an attribute on the state (a plain dataclass): built with it, gone with it


def state_evidence(state: AssessmentState) -> dict[int, list[Evidence]]:
    """Control pk → its evidence, oldest first; one query for the whole assessment, none the second time."""
    cached = state.__dict__.get(_CACHE)
    if cached is None:
        cached = state.__dict__[_CACHE] = read_evidence(state.assessment)
    return cached


def export_rows(evidence: list[Evidence]) -> list[dict]:
    """`controls[].evidence` of export.json: files with size and hash, links with their URL; keys in a fixed order."""
    return [_export_row(e) for e in evidence]


def _export_row(e: Evidence) -> dict:
    added_by = e.added_by.email if e.added_by_id else None
    if e.kind == Evidence.Kind.LINK:
        return {
            "name": e.name,
            "url": e.url,
            "description": e.description,
            "added_by": added_by,
            "added_at": e.added_at.isoformat(),
        }
    return {
        "name": e.name,
        "size": e.size,
        "sha256": e.sha256,
        "content_type": e.content_type,
        "description": e.description,
        "added_by": added_by,
        "added_at": e.added_at.isoformat(),
    }


@dataclass(frozen=True)
class EvidenceEntry:
    """One asked control's evidence, for the report's evidence index."""

    item: object  # selectors.assessments.Item
    files: tuple[Evidence, ...]
    links: tuple[Evidence, ...]

    @property
    def summary(self) -> str:
        """ "2 files and 1 link", for the control's finding."""
        parts = [
            f"{n} {word}{'' if n == 1 else 's'}"
            for n, word in ((len(self.files), "file"), (len(self.links), "link"))
            if n
        ]
        return " and ".join(parts)


def evidence_index(state: AssessmentState) -> list[EvidenceEntry]:
    """The asked controls that have evidence, in report order, each with its files and its links."""
    grouped = state_evidence(state)
    entries = []
    for item in state.items:
        evidence = grouped.get(item.control.pk)
        if evidence:
            entries.append(
                EvidenceEntry(
                    item,
                    tuple(e for e in evidence if e.kind == Evidence.Kind.FILE),
                    tuple(e for e in evidence if e.kind == Evidence.Kind.LINK),
                )
            )
    return entries
