"""The assessment plan (the asked controls) and its results: a finding per asked control,
observations of the answers and reviews, a risk per gap (gap semantics: docs/architecture.md)."""

from ..gap import GAP_OUTCOMES
from ..models import ControlReview
from ..models.assessments import Claim
from ..reports.context import OUTCOME_LABELS
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

    def finding_uuid(self, cid: str) -> str:
        return assessment_uuid(self.a, cid, "finding")

    def risk_uuid(self, cid: str) -> str:
        return assessment_uuid(self.a, cid, "risk")

    def observations(self, item) -> list[dict]:
        """One for the answer (an interview of the customer), one for a reviewer's verdict."""
        a, cid, answer, review = self.a, item.control.control_id, item.answer, item.review
        found = []
        if answer is not None:
            found.append(
                {
                    "uuid": assessment_uuid(a, cid, "answer-observation"),
                    "title": line(f"{cid}: the customer's answer"),
                    "description": prose(f"Answer: {Claim(answer.claim).label}.", answer.notes),
                    "props": [prop("answer", answer.claim)],
                    "methods": ["INTERVIEW"],
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
                    "collected": timestamp(answer.updated_at),
                    **({"remarks": prose(answer.justification)} if answer.justification.strip() else {}),
                }
            )
        if review is not None and review.verdict:
            found.append(
                {
                    "uuid": assessment_uuid(a, cid, "review-observation"),
                    "title": line(f"{cid}: the reviewer's verdict"),
                    "description": prose(f"Verdict: {ControlReview.Verdict(review.verdict).label}.", review.comment),
                    "props": [prop("verdict", review.verdict)],
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
    return {"assessment-results": document}
