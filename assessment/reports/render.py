"""Rendering the gap report: HTML from one template, PDF with WeasyPrint, cached by content fingerprint.

The PDF is tagged (PDF/UA-1), carries the JSON export as the attachment `assessment.json`, and is
rendered with `StaticFilesFetcher`, so it can read nothing but the app's static files. An
unchanged assessment is rendered once: the PDF is cached under its content fingerprint (see
`fingerprint.py`) plus a hash of the template and stylesheet, so a new layout is never served
from an old cache entry.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import weasyprint
from django.contrib.staticfiles import finders
from django.core.cache import cache as django_cache
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from ..models import Assessment
from ..selectors.assessments import AssessmentState, assessment_state
from .context import NO_REPORT_YET, REPORT_CSS, report_available, report_context, report_filename
from .export import export_data
from .fetcher import REPORT_BASE_URL, StaticFilesFetcher
from .fingerprint import report_fingerprint

TEMPLATE = "reports/report.html"
PDF_VARIANT = "pdf/ua-1"
ATTACHMENT_NAME = "assessment.json"
CACHE_TIMEOUT = 7 * 24 * 3600  # seconds; entries are immutable, this only bounds memory


class ReportUnavailable(Exception):
    """Nothing to report yet (a draft with no answer): the caller says so instead of serving empty tables."""

    message = NO_REPORT_YET


@dataclass(frozen=True)
class ReportPDF:
    pdf: bytes
    fingerprint: str
    generated_at: datetime
    filename: str
    from_cache: bool


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
    """Render the report now, bypassing the cache (the benchmark measures this)."""
    export = export_data(state)
    return _render(state, export, report_fingerprint(state, export), generated_at or timezone.now())


def report_pdf(assessment: Assessment) -> ReportPDF:
    """The assessment's PDF report, from the cache when its content has not changed since the last render."""
    state = assessment_state(assessment)
    if not report_available(state):
        raise ReportUnavailable
    export = export_data(state)
    fingerprint = report_fingerprint(state, export)
    key = cache_key(fingerprint)
    cached = django_cache.get(key)
    if cached is not None:
        generated_at = datetime.fromisoformat(cached["generated_at"])
        return ReportPDF(cached["pdf"], fingerprint, generated_at, report_filename(assessment, generated_at), True)
    report = _render(state, export, fingerprint, timezone.now())
    django_cache.set(key, {"pdf": report.pdf, "generated_at": report.generated_at.isoformat()}, CACHE_TIMEOUT)
    return report


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
    return ReportPDF(pdf, fingerprint, generated_at, report_filename(state.assessment, generated_at), False)


def cache_key(fingerprint: str) -> str:
    return f"report-pdf:{layout_version()}:{fingerprint}"


# Everything that shapes the PDF besides the data: a change to any of these misses old cache entries.
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
    """A short hash of the report's templates and stylesheet (and WeasyPrint's version)."""
    paths = [get_template(name).origin.name for name in LAYOUT_TEMPLATES] + [finders.find(REPORT_CSS)]
    return _layout_hash(tuple((path, os.stat(path).st_mtime_ns) for path in paths))


@cache
def _layout_hash(files: tuple[tuple[str, int], ...]) -> str:
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for path, _mtime in files:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]
