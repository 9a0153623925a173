"""Email each owner of remediation items what is overdue and what is due in the next 14 days.

Meant for cron, once a week, e.g. Monday 07:00:

    0 7 * * 1  cd /srv/app && .venv/bin/python manage.py send_remediation_reminders

Only items still to do (open or in progress) count; an owner with nothing overdue or due soon gets
no email. `--dry-run` prints the emails instead of sending them. A mail server that refuses one
message is logged and the others are still sent, as with every email of the app.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from assessment.models import Organization, User
from assessment.permissions import is_member
from assessment.selectors.remediation import SOON_DAYS, Entry, organization_entries, sort_key, today
from assessment.validators import one_line

logger = logging.getLogger(__name__)


def reminders(on=None) -> dict[User, list[Entry]]:
    """Per owner, their items that are overdue or due within SOON_DAYS, most serious first."""
    on = on or today()
    by_owner: dict[User, list[Entry]] = defaultdict(list)
    for organization in Organization.objects.order_by("pk"):
        for entry in organization_entries(organization, on):
            # An owner who has left the organization is not written to about its work.
            if (
                entry.owner is not None
                and is_member(entry.owner, entry.assessment)
                and (entry.overdue or entry.due_soon)
            ):
                by_owner[entry.owner].append(entry)
    return {owner: sorted(entries, key=sort_key) for owner, entries in by_owner.items()}


def line(entry: Entry) -> str:
    url = settings.SITE_URL + reverse("assessment_remediation", args=[entry.assessment.pk]) + f"#r-{entry.control_id}"
    when = f"overdue since {entry.due:%-d %B %Y}" if entry.overdue else f"due {entry.due:%-d %B %Y}"
    return (
        f"- {entry.control_id} {one_line(entry.control.title)} ({entry.risk} risk), "
        f"in “{one_line(entry.assessment.title)}”: {when}\n  {url}"
    )


def message(owner: User, entries: list[Entry]) -> tuple[str, str]:
    overdue = [e for e in entries if e.overdue]
    soon = [e for e in entries if not e.overdue]
    count = len(entries)
    subject = f"Remediation: {count} item{'' if count == 1 else 's'} for you to close"
    parts = [f"Hello {one_line(owner.name or owner.email)},", ""]
    if overdue:
        parts += ["Overdue:", *map(line, overdue), ""]
    if soon:
        parts += [f"Due in the next {SOON_DAYS} days:", *map(line, soon), ""]
    parts += [
        "Open a link to update the item: its owner, due date or status.",
        f"Everything left to do: {settings.SITE_URL}{reverse('organization_remediation')}",
    ]
    return subject, "\n".join(parts)


class Command(BaseCommand):
    help = "Email each remediation owner their overdue items and those due in the next 14 days (run weekly)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the emails instead of sending them")

    def handle(self, *args, dry_run: bool = False, **options):
        sent = failed = 0
        for owner, entries in sorted(reminders().items(), key=lambda pair: pair[0].email):
            subject, body = message(owner, entries)
            if dry_run:
                self.stdout.write(f"To: {owner.email}\nSubject: {subject}\n\n{body}\n")
                continue
            try:
                send_mail(one_line(subject), body, None, [owner.email])
            except Exception:
                failed += 1
                logger.exception("Email not sent: %r to %s", subject, owner.email)
            else:
                sent += 1
        if not dry_run:
            self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}; {failed} failed.")
