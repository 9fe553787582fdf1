"""Declaring where one lives: a statement, not a proof, and every change of it on record.

At the email level a municipality's mandates and votes are open to the people who say
they live there, as the UK petitions site asks for a postcode and a residence
statement. Proof (see `residency`) stays what it is; a proof that names another place
moves the declaration there, because a document or the town's own portal outweighs a
statement, and the move is recorded like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from participation import clock, unit
from participation.accounts.models import (
    ResidenceChange,
    ResidenceDeclaration,
    ResidenceSource,
    User,
)
from participation.actors import Actor
from participation.errors import InvalidInput, NotAuthenticated
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.municipalities.queries import (
    RETIRED_DISTRICT,
    district_by_slug,
    municipality_by_slug,
)


@dataclass(frozen=True)
class DeclaredResidence:
    municipality: str
    municipality_name: str
    district: str | None
    district_name: str | None
    source: ResidenceSource
    declared_at: datetime


@dataclass(frozen=True)
class ResidenceMove:
    """One entry of the record: from where to where, when, on whose word."""

    from_municipality: str | None
    from_district: str | None
    to_municipality: str | None
    to_district: str | None
    source: ResidenceSource
    at: datetime


async def _place(municipality: str, district: str | None) -> tuple[Municipality, District | None]:
    row = await municipality_by_slug(municipality or "")
    if row is None:
        raise InvalidInput.on(
            "municipality", Message("Unknown municipality %(slug)r.", slug=municipality)
        )
    if not district:
        return row, None
    quarter = await district_by_slug(row.id, district)
    if quarter is None:
        raise InvalidInput.on(
            "district",
            Message(
                "Unknown district %(slug)r in %(municipality)s.",
                slug=district,
                municipality=row.name,
            ),
        )
    if quarter.retired:
        raise InvalidInput.on("district", RETIRED_DISTRICT)
    return row, quarter


async def declare_residence(
    actor: Actor | None, municipality: str, district: str | None = None
) -> DeclaredResidence:
    """Say where one lives now (municipality slug, district slug or None); changes are kept.

    Declaring the same place again changes nothing. Raises NotAuthenticated and
    InvalidInput naming `municipality` or `district` when either is unknown.
    """
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    place, quarter = await _place(municipality, district)
    async with unit.atomic() as u:
        await move_residence(
            u.conn,
            actor.user_id,
            place.id,
            quarter.id if quarter else None,
            ResidenceSource.DECLARED,
        )
    current = await residence_of(actor.user_id)
    assert current is not None
    return current


async def move_residence(
    conn: BaseDBAsyncClient,
    user_id: int,
    municipality_id: int,
    district_id: int | None,
    source: ResidenceSource,
    keep_district: bool = False,
) -> bool:
    """Set the declaration and record the change, in the caller's transaction.

    With `keep_district` (a proof naming only the municipality) a district declared in
    that same municipality stays: the proof does not contradict it.
    False, and nothing written, when the person already declared exactly this place.
    No outbox event: nothing listens for it, and the change record is its trace.
    """
    # Serialises one person's changes, so two at once cannot both create her declaration.
    # A row, not values_list(): Tortoise drops FOR UPDATE from a values query.
    await User.filter(id=user_id).using_db(conn).select_for_update().only("id")
    current = await ResidenceDeclaration.get_or_none(user_id=user_id, using_db=conn)
    if keep_district and district_id is None and current is not None:
        if current.municipality_id == municipality_id:
            district_id = current.district_id
    if current is not None and (current.municipality_id, current.district_id) == (
        municipality_id,
        district_id,
    ):
        return False
    now = clock.now()
    if current is None:
        await ResidenceDeclaration.create(
            user_id=user_id,
            municipality_id=municipality_id,
            district_id=district_id,
            source=source,
            declared_at=now,
            using_db=conn,
        )
    else:
        await (
            ResidenceDeclaration.filter(id=current.id)
            .using_db(conn)
            .update(
                municipality_id=municipality_id,
                district_id=district_id,
                source=source,
                declared_at=now,
            )
        )
    await ResidenceChange.create(
        user_id=user_id,
        from_municipality_id=current.municipality_id if current else None,
        from_district_id=current.district_id if current else None,
        to_municipality_id=municipality_id,
        to_district_id=district_id,
        source=source,
        created_at=now,
        using_db=conn,
    )
    return True


async def residence_of(user_id: int) -> DeclaredResidence | None:
    """The person's current declaration, or None if she has not said where she lives."""
    row = (
        await ResidenceDeclaration.filter(user_id=user_id)
        .select_related("municipality", "district")
        .first()
    )
    if row is None:
        return None
    return DeclaredResidence(
        municipality=row.municipality.slug,
        municipality_name=row.municipality.name,
        district=row.district.slug if row.district else None,
        district_name=row.district.name if row.district else None,
        source=ResidenceSource(row.source),
        declared_at=row.declared_at,
    )


async def residence_history(user_id: int) -> list[ResidenceMove]:
    """Every declaration and change, oldest first."""
    rows = (
        await ResidenceChange.filter(user_id=user_id)
        .order_by("id")
        .values_list(
            "from_municipality__slug",
            "from_district__slug",
            "to_municipality__slug",
            "to_district__slug",
            "source",
            "created_at",
        )
    )
    return [
        ResidenceMove(from_m, from_d, to_m, to_d, ResidenceSource(source), at)
        for from_m, from_d, to_m, to_d, source, at in rows
    ]
