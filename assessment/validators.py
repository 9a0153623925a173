"""Validators shared by model fields and forms, so a rule is stated once."""

import re

from django.core.exceptions import ValidationError

# C0/C1 control characters (line breaks and tabs included), Unicode line separators and bidi
# overrides. A one-line value (a name, a title) travels into email subjects, where a line break is
# a header injection, and into lists where an override character makes it read as something else.
NOT_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def validate_single_line(value: str) -> None:
    if NOT_SINGLE_LINE.search(value):
        raise ValidationError(
            "Use one line of text, without line breaks, tabs or other control characters.", code="control_characters"
        )


def one_line(text: str, limit: int = 200) -> str:
    """`text` made safe for a one-line context such as an email subject: controls become spaces."""
    text = " ".join(NOT_SINGLE_LINE.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
