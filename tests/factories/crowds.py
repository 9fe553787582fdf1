"""Many people at once, for fan-outs of thousands: rows written in bulk rather than
through one command per person, which would take minutes. The events announcing the
outcome still go through the unit of work, as a command records them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from participation.accounts.identity.consent import EMAIL_NOTIFICATIONS
from participation.accounts.models import Consent, User
from participation.mandates.lifecycle import LIFECYCLE
from participation.mandates.models import Mandate, Signature, Status
from participation.unit import atomic

BULK = 2_000
_crowds = itertools.count(1)


async def crowd(size: int, email_share: float = 0.0) -> list[int]:
    """`size` verified people; the first `email_share` of them consented to email."""
    n = next(_crowds)
    users = [
        User(email=f"crowd{n}-{i}@example.org", display_name=f"Crowd {n}.{i}", email_verified=True)
        for i in range(size)
    ]
    await User.bulk_create(users, batch_size=BULK)
    ids = [
        u.id for u in await User.filter(email__startswith=f"crowd{n}-").order_by("id").only("id")
    ]
    consenting = ids[: int(size * email_share)]
    await Consent.bulk_create(
        [
            Consent(user_id=uid, topic=EMAIL_NOTIFICATIONS, granted=True, wording_version="1")
            for uid in consenting
        ],
        batch_size=BULK,
    )
    return ids


async def copies(mandate: Mandate, count: int) -> list[int]:
    """`count` more mandates like `mandate` (its title numbered), without co-signers."""
    fields = [f for f in Mandate._meta.fields_db_projection if f != "id"]
    values = {f: getattr(mandate, f) for f in fields}
    await Mandate.bulk_create(
        [Mandate(**{**values, "title": f"{mandate.title} ({i})"}) for i in range(count)],
        batch_size=BULK,
    )
    found = await Mandate.filter(title__startswith=f"{mandate.title} (").order_by("id")
    return [m.id for m in found]


async def cosign(mandate_id: int, user_ids: Sequence[int]) -> None:
    await Signature.bulk_create(
        [Signature(mandate_id=mandate_id, user_id=uid) for uid in user_ids], batch_size=BULK
    )


async def complete(mandates: Sequence[Mandate], actor_id: int) -> None:
    """Record each mandate's completion, as the council's command does, in one unit."""
    name = LIFECYCLE.event_name(Status.COMPLETED)
    async with atomic() as unit:
        for mandate in mandates:
            await unit.record(
                name,
                "mandate",
                mandate.id,
                municipality_id=mandate.municipality_id,
                actor_id=actor_id,
                entry={"kind": "status", "data": {"status": Status.COMPLETED.value}},
            )
