"""Who is asking: bearer JWTs for the API, a JWT session cookie for pages."""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta
from typing import cast

import jwt
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import clock, messages
from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity import sessions
from participation.accounts.identity.sessions import Started
from participation.actors import Actor
from participation.errors import NotAuthenticated
from server import csrf
from server.cookies import ACCESS_COOKIE, SESSION_COOKIE, cookie, cookie_name
from server.settings import Settings

ALGORITHM = "HS256"


def key_id(key: str) -> str:
    """Names a key without revealing it, so tokens say which key verifies them."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def issue_token(
    settings: Settings, user_id: int, session_id: int, lifetime: timedelta | None = None
) -> str:
    """An access token for a session, signed with the current key."""
    now = clock.now()
    claims = {
        "sub": str(user_id),
        "sid": session_id,
        "iat": now,
        "exp": now + (lifetime or timedelta(minutes=settings.access_minutes)),
        "typ": "access",
    }
    headers = {"kid": key_id(settings.secret_key)}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM, headers=headers)


# Tokens already verified in this process, so a client's every request does not redo
# the signature check. Keyed by the keys as well: a token verified under one secret must
# not pass under another. Revocation is unaffected: the session is checked every time.
_verified: dict[tuple[str, tuple[str, ...]], tuple[int, int, float]] = {}
VERIFIED_MAX = 10_000


def read_token(settings: Settings, token: str) -> tuple[int, int] | None:
    """(user id, session id) of a valid, unexpired access token, else None.

    Old keys (OLD_SECRET_KEYS) still verify, so rotating the key signs nobody out.
    """
    keyring = (settings.secret_key, *settings.old_secret_keys)
    known = _verified.get((token, keyring))
    if known is not None and time.time() < known[2]:
        return known[0], known[1]
    verified = _verify(keyring, token)
    if verified is None:
        return None
    if len(_verified) >= VERIFIED_MAX:
        _verified.clear()
    _verified[(token, keyring)] = verified
    return verified[0], verified[1]


def _verify(keyring: tuple[str, ...], token: str) -> tuple[int, int, float] | None:
    keys = {key_id(key): key for key in keyring}
    try:
        key = keys.get(jwt.get_unverified_header(token).get("kid", ""))
        if key is None:
            return None
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub"]}
        )
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != "access":
        return None
    try:
        return int(claims["sub"]), int(claims["sid"]), float(claims["exp"])
    except (KeyError, TypeError, ValueError):
        return None


# Marks "not looked up yet", since None already means "nobody is signed in".
_UNKNOWN = object()


async def actor_of(conn: HTTPConnection) -> Actor | None:
    """The signed-in actor, from the bearer header or else the cookies, once per request."""
    known = getattr(conn.state, "actor", _UNKNOWN)
    if known is not _UNKNOWN:
        return cast(Actor | None, known)
    settings: Settings = conn.app.state.settings
    token = None
    header = conn.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
    elif _cookie_counts(conn):
        token = conn.scope.get("state", {}).get("access") or conn.cookies.get(
            cookie_name(settings, ACCESS_COOKIE)
        )
    claims = read_token(settings, token) if token else None
    actor = await load_actor(*claims) if claims is not None else None
    conn.state.actor = actor
    return actor


def _cookie_counts(conn: HTTPConnection) -> bool:
    """The API changes state only for bearer tokens: a cookie there would need CSRF checks."""
    return not conn.url.path.startswith("/api/") or conn.scope.get("method") in {"GET", "HEAD"}


async def require_actor(conn: HTTPConnection) -> Actor:
    actor = await actor_of(conn)
    if actor is None:
        raise NotAuthenticated(
            messages.Message("Sign in first: send a valid bearer token or session cookie.")
        )
    return actor


def _session_cookies(settings: Settings, session: str, access: str) -> list[bytes]:
    return [
        cookie(settings, SESSION_COOKIE, session, settings.session_hours * 3600),
        cookie(settings, ACCESS_COOKIE, access, settings.access_minutes * 60),
    ]


def sign_in_cookies(settings: Settings, started: Started) -> list[bytes]:
    """Set-Cookie values for a new browser session: its secret and a first access token.

    The CSRF token follows the new session cookie by itself: none from before passes.
    """
    access = issue_token(settings, started.session.user_id, started.session.id)
    return _session_cookies(settings, started.cookie, access)


def sign_out_cookies(settings: Settings) -> list[bytes]:
    return [cookie(settings, SESSION_COOKIE, "", 0), cookie(settings, ACCESS_COOKIE, "", 0)]


async def start_browser_session(request: Request, user_id: int) -> list[bytes]:
    """Open a session for the browser making `request`; returns the cookies to set."""
    settings: Settings = request.app.state.settings
    started = await sessions.start_session(
        user_id,
        sessions.BROWSER,
        sessions.describe_device(request.headers.get("user-agent", "")),
        timedelta(hours=settings.session_hours),
    )
    return sign_in_cookies(settings, started)


class SessionMiddleware:
    """Renew an expired access cookie from the session cookie before the app sees the request.

    The new token goes into the request's state at once and to the browser with the
    response; a session that is no longer valid clears both cookies.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        cookies = HTTPConnection(scope).cookies
        session_cookie = cookies.get(cookie_name(self.settings, SESSION_COOKIE))
        access = cookies.get(cookie_name(self.settings, ACCESS_COOKIE))
        if not session_cookie or (access and read_token(self.settings, access)):
            await self.app(scope, receive, send)
            return
        lifetime = timedelta(hours=self.settings.session_hours)
        # A lost database goes up to DatabaseLostMiddleware's 503, cookies untouched.
        session = await sessions.renew_session(session_cookie, lifetime)
        if session is None:
            set_cookies = sign_out_cookies(self.settings)
            # Pages rendered in this response carry a token without the session.
            scope.setdefault("state", {})[csrf.SESSION_ENDED_STATE] = True
        else:
            token = issue_token(self.settings, session.user_id, session.id)
            scope.setdefault("state", {})["access"] = token
            set_cookies = _session_cookies(self.settings, session_cookie, token)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend((b"set-cookie", value) for value in set_cookies)
            await send(message)

        await self.app(scope, receive, send_with_cookies)
