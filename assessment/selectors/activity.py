"""The activity page: the audit trail as people read it, one entry per save.

Autosave records an answer event for the click on an answer and another for each pause while
typing its notes, so one save of a control can leave several events in a row. The trail keeps
every event (it is the audit record); this page folds such a run into one entry.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.formats import date_format

from ..models import Assessment, AuditEvent

PER_PAGE = 50
# Answer events of one person on one control, each within this long of the previous one, are one save.
SAVE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class ActivityEntry:
    """One line of the activity page: an event, or a run of answer events folded together.

    The newest event of the run gives the time, the person and the value after; the oldest the
    value before.
    """

    newest: AuditEvent
    oldest: AuditEvent
    saves: int = 1

    @property
    def at(self) -> datetime:
        return self.newest.at

    @property
    def first_at(self) -> datetime:
        return self.oldest.at

    @property
    def actor(self):
        return self.newest.actor

    @property
    def kind(self) -> str:
        return self.newest.kind

    @property
    def kind_label(self) -> str:
        return self.newest.get_kind_display()

    @property
    def control_id(self) -> str:
        return self.newest.control_id

    @property
    def message(self) -> str:
        return self.newest.message

    @property
    def before(self) -> dict | None:
        return self.oldest.before

    @property
    def after(self) -> dict | None:
        return self.newest.after

    @property
    def saves_text(self) -> str:
        """The hint that the entry stands for several recorded events: "3 saves, from 10:02:11"."""
        if self.saves == 1:
            return ""
        return f"{self.saves} saves, from {date_format(timezone.localtime(self.first_at), 'H:i:s')}"


@dataclass
class _Run:
    """Consecutive events shown as one entry, by id (the trail is read newest first)."""

    newest_id: int
    oldest_id: int
    oldest_at: datetime
    kind: str
    actor_id: int | None
    control_id: str
    saves: int = 1

    def takes(self, at: datetime, kind: str, actor_id: int | None, control_id: str) -> bool:
        return (
            kind == AuditEvent.Kind.ANSWER
            and self.kind == AuditEvent.Kind.ANSWER
            and actor_id is not None
            and (actor_id, control_id) == (self.actor_id, self.control_id)
            and self.oldest_at - at <= SAVE_WINDOW
        )


def _runs(assessment: Assessment) -> list[_Run]:
    """The customer's trail (without the provider's assignments), newest first, runs folded: one query.

    Only ids, times and keys are read here; the values are read for the page shown.
    """
    rows = (
        AuditEvent.objects.filter(assessment=assessment)
        .exclude(kind=AuditEvent.Kind.ASSIGNMENT)
        .order_by("-at", "-id")
        .values_list("id", "at", "kind", "actor_id", "control_id")
    )
    runs: list[_Run] = []
    for pk, at, kind, actor_id, control_id in rows:
        run = runs[-1] if runs else None
        if run is not None and run.takes(at, kind, actor_id, control_id):
            run.oldest_id, run.oldest_at, run.saves = pk, at, run.saves + 1
        else:
            runs.append(_Run(pk, pk, at, kind, actor_id, control_id))
    return runs


def activity_page(assessment: Assessment, number=None, per_page: int = PER_PAGE) -> Page:
    """One page of activity entries, newest first, in two queries however long the trail is.

    Pages count entries, not events, so a run of saves is never split across two pages.
    """
    page = Paginator(_runs(assessment), per_page).get_page(number)
    runs = list(page.object_list)
    ids = {run.newest_id for run in runs} | {run.oldest_id for run in runs}
    events = AuditEvent.objects.filter(pk__in=ids).select_related("actor").in_bulk() if ids else {}
    page.object_list = [ActivityEntry(events[run.newest_id], events[run.oldest_id], run.saves) for run in runs]
    return page
