"""Reading a mandate's public timeline, for the page, the API and the live stream."""

from __future__ import annotations

from typing import Any

from participation.accounts.models import User
from participation.timeline.models import TimelineEntry


async def entries(mandate_id: int, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Entries with id above `after`, oldest first, with the actor's display name only."""
    rows = (
        await TimelineEntry.filter(mandate_id=mandate_id, id__gt=after).order_by("id").limit(limit)
    )
    actor_ids = {r.actor_id for r in rows if r.actor_id}
    names = (
        dict(await User.filter(id__in=actor_ids).values_list("id", "display_name"))
        if actor_ids
        else {}
    )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "data": r.data,
            "actor": {"display_name": names[r.actor_id]} if r.actor_id in names else None,
            "created_at": r.created_at,
        }
        for r in rows
    ]
