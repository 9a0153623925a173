"""What the gap report shows, computed before the template sees it.

The template only lays things out; sentences, the ownership matrix, the method table and the file
name are built here from the assessment state (DESIGN.md section 5: templates only display).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from .. import gap
from ..models import Ownership
from ..models.assessments import Claim, Mode
from ..models.catalog import Area, Control
from ..selectors.answerers import answer_record
from ..selectors.assessments import AssessmentState
from ..selectors.ownership import ownership_counts
from ..selectors.remediation import remediation_by_control
from ..selectors.review_history import review_history
from ..selectors.rounds import since_previous
from .attestation import WATERMARK as WATERMARK  # re-exported: callers and tests read it from here
from .attestation import attestation, reviewed_fact, status_mark
from .evidence import evidence_index
from .export import download_filename

PRODUCT_NAME = "Shared Responsibility Self-Assessment"
NO_REPORT_YET = "The report is available once you have answered a control."
REPORT_CSS = "css/report.css"  # linked, never inlined: the CSP allows no inline style

OUTCOME_LABELS = {
    "met": "Met",
    "partial": "Partly met",
    "misattributed": "Misattributed",
    "unmet": "Unmet",
    "unknown": "Unknown",
    "not_applicable": "Not applicable",
    "inherited": "Inherited",
    "overlap": "Overlap",
    "awareness": "Awareness",
    "unanswered": "Unanswered",
}
OUTCOME_NOTES = {
    "misattributed": "you rely on someone else, but this is yours",
    "inherited": "the provider or cloud handles it, as the model says",
    "overlap": "you add your own measure on top of the provider's",
    "awareness": "the provider or cloud handles it; you may not have known",
    "unanswered": "counts as not in place",
}


def report_available(state: AssessmentState) -> bool:
    """A draft with nothing answered has nothing to report: no PDF of empty tables.

    `templates/assessment/includes/report_buttons.html` asks the same of the page's evaluation.
    """
    return state.assessment.status != state.assessment.Status.DRAFT or state.evaluation.answered > 0


def join_words(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def summary_sentences(
    *,
    organization: str,
    deployment: str,
    overall: int | None,
    gap_counts: dict[str, int],
    misattributed: int,
    area_scores: Iterable[tuple[str, int | None]],
    informational: int,
    unanswered: int,
    draft: bool,
) -> list[str]:
    """Three to five plain sentences that say what the figures mean."""
    sentences = []
    if overall is None:
        sentences.append(
            f"{organization} has no controls of its own to score under {deployment}: every applicable "
            "control is the provider's or the cloud's, or marked not applicable."
        )
    else:
        sentences.append(
            f"{organization} scores {overall}% on the security controls it owns under {deployment}, "
            "weighted by severity."
        )
    total = sum(gap_counts.values())
    if total:
        by_risk = [f"{count} {risk}" for risk, count in gap_counts.items() if count]
        sentences.append(f"The assessment found {_plural(total, 'gap')}: {join_words(by_risk)} risk.")
    else:
        sentences.append("The assessment found no gaps.")
    if misattributed:
        them = "it" if misattributed == 1 else "them"
        sentences.append(
            f"{_plural(misattributed, 'control is one', 'controls are ones')} the organization believes someone "
            f"else handles, although the model makes {them} the customer's."
        )
    scored = [(title, score) for title, score in area_scores if score is not None]
    if len(scored) == 1:
        sentences.append(f"The only scored area, {scored[0][0]}, scores {scored[0][1]}%.")
    elif scored:
        weakest = min(scored, key=lambda pair: pair[1])
        strongest = max(scored, key=lambda pair: pair[1])
        if weakest[1] == strongest[1]:
            sentences.append(f"Every scored area scores {weakest[1]}%.")
        else:
            sentences.append(
                f"The weakest area is {weakest[0]} ({weakest[1]}%) and the strongest is "
                f"{strongest[0]} ({strongest[1]}%)."
            )
    if draft and unanswered:
        sentences.append(f"This is a draft with {_plural(unanswered, 'unanswered control')}, counted as not in place.")
    elif informational and len(sentences) < 5:
        sentences.append(
            f"{_plural(informational, 'control')} handled by the provider or the cloud "
            f"{'is' if informational == 1 else 'are'} listed as informational findings, not gaps."
        )
    if len(sentences) < 3:
        sentences.append(
            "The remediation plan lists what to do for each gap." if total else "No remediation is needed."
        )
    return sentences[:5]


@dataclass(frozen=True)
class Party:
    key: str  # column key: customer / provider / infrastructure
    name: str


@dataclass(frozen=True)
class MatrixRow:
    control: Control
    owner: str
    cells: tuple[tuple[str, str], ...]  # per party column: (party key, "full" / "part" / "")
    holders: tuple[tuple[Party, str], ...] = ()  # the parties that hold it: (party, "full" / "part")


@dataclass(frozen=True)
class MatrixGroup:
    area: Area
    rows: tuple[MatrixRow, ...]


def matrix_parties(model) -> list[Party]:
    """The matrix columns; a model whose provider also runs the infrastructure gets one column for both."""
    parties = [Party("customer", model.customer_name), Party("provider", model.provider_name)]
    if model.infrastructure_name != model.provider_name:
        parties.append(Party("infrastructure", model.infrastructure_name))
    return parties


def parties_in_play(state: AssessmentState, parties: Sequence[Party]) -> list[Party]:
    """The columns that hold something under this deployment: no empty Yugabyte column for self-managed IaaS."""
    held = {key for item in state.items for key, holds in matrix_cells(item.owner, parties, item.partner) if holds}
    return [p for p in parties if p.key == "customer" or p.key in held]


def matrix_cells(owner: str, parties: Sequence[Party], partner: str | None = None) -> tuple[tuple[str, str], ...]:
    keys = [p.key for p in parties]
    holds: dict[str, str] = {}
    if owner == "shared":
        # The other part is the partner's: the provider's, or the cloud's (its own column when it has one).
        other = partner if partner in keys else "provider"
        holds = {"customer": "part", other: "part"}
    elif owner == "infrastructure" and "infrastructure" not in keys:
        holds = {"provider": "full"}
    elif owner in keys:
        holds = {owner: "full"}
    return tuple((key, holds.get(key, "")) for key in keys)


def ownership_matrix(state: AssessmentState, parties: Sequence[Party]) -> list[MatrixGroup]:
    """Area and control x party for the assessment's deployment, including controls that do not arise."""
    assessment = state.assessment
    rows = [(item.control, item.owner, item.partner) for item in state.items]
    rows += [
        (o.control, o.owner, None)
        for o in Ownership.objects.filter(deployment_id=assessment.deployment_id, owner="none").select_related(
            "control__area"
        )
    ]
    rows.sort(key=lambda row: (row[0].area.position, row[0].position))
    grouped: dict[int, tuple[Area, list[MatrixRow]]] = {}  # insertion order is model order
    for control, owner, partner in rows:
        grouped.setdefault(control.area_id, (control.area, []))[1].append(
            _matrix_row(control, owner, matrix_cells(owner, parties, partner), parties)
        )
    return [MatrixGroup(area, tuple(area_rows)) for area, area_rows in grouped.values()]


