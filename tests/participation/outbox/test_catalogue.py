"""The event catalogue against the code: what is recorded is declared, what is declared is
recorded, and the batched statements write what the catalogue says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from participation import unit
from participation.mandates import commands as mandate_commands
from participation.mandates import lifecycle as mandate_lifecycle
from participation.mandates.live import LIVE
from participation.mandates.models import Status
from participation.outbox import catalogue
from participation.outbox.models import OutboxEvent
from participation.votes import commands as vote_commands
from participation.votes import lifecycle as vote_lifecycle
from tests import factories
from tests.factories import votes as vote_factories

ROOT = Path(__file__).resolve().parents[3]
# The packages whose areas record events (participation.areas.ROOTS).
SOURCES = (ROOT / "participation", ROOT / "notifications")
# Lifecycle moves name their events from the target state, not with a literal.
LIFECYCLES = (mandate_lifecycle.LIFECYCLE, vote_lifecycle.LIFECYCLE)


def _code() -> str:
    """The code that records events: not the catalogue or the areas' declarations of it."""
    return "\n".join(
        path.read_text()
        for source in SOURCES
        for path in source.rglob("*.py")
        if path.name not in ("catalogue.py", "events.py")
    )


def test_every_catalogued_event_is_recorded_somewhere() -> None:
    literals = set(re.findall(r'"([a-z_]+:[a-z_]+:[a-z_]+)"', _code()))
    generated = {
        lifecycle.event_name(t.target) for lifecycle in LIFECYCLES for t in lifecycle.transitions
    }
    for name in catalogue.catalogue():
        assert name in literals | generated, f"{name} is catalogued but nothing records it"
    assert generated <= set(catalogue.catalogue())


def test_every_recorded_literal_name_is_catalogued() -> None:
    recorded = set(re.findall(r'"((?:accounts|mandates|votes):[a-z_]+:[a-z_]+)"', _code()))
    assert recorded - set(catalogue.catalogue()) == set()


@pytest.mark.usefixtures("database")
async def test_recording_checks_the_name_and_the_payload_against_the_catalogue() -> None:
    with pytest.raises(ValueError, match="not in the catalogue"):
        async with unit.atomic() as u:
            await u.record("accounts:user:vanished", "user", 1, municipality_id=None, user_id=1)
    with pytest.raises(ValueError, match=r"missing \['passkey_id'\]"):
        async with unit.atomic() as u:
            await u.record("accounts:passkey:added", "user", 1, municipality_id=None, user_id=1)
    with pytest.raises(ValueError, match=r"unknown \['email'\]"):
        async with unit.atomic() as u:
            await u.record(
                "accounts:user:renamed", "user", 1, municipality_id=None, user_id=1, email="x"
            )
    assert not await OutboxEvent.exists()


@pytest.mark.usefixtures("database")
async def test_the_batched_statements_write_what_the_catalogue_declares() -> None:
    """On PostgreSQL, signatures and ballots are rows of one statement's own CTE."""
    town = await factories.municipality(quorum=100)
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    signer = await factories.person()
    await mandate_commands.sign_mandate(signer, mandate.id)
    vote = await vote_factories.vote(await factories.council_member(town), town)
    a, *_ = await vote_factories.option_ids(vote.id)
    await vote_commands.cast_ballot(await factories.person(), vote.id, [a])
    for name, subject in (
        ("mandates:signature:created", mandate.id),
        ("votes:ballot:cast", vote.id),
    ):
        event = await OutboxEvent.filter(name=name, subject_id=subject).order_by("-id").first()
        assert event is not None, name
        entry = catalogue.catalogue()[name]
        catalogue.check(name, event.payload)
        assert event.subject_type == entry.subject_type
        assert event.municipality_id == town.id
    signed = await OutboxEvent.get(name="mandates:signature:created", actor_id=signer.user_id)
    assert signed.payload == {"mandate_id": mandate.id}


def test_the_catalogue_renders_as_a_table_with_its_consumers() -> None:
    table = catalogue.markdown([LIVE])
    assert table.startswith("| event | subject | payload | consumers |")
    assert "| `mandates:signature:created` | mandate | `mandate_id` | live |" in table
    assert "| `votes:ballot:cast` | vote | `vote_id` | — |" in table


def test_the_readme_shows_the_catalogue_as_it_is() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("<!-- events -->\n", 1)[1].split("<!-- /events -->", 1)[0]
    assert shown == catalogue.markdown(), "update the README's table with `auftrag events`"
