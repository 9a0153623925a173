"""Outgoing email: sent once the change that caused it has committed, and never an error for the user.

Every email here follows an action that is already done (an invitation recorded, an assessment
submitted). A mail server that is down or refuses a message must not turn that into a 500, nor
roll it back: the failure is logged with what was not sent, and the action stands.
"""

import logging

from django.core.mail import send_mail
from django.db import transaction

from ..validators import one_line

logger = logging.getLogger(__name__)


def send_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue an email for when the current transaction commits (at once outside a transaction)."""
    if not recipients:
        return
    subject = one_line(subject)  # user-typed names go into it; a line break would be a header injection

    def deliver() -> None:
        try:
            send_mail(subject, body, None, recipients)
        except Exception:
            logger.exception("Email not sent: %r to %d recipient(s)", subject, len(recipients))

    transaction.on_commit(deliver)
