"""What an answer means once the model's owner is shown: the sentences of the area page's reveal.

Computed here, not in templates, so the page, the autosave response and the tests read one wording.
"""

import functools
from dataclasses import dataclass

from . import gap


@dataclass(frozen=True)
class Reveal:
    owner_sentence: str  # "Under YugabyteDB Managed, this is yours."
    meaning: str  # what the current answer means against that owner
    tone: str  # success | warning | info: how the page colours it
    contradicts: bool  # the answer names another owner than the model's


def owner_sentence(owner: str, deployment: str, party: str, partner: str = "") -> str:
    if owner == "customer":
        return f"Under {deployment}, this is yours."
    if owner == "shared":
        return f"Under {deployment}, this is shared: you and {partner} each hold a part."
    return f"Under {deployment}, {party} handles this."


# What each outcome means, with `{party}` (the owner) and `{other}` (who holds the other part).
MEANINGS = {
    "met": ("You said you do it fully: this control is met.", "success"),
    "partial": ("You said you do it partly: a gap until it is fully in place.", "warning"),
    "misattributed": ("You said someone else does it: this is a misattributed control. {misattributed}", "warning"),
    "unmet": ("You said nobody does it yet: a gap to close.", "warning"),
    "unknown": ("You don't know who does it: a gap until you find out.", "warning"),
    "not_applicable": (
        "You said it does not apply to you: it is not scored, and a reviewer will check your reason.",
        "info",
    ),
    "overlap": (
        "You said you do it too: your own measure on top of {party}'s, not a gap. "
        "If you meant that {party} does it, choose “Someone else does”.",
        "info",
    ),
    "inherited": ("You said someone else does it: right, you inherit it from {party}.", "success"),
    "awareness": ("{party} already does this, so it is not a gap; now you know.", "info"),
    gap.UNANSWERED: ("", "info"),
}


def reveal(result: gap.ControlResult, *, deployment: str, party: str, partner: str = "") -> Reveal:
    """`party` names the owner (provider or infrastructure); `partner` the other party of a shared control."""
    return _reveal(result.control.owner, result.outcome, result.answer, deployment, party, partner)


@functools.lru_cache(maxsize=1024)  # a page reveals many answers with the same few wordings
def _reveal(owner: str, outcome: str, answer: str | None, deployment: str, party: str, partner: str) -> Reveal:
    other = partner or party
    misattributed = (
        f"{other} holds only its own part; yours is still open."
        if owner == "shared"
        else "No one else does it for you, so it is a gap."
    )
    meaning, tone = MEANINGS[outcome]
    return Reveal(
        owner_sentence=owner_sentence(owner, deployment, party, partner),
        meaning=meaning.format(party=party, misattributed=misattributed),
        tone=tone,
        contradicts=gap.identifies_owner(owner, answer) is False,
    )
