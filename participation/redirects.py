"""Where a person may be sent next: a path on this site, decided here and nowhere else.

Browsers drop tabs and line feeds from a URL and read a backslash as a slash, so
`/\t/evil.example` and `/\\evil.example` both leave the site although they start with
one "/". Rather than trying to clean such a value, anything that is not plainly a path
here is refused, in every layer of percent-encoding, and the caller gets its fallback.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 300
# `unquote` turns %25 into %, so a value encoded n times needs n rounds to show itself.
DECODE_ROUNDS = 4


def safe_next(value: object, fallback: str = "/") -> str:
    """`value` if it is a path on this site, else `fallback`.

    For every redirect and every target handed to a script: the sign-in link's stored
    path, the security page's "go on" link, the passkey ceremonies' answers.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return fallback
    layer = value
    for _ in range(DECODE_ROUNDS):
        if not _plain_path(layer):
            return fallback
        decoded = unquote(layer)
        if decoded == layer:
            return value
        layer = decoded
    return fallback


def _plain_path(text: str) -> bool:
    if any(_invisible(char) for char in text) or "\\" in text:
        return False
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def _invisible(char: str) -> bool:
    """Controls, format characters and whitespace of any script, ASCII space included."""
    return unicodedata.category(char)[0] in {"C", "Z"}
