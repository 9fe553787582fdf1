"""Abuse limits: one named limit per action, counted per client address and per subject.

The subject is the account acting, or the email address a sign-in link goes to. Counts
are moving windows kept by the `limits` library: in Redis when REDIS_URL is set, so all
web processes count together, and in this process's memory otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass, replace
from typing import Any

import redis.asyncio
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from starlette.requests import HTTPConnection

from server.proxies import client_address

log = logging.getLogger(__name__)

SIGN_IN = "sign_in"
SIGN_IN_LINK = "sign_in_link"
PASSKEY = "passkey"
LAUNCH = "launch"
COSIGN = "cosign"
COMMENT = "comment"
BALLOT = "ballot"
UPLOAD = "upload"
FEEDBACK = "feedback"

IP = "ip"
# A Redis that does not answer must not hold up the request it was asked about.
REDIS_TIMEOUT = 0.5


@dataclass(frozen=True)
class Limit:
    """How often an action may happen per client address and per subject; None: no limit."""

    ip: RateLimitItem | None
    subject: RateLimitItem | None = None
    # What the subject is (an account, an email address); None: counted per address only.
    subject_kind: str | None = "account"


# A civic platform's people often share one address (a town hall, a school, a mobile
# carrier's NAT), so the per-address limits are generous and the per-subject ones tight.
DEFAULTS: dict[str, Limit] = {
    # Before a sign-in succeeds nobody knows whose account it is.
    SIGN_IN: Limit(parse("60/minute"), subject_kind=None),
    SIGN_IN_LINK: Limit(parse("100/hour"), parse("5/hour"), "email"),
    PASSKEY: Limit(parse("300/minute"), parse("30/minute")),
    LAUNCH: Limit(parse("60/hour"), parse("10/hour")),
    COSIGN: Limit(parse("600/minute"), parse("60/minute")),
    COMMENT: Limit(parse("120/minute"), parse("10/minute")),
    # Replacing one's ballot is allowed, but not as a flood.
    BALLOT: Limit(parse("600/minute"), parse("30/minute")),
    # Each upload may be 20 MB: the store must not fill up from one account.
    UPLOAD: Limit(parse("300/hour"), parse("60/hour")),
    # Barrier reports from an accessibility statement, which anyone may send.
    FEEDBACK: Limit(parse("30/hour"), subject_kind=None),
}


def configure(text: str) -> dict[str, Limit]:
    """The limits in force from RATE_LIMITS: empty for the defaults, `off` for none, or
    overrides such as `cosign.ip=1000/minute, sign_in_link.email=3/hour, launch.ip=off`.
    """
    if text.strip().lower() == "off":
        return {}
    rules = dict(DEFAULTS)
    for entry in (e.strip() for e in text.split(",")):
        if not entry or entry.lower() == "on":
            continue
        key, equals, value = (part.strip() for part in entry.partition("="))
        name, _, scope = key.partition(".")
        limit = rules.get(name)
        if not equals or limit is None or scope not in {IP, limit.subject_kind}:
            scopes = ", ".join(
                f"{n}.{scope}"
                for n, r in DEFAULTS.items()
                for scope in (IP, r.subject_kind)
                if scope
            )
            raise ValueError(
                f"RATE_LIMITS entry {entry!r} must be SCOPE=N/PERIOD with SCOPE one of {scopes}"
            )
        item = None if value.lower() == "off" else _item(entry, value)
        rules[name] = replace(limit, ip=item) if scope == IP else replace(limit, subject=item)
    return rules


def _item(entry: str, value: str) -> RateLimitItem:
    try:
        return parse(value)
    except ValueError:
        raise ValueError(
            f"RATE_LIMITS entry {entry!r}: {value!r} is not a rate such as 10/minute"
        ) from None


class RateLimited(Exception):
    """Too many attempts; the app answers 429 with Retry-After."""

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(f"{name}: retry after {retry_after} s")
        self.name = name
        self.retry_after = retry_after


def _key(scope: str, identity: str | int) -> str:
    # Counters outlive no window, but email and IP addresses still need not sit in Redis.
    return hashlib.sha256(f"{scope}:{identity}".encode()).hexdigest()[:32]


class Limiter:
    """Counts actions against the configured limits; `close()` releases its connections."""

    def __init__(
        self,
        rules: dict[str, Limit],
        storage: Storage | None = None,
        pool: redis.asyncio.ConnectionPool | None = None,
    ) -> None:
        self.rules = rules
        self._window = MovingWindowRateLimiter(storage) if storage is not None else None
        self._pool = pool

    @classmethod
    def open(cls, rules: dict[str, Limit], redis_url: str | None, prefix: str) -> Limiter:
        if not rules:
            return cls(rules)
        if not redis_url:
            return cls(rules, MemoryStorage())
        pool = redis.asyncio.ConnectionPool.from_url(
            redis_url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        # Our own pool, so that close() can release its connections; the library's type
        # hints know only scalar options, while its docstring names connection_pool.
        client_options: dict[str, Any] = {"connection_pool": pool}
        storage = RedisStorage(
            f"async+{redis_url}",
            implementation="redispy",
            key_prefix=prefix,
            wrap_exceptions=True,
            **client_options,
        )
        return cls(rules, storage, pool)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def hit(self, name: str, address: str, subject: str | int | None = None) -> None:
        """Count one `name` action; raises RateLimited when it is one too many.

        If the store cannot be reached the action is allowed: limits guard against abuse,
        and must not take the platform down with them.
        """
        assert name in DEFAULTS, f"unknown limit {name!r}"
        limit = self.rules.get(name)
        if limit is None or self._window is None:
            return
        # The subject first: one person's refused attempts must not use up what everyone
        # behind the same address (a town hall, a school) shares.
        scopes = ((limit.subject_kind or "", limit.subject, subject), (IP, limit.ip, address))
        for scope, item, identity in scopes:
            if item is None or identity is None:
                continue
            key = _key(scope, identity)
            try:
                if await self._window.hit(item, name, key):
                    continue
                stats = await self._window.get_window_stats(item, name, key)
            except StorageError:
                log.warning("rate limit store unreachable; %s allowed unchecked", name)
                return
            raise RateLimited(name, max(1, math.ceil(stats.reset_time - time.time())))


async def check(conn: HTTPConnection, name: str, subject: str | int | None = None) -> None:
    """Count one `name` action by this client, and by `subject` (an account id or an email).

    Raises RateLimited past either limit; the app turns it into a 429 with Retry-After.
    """
    limiter: Limiter = conn.app.state.limiter
    if limiter.rules:
        address = client_address(conn, conn.app.state.settings.trusted_proxies)
        await limiter.hit(name, address, subject)
