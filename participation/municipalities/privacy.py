"""The municipalities area's part in a person's export and erasure: the barrier reports she
sent while signed in. On deletion their name and address go; the description stays with
the administrators, who still have a barrier to mend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient

from participation.municipalities.models import BarrierReport

if TYPE_CHECKING:
    from participation.accounts.models import User


async def barrier_reports(user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "municipality_id": r.municipality_id,
            "name": r.name,
            "email": r.email,
            "description": r.description,
            "page": r.page,
            "created_at": r.created_at,
        }
        for r in await BarrierReport.filter(reporter_id=user_id).order_by("id")
    ]


async def erase_barrier_reports(conn: BaseDBAsyncClient, user: User) -> None:
    await BarrierReport.filter(reporter_id=user.id).using_db(conn).update(name="", email="")
