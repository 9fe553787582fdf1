"""Notifications' part in erasing a person (see participation.accounts.privacy).

The dev mailbox keeps copies of sent mail by address, so they go with the account.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from notifications.models import MailboxMessage
from participation.accounts.models import User


async def erase_mailbox(conn: BaseDBAsyncClient, user: User) -> None:
    await MailboxMessage.filter(to=user.email).using_db(conn).delete()
