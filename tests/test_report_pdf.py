"""The PDF gap report, read back with pypdf (and poppler/qpdf where installed): content, metadata, attachment.

Rendering a full report takes about a second, so each module-scoped fixture renders once, inside a
transaction it rolls back, and hands the tests plain values (bytes, dicts, lists).
"""

import io
import json
import re
import shutil
import subprocess

import pytest
from django.db import transaction
from pypdf import PdfReader

from assessment.models import Assessment
from assessment.reports import render
from assessment.reports.context import WATERMARK
from assessment.reports.export import export_data
from assessment.reports.sample import sample_assessment
from assessment.selectors.assessments import assessment_state
from tests.conftest import load_fixture


def _report(status: str, **kwargs) -> dict:
    sample = sample_assessment(model=load_fixture("yugabytedb-managed"), status=status, **kwargs)
    assessment = Assessment.objects.select_related("model", "deployment", "organization").get(pk=sample.pk)
    state = assessment_state(assessment)
    report = render.render_pdf(state)
    return {
        "pdf": report.pdf,
        "fingerprint": report.fingerprint,
        "filename": report.filename,
        "export": json.loads(json.dumps(export_data(state))),
        "gaps": [(item.control.control_id, item.result.risk) for item in state.gaps],
        "misattributed": [r.control.id for r in state.evaluation.misattributed],
        "overall": state.evaluation.overall,
        "content_hash": assessment.model.content_hash,
        "title": assessment.title,
        "organization": assessment.organization.name,
    }


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker):
    """A reviewed (changes requested) report and a draft report of the full YugabyteDB Managed model."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = {
            "reviewed": _report(Assessment.Status.CHANGES_REQUESTED, email_prefix="reviewed"),
            "draft": _report(
                Assessment.Status.DRAFT, email_prefix="draft", organization_name="Draft Org", title="Staging"
            ),
        }
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def reviewed(reports):
    return reports["reviewed"]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _flat(text: str) -> str:
    """Text with line breaks and repeated spaces folded, for phrase searches across wrapped lines."""
    return re.sub(r"\s+", " ", text)


def test_is_a_pdf_with_cover_contents_and_all_sections(reviewed):
    reader = PdfReader(io.BytesIO(reviewed["pdf"]))
    assert 8 <= len(reader.pages) <= 20
    text = _flat(_text(reviewed["pdf"]))
    for heading in (
        "Shared Responsibility Self-Assessment",
        "Contents",
        "Executive summary",
        "Who owns what",
        "Findings by area",
        "Remediation plan",
        "Appendix: method and provenance",
    ):
        assert heading in text


def test_metadata(reviewed):
    reader = PdfReader(io.BytesIO(reviewed["pdf"]))
    meta = reader.metadata
    assert meta.title == f"Gap report: {reviewed['title']} ({reviewed['organization']})"
    assert meta.author == reviewed["organization"]
    assert "YugabyteDB Managed" in meta.subject
    assert "shared responsibility" in meta["/Keywords"]
    assert meta.creation_date is not None
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert "/StructTreeRoot" in root
    assert b"pdfuaid:part" in root["/Metadata"].get_data()  # declares PDF/UA-1


def test_attachment_is_the_json_export(reviewed):
    attachments = PdfReader(io.BytesIO(reviewed["pdf"])).attachments
    assert list(attachments) == ["assessment.json"]
    assert json.loads(attachments["assessment.json"][0]) == reviewed["export"]


def test_remediation_plan_lists_every_gap_in_order_with_its_risk(reviewed):
    text = _text(reviewed["pdf"])
    plan = text[text.index("4 Remediation plan", text.index("Appendix: method")) :]  # past the contents page
    plan = plan[: plan.index("5 Appendix")]
    assert reviewed["gaps"], "the sample has gaps"
    positions = []
    for number, (control_id, risk) in enumerate(reviewed["gaps"], start=1):
        match = re.search(rf"^{number} {risk.capitalize()} {re.escape(control_id)}\b", plan, re.MULTILINE)
        assert match, f"gap {number} {control_id} ({risk}) not found in the plan"
        positions.append(match.start())
    assert positions == sorted(positions)


def test_overall_score_and_misattributed_controls_in_summary(reviewed):
    text = _flat(_text(reviewed["pdf"]))
    summary = text[text.index("1 Executive summary", text.index("Appendix: method")) :]
    assert f"Overall score {reviewed['overall']}%" in summary
    assert reviewed["misattributed"]
    for control_id in reviewed["misattributed"]:
        assert control_id in summary[: summary.index("2 Who owns what")]


def test_fingerprint_and_model_hash_in_appendix(reviewed):
    text = _flat(_text(reviewed["pdf"]))
    assert reviewed["fingerprint"] in text
    assert reviewed["content_hash"] in text


def test_running_header_and_page_x_of_y_footer(reviewed):
    reader = PdfReader(io.BytesIO(reviewed["pdf"]))
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text
        if number > 1:  # the cover has no running header
            assert f"{reviewed['organization']} · {reviewed['title']}" in text


def test_reviewer_decision_and_comments_appear(reviewed):
    text = _flat(_text(reviewed["pdf"]))
    assert "Reviewer's decision: changes requested" in text
    assert "Please revisit the controls marked as needing work" in text
    assert "Reviewer: Needs work — Under the managed service this one stays with you" in text


def test_draft_watermark_only_on_drafts(reports):
    draft = PdfReader(io.BytesIO(reports["draft"]["pdf"]))
    assert all(WATERMARK in page.extract_text() for page in draft.pages)
    assert WATERMARK not in _text(reports["reviewed"]["pdf"])


def test_filename_is_slugified_organization_title_and_date(reviewed):
    assert re.fullmatch(r"sample-customer-ltd-production-clusters-\d{4}-\d{2}-\d{2}\.pdf", reviewed["filename"])


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is not installed")
def test_qpdf_check_passes(reviewed, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(reviewed["pdf"])
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_acceptance_pdftotext_names_every_gap_with_risk_and_the_score(reviewed, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(reviewed["pdf"])
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    plan = text[text.rindex("4 Remediation plan") :]
    gaps = [(c["id"], c["risk"]) for c in reviewed["export"]["controls"] if c["outcome"] in GAP_OUTCOMES]
    assert sorted(gaps) == sorted(reviewed["gaps"])
    for control_id, risk in gaps:
        # One line of the plan's table: number, risk, control id.
        assert re.search(rf"^\s*\d+\s+{risk.capitalize()}\s+{re.escape(control_id)}\b", plan, re.MULTILINE), control_id
    overall = reviewed["export"]["score"]["overall"]
    after = text[text.index("Overall score") :]
    assert f"{overall}%" in after[:1000]  # the big figure under the label, beside the gaps table


GAP_OUTCOMES = {"partial", "misattributed", "unmet", "unknown"}
