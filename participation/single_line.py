"""The one rule for text people type on one line: titles, summaries and names.

Such text appears in listings next to other people's, so it must not carry characters that
break the line or reorder what follows it there: C0 controls (TAB, CR and LF included), DEL
and C1 controls, the line and paragraph separators U+2028 and U+2029, and the direction
embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069), which can make one
title read as another. The direction marks U+200E, U+200F and U+061C are allowed: they
cannot reverse letters, only place neutral characters such as punctuation, and mixed
Arabic or Hebrew and Latin text needs them.
"""

from __future__ import annotations

import re

from participation.errors import InvalidInput
from participation.messages import Message

_REFUSED = r"\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"

# Written so that Python's re and the ECMA-262 regular expressions of JSON Schema read it alike.
PATTERN = rf"^[^{_REFUSED}]*$"

MESSAGE = Message("This must be one line, without control or text direction characters.")

_refused = re.compile(rf"[{_REFUSED}]")


def problem(text: str) -> str | None:
    """MESSAGE if `text` holds a refused character, else None."""
    return MESSAGE if _refused.search(text) else None


def check(field: str, text: str) -> None:
    """Raise InvalidInput naming `field` if `text` holds a refused character."""
    if _refused.search(text):
        raise InvalidInput.on(field, MESSAGE)
