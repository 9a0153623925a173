"""The assessment plan (the asked controls) and its results: a finding per asked control,
observations of the answers and reviews, a risk per gap (gap semantics: docs/architecture.md)."""

from django.conf import settings
from django.urls import reverse

from ..gap import GAP_OUTCOMES
from ..models import ControlReview, Evidence
from ..models.assessments import Claim
from ..reports.context import OUTCOME_LABELS
from ..reports.evidence import state_evidence
from .catalog import statement_id
from .ids import assessment_uuid, line, metadata, organization_uuid, party, prop, prose, timestamp, token
from .ssp import party_uuid

# DESIGN §4: every gap is not satisfied; what is in place or not the customer's is satisfied. An
# unanswered control counts as not in place.
SATISFIED = {"met", "inherited", "overlap", "awareness", "not_applicable"}
RISK_STATUS = {"open": "open", "in_progress": "remediating", "done": "closed", "risk_accepted": "deviation-approved"}
ROLES = {"customer": "Customer", "reviewer": "Reviewer"}


def parties(a) -> list[dict]:
    return [
        party(organization_uuid(a.organization), a.organization.name),
        party(party_uuid(a.model, "provider"), a.model.provider_name),
    ]


def reviewed_controls(state) -> dict:
    return {
        "control-selections": [{"include-controls": [{"control-id": token(i.control.control_id)} for i in state.items]}]
    }


def assessment_plan(state) -> dict:
    a = state.assessment
    plan = {
        "uuid": assessment_uuid(a, "assessment-plan"),
        "metadata": metadata(f"{a.title}: assessment plan", a.updated_at, str(a.revision), ROLES, parties(a)),
        "import-ssp": {"href": "ssp.json"},
        "reviewed-controls": reviewed_controls(state),
    }
    return {"assessment-plan": plan}


class Findings:
    """The elements of the result, per asked control, shared by the results and the POA&M."""

    def __init__(self, state, data: dict):
        self.state = state
        self.a = state.assessment
        self.rows = {row["id"]: row for row in data["controls"]}
        self.remediation = {row["control"]: row for row in data["remediation"]}
        self.evidence = state_evidence(state)

    def finding_uuid(self, cid: str) -> str:
        return assessment_uuid(self.a, cid, "finding")

    def risk_uuid(self, cid: str) -> str:
        return assessment_uuid(self.a, cid, "risk")

    def evidence_uuid(self, evidence: Evidence) -> str:
        return assessment_uuid(self.a, "evidence", str(evidence.pk))

    def observations(self, item) -> list[dict]:
        """One for the answer (an interview of the customer, pointing at the evidence attached), one
        for a reviewer's verdict."""
        a, cid, answer, review = self.a, item.control.control_id, item.answer, item.review
        evidence = self.evidence.get(item.control.pk, ())
        found = []
        if answer is not None or evidence:
            found.append(
                {
                    "uuid": assessment_uuid(a, cid, "answer-observation"),
                    "title": line(f"{cid}: the customer's answer"),
                    "description": prose(
                        f"Answer: {Claim(answer.claim).label}." if answer else "Not answered yet.",
                        answer.notes if answer else "",
                    ),
                    "props": [prop("answer", answer.claim)] if answer else [],
                    "methods": ["INTERVIEW", *(["EXAMINE"] if evidence else [])],
                    "origins": [
                        {
                            "actors": [
                                {
                                    "type": "party",
                                    "actor-uuid": organization_uuid(a.organization),
                                    "role-id": "customer",
                                }
                            ]
                        }
                    ],
                    "collected": timestamp(answer.updated_at if answer else evidence[0].added_at),
                    **({"remarks": prose(answer.justification)} if answer and answer.justification.strip() else {}),
                    **(
                        {
                            "relevant-evidence": [
                                {"href": f"#{self.evidence_uuid(e)}", "description": line(e.name)} for e in evidence
                            ]
                        }
                        if evidence
                        else {}
                    ),
                }
            )
            if not found[-1]["props"]:
                del found[-1]["props"]
        if review is not None and review.verdict:
            missing = review.verdict == ControlReview.Verdict.NEEDS_WORK and review.evidence_missing
            found.append(
                {
                    "uuid": assessment_uuid(a, cid, "review-observation"),
                    "title": line(f"{cid}: the reviewer's verdict"),
                    "description": prose(
                        f"Verdict: {ControlReview.Verdict(review.verdict).label}.",
                        "Evidence missing." if missing else "",
                        review.comment,
                    ),
                    "props": [
                        prop("verdict", review.verdict),
                        *([prop("evidence-missing", "true")] if missing else []),
                    ],
                    "methods": ["EXAMINE"],
                    "origins": [
                        {
                            "actors": [
                                {"type": "party", "actor-uuid": party_uuid(a.model, "provider"), "role-id": "reviewer"}
                            ]
                        }
                    ],
                    "collected": timestamp(review.updated_at),
                }
            )
        return found

    def finding(self, item, observations: list[dict]) -> dict:
        cid = item.control.control_id
        row = self.rows[cid]
        outcome = row["outcome"]
        status = {"state": "satisfied" if outcome in SATISFIED else "not-satisfied"}
        finding = {
            "uuid": self.finding_uuid(cid),
            "title": line(f"{cid}: {item.control.title}"),
            "description": prose(f"Outcome: {OUTCOME_LABELS[outcome]}.", item.reveal.meaning if item.reveal else ""),
            "props": [prop("outcome", outcome)],
            "target": {"type": "statement-id", "target-id": statement_id(cid), "status": status},
        }
        if outcome == "not_applicable":
            status["reason"] = "other"
            finding["remarks"] = prose(row["justification"], default="No justification given.")
        if observations:
            finding["related-observations"] = [{"observation-uuid": o["uuid"]} for o in observations]
        if outcome in GAP_OUTCOMES:
            finding["related-risks"] = [{"risk-uuid": self.risk_uuid(cid)}]
        return finding

    def risk(self, item, observations: list[dict]) -> dict:
        cid = item.control.control_id
        row, plan = self.rows[cid], self.remediation.get(cid)
        risk = {
            "uuid": self.risk_uuid(cid),
            "title": line(f"{cid}: {item.control.title}"),
            "description": prose(item.control.statement),
            "statement": prose(
                f"{OUTCOME_LABELS[row['outcome']]}, risk {row['risk']}.", item.reveal.meaning if item.reveal else ""
            ),
            "props": [prop("risk-level", row["risk"])],
            "status": RISK_STATUS[plan["status"]] if plan else "open",
        }
        if plan and plan["due"]:
            risk["deadline"] = f"{plan['due']}T23:59:59+00:00"
        if observations:
            risk["related-observations"] = [{"observation-uuid": o["uuid"]} for o in observations]
        return risk

    def elements(self, items) -> tuple[list, list, list]:
        """(observations, findings, risks) of these items, in their order."""
        observations, findings, risks = [], [], []
        for item in items:
            seen = self.observations(item)
            observations += seen
            findings.append(self.finding(item, seen))
            if self.rows[item.control.control_id]["outcome"] in GAP_OUTCOMES:
                risks.append(self.risk(item, seen))
        return observations, findings, risks


