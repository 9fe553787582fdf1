"""Roles waiting on an email address take effect when that address first signs in.

Every path that proves an address or creates an account (redeeming a sign-in link,
`ensure_user` for the operator's commands) calls `apply_pending_roles` in its own unit of
work, so the account and its roles appear together.
"""

from __future__ import annotations

from participation import clock, unit
from participation.accounts.models import Membership, PendingRole, RoleChange


async def apply_pending_roles(u: unit.Unit, user_id: int, email: str) -> int:
    """Give `user_id` every role still waiting on `email`; returns how many were new."""
    waiting = (
        await PendingRole.filter(email=email, accepted_at=None, withdrawn_at=None)
        .using_db(u.conn)
        .select_for_update()
    )
    granted = 0
    now = clock.now()
    for pending in waiting:
        claimed = (
            await PendingRole.filter(id=pending.id, accepted_at=None, withdrawn_at=None)
            .using_db(u.conn)
            .update(accepted_at=now, user_id=user_id)
        )
        if not claimed:
            continue
        _, created = await Membership.get_or_create(
            user_id=user_id,
            municipality_id=pending.municipality_id,
            role=pending.role,
            using_db=u.conn,
        )
        if not created:
            continue
        granted += 1
        # In the audit log, the one who invited granted the role.
        await RoleChange.create(
            municipality_id=pending.municipality_id,
            subject_id=user_id,
            changed_by_id=pending.invited_by_id,
            role=pending.role,
            granted=True,
            using_db=u.conn,
        )
        await u.record(
            "accounts:role:granted",
            "user",
            user_id,
            municipality_id=pending.municipality_id,
            actor_id=pending.invited_by_id,
            user_id=user_id,
            role=pending.role.value,
        )
    return granted
