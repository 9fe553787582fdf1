"""Reading public timelines, for the page, the API, the live stream and the feeds."""

from __future__ import annotations

from typing import Any

from participation.accounts.models import User
from participation.timeline.models import TimelineEntry

FEED_SIZE = 50


async def entries(mandate_id: int, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Entries with id above `after`, oldest first, with the actor's display name only."""
    rows = (
        await TimelineEntry.filter(mandate_id=mandate_id, id__gt=after).order_by("id").limit(limit)
    )
    return await _views(rows)


async def newest(mandate_id: int, limit: int = FEED_SIZE) -> list[dict[str, Any]]:
    """The mandate's newest entries, newest first."""
    rows = await TimelineEntry.filter(mandate_id=mandate_id).order_by("-id").limit(limit)
    return await _views(rows)


async def newest_in_municipality(
    municipality_id: int, limit: int = FEED_SIZE
) -> list[dict[str, Any]]:
    """The newest entries of the municipality's public mandates, newest first, each with
    its mandate's id and title.

    One query on the (municipality_id, id) index, joined to each entry's mandate to leave
    out drafts (whose only entry is their launch). The status is named, not imported:
    mandates writes the timeline, so the timeline must not import mandates.
    """
    rows = (
        await TimelineEntry.filter(municipality_id=municipality_id)
        .exclude(mandate__status="draft")
        .order_by("-id")
        .limit(limit)
        .select_related("mandate")
    )
    views = await _views(rows)
    for view, row in zip(views, rows, strict=True):
        view["mandate"] = {"id": row.mandate_id, "title": row.mandate.title}
    return views


async def _views(rows: list[TimelineEntry]) -> list[dict[str, Any]]:
    actor_ids = {r.actor_id for r in rows if r.actor_id}
    names = (
        dict(await User.filter(id__in=actor_ids).values_list("id", "display_name"))
        if actor_ids
        else {}
    )
    return [
        {
            "id": r.id,
            "mandate_id": r.mandate_id,
            "kind": r.kind,
            "data": r.data,
            "actor": {"display_name": names[r.actor_id]} if r.actor_id in names else None,
            "created_at": r.created_at,
        }
        for r in rows
    ]
