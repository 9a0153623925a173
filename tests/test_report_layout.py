"""The report's long per-control parts laid out as blocks, not table rows (issue 12), read back from the PDF.

The findings and the remediation plan are lists: each finding shows its control, owner, answer, outcome
and risk in reading order, each gap its number, risk, control and what to do. A 2,000-character word in
the notes wraps inside the page, and the PDF stays tagged. One submitted sample assessment (so the plan
has its owner, due date and status) is rendered once, inside a transaction that is rolled back.
"""

import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from django.db import transaction
from pypdf import PdfReader

from assessment.models import Assessment
from assessment.reports import render
from assessment.reports.context import OUTCOME_LABELS
from assessment.reports.sample import sample_assessment
from assessment.selectors.assessments import assessment_state
from assessment.services import workflow
from tests.conftest import answer, load_fixture

# One unbroken word of 2,000 characters, in a pattern so a lost or repeated piece would show.
LONG_WORD = "ABCDEFGHIJ" * 200
PAGE_MARGIN_RIGHT_PT = 16 / 25.4 * 72  # report.css: @page margin 16 mm


def _words(text: str) -> str:
    return " ".join(text.split())


def _squashed(text: str) -> str:
    """Text without any white space: a title wrapped at its hyphen ("Least-\nprivilege") still matches."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        draft = sample_assessment(
            model=load_fixture("yugabytedb-managed"), status=Assessment.Status.DRAFT, email_prefix="layout"
        )
        member = draft.organization.memberships.get().user
        noted = assessment_state(draft).items[2].control.control_id
        answer(draft, member, noted, "partial", notes=f"Before {LONG_WORD} after.")
        submitted = workflow.assessment_submit(assessment=draft, actor=member)
        assessment = Assessment.objects.select_related("model", "deployment", "organization").get(pk=submitted.pk)
        state = assessment_state(assessment)
        findings = [
            (
                item.control.control_id,
                item.control.title,
                item.owner_label,
                item.answer.get_claim_display(),
                OUTCOME_LABELS[item.result.outcome],
                item.result.risk,
            )
            for item in state.items
        ]
        gaps = [(item.control.control_id, item.control.title, item.result.risk, item.guidance) for item in state.gaps]
        pdf = render.render_pdf(state).pdf
        transaction.set_rollback(True)
    return {"pdf": pdf, "findings": findings, "gaps": gaps, "noted": noted}


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _chapter(pdf: bytes, start: str, end: str) -> str:
    """A chapter's text, from its heading (past the contents on page 1) to the next chapter's."""
    text = "\n".join(_pages(pdf)[1:])
    body = text[text.index(start) :]
    return body[: body.index(end)]


def test_each_finding_reads_control_owner_answer_outcome_and_risk_in_order(report):
    findings = _squashed(_chapter(report["pdf"], "3 Findings by area", "4 Remediation plan"))
    position = 0
    for control_id, title, owner, claim, outcome, risk in report["findings"]:
        # The control's facts follow it, in this order, before the next control begins.
        facts = (
            control_id,
            title,
            f"Owner:{owner}",
            f"Answer:{claim}",
            *([risk.capitalize()] if risk else []),
            outcome,
        )
        for text in map(_squashed, facts):
            found = findings.find(text, position)
            assert found >= 0, f"{control_id}: {text!r} not found after its control"
            position = found + len(text)


def test_each_gap_reads_number_risk_control_and_what_to_do(report):
    plan = _chapter(report["pdf"], "4 Remediation plan", "5 Appendix")
    assert report["gaps"], "the sample has gaps"
    for number, (control_id, title, risk, guidance) in enumerate(report["gaps"], start=1):
        line = re.search(rf"^{number} {risk.capitalize()} {re.escape(control_id)}\b", plan, re.MULTILINE)
        assert line, f"gap {number} {control_id} does not start a line with its number and risk"
        following = re.search(rf"^{number + 1} [A-Z][a-z]+ [A-Z0-9-]+\b", plan[line.end() :], re.MULTILINE)
        # This gap's block only, up to the next gap's number, so what to do cannot be the next one's.
        item = _squashed(plan[line.start() : line.end() + following.start()] if following else plan[line.start() :])
        what_to_do = _squashed(" ".join(unescape(guidance).split()[:8]))
        assert item.index(_squashed(title)) < item.index("Owner:Nobodyyet") < item.index("Status:Open")
        assert item.index("Status:Open") < item.index(what_to_do)


def test_the_findings_and_the_plan_take_fewer_pages_than_as_tables(report):
    pages = _pages(report["pdf"])
    assert len(pages) <= 15  # 18 when the findings and the plan were table rows
    first = next(i for i, page in enumerate(pages) if i and "3 Findings by area" in page)
    plan = next(i for i, page in enumerate(pages) if i and "4 Remediation plan" in page)
    assert plan - first <= 5  # 51 controls with their notes: 5 pages as rows, 4 as blocks


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_a_two_thousand_character_word_in_the_notes_wraps_inside_the_page(report, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(report["pdf"])
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', boxes)
    start = (
        next(i for i in range(len(words) - 1) if words[i][1] == "Before" and words[i + 1][1].startswith("ABCDE")) + 1
    )
    pieces, length = [], 0
    for x_max, word in words[start:]:
        if length >= len(LONG_WORD):
            break
        pieces.append(word)
        length += len(word)
        assert float(x_max) <= page_width - PAGE_MARGIN_RIGHT_PT + 1, f"runs past the right margin: {word[:20]}…"
    assert len(pieces) >= 15  # wrapped over many lines, not one line running off the page
    assert "".join(pieces) == LONG_WORD  # nothing cut, nothing repeated


def _structure(pdf: bytes) -> list[str]:
    """The PDF's tag names (structure element types), in document order."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"]
    names, stack = [], [root]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict):
            continue  # a marked-content id: text, not a tag
        if "/S" in node:
            names.append(str(node["/S"])[1:])
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        stack.extend(reversed([kid for kid in kids if hasattr(kid, "get_object") or isinstance(kid, dict)]))
    return names


def test_the_pdf_stays_tagged_with_headings_lists_and_table_headers(report):
    tags = _structure(report["pdf"])
    assert tags.count("H1") == 1  # the assessment's title
    assert tags.count("H2") >= 7  # self-attestation, contents and the five chapters
    assert tags.count("H3") >= 7  # among them one per area of findings
    # Every finding and every gap is a list item (plus the legend, references, attestation and contents).
    assert tags.count("LI") >= len(report["findings"]) + len(report["gaps"])
    # The tables that stay (gaps by risk, the charts, the ownership matrix, the method) keep header cells.
    assert tags.count("Table") >= 4 and tags.count("TH") >= 20
