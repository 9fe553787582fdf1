"""People, through the same command `auftrag token` and `auftrag create-user` use."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Literal

from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity.commands import ensure_user
from participation.accounts.identity.sessions import API, start_session
from participation.accounts.residency.declarations import declare_residence
from participation.actors import Actor
from participation.municipalities.models import Municipality
from participation.permissions import Role

_numbers = itertools.count(1)


async def person(
    *,
    email: str | None = None,
    name: str | None = None,
    verified: bool = True,
    role: Role | None = None,
    municipality: Municipality | None = None,
    lives_in: Municipality | None | Literal["first"] = "first",
    district: str | None = None,
) -> Actor:
    """A person as the domain sees them; with `role`, a member of `municipality`.

    She has declared she lives in `lives_in` (in `district`, a slug, if given), as
    everyone who co-signs, votes or launches at the email level has: by default in the
    test's first municipality, if there is one yet; None means nowhere.
    """
    n = next(_numbers)
    user = await ensure_user(
        email or f"person{n}@example.org",
        display_name=name or f"Person {n}",
        role=role,
        municipality_slug=municipality.slug if municipality else None,
        verified=verified,
    )
    home = await _first_municipality() if lives_in == "first" else lives_in
    if home is not None:
        await declare_residence(await load_actor(user.id), home.slug, district)
    return await signed_in(user.id)


async def _first_municipality() -> Municipality | None:
    return await Municipality.all().order_by("id").first()


async def signed_in(user_id: int) -> Actor:
    """The person with an open API session, as `auftrag token` would give them."""
    started = await start_session(user_id, API, "tests", timedelta(hours=2))
    actor = await load_actor(user_id, started.session.id)
    assert actor is not None
    return actor


async def people(count: int, **options: object) -> list[Actor]:
    return [await person(**options) for _ in range(count)]  # type: ignore[arg-type]


async def council_member(municipality: Municipality) -> Actor:
    """A council member who lives in her municipality, as council members do."""
    return await person(
        role=Role.COUNCIL, municipality=municipality, lives_in=municipality, name="Ratsmitglied"
    )
