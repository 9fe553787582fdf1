"""Domain messages: an English message id with named parameters, translated at the edge.

The catalogue holds the id with its placeholders ("at most %(max)s characters"), so no
number is baked into a translated string. A Message is the English text itself, so the
API, logs and tests read it as a plain string; the pages look its id up and fill in the
parameters afterwards (server/i18n.py). `pybabel extract` collects every
`Message("…")` (frontend/babel.cfg).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Message(str):
    id: str
    params: dict[str, Any]

    def __new__(cls, id: str, **params: Any) -> Message:
        # Without parameters the id is used as written, so a "%" in it needs no doubling.
        text = super().__new__(cls, id % params if params else id)
        text.id = id
        text.params = params
        return text

    def translated(self, gettext: Callable[[str], str]) -> str:
        """This message in the language of `gettext`, its parameters filled in."""
        text = gettext(self.id)
        return text % self.params if self.params else text
