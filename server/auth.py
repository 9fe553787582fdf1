"""Who is asking: bearer JWTs for the API, a JWT session cookie for pages, CSRF for forms."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import cast

import jwt
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from participation import clock
from participation.accounts.actors import Actor, load_actor
from participation.errors import InvalidInput, NotAuthenticated
from server.settings import Settings

ALGORITHM = "HS256"
SESSION_COOKIE = "auftrag_session"
CSRF_COOKIE = "auftrag_csrf"
CSRF_FIELD = "csrf_token"


def issue_token(settings: Settings, user_id: int, kind: str, lifetime: timedelta) -> str:
    now = clock.now()
    claims = {"sub": str(user_id), "iat": now, "exp": now + lifetime, "typ": kind}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def read_token(settings: Settings, token: str, kind: str) -> int | None:
    """The user id in a valid, unexpired token of `kind`, else None."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != kind:
        return None
    try:
        return int(claims["sub"])
    except (TypeError, ValueError):
        return None


# Marks "not looked up yet", since None already means "nobody is signed in".
_UNKNOWN = object()


async def actor_of(conn: HTTPConnection) -> Actor | None:
    """The signed-in actor, from the bearer header or else the session cookie, once per request."""
    known = getattr(conn.state, "actor", _UNKNOWN)
    if known is not _UNKNOWN:
        return cast(Actor | None, known)
    settings: Settings = conn.app.state.settings
    user_id = None
    header = conn.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        user_id = read_token(settings, header[7:].strip(), "access")
    elif SESSION_COOKIE in conn.cookies and _cookie_counts(conn):
        user_id = read_token(settings, conn.cookies[SESSION_COOKIE], "session")
    actor = await load_actor(user_id) if user_id is not None else None
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
    """Double-submit check: the form must echo the browser's own CSRF cookie."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not isinstance(submitted, str):
        raise InvalidInput.on(CSRF_FIELD, "The form expired. Reload the page and try again.")
    if not hmac.compare_digest(expected, submitted):
        raise InvalidInput.on(CSRF_FIELD, "The form expired. Reload the page and try again.")


def session_cookie_args(settings: Settings) -> dict[str, object]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": settings.secure_cookies,
        "path": "/",
        "max_age": settings.session_hours * 3600,
    }


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
