"""Notifications' part in a person's export and erasure (see participation.accounts.privacy).

Her inbox, what she follows and how she wants to hear of things are hers: exported, and
erased with her account (the email deliveries cascade with the inbox). The dev mailbox
keeps copies of sent mail by address, so they go too. Her display name in others'
notifications stays, as in an email they already received: a notification is a copy of
what was sent.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from notifications.models import (
    Follow,
    MailboxMessage,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from participation.accounts.models import User


async def notifications_received(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "event": n["event_name"],
            "reason": n["reason"],
            "data": n["data"],
            "in_inbox": n["in_inbox"],
            "created_at": n["created_at"],
            "read_at": n["read_at"],
            "email": n["email__status"],
        }
        for n in await Notification.filter(recipient_id=user_id)
        .order_by("id")
        .values(
            "event_name", "reason", "data", "in_inbox", "created_at", "read_at", "email__status"
        )
    ]


async def erase_notifications(conn: BaseDBAsyncClient, user: User) -> None:
    await Notification.filter(recipient_id=user.id).using_db(conn).delete()


async def erase_mailbox(conn: BaseDBAsyncClient, user: User) -> None:
    await MailboxMessage.filter(to=user.email).using_db(conn).delete()


async def follows(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "municipality": row["municipality__slug"],
            "subject_type": row["subject_type"],
            "subject": row["subject_key"],
            "following": row["active"],
            "since": row["created_at"],
        }
        for row in await Follow.filter(user_id=user_id)
        .order_by("id")
        .values("municipality__slug", "subject_type", "subject_key", "active", "created_at")
    ]


async def preferences(user_id: int) -> list[dict[str, Any]]:
    return [
        {"event": row["event"], "channel": row["channel"], "cadence": row["cadence"]}
        for row in await NotificationPreference.filter(user_id=user_id)
        .order_by("event", "channel")
        .values("event", "channel", "cadence")
    ]


async def settings(user_id: int) -> dict[str, Any] | None:
    row = await NotificationSettings.get_or_none(user_id=user_id)
    if row is None:
        return None
    return {
        "quiet_hours": row.quiet_hours,
        "quiet_from": row.quiet_from,
        "quiet_until": row.quiet_until,
        "language": row.language,
    }


async def erase_choices(conn: BaseDBAsyncClient, user: User) -> None:
    await Follow.filter(user_id=user.id).using_db(conn).delete()
    await NotificationPreference.filter(user_id=user.id).using_db(conn).delete()
    await NotificationSettings.filter(user_id=user.id).using_db(conn).delete()
