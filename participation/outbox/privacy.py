"""What the outbox forgets of a deleted account: the events about her, and her as actor.

Events outlive their consumers' need by the retention period; a person who deletes her
account should not stay in them that long. What the public counted (a signature's
event, say) stays, without her id. The `accounts:user:deleted` event itself comes after
this eraser and keeps the id, which then names nobody: consumers need it to drop what
they keyed by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.sql import run

if TYPE_CHECKING:
    from participation.accounts.models import User

_ABOUT_HER = "SELECT id FROM outbox_event WHERE subject_type = 'user' AND subject_id = $1"


async def erase_events(conn: BaseDBAsyncClient, user: User) -> None:
    await run(conn, f"DELETE FROM outbox_delivery WHERE event_id IN ({_ABOUT_HER})", user.id)
    await run(
        conn, "DELETE FROM outbox_event WHERE subject_type = 'user' AND subject_id = $1", user.id
    )
    await run(conn, "UPDATE outbox_event SET actor_id = NULL WHERE actor_id = $1", user.id)
