"""Reading remediation items: every gap of a submitted assessment, joined with its row if it has one.

A gap without a row is an open item nobody owns yet. Lists are sorted by risk (critical first),
then due date (none last). The organization's list ("What's left to do") costs a fixed number of
queries however many assessments it spans.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .. import gap
from ..models import Assessment, Control, RemediationItem, User
from .assessments import AssessmentState, Item, _evaluate, inputs_by_deployment, load_many
from .results import Choice

Status = RemediationItem.Status
ACTIVE = (Status.OPEN, Status.IN_PROGRESS)  # still work to do: these can be overdue
SOON_DAYS = 14
UNASSIGNED = "unassigned"
DUE_CHOICES = (("overdue", "Overdue"), (str(SOON_DAYS), f"Due in the next {SOON_DAYS} days"), ("none", "No due date"))


def today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class Entry:
    """One remediation item as pages, the report, the export and the reminder show it."""

    assessment: Assessment
    control: Control
    risk: str
    outcome: str
    record: RemediationItem | None  # None: nobody has changed it yet
    on: date  # "today", so that overdue is decided once per list
    item: Item | None = None  # the assessment state's item, where one was built (guidance, answer)

    @property
    def control_id(self) -> str:
        return self.control.control_id

    @property
    def owner(self) -> User | None:
        return self.record.owner if self.record and self.record.owner_id else None

    @property
    def due(self) -> date | None:
        return self.record.due if self.record else None

    @property
    def status(self) -> str:
        return self.record.status if self.record else Status.OPEN.value

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def note(self) -> str:
        return self.record.note if self.record else ""

    @property
    def risk_reason(self) -> str:
        return self.record.risk_reason if self.record else ""

    @property
    def version(self) -> int:
        return self.record.version if self.record else 0

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def overdue(self) -> bool:
        return self.active and self.due is not None and self.due < self.on

    @property
    def due_soon(self) -> bool:
        """Still to do and due from today to 14 days ahead: what the weekly reminder lists besides overdue."""
        return self.active and self.due is not None and self.on <= self.due <= self.on + timedelta(days=SOON_DAYS)

    @property
    def accepted(self) -> str:
        """ "Accepted by Alice on 3 March 2027", for an accepted risk."""
        record = self.record
        if not record or record.status != Status.RISK_ACCEPTED or not record.accepted_at:
            return ""
        who = record.accepted_by.name if record.accepted_by_id else "someone no longer here"
        return f"Accepted by {who} on {timezone.localtime(record.accepted_at):%-d %B %Y}"

    @property
    def owner_text(self) -> str:
        return (self.owner.name or self.owner.email) if self.owner else "Nobody yet"

    @property
    def due_text(self) -> str:
        return f"{self.due:%-d %b %Y}" if self.due else "No due date"

    def export_row(self) -> dict:
        return {
            "control": self.control_id,
            "owner": self.owner.email if self.owner else None,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "note": self.note,
        }


def sort_key(entry: Entry):
    """Risk (critical first), then due date (none last); ties keep their order (gaps come worst first)."""
    return (gap.SEVERITIES.index(entry.risk), entry.due is None, entry.due or date.max)


def is_submitted(assessment: Assessment) -> bool:
    return assessment.status != Assessment.Status.DRAFT


def assessment_entries(state: AssessmentState, on: date | None = None) -> list[Entry]:
    """Every gap of a submitted assessment with its item, in the order of the gaps (one query); a draft has none.

    Nothing to list (a draft, or no gap) costs no query.
    """
    assessment = state.assessment
    gaps = state.gaps
    if not is_submitted(assessment) or not gaps:
        return []
    records = {
        r.control_id: r
        for r in RemediationItem.objects.filter(assessment=assessment).select_related(
            "owner__membership", "accepted_by"
        )
    }
    on = on or today()
    return [
        Entry(assessment, i.control, i.result.risk, i.result.outcome, records.get(i.control.pk), on, i) for i in gaps
    ]


def remediation_by_control(state: AssessmentState) -> dict[str, Entry]:
    """The entries keyed by control id: the results page and the report look them up per gap."""
    return {entry.control_id: entry for entry in assessment_entries(state)}


def organization_entries(organization, on: date | None = None) -> list[Entry]:
    """Every gap of every submitted assessment of the organization that is its latest round: 4 queries.

    An assessment with a next round is left out: its work moved on to that round.
    """
    assessments = list(
        Assessment.objects.filter(organization=organization, next_round__isnull=True)
        .exclude(status=Assessment.Status.DRAFT)
        .select_related("organization", "model", "deployment")
    )
    if not assessments:
        return []
    by_deployment, answers = load_many(assessments)
    records = {
        (r.assessment_id, r.control_id): r
        for r in RemediationItem.objects.filter(assessment__in=assessments).select_related(
            "owner__membership", "accepted_by"
        )
    }
    on = on or today()
    inputs = inputs_by_deployment(by_deployment)
    # Keyed by deployment too: two model versions share control ids.
    controls = {(d, o.control.control_id): o.control for d, rows in by_deployment.items() for o in rows}
    entries = []
    for a in sorted(assessments, key=lambda a: (a.title.lower(), str(a.pk))):
        for result in _evaluate(a, inputs[a.deployment_id], answers[a.pk]).gaps:
            control = controls[a.deployment_id, result.control.id]
            entries.append(Entry(a, control, result.risk, result.outcome, records.get((a.pk, control.pk)), on))
    return entries


@dataclass(frozen=True)
class RemediationFilters:
    """The filters as read from the query string; a value that names nothing is ignored."""

    owner: str  # a member's id, "unassigned" or ""
    status: str
    risk: str
    due: str  # "overdue", "14", "none" or ""
    owners: tuple[Choice, ...]
    statuses: tuple[Choice, ...]
    risks: tuple[Choice, ...]
    dues: tuple[Choice, ...]

    @property
    def active(self) -> bool:
        return bool(self.owner or self.status or self.risk or self.due)

    def keeps(self, entry: Entry) -> bool:
        if self.owner == UNASSIGNED and entry.owner is not None:
            return False
        if self.owner and self.owner != UNASSIGNED and (entry.owner is None or str(entry.owner.pk) != self.owner):
            return False
        if self.status and entry.status != self.status:
            return False
        if self.risk and entry.risk != self.risk:
            return False
        if self.due == "overdue":
            return entry.overdue
        if self.due == str(SOON_DAYS):
            return entry.due_soon
        if self.due == "none":
            return entry.due is None
        return True


def members_of(organization) -> list[User]:
    """Who may own an item: the organization's members, by name."""
    return list(User.objects.filter(membership__organization=organization).order_by("name", "email"))


