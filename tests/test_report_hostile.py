"""Text typed by customers and reviewers is shown as typed: escaped, wrapped, never markup or style.

One report, rendered once, carries every kind of hostile note; the layout is checked on WeasyPrint's
laid-out pages (no text box runs past the page's right edge) and the text is read back from the PDF.
"""

import re
import shutil
import subprocess

import pytest
import weasyprint
from django.db import transaction

from assessment.models import Assessment, Organization
from assessment.reports import render
from assessment.reports.fetcher import REPORT_BASE_URL, StaticFilesFetcher
from assessment.selectors.assessments import assessment_state
from assessment.services.assessments import assessment_start
from tests.conftest import answer, load_fixture, make_member

SCRIPT = '<script>alert("owned")</script>'
IMG = "<img src=http://127.0.0.1:9/beacon.png>"
CELL_BREAK = "</td></tr></table><h1>INJECTED HEADING</h1>"
STYLE = "<style>body { display: none }</style>"
LONG_WORD = "W" * 300
FIVE_THOUSAND = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 100)[:5000]
RTL = "النسخ الاحتياطية مشفرة ويتم اختبارها كل شهر — גיבויים מוצפנים"
CJK = "我们每月测试一次备份恢复"

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

HOSTILE_NOTES = {
    "ENC-TLS-VERIFY": f"{SCRIPT} {IMG}",
    "ENC-NODE-TLS": CELL_BREAK,
    "ENC-REST": STYLE,
    "ENC-CMK": LONG_WORD,
    "ENC-CMK-LIFE": FIVE_THOUSAND,
    "NET-ALLOW": RTL,
    "NET-PRIVATE": CJK,
}


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker):
    """The draft report's HTML, its laid-out document and its PDF bytes."""
    with django_db_blocker.unblock(), transaction.atomic():
        model = load_fixture("yugabytedb-managed")
        user = make_member("hostile@example.test", Organization.objects.create(name="Hostile <b>Org</b> & Co"))
        created = assessment_start(
            user=user,
            model=model,
            deployment=model.deployments.get(key="managed"),
            title=f"Title {SCRIPT} " + "T" * 120,
            scope=STYLE,
        )
        for control_id, notes in HOSTILE_NOTES.items():
            answer(created, user, control_id, "partial", notes=notes)
        assessment = Assessment.objects.select_related("model", "deployment", "organization").get(pk=created.pk)
        html = render.report_html(assessment_state(assessment))
        transaction.set_rollback(True)
    document = weasyprint.HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=StaticFilesFetcher()).render(
        pdf_variant=render.PDF_VARIANT
    )
    pdf = document.write_pdf(pdf_variant=render.PDF_VARIANT)
    return {"html": html, "document": document, "pdf": pdf}


def _text(pdf: bytes) -> str:
    """The PDF's text via poppler: pypdf 7 cannot decode a font's text once it holds a .notdef glyph (CJK here)."""
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", result.stdout.decode())


def test_markup_is_escaped_in_the_html(hostile):
    html = hostile["html"]
    assert "<script" not in html
    assert "<img src=http" not in html
    assert "<h1>INJECTED" not in html
    assert "<style>body" not in html
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in html
    assert "Hostile &lt;b&gt;Org&lt;/b&gt; &amp; Co" in html


def test_markup_shows_as_text_in_the_pdf(hostile):
    text = _text(hostile["pdf"])
    assert SCRIPT in text
    assert IMG in text
    assert CELL_BREAK in text
    assert "Hostile <b>Org</b> & Co" in text


def test_a_style_element_in_notes_does_not_style_the_report(hostile):
    # `body { display: none }` as typed would blank the whole document.
    assert len(hostile["document"].pages) > 5
    assert "Executive summary" in _text(hostile["pdf"])


def _text_boxes(box):
    """Text boxes of the page body; the running header (clipped with an ellipsis) and the rotated
    watermark are left out on purpose."""
    boxes = weasyprint.formatting_structure.boxes
    if isinstance(box, boxes.MarginBox) or "watermark" in (
        box.element.get("class", "") if box.element is not None else ""
    ):
        return
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child)


def test_long_text_and_long_words_wrap_inside_the_page(hostile):
    overflowing = []
    for number, page in enumerate(hostile["document"].pages, start=1):
        # `_page_box` is private but stable in the pinned WeasyPrint: the laid-out box tree of the page.
        for box in _text_boxes(page._page_box):
            right = box.position_x + box.width
            if right > page.width - 16 * 96 / 25.4 + 0.5:  # past the right margin (16 mm)
                overflowing.append((number, box.text[:40], round(right - page.width)))
    assert overflowing == []


def test_five_thousand_characters_and_long_words_are_all_there(hostile):
    text = _text(hostile["pdf"]).replace(" ", "")
    assert LONG_WORD in text  # wrapped anywhere, but nothing lost
    assert FIVE_THOUSAND.replace(" ", "") in text


def test_right_to_left_and_cjk_text_is_kept(hostile):
    assert RTL in hostile["html"]
    assert CJK in hostile["html"]
    text = _text(hostile["pdf"])
    # DejaVu has Arabic and Hebrew glyphs. It has no CJK glyphs, so without a CJK font installed those
    # show as boxes, but the text layer still carries the characters.
    assert "גיבויים" in text
    assert "مشفرة" in text
    assert CJK in text
