"""The signed-in person as the domain sees them: identity, verification and roles."""

from __future__ import annotations

from dataclasses import dataclass, field

from participation.accounts.models import Membership, Role, User


@dataclass(frozen=True)
class Actor:
    user_id: int
    display_name: str
    email_verified: bool
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)

    def has_role(self, municipality_id: int, *roles: Role) -> bool:
        return bool(self.roles.get(municipality_id, frozenset()) & set(roles))


async def load_actor(user_id: int) -> Actor | None:
    user = await User.get_or_none(id=user_id)
    if user is None:
        return None
    memberships = await Membership.filter(user_id=user_id).values_list("municipality_id", "role")
    roles: dict[int, set[Role]] = {}
    for municipality_id, role in memberships:
        roles.setdefault(municipality_id, set()).add(Role(role))
    return Actor(
        user_id=user.id,
        display_name=user.display_name,
        email_verified=user.email_verified,
        roles={m: frozenset(r) for m, r in roles.items()},
    )
