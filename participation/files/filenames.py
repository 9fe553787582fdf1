"""The name an attachment is stored and offered under.

A name that tries to reach another folder (`/`, `\\`) or carries control or text
direction characters is refused, not quietly repaired: such a name was made on purpose,
and the person uploading should know it was not taken. What is merely awkward is tidied:
Unicode composed (NFC), surrounding spaces and leading dots dropped (no hidden files),
characters Windows cannot save replaced, and the stem shortened so the whole name has at
most 120 characters, the extension kept.
"""

from __future__ import annotations

import re
import unicodedata

from participation.errors import InvalidInput
from participation.messages import Message
from participation.single_line import problem as line_problem

FIELD = "file"
MAX_LENGTH = 120

_WINDOWS = re.compile(r'[<>:"|?*]')


def clean_filename(name: str) -> str:
    """The tidied name; raises InvalidInput on `file` for a name that must be refused."""
    if "/" in name or "\\" in name:
        raise InvalidInput.on(FIELD, Message("A file name must not contain / or \\."))
    if line_problem(name) or "\ufeff" in name:
        raise InvalidInput.on(
            FIELD, Message("A file name must not contain control or text direction characters.")
        )
    name = unicodedata.normalize("NFC", name).strip().lstrip(".").strip()
    name = _WINDOWS.sub("_", name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip() or not ext:
        raise InvalidInput.on(FIELD, Message("A file name needs a name and an extension."))
    if len(ext) > 10:
        raise InvalidInput.on(FIELD, Message("The file name's extension is too long."))
    room = MAX_LENGTH - len(ext) - 1
    return f"{stem[:room].rstrip()}.{ext}"


def ascii_fallback(name: str) -> str:
    """The name for clients that cannot read `filename*`: ASCII letters only, no quotes."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = decomposed.encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ ()-]", "_", ascii_name)
    return ascii_name.lstrip(".") or "attachment"
