"""German by default, English on request: gettext catalogs compiled from frontend/locales."""

from __future__ import annotations

import contextvars

from babel.numbers import format_decimal
from starlette.requests import HTTPConnection

from participation.messages import Message
from participation.translations import DEFAULT, LOCALES, catalog

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT)


def _accepted(header: str) -> list[str]:
    """Accept-Language's tags, most wanted first; q=0 means "not this one" (RFC 9110 § 12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(conn: HTTPConnection) -> str:
    """?lang= wins, then the language cookie, then Accept-Language by its q-values, then German."""
    asked = conn.query_params.get("lang") or conn.cookies.get("lang")
    if asked in LOCALES:
        return asked
    for tag in _accepted(conn.headers.get("accept-language", "")):
        language = tag.split("-")[0]
        if language in LOCALES:
            return language
    return DEFAULT


def activate(locale: str) -> contextvars.Token[str]:
    return _current.set(locale)


def deactivate(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def current() -> str:
    return _current.get()


def gettext(message: str) -> str:
    """A domain Message is looked up by its id and gets its parameters after translation."""
    translations = catalog(current())
    if isinstance(message, Message):
        if any(isinstance(value, float) for value in message.params.values()):
            # A decimal parameter is written the reader's way: 4,5 in German, 4.5 in English.
            written = {
                k: _decimal(v) if isinstance(v, float) else v for k, v in message.params.items()
            }
            message = Message(message.id, **written)
        return message.translated(translations.gettext)
    return translations.gettext(message)


def _decimal(value: float) -> str:
    return format_decimal(value, format="#,##0.##", locale=current())


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(current()).ngettext(singular, plural, n)
