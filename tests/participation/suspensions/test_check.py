"""Suspending an account in one municipality: reading stays, writing goes, for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation.errors import InvalidInput, PermissionDenied
from participation.mandates import commands as mandates
from participation.moderation import commands
from participation.moderation.models import ModerationEntry
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.suspensions.check import ensure_not_suspended
from tests import factories
from tests.factories import moderation, time_travel

pytestmark = pytest.mark.usefixtures("database")


async def test_a_suspension_stops_writing_here_until_it_ends() -> None:
    d = await moderation.discussion()
    until = moderation.later(days=7)
    suspension = await commands.suspend_account(
        d.moderator, d.town.slug, d.author.user_id, until, "Wiederholte Beleidigungen"
    )
    with pytest.raises(PermissionDenied) as refused:
        await ensure_not_suspended(d.author, d.town.id)
    assert refused.value.extra["reason"] == "suspended"
    with pytest.raises(PermissionDenied):
        await mandates.launch_mandate(
            d.author, d.town.slug, title="Neu", summary="Kurz", body="Lang genug"
        )
    elsewhere = await factories.municipality()
    await ensure_not_suspended(d.author, elsewhere.id)
    with time_travel(until + timedelta(seconds=1)):
        await ensure_not_suspended(d.author, d.town.id)
    [event] = await OutboxEvent.filter(name="moderation:account:suspended")
    assert (event.subject_type, event.subject_id) == ("user", d.author.user_id)
    assert event.payload == {"user_id": d.author.user_id, "suspension_id": suspension.id}
    [entry] = await ModerationEntry.filter(action="suspend")
    assert entry.until == until and entry.comment_id is None and entry.thread_id is None


async def test_a_suspension_does_not_take_away_co_signing() -> None:
    d = await moderation.discussion()
    signer = await factories.person(lives_in=d.town)
    await commands.suspend_account(
        d.moderator, d.town.slug, signer.user_id, moderation.later(days=1), "Spam"
    )
    outcome = await mandates.sign_mandate(signer, d.mandate.id)
    assert outcome is not None


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("past", "until"),
        ("too far", "until"),
        ("no reason", "reason"),
        ("nobody", "user_id"),
        ("herself", "user_id"),
        ("a moderator", "user_id"),
    ],
)
async def test_bad_suspensions_are_refused_naming_the_field(case: str, field: str) -> None:
    d = await moderation.discussion()
    other = await moderation.moderator(d.town, "Zweite Moderatorin")
    user_id = {"nobody": 999_999, "herself": d.moderator.user_id, "a moderator": other.user_id}
    until = {"past": moderation.later(minutes=-1), "too far": moderation.later(days=366)}
    with pytest.raises(InvalidInput) as bad:
        await commands.suspend_account(
            d.moderator,
            d.town.slug,
            user_id.get(case, d.author.user_id),
            until.get(case, moderation.later(days=3)),
            "" if case == "no reason" else "Spam",
        )
    assert [e.field for e in bad.value.errors] == [field]
    assert await ModerationEntry.all().count() == 0


async def test_only_moderators_and_administrators_here_suspend() -> None:
    d = await moderation.discussion()
    elsewhere = await factories.municipality()
    for who in (
        await factories.person(),
        await factories.council_member(d.town),
        await moderation.moderator(elsewhere),
    ):
        with pytest.raises(PermissionDenied):
            await commands.suspend_account(
                who, d.town.slug, d.author.user_id, moderation.later(days=1), "Nein"
            )
    admin = await factories.person(role=Role.ADMIN, municipality=d.town)
    await commands.suspend_account(
        admin, d.town.slug, d.author.user_id, moderation.later(days=1), "Spam"
    )
