"""A person's service visits in her export, and her feedback's words gone with her account.

The visits and scores stay, without her (the foreign keys set null), because they are
the municipality's service figures.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from notifications.visits.models import Invitation, ServiceVisit
from participation.accounts.models import User


async def visits_of(user_id: int) -> list[dict[str, Any]]:
    visits = await ServiceVisit.filter(user_id=user_id).prefetch_related("service_type")
    invitations = {i.visit_id: i for i in await Invitation.filter(user_id=user_id)}
    out = []
    for visit in sorted(visits, key=lambda v: v.id):
        invitation = invitations.get(visit.id)
        out.append(
            {
                "service_type": visit.service_type.code,
                "occurred_at": visit.occurred_at.isoformat(),
                "outcome": visit.outcome.value,
                "invitation": None
                if invitation is None
                else {
                    "sent_at": invitation.sent_at.isoformat(),
                    "to": invitation.target_path,
                    "opened_at": invitation.opened_at.isoformat() if invitation.opened_at else None,
                    "score": invitation.score,
                    "comment": invitation.comment,
                },
            }
        )
    return out


async def erase_feedback(conn: BaseDBAsyncClient, user: User) -> None:
    await Invitation.filter(user_id=user.id).using_db(conn).update(comment="", comment_html="")
