"""The signed-in person as the permission engine sees them: identity, verification,
residence, roles. Loading one from the database is the accounts area's business."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from participation.permissions import Role


@dataclass(frozen=True)
class Actor:
    user_id: int
    display_name: str
    email_verified: bool
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    # Municipality id → the district proven, or None when only the municipality is.
    residencies: dict[int, int | None] = field(default_factory=dict)
    session_id: int | None = None
    # Where the person says she lives: (municipality id, district id or None), or None.
    declared: tuple[int, int | None] | None = None
    # Runs the deployment: creates municipalities (participation/municipalities/founding.py).
    operator: bool = False

    def has_role(self, municipality_id: int, *roles: Role) -> bool:
        return bool(self.roles.get(municipality_id, frozenset()) & set(roles))

    def is_resident(self, municipality_id: int, district_id: int | None = None) -> bool:
        if municipality_id not in self.residencies:
            return False
        return district_id is None or self.residencies[municipality_id] == district_id

    def has_declared(self, municipality_id: int, district_id: int | None = None) -> bool:
        if self.declared is None or self.declared[0] != municipality_id:
            return False
        return district_id is None or self.declared[1] == district_id

    def lives_in(self, municipality_id: int, district_id: int | None = None) -> bool:
        """Declared or proven: a proof says at least as much as a statement."""
        return self.has_declared(municipality_id, district_id) or self.is_resident(
            municipality_id, district_id
        )
