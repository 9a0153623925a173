"""The OSCAL package of an assessment: seven documents in one zip, byte-identical for a revision."""

import io
import zipfile

from ..reports.export import export_data
from ..selectors.assessments import asked_controls
from .catalog import catalog_document, profile_document
from .ids import dump
from .poam import poam
from .results import Findings, assessment_plan, assessment_results
from .ssp import customer_ssp, provider_ssp

CONTENT_TYPE = "application/zip"


def package_documents(state) -> dict[str, dict]:
    """File name → document, in the order they import one another."""
    a = state.assessment
    findings = Findings(state, export_data(state))
    return {
        "catalog.json": catalog_document(a.model),
        "profile.json": profile_document(a.model),
        "provider-ssp.json": provider_ssp(a.model, a.deployment, asked_controls(a).ownerships),
        "ssp.json": customer_ssp(state),
        "assessment-plan.json": assessment_plan(state),
        "assessment-results.json": assessment_results(state, findings),
        "poam.json": poam(state, findings),
    }


def oscal_zip(state) -> bytes:
    """The zip; every entry dated by the assessment's last change, so the bytes depend only on the data."""
    stamp = state.assessment.updated_at.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, document in package_documents(state).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, dump(document))
    return out.getvalue()
