"""The signed-in person as the domain sees them: identity, verification and roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.connection import connections

from participation.accounts.models import Role
from participation.sql import run


@dataclass(frozen=True)
class Actor:
    user_id: int
    display_name: str
    email_verified: bool
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)

    def has_role(self, municipality_id: int, *roles: Role) -> bool:
        return bool(self.roles.get(municipality_id, frozenset()) & set(roles))


async def load_actor(user_id: int) -> Actor | None:
    """One round trip: this runs on every authenticated request."""
    rows = await run(
        connections.get("default"),
        "SELECT u.display_name, u.email_verified, m.municipality_id, m.role "
        "FROM account_user u LEFT JOIN account_membership m ON m.user_id = u.id "
        "WHERE u.id = $1",
        user_id,
    )
    if not rows:
        return None
    roles: dict[int, set[Role]] = {}
    for row in rows:
        if row["role"] is not None:
            roles.setdefault(row["municipality_id"], set()).add(Role(row["role"]))
    return Actor(
        user_id=user_id,
        display_name=rows[0]["display_name"],
        email_verified=bool(rows[0]["email_verified"]),
        roles={m: frozenset(r) for m, r in roles.items()},
    )
