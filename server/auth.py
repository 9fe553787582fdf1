"""Who is asking: bearer JWTs for the API, a JWT session cookie for pages, CSRF for forms."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import cast

import jwt
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import clock
from participation.accounts import sessions
from participation.accounts.actors import Actor, load_actor
from participation.accounts.sessions import Started
from participation.errors import InvalidInput, NotAuthenticated
from server.settings import Settings

ALGORITHM = "HS256"
ACCESS_COOKIE = "auftrag_access"
SESSION_COOKIE = "auftrag_session"
CSRF_COOKIE = "auftrag_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


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
        token = conn.scope.get("state", {}).get("access") or conn.cookies.get(ACCESS_COOKIE)
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
        raise NotAuthenticated("Sign in first: send a valid bearer token or session cookie.")
    return actor


def csrf_token(conn: HTTPConnection) -> str:
    return conn.scope["state"]["csrf"]


def check_csrf(request: Request, submitted: object) -> None:
    """Double-submit check: the form (or a script's header) must echo the CSRF cookie."""
    if submitted is None:
        submitted = request.headers.get(CSRF_HEADER)
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not isinstance(submitted, str):
        raise InvalidInput.on(CSRF_FIELD, "The form expired. Reload the page and try again.")
    if not hmac.compare_digest(expected, submitted):
        raise InvalidInput.on(CSRF_FIELD, "The form expired. Reload the page and try again.")


def _cookie(name: str, value: str, max_age: int, secure: bool) -> bytes:
    flags = f"Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
    return f"{name}={value}; {flags}".encode()


def sign_in_cookies(settings: Settings, started: Started) -> list[bytes]:
    """Set-Cookie values for a new browser session: its secret and a first access token."""
    access = issue_token(settings, started.session.user_id, started.session.id)
    secure = settings.secure_cookies
    return [
        _cookie(SESSION_COOKIE, started.cookie, settings.session_hours * 3600, secure),
        _cookie(ACCESS_COOKIE, access, settings.access_minutes * 60, secure),
    ]


def sign_out_cookies(settings: Settings) -> list[bytes]:
    secure = settings.secure_cookies
    return [_cookie(SESSION_COOKIE, "", 0, secure), _cookie(ACCESS_COOKIE, "", 0, secure)]


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
        session_cookie = cookies.get(SESSION_COOKIE)
        access = cookies.get(ACCESS_COOKIE)
        if not session_cookie or (access and read_token(self.settings, access)):
            await self.app(scope, receive, send)
            return
        lifetime = timedelta(hours=self.settings.session_hours)
        # A lost database goes up to DatabaseLostMiddleware's 503, cookies untouched.
        session = await sessions.renew_session(session_cookie, lifetime)
        if session is None:
            set_cookies = sign_out_cookies(self.settings)
        else:
            token = issue_token(self.settings, session.user_id, session.id)
            scope.setdefault("state", {})["access"] = token
            set_cookies = [
                _cookie(
                    SESSION_COOKIE,
                    session_cookie,
                    int(lifetime.total_seconds()),
                    self.settings.secure_cookies,
                ),
                _cookie(
                    ACCESS_COOKIE,
                    token,
                    self.settings.access_minutes * 60,
                    self.settings.secure_cookies,
                ),
            ]

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend((b"set-cookie", value) for value in set_cookies)
            await send(message)

        await self.app(scope, receive, send_with_cookies)


class CSRFCookieMiddleware:
    """Give every browser a CSRF cookie so the first form it sees already carries the token."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The JSON API takes bearer tokens for writes; it has no forms to protect.
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        existing = HTTPConnection(scope).cookies.get(CSRF_COOKIE)
        token = existing or secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf"] = token
        if existing:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure = "; Secure" if self.secure else ""
                cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)
