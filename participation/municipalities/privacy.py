"""The municipalities area's part in a person's export and erasure: barrier reports.

A report is sent without an account, so what ties it to a person is the email address she
gave. Her export lists the reports given with her account's address; on deletion their name
and address go, and the description of the barrier stays with the administrators, who
still have a barrier to mend.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Lower

from participation.accounts.models import User
from participation.municipalities.models import BarrierReport


def _hers(email: str) -> Any:
    return (
        BarrierReport.annotate(address=Lower("email"))
        .filter(address=email.lower())
        .exclude(email="")
    )


async def barrier_reports(user_id: int) -> list[dict[str, Any]]:
    user = await User.get_or_none(id=user_id)
    if user is None:
        return []
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
        for r in await _hers(user.email).order_by("id")
    ]


async def erase_barrier_reports(conn: BaseDBAsyncClient, user: User) -> None:
    ids = await _hers(user.email).using_db(conn).values_list("id", flat=True)
    if ids:
        await BarrierReport.filter(id__in=list(ids)).using_db(conn).update(name="", email="")