def remediation_filters(members: list[User], *, owner="", status="", risk="", due="") -> RemediationFilters:
    people = [(str(m.pk), m.name or m.email) for m in members]
    owner = owner if owner == UNASSIGNED or owner in dict(people) else ""
    status = status if status in Status.values else ""
    risk = risk if risk in gap.SEVERITIES else ""
    due = due if due in dict(DUE_CHOICES) else ""
    return RemediationFilters(
        owner=owner,
        status=status,
        risk=risk,
        due=due,
        owners=(
            Choice("", "Anyone", not owner),
            Choice(UNASSIGNED, "Nobody yet", owner == UNASSIGNED),
            *(Choice(pk, name, pk == owner) for pk, name in people),
        ),
        statuses=(Choice("", "Any status", not status), *(Choice(v, lbl, v == status) for v, lbl in Status.choices)),
        risks=(Choice("", "Any risk", not risk), *(Choice(r, r.capitalize(), r == risk) for r in gap.SEVERITIES)),
        dues=(Choice("", "Any due date", not due), *(Choice(v, lbl, v == due) for v, lbl in DUE_CHOICES)),
    )


@dataclass(frozen=True)
class RemediationList:
    entries: list[Entry]  # after the filters, sorted
    total: int  # before the filters
    overdue: int  # before the filters
    filters: RemediationFilters

    @property
    def showing(self) -> str:
        return f"Showing {len(self.entries)} of {self.total} item{'' if self.total == 1 else 's'}"


def remediation_list(entries: list[Entry], filters: RemediationFilters) -> RemediationList:
    kept = sorted((e for e in entries if filters.keeps(e)), key=sort_key)
    return RemediationList(kept, len(entries), sum(e.overdue for e in entries), filters)