def _matrix_row(control: Control, owner: str, cells, parties: Sequence[Party]) -> MatrixRow:
    names = {party.key: party for party in parties}
    return MatrixRow(control, owner, cells, tuple((names[key], holds) for key, holds in cells if holds))


def not_asked_rows(state: AssessmentState) -> list[tuple[Control, str]]:
    """Controls left out by their condition, each with the reason in words."""
    titles = {i.control.control_id: i.control.title for a in state.areas for i in a.page_items}
    rows = []
    for area_state in state.areas:
        for item in area_state.hidden:
            condition, why = item.control.condition, item.not_asked
            premise = condition["control"]
            named = f"{premise} ({titles[premise]})" if premise in titles else premise
            if why.premise_asked and why.answer:
                found = f"{named} was answered “{Claim(why.answer).label}”"
            elif why.premise_asked:
                found = f"{named} is not answered yet"
            else:
                found = f"{named} is not asked either"
            wanted = " or ".join(f"“{Claim(answer).label}”" for answer in condition["answers"])
            rows.append((item.control, f"Not asked because {found}; it is asked only after {wanted}."))
    return rows


def understanding_sentence(evaluation: gap.Evaluation, mode: str) -> str:
    if mode == Mode.GUIDED:
        return (
            "This assessment was answered in guided mode, with the model's owners in view: its "
            "misattribution findings say what was answered, not what the team believed beforehand."
        )
    if evaluation.understanding is None:
        return "No control has been answered yet, so there is no understanding score."
    missed = len(evaluation.misjudged)
    counted = sum(1 for r in evaluation.results if r.identified_owner is not None)
    return (
        f"Before seeing the model, the team named the right owner for {counted - missed} of {counted} "
        f"controls ({evaluation.understanding}%)."
    )


