"""The inbox: a person's notifications, newest first, unread ones of one subject as one
item ("3 new comments on …"); the unread count of the header; marking read.

Only the recipient reads or marks her notifications: another's id is as unknown as a
missing one, so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.connection import connections

from notifications.models import Notification, Reason
from notifications.sentences import sentence
from participation import clock, unit
from participation.actors import Actor
from participation.errors import InvalidInput, NotAuthenticated, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.sql import run

BAD_CURSOR = Message("Malformed cursor; use the `next` value of a list.")
GONE = Message("This notification does not exist.")
SIGN_IN = Message("Sign in to see your notifications.")
BIGINT_MAX = 2**63 - 1


@dataclass(frozen=True)
class Item:
    """One line of the inbox: a notification, or the newest of `count` unread ones of
    the same subject, whose link it shows."""

    id: int
    event: str
    reason: Reason
    data: dict[str, Any]
    created_at: datetime
    read: bool
    count: int

    @property
    def sentence(self) -> Message:
        return sentence(self.event, self.data, self.count)

    @property
    def url(self) -> str:
        return str(self.data.get("url") or "/me/notifications")


def _signed_in(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAuthenticated(SIGN_IN)
    return actor


def _cursor(cursor: str | None) -> int:
    if cursor is None:
        return BIGINT_MAX
    value = parse_id(cursor, BIGINT_MAX)
    if value is None:
        raise InvalidInput.on("cursor", BAD_CURSOR)
    return value


_UNREAD = (
    "SELECT MAX(id) AS id, COUNT(*) AS count FROM notification "
    "WHERE recipient_id = $1 AND in_inbox = TRUE AND read_at IS NULL GROUP BY group_key"
)
_READ = (
    "SELECT id, 1 AS count FROM notification "
    "WHERE recipient_id = $1 AND in_inbox = TRUE AND read_at IS NOT NULL AND id < $2"
)


def _items_sql(unread_only: bool) -> str:
    sources = _UNREAD if unread_only else f"{_UNREAD} UNION ALL {_READ}"
    return f"SELECT id, count FROM ({sources}) AS items WHERE id < $2 ORDER BY id DESC LIMIT $3"


async def list_inbox(
    actor: Actor | None, *, unread: bool = False, limit: int = 20, cursor: str | None = None
) -> tuple[list[Item], str | None]:
    """Her inbox, newest first, and the cursor of the next page (None at the end).

    Raises NotAuthenticated, and InvalidInput naming `cursor` when it is malformed.
    """
    me = _signed_in(actor)
    before = _cursor(cursor)
    rows = await run(connections.get("default"), _items_sql(unread), me.user_id, before, limit + 1)
    page = rows[:limit]
    counts = {int(row["id"]): int(row["count"]) for row in page}
    found = {n.id: n for n in await Notification.filter(id__in=list(counts))}
    items = [
        Item(
            id=n.id,
            event=n.event_name,
            reason=Reason(n.reason),
            data=n.data,
            created_at=n.created_at,
            read=n.read_at is not None,
            count=counts[n.id],
        )
        for n in (found[i] for i in counts)
    ]
    more = len(rows) > limit
    return items, str(items[-1].id) if more and items else None


async def unread_count(actor: Actor | None) -> int:
    """How many unread notifications her inbox holds; 0 for nobody signed in."""
    if actor is None:
        return 0
    return await Notification.filter(
        recipient_id=actor.user_id, in_inbox=True, read_at__isnull=True
    ).count()


async def _announce(u: unit.Unit, me: Actor, marked: int) -> None:
    if marked:
        await u.record(
            "notifications:inbox:read",
            "user",
            me.user_id,
            municipality_id=None,
            actor_id=me.user_id,
            user_id=me.user_id,
            marked=marked,
        )


async def mark_read(actor: Actor | None, notification_id: int | str) -> int:
    """Mark one of her notifications read, and the unread ones shown with it (its group);
    returns how many changed. Marking a read one again changes nothing.

    Raises NotAuthenticated, and NotFound for an id that is not one of hers.
    """
    me = _signed_in(actor)
    parsed = parse_id(str(notification_id), BIGINT_MAX)
    found = (
        await Notification.get_or_none(id=parsed, recipient_id=me.user_id)
        if parsed is not None
        else None
    )
    if found is None:
        raise NotFound(GONE)
    now = clock.now()
    async with unit.atomic() as u:
        mine = Notification.filter(recipient_id=me.user_id, read_at__isnull=True)
        marked = await mine.filter(id=found.id).using_db(u.conn).update(read_at=now)
        if found.in_inbox:
            marked += (
                await mine.filter(group_key=found.group_key, in_inbox=True)
                .using_db(u.conn)
                .update(read_at=now)
            )
        await _announce(u, me, marked)
    return marked


async def mark_all_read(actor: Actor | None) -> int:
    """Mark every unread notification of hers read; returns how many changed.

    Raises NotAuthenticated.
    """
    me = _signed_in(actor)
    async with unit.atomic() as u:
        marked = (
            await Notification.filter(recipient_id=me.user_id, read_at__isnull=True)
            .using_db(u.conn)
            .update(read_at=clock.now())
        )
        await _announce(u, me, marked)
    return marked