def with_lists(document: dict, **lists) -> dict:
    """OSCAL lists have at least one member: an empty one is left out."""
    document.update({key.replace("_", "-"): value for key, value in lists.items() if value})
    return document


def assessment_results(state, findings: Findings) -> dict:
    a = state.assessment
    observations, found, risks = findings.elements(state.items)
    result = {
        "uuid": assessment_uuid(a, "result"),
        "title": line(f"{a.title}, round {a.round_number}"),
        "description": prose(
            f"The customer's answers for {a.deployment.name} of {a.model.title} v{a.model.version}, scored by the gap engine."
        ),
        "start": timestamp(a.created_at),
        "reviewed-controls": reviewed_controls(state),
    }
    if a.submitted_at:
        result["end"] = timestamp(a.submitted_at)
    with_lists(result, observations=observations, findings=found, risks=risks)
    document = {
        "uuid": assessment_uuid(a, "assessment-results"),
        "metadata": metadata(f"{a.title}: assessment results", a.updated_at, str(a.revision), ROLES, parties(a)),
        "import-ap": {"href": "assessment-plan.json"},
        "results": [result],
    }
    resources = evidence_resources(state, findings)
    if resources:
        document["back-matter"] = {"resources": resources}
    return {"assessment-results": document}


def evidence_resources(state, findings: Findings) -> list[dict]:
    """A back-matter resource per evidence item, in report order: a file by its download address
    (members and reviewers), type and SHA-256, which the audit package's copy matches; a link by its URL."""
    site = settings.SITE_URL.rstrip("/")
    resources = []
    for item in state.items:
        for e in findings.evidence.get(item.control.pk, ()):
            if e.kind == Evidence.Kind.FILE:
                path = reverse("evidence_download", kwargs={"pk": state.assessment.pk, "evidence_id": e.pk})
                rlink = {
                    "href": site + path,
                    "media-type": e.content_type,
                    "hashes": [{"algorithm": "SHA-256", "value": e.sha256}],
                }
            else:
                rlink = {"href": e.url}
            resources.append(
                {
                    "uuid": findings.evidence_uuid(e),
                    "title": line(e.name),
                    **({"description": prose(e.description)} if e.description.strip() else {}),
                    "props": [prop("control", item.control.control_id)],
                    "rlinks": [rlink],
                }
            )
    return resources