def outcome_words(outcomes) -> str:
    """Outcomes named in running text, in the method table's order: "partly met, misattributed, unmet and unknown"."""
    order = [gap.outcome_for(owner, answer) for owner in ("customer", "provider") for answer in gap.ANSWERS]
    ordered = sorted(set(outcomes), key=lambda o: (order.index(o) if o in order else len(order), o))
    return join_words([OUTCOME_LABELS[o].lower() for o in ordered])


def method_rows() -> list[tuple[str, list[str]]]:
    """The outcome table of DESIGN.md section 4, read back from the gap engine itself."""
    return [
        (label, [OUTCOME_LABELS[gap.outcome_for(owner, answer)] for answer in gap.ANSWERS])
        for label, owner in (("Customer or shared", "customer"), ("Provider or infrastructure", "provider"))
    ]


def report_filename(assessment, day: date) -> str:
    """`<organization>-<title>-<YYYY-MM-DD>.pdf`, slugified (ASCII)."""
    return download_filename(assessment, day, "pdf")


def report_context(
    state: AssessmentState, *, fingerprint: str, generated_at: datetime, for_browser: bool = False
) -> dict:
    assessment = state.assessment
    model = assessment.model
    evaluation = state.evaluation
    parties = parties_in_play(state, matrix_parties(model))
    misattributed = state.items_for(evaluation.misattributed)
    history = review_history(assessment, state.items)
    evidence = evidence_index(state)
    return {
        "product_name": PRODUCT_NAME,
        "assessment": assessment,
        "model": model,
        "state": state,
        "evaluation": evaluation,
        "is_draft": assessment.status == assessment.Status.DRAFT,
        "mark": status_mark(assessment),
        "decided": assessment.status in (assessment.Status.APPROVED, assessment.Status.CHANGES_REQUESTED),
        "reviewed": reviewed_fact(assessment),
        "attestation": attestation(assessment, answer_record(state)),
        "current_reviews": history.current,
        "review_history": history,
        "total_gaps": sum(evaluation.gap_counts.values()),
        "misattributed": misattributed,
        "misjudged": state.items_for(evaluation.misjudged),
        "understanding": understanding_sentence(evaluation, assessment.mode),
        "not_asked": not_asked_rows(state),
        "since": since_previous(state),  # later rounds: what changed since the one before
        "remediation": remediation_by_control(state),  # control id -> owner, due, status (none for a draft)
        "evidence_index": evidence,  # the appendix's evidence index: controls with files or links
        "evidence_summary": {entry.item.control.control_id: entry.summary for entry in evidence},
        "summary": summary_sentences(
            organization=assessment.organization.name,
            deployment=assessment.deployment.name,
            overall=evaluation.overall,
            gap_counts=evaluation.gap_counts,
            misattributed=len(misattributed),
            area_scores=[(area_state.area.title, area_state.score) for area_state in state.areas],
            informational=len(evaluation.informational),
            unanswered=len(state.unanswered),
            draft=assessment.status == assessment.Status.DRAFT,
        ),
        "parties": parties,
        "matrix": ownership_matrix(state, parties),
        "ownership": ownership_counts(state),
        "outcome_labels": OUTCOME_LABELS,
        "outcome_notes": OUTCOME_NOTES,
        "method_heads": [Claim(a).label for a in gap.ANSWERS],  # the answers as the questionnaire words them
        "gap_words": outcome_words(gap.GAP_OUTCOMES),
        "informational_words": outcome_words(gap.INFORMATIONAL_OUTCOMES),
        "partial_label": OUTCOME_LABELS["partial"].lower(),
        "method_rows": method_rows(),
        "weights": gap.WEIGHTS,
        "partial_risks": [(s, gap.risk_for("partial", s)) for s in gap.SEVERITIES],
        "fingerprint": fingerprint,
        "generated_at": generated_at,
        "meta": {
            "title": f"Gap report: {assessment.title} ({assessment.organization.name})",
            "subject": f"Shared responsibility gap report against {model.title} v{model.version}, "
            f"{assessment.deployment.name}",
            "keywords": ", ".join(
                k.replace(",", " ")
                for k in (
                    "shared responsibility",
                    "gap report",
                    "security assessment",
                    model.title,
                    assessment.deployment.name,
                )
            ),
            "created": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "stylesheet": REPORT_CSS,
        "for_browser": for_browser,
    }
