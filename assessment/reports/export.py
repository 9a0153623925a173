"""The assessment export (JSON, CSV rows): one structure built from the gap engine's result."""

from ..selectors.assessments import AssessmentState

CONTROL_FIELDS = ("id", "area", "severity", "owner", "answer", "outcome", "risk", "notes", "justification")


def export_data(state: AssessmentState) -> dict:
    """`{"assessment": {...}, "score": {...}, "controls": [...]}`; owner-`none` controls are not listed."""
    a = state.assessment
    return {
        "assessment": {
            "id": str(a.pk),
            "title": a.title,
            "organization": a.organization.name,
            "status": a.status,
            "model": {"slug": a.model.slug, "version": a.model.version},
            "deployment": a.deployment.key,
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
        },
        "score": {"overall": state.evaluation.overall, "areas": dict(state.evaluation.area_scores)},
        "controls": [control_row(item) for item in state.items],
    }


def control_row(item) -> dict:
    answer = item.answer
    return {
        "id": item.control.control_id,
        "area": item.control.area.key,
        "severity": item.control.severity,
        "owner": item.owner,
        "answer": answer.claim if answer else None,
        "outcome": item.result.outcome,
        "risk": item.result.risk,
        "notes": answer.notes if answer else "",
        "justification": answer.justification if answer else "",
    }
