"""The timeline's part in a person's export (see accounts.privacy).

Entries she authored stay on public timelines after deletion, without her name.
"""

from __future__ import annotations

from typing import Any

from participation.timeline.models import TimelineEntry


async def entries_authored(user_id: int) -> list[dict[str, Any]]:
    return [
        {"mandate_id": mandate_id, "kind": kind, "data": data, "at": at}
        for mandate_id, kind, data, at in await TimelineEntry.filter(actor_id=user_id)
        .order_by("id")
        .values_list("mandate_id", "kind", "data", "created_at")
    ]
