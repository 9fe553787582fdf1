"""Declared residence: who may take part at the email level, and every change on record."""

from __future__ import annotations

import pytest

from participation import clock
from participation.accounts import privacy
from participation.accounts.authorization.actors import load_actor
from participation.accounts.models import ResidenceChange, ResidenceDeclaration
from participation.accounts.residency import declarations
from participation.accounts.residency import verification as residency
from participation.actors import Actor
from participation.errors import InvalidInput, PermissionDenied
from participation.mandates import commands
from participation.mandates.models import Signature
from participation.municipalities.models import District, Municipality
from participation.permissions import Role
from participation.votes import commands as vote_commands
from participation.votes.models import Participation, VoteStatus
from tests import factories
from tests.factories import votes as vote_factories

pytestmark = pytest.mark.usefixtures("database")


async def _towns() -> tuple[Municipality, Municipality]:
    """Musterstadt with the Nordviertel, and a second town next to it."""
    town = await factories.municipality(
        "musterstadt",
        name="Musterstadt",
        districts=(("nordviertel", "Nordviertel"), ("hafen", "Hafen")),
    )
    return town, await factories.municipality("nachbarort", name="Nachbarort")


async def _reloaded(actor: Actor) -> Actor:
    current = await load_actor(actor.user_id, actor.session_id)
    assert current is not None
    return current


async def test_a_fresh_account_of_another_town_cannot_sign_launch_or_vote_until_it_declares() -> (
    None
):
    town, neighbour_town = await _towns()
    mandate = await factories.mandate(await factories.person(lives_in=town), town)
    vote = await vote_factories.vote(
        await factories.council_member(town), town, status=VoteStatus.OPEN
    )
    choice = (await vote_factories.option_ids(vote.id))[:1]
    outsider = await factories.person(lives_in=neighbour_town)
    attempts = {
        "sign": lambda who: commands.sign_mandate(who, mandate.id),
        "launch": lambda who: commands.launch_mandate(
            who, town.slug, title="T", summary="S", body=""
        ),
        "vote": lambda who: vote_commands.cast_ballot(who, vote.id, choice),
    }
    for attempt in attempts.values():
        with pytest.raises(PermissionDenied) as refused:
            await attempt(outsider)
        assert refused.value.extra["reason"] == "residence_not_declared"
    assert not await Signature.filter(user_id=outsider.user_id).exists()
    assert not await Participation.filter(user_id=outsider.user_id).exists()

    await declarations.declare_residence(outsider, town.slug)
    moved = await _reloaded(outsider)
    for attempt in attempts.values():
        await attempt(moved)
    assert await Signature.filter(user_id=outsider.user_id, mandate_id=mandate.id).exists()
    assert await Participation.filter(user_id=outsider.user_id, vote_id=vote.id).exists()


async def test_a_district_vote_needs_the_declared_district() -> None:
    town, _ = await _towns()
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, status=VoteStatus.OPEN, district="nordviertel")
    choice = (await vote_factories.option_ids(vote.id))[:1]
    harbour = await factories.person(lives_in=town, district="hafen")
    with pytest.raises(PermissionDenied) as refused:
        await vote_commands.cast_ballot(harbour, vote.id, choice)
    assert refused.value.extra["reason"] == "district_not_declared"
    await declarations.declare_residence(harbour, town.slug, "nordviertel")
    cast = await vote_commands.cast_ballot(await _reloaded(harbour), vote.id, choice)
    assert cast.created


async def test_every_change_is_recorded_and_unknown_places_name_the_field() -> None:
    town, neighbour_town = await _towns()
    person = await factories.person(lives_in=None)
    await declarations.declare_residence(person, neighbour_town.slug)
    await declarations.declare_residence(person, town.slug, "hafen")
    await declarations.declare_residence(person, town.slug, "hafen")  # the same again: no entry
    current = await declarations.declare_residence(person, town.slug, "nordviertel")
    assert (current.municipality, current.district, current.source) == (
        "musterstadt",
        "nordviertel",
        "declared",
    )
    moves = await declarations.residence_history(person.user_id)
    assert [
        (m.from_municipality, m.from_district, m.to_municipality, m.to_district) for m in moves
    ] == [
        (None, None, "nachbarort", None),
        ("nachbarort", None, "musterstadt", "hafen"),
        ("musterstadt", "hafen", "musterstadt", "nordviertel"),
    ]
    assert await ResidenceDeclaration.filter(user_id=person.user_id).count() == 1
    with pytest.raises(InvalidInput) as unknown_town:
        await declarations.declare_residence(person, "atlantis")
    assert [e.field for e in unknown_town.value.errors] == ["municipality"]
    with pytest.raises(InvalidInput) as unknown_district:
        await declarations.declare_residence(person, town.slug, "mitte-von-nirgendwo")
    assert [e.field for e in unknown_district.value.errors] == ["district"]
    assert len(await declarations.residence_history(person.user_id)) == 3


async def test_a_proof_moves_the_declaration_and_a_town_wide_proof_keeps_the_district() -> None:
    town, neighbour_town = await _towns()
    admin = await factories.person(role=Role.ADMIN, municipality=town, lives_in=town)
    person = await factories.person(email="mia@example.org", lives_in=neighbour_town)
    await residency.verify_resident(admin, town.slug, "mia@example.org", "hafen")
    moved = await declarations.residence_of(person.user_id)
    assert moved is not None
    assert (moved.municipality, moved.district, moved.source) == ("musterstadt", "hafen", "admin")
    await residency.verify_resident(admin, town.slug, "mia@example.org")
    kept = await declarations.residence_of(person.user_id)
    assert kept is not None and kept.district == "hafen"
    assert [m.source for m in await declarations.residence_history(person.user_id)] == [
        "declared",
        "admin",
    ]


async def test_the_export_has_the_declaration_and_deletion_erases_it() -> None:
    town, neighbour_town = await _towns()
    person = await factories.person(email="ida@example.org", lives_in=neighbour_town)
    await declarations.declare_residence(person, town.slug, "hafen")
    export = await privacy.export_account(person)
    assert export["residence"]["municipality"] == "musterstadt"
    assert export["residence"]["district"] == "hafen"
    assert [
        (c["from_municipality"], c["to_municipality"]) for c in export["residence_changes"]
    ] == [
        (None, "nachbarort"),
        ("nachbarort", "musterstadt"),
    ]
    await privacy.delete_account(person, "ida@example.org")
    assert not await ResidenceDeclaration.filter(user_id=person.user_id).exists()
    assert not await ResidenceChange.filter(user_id=person.user_id).exists()
    assert await District.filter(municipality_id=town.id).count() == 2


async def test_a_retired_district_is_neither_offered_nor_declared() -> None:
    town, _ = await _towns()
    await District.filter(municipality_id=town.id, slug="hafen").update(retired_at=clock.now())
    person = await factories.person(lives_in=None)
    with pytest.raises(InvalidInput) as retired:
        await declarations.declare_residence(person, town.slug, "hafen")
    assert [e.field for e in retired.value.errors] == ["district"]
    assert await declarations.residence_history(person.user_id) == []
    await declarations.declare_residence(person, town.slug, "nordviertel")
