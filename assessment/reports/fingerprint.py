"""The content fingerprint of a report: what the document says, hashed.

Two reports with the same fingerprint say the same thing, so a PDF rendered once can be served
again from the cache. It covers the model version (its content hash), the JSON export (identity,
status, every answer, note and justification, scores), the reviewer's verdicts and comments, the
decision and the cover's other fields, and the assessment's revision counter, which every answer
change, status change and review comment bumps. The generation time is deliberately not part of
it: a cached PDF keeps the time it was first rendered.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from ..selectors.assessments import AssessmentState


def report_fingerprint(state: AssessmentState, export: dict) -> str:
    """SHA-256 (hex) of the canonical JSON of everything the report shows."""
    a = state.assessment
    reviews = sorted(
        (item.control.control_id, item.review.verdict, item.review.comment) for item in state.items if item.review
    )
    content = {
        "model": {
            "slug": a.model.slug,
            "version": a.model.version,
            "content_hash": a.model.content_hash,
        },
        "export": export,
        "scope": a.scope,
        "deployment": a.deployment.name,
        "revision": a.revision,
        "created_at": a.created_at,
        "reviewed_at": a.reviewed_at,
        "reviewer": a.reviewer.name if a.reviewer_id else None,
        "decision_message": a.decision_message,
        "reviews": reviews,
    }
    canonical = json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
