"""Writing a timeline entry together with the domain event that announces it."""

from __future__ import annotations

from typing import Any

from participation.timeline.models import TimelineEntry
from participation.unit import Unit


async def record(
    unit: Unit,
    mandate_id: int,
    kind: str,
    name: str,
    data: dict[str, Any],
    *,
    municipality_id: int,
    actor_id: int | None = None,
) -> TimelineEntry:
    """Add an entry to the mandate's public timeline and record event `name` in the unit.

    The event is about the mandate and carries the entry, so live streams and
    notifications need no second read.
    """
    entry = await TimelineEntry.create(
        mandate_id=mandate_id,
        kind=kind,
        data=data,
        actor_id=actor_id,
        municipality_id=municipality_id,
        using_db=unit.conn,
    )
    await unit.record(
        name,
        "mandate",
        mandate_id,
        municipality_id=municipality_id,
        actor_id=actor_id,
        entry={
            "id": entry.id,
            "kind": entry.kind,
            "data": entry.data,
            "created_at": entry.created_at.isoformat(),
        },
    )
    return entry
