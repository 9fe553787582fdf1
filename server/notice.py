"""The problem of a refused single-button form, carried once to the page it was sent from.

Such a form has nothing to fill in again, so its refusal is answered Post/Redirect/Get: 303
back to the page, with the problem in a short-lived signed cookie that the next page drawn
shows in its error summary and clears. The cookie holds message ids and their parameters,
never text from the request, and the signature keeps anyone else from writing one: the
page can only say what our own code said. It is translated when shown, in the reader's
language then.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from starlette.requests import HTTPConnection
from starlette.responses import Response

from participation.messages import Message
from server import i18n
from server.cookies import cookie, cookie_name
from server.settings import Settings

NOTICE_COOKIE = "auftrag_notice"
#: Long enough for the redirect and a slow page, short enough that it never turns up later.
MAX_AGE = 60
#: Sets a notice apart from every other token signed with the same key (access tokens).
AUDIENCE = "auftrag:notice"
ALGORITHM = "HS256"


def _plain(value: object) -> object:
    """A parameter as JSON can hold it: numbers and text as they are, anything else as text."""
    return value if isinstance(value, int | float | str) else str(value)


def _carried(message: str) -> list[Any]:
    if isinstance(message, Message):
        return [message.id, {k: _plain(v) for k, v in message.params.items()}]
    return [str(message), {}]


def carry(response: Response, settings: Settings, messages: list[str]) -> None:
    """Have the next page show `messages` (domain Messages, or msgids) once."""
    claims = {
        "aud": AUDIENCE,
        "exp": int(time.time()) + MAX_AGE,
        "messages": [_carried(m) for m in messages],
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    response.headers.append("set-cookie", cookie(settings, NOTICE_COOKIE, token, MAX_AGE).decode())


def present(conn: HTTPConnection, settings: Settings) -> bool:
    """Whether the browser sent a notice cookie, good or not: either way it is cleared."""
    return cookie_name(settings, NOTICE_COOKIE) in conn.cookies


def read(conn: HTTPConnection, settings: Settings) -> list[str]:
    """The carried messages in the reader's language; none for a cookie we did not sign
    (another key, forged, expired, or not of this shape)."""
    token = conn.cookies.get(cookie_name(settings, NOTICE_COOKIE))
    if not token:
        return []
    for key in (settings.secret_key, *settings.old_secret_keys):
        try:
            claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=AUDIENCE)
        except jwt.InvalidTokenError:
            continue
        return _translated(claims.get("messages"))
    return []


def _translated(carried: object) -> list[str]:
    if not isinstance(carried, list):
        return []
    shown = []
    for item in carried:
        if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
            message_id, params = item
            message = Message(message_id, **params) if isinstance(params, dict) else message_id
            shown.append(i18n.gettext(message))
    return shown


def cleared(response: Response, settings: Settings) -> None:
    """Clear the cookie with the page that read it; that page is hers alone and shown once,
    so no cache keeps it."""
    response.headers.append("set-cookie", cookie(settings, NOTICE_COOKIE, "", 0).decode())
    response.headers["cache-control"] = "no-store"
