"""Server-side session records: what makes sign-out, and sign-out everywhere, real.

Access tokens live minutes and name their session; every request checks the session
is still open (in the same query that loads the actor), and browsers renew their
access token from the session's secret. Revoking the record ends both at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from participation import clock
from participation.accounts.models import Session, User
from participation.actors import Actor
from participation.errors import NotAuthenticated, NotFound, PermissionDenied
from participation.messages import Message

BROWSER = "browser"
API = "api"


@dataclass(frozen=True)
class Started:
    session: Session
    cookie: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def describe_device(user_agent: str) -> str:
    """'Firefox on Linux': enough to recognise one's own devices, nothing more is kept."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chromium/", "Chromium"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in ua
        ),
        "Browser" if ua.startswith("Mozilla/") else (ua.split("/", 1)[0][:40] or "Unknown"),
    )
    system = next(
        (
            name
            for token, name in (
                ("Android", "Android"),
                ("iPhone", "iOS"),
                ("iPad", "iPadOS"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        None,
    )
    return f"{browser} on {system}" if system else browser


async def start_session(user_id: int, kind: str, device: str, lifetime: timedelta) -> Started:
    """Open a session for a person who just proved who they are.

    Raises PermissionDenied for a suspended person: every request of such a session
    would be refused, so a token for one (`auftrag token`) must not look like success.
    """
    if await User.filter(id=user_id).exclude(suspended_at=None).exists():
        raise PermissionDenied(Message("This account is suspended."))
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    session = await Session.create(
        user_id=user_id,
        secret_hash=_hash(secret),
        kind=kind,
        device=device[:120],
        last_used_at=now,
        expires_at=now + lifetime,
    )
    return Started(session, f"{session.id}.{secret}")


async def renew_session(cookie: str, lifetime: timedelta) -> Session | None:
    """The open session `cookie` names, its expiry pushed out; None if it is not valid.

    Suspended people get None, so they are signed out at their next renewal at the latest.
    """
    ident, _, secret = cookie.partition(".")
    if not ident.isdigit() or len(ident) > 9 or not secret:
        return None
    session = await Session.get_or_none(
        id=int(ident), revoked_at=None, user__suspended_at__isnull=True
    )
    if session is None or not hmac.compare_digest(session.secret_hash, _hash(secret)):
        return None
    now = clock.now()
    if session.expires_at <= now:
        return None
    await Session.filter(id=session.id).update(last_used_at=now, expires_at=now + lifetime)
    return session


async def list_sessions(actor: Actor | None) -> list[Session]:
    """The actor's open sessions, most recently used first."""
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    return (
        await Session.filter(user_id=actor.user_id, revoked_at=None, expires_at__gt=clock.now())
        .order_by("-last_used_at")
        .all()
    )


async def revoke_session(actor: Actor | None, session_id: int) -> None:
    """End one of the actor's own sessions (sign out there). Raises NotFound otherwise."""
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    ended = await Session.filter(id=session_id, user_id=actor.user_id, revoked_at=None).update(
        revoked_at=clock.now()
    )
    if not ended:
        raise NotFound(Message("There is no such open session."))


async def revoke_all_sessions(actor: Actor | None, *, keep: int | None = None) -> int:
    """Sign out everywhere, except the session `keep` if given; returns how many ended."""
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    query = Session.filter(user_id=actor.user_id, revoked_at=None)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.update(revoked_at=clock.now())


async def end_user_sessions(user_id: int, at: datetime | None = None) -> int:
    """For suspension and deletion: every session of the person ends now."""
    return await Session.filter(user_id=user_id, revoked_at=None).update(
        revoked_at=at or clock.now()
    )
