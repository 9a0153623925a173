"""The OSCAL package of an assessment: seven documents in one zip, byte-identical for a revision."""

import io
import zipfile

from ..reports.export import export_data
from ..selectors.assessments import asked_controls
from ..selectors.catalog import published_memo
from .catalog import catalog_document, profile_document
from .ids import dump
from .poam import poam
from .results import Findings, assessment_plan, assessment_results
from .ssp import customer_ssp, provider_ssp

CONTENT_TYPE = "application/zip"


def package_files(state) -> dict[str, bytes]:
    """File name → the document's bytes, in the order they import one another."""
    a = state.assessment
    findings = Findings(state, export_data(state))
    return {
        **_model_files(a),
        "ssp.json": dump(customer_ssp(state)),
        "assessment-plan.json": dump(assessment_plan(state)),
        "assessment-results.json": dump(assessment_results(state, findings)),
        "poam.json": dump(poam(state, findings)),
    }


def _model_files(a) -> dict[str, bytes]:
    """The documents of the model version alone, the same for every assessment of it: made once
    per published version and deployment."""

    def files():
        model = a.model
        return {
            "catalog.json": dump(catalog_document(model)),
            "profile.json": dump(profile_document(model)),
            "provider-ssp.json": dump(provider_ssp(model, a.deployment, asked_controls(a).ownerships)),
        }

    return published_memo(a.model, "oscal-model-files", files, a.deployment_id)


def oscal_zip(state) -> bytes:
    """The zip; every entry dated by the assessment's last change, so the bytes depend only on the data."""
    stamp = state.assessment.updated_at.timetuple()[:6]
    out = io.BytesIO()
    # Level 1: JSON still shrinks about tenfold, in a fraction of the default level's time.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in package_files(state).items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, content, compresslevel=1)
    return out.getvalue()
