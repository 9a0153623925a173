"""Rendering the gap report: HTML from one template, PDF with WeasyPrint.

The PDF is tagged (PDF/UA-1), carries the JSON export as the attachment `assessment.json`, and is
rendered with `StaticFilesFetcher`, so it can read nothing but the app's static files. PDFs are
rendered by the background worker (`services/reports.py`, `tasks.py`), never by a web request,
and kept under `report_key`: the assessment's revision, the names it shows and the layout version.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from ..models import Assessment
from ..selectors.assessments import AssessmentState
from .context import NO_REPORT_YET, REPORT_CSS, report_available, report_context, report_filename
from .export import export_data
from .fetcher import REPORT_BASE_URL, StaticFilesFetcher
from .fingerprint import report_fingerprint

TEMPLATE = "reports/report.html"
PDF_VARIANT = "pdf/ua-1"
ATTACHMENT_NAME = "assessment.json"


class ReportUnavailable(Exception):
    """Nothing to report yet (a draft with no answer): the caller says so instead of serving empty tables."""

    message = NO_REPORT_YET


@dataclass(frozen=True)
class ReportPDF:
    pdf: bytes
    fingerprint: str
    generated_at: datetime
    filename: str


def export_json(export: dict) -> str:
    """The JSON export as the attachment holds it (the same data as the export.json download)."""
    return json.dumps(export, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def report_html(state: AssessmentState, *, generated_at: datetime | None = None, for_browser: bool = False) -> str:
    """The report as an HTML document: the PDF's source, and the browser preview."""
    if not report_available(state):
        raise ReportUnavailable
    fingerprint = report_fingerprint(state, export_data(state))
    context = report_context(
        state, fingerprint=fingerprint, generated_at=generated_at or timezone.now(), for_browser=for_browser
    )
    return render_to_string(TEMPLATE, context)


def html_to_pdf(html: str, *, attachments: tuple[weasyprint.Attachment, ...] = ()) -> bytes:
    """Lay out report HTML as a tagged PDF, reading only the app's static files."""
    document = weasyprint.HTML(string=html, base_url=REPORT_BASE_URL, url_fetcher=StaticFilesFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=list(attachments))


def render_pdf(state: AssessmentState, *, generated_at: datetime | None = None) -> ReportPDF:
    """Render the report now: the worker's job (and what the benchmark measures)."""
    export = export_data(state)
    return _render(state, export, report_fingerprint(state, export), generated_at or timezone.now())


def _render(state: AssessmentState, export: dict, fingerprint: str, generated_at: datetime) -> ReportPDF:
    context = report_context(state, fingerprint=fingerprint, generated_at=generated_at)
    html = render_to_string(TEMPLATE, context)
    attachment = weasyprint.Attachment(
        string=export_json(export).encode(),
        name=ATTACHMENT_NAME,
        description="The assessment's JSON export: every control, answer, outcome and score",
        relationship="Data",
        created=generated_at,
        modified=generated_at,
    )
    pdf = html_to_pdf(html, attachments=(attachment,))
    return ReportPDF(pdf, fingerprint, generated_at, report_filename(state.assessment, generated_at))


def report_key(assessment: Assessment) -> str:
    """What a stored PDF must match to be served: computed from the row alone, so a download costs no more queries.

    The revision moves with every answer, status change, review and remediation change; the names
    are those the report shows that can change without it (a renamed user clears the stored PDFs
    instead, see `services/reports.py`); the layout version covers templates, stylesheet and WeasyPrint.
    """
    parts = (str(assessment.pk), str(assessment.revision), assessment.organization.name, layout_version())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# Everything that shapes the PDF besides the data: a change to any of these renders stored PDFs again.
LAYOUT_TEMPLATES = (
    TEMPLATE,
    "assessment/includes/score_chart.html",
    "assessment/includes/ownership_chart.html",
    "assessment/includes/since_previous.html",
    "assessment/includes/since_list.html",
    "assessment/includes/trend_chart.html",
    "reports/includes/attestation.html",
    "reports/includes/review_history.html",
)


def layout_version() -> str:
    """A short hash of the report's templates and stylesheet (and WeasyPrint's version).

    With DEBUG on, an edited template changes it at once; in production files change only with a
    deploy (a restart), so the hash is computed once per process.
    """
    if not settings.DEBUG:
        return _deployed_layout_version()
    return _layout_hash(tuple((path, os.stat(path).st_mtime_ns) for path in _layout_paths()))


@cache
def _deployed_layout_version() -> str:
    return _layout_hash(tuple((path, 0) for path in _layout_paths()))


def _layout_paths() -> list[str]:
    return [get_template(name).origin.name for name in LAYOUT_TEMPLATES] + [finders.find(REPORT_CSS)]


@cache
def _layout_hash(files: tuple[tuple[str, int], ...]) -> str:
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path, _mtime in files:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]
