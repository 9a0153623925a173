"""The plan of action and milestones: one item per gap, with its remediation item's owner and status.

It repeats the gaps' findings, risks and observations (same uuids as in the results) so that every
uuid it references resolves inside the document.
"""

from .ids import assessment_uuid, line, metadata, prop, prose
from .results import ROLES, Findings, parties, with_lists


def poam(state, findings: Findings) -> dict:
    a = state.assessment
    gaps = state.gaps
    observations, found, risks = findings.elements(gaps)
    items = [_item(findings, item) for item in gaps] or [_nothing_to_do(a)]
    document = {
        "uuid": assessment_uuid(a, "poam"),
        "metadata": metadata(
            f"{a.title}: plan of action and milestones", a.updated_at, str(a.revision), ROLES, parties(a)
        ),
        "import-ssp": {"href": "ssp.json"},
    }
    with_lists(document, observations=observations, risks=risks, findings=found)
    document["poam-items"] = items
    return {"plan-of-action-and-milestones": document}


def _item(findings: Findings, item) -> dict:
    cid = item.control.control_id
    plan = findings.remediation.get(cid)
    poam_item = {
        "uuid": assessment_uuid(findings.a, cid, "poam-item"),
        "title": line(f"{cid}: {item.control.title}"),
        "description": prose(item.customer_part or item.guidance, plan["note"] if plan else ""),
        "related-findings": [{"finding-uuid": findings.finding_uuid(cid)}],
        "related-risks": [{"risk-uuid": findings.risk_uuid(cid)}],
    }
    if plan and plan["owner"]:
        poam_item["props"] = [prop("owner", plan["owner"])]
    return poam_item


def _nothing_to_do(a) -> dict:
    """OSCAL requires at least one POA&M item: without gaps, one that says there is nothing to do."""
    return {
        "uuid": assessment_uuid(a, "poam-item", "no-gaps"),
        "title": "No gaps to remediate",
        "description": "The assessment has no gaps, so there is nothing to remediate.",
        "props": [prop("no-gaps", "true")],
    }
