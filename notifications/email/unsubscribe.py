"""One-click unsubscribe: a signed link turns email off for every kind of its categories."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.transactions import in_transaction

from notifications import kinds
from notifications.email import tokens
from notifications.email.tokens import Unsubscribe
from notifications.models import (
    Cadence,
    Channel,
    EmailDelivery,
    EmailStatus,
    NotificationPreference,
)
from participation.accounts.models import User
from participation.errors import NotFound
from participation.messages import Message

INVALID = Message("This unsubscribe link is not valid.")


async def check_link(keys: Sequence[str], token: str) -> Unsubscribe:
    """What the link unsubscribes from; NotFound when it is forged or her account is gone."""
    found = tokens.read(keys, token)
    if found is None or not await User.exists(id=found.user_id):
        raise NotFound(INVALID)
    return found


async def unsubscribe(keys: Sequence[str], token: str) -> Unsubscribe:
    """Set her email choice to off for every kind in the link's categories, and cancel
    the emails of those kinds still waiting (a digest not yet sent). Repeating it changes
    nothing. Raises NotFound for a link that is not valid."""
    found = await check_link(keys, token)
    events = [
        kind.event for kind in kinds.registered().values() if kind.category in found.categories
    ]
    async with in_transaction() as connection:
        for event in events:
            await NotificationPreference.update_or_create(
                defaults={"cadence": Cadence.OFF},
                user_id=found.user_id,
                event=event,
                channel=Channel.EMAIL,
                using_db=connection,
            )
        waiting = await (
            EmailDelivery.filter(
                recipient_id=found.user_id,
                status=EmailStatus.PENDING,
                notification__event_name__in=events,
            )
            .using_db(connection)
            .values_list("id", flat=True)
        )
        await (
            EmailDelivery.filter(id__in=list(waiting), status=EmailStatus.PENDING)
            .using_db(connection)
            .update(status=EmailStatus.CANCELLED, leased_until=None)
        )
    return found
