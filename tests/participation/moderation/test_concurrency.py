"""Fifty flags at once on PostgreSQL: the comment is hidden exactly once, all are counted."""

from __future__ import annotations

import asyncio

import pytest

from participation.deliberation.models import Comment
from participation.moderation import commands
from participation.moderation.models import Flag, ModerationAction, ModerationEntry
from participation.outbox.models import OutboxEvent
from tests import factories
from tests.factories import moderation

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("database")]

FLAGGERS = 50


async def test_fifty_concurrent_flags_hide_the_comment_exactly_once() -> None:
    d = await moderation.discussion()
    people = [await factories.person(lives_in=d.town) for _ in range(FLAGGERS)]
    start = asyncio.Event()

    async def flag(index: int) -> commands.FlagOutcome:
        await start.wait()
        return await commands.flag_comment(people[index], d.comment.id, "spam")

    racing = [asyncio.create_task(flag(i)) for i in range(FLAGGERS)]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*racing, return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sum(1 for o in outcomes if isinstance(o, commands.FlagOutcome) and o.hid) == 1

    stored = await Comment.get(id=d.comment.id)
    assert stored.flag_count == FLAGGERS == await Flag.filter(comment_id=d.comment.id).count()
    assert stored.hidden_at is not None and stored.hidden_pending_review
    assert (
        await ModerationEntry.filter(
            comment_id=d.comment.id, action=ModerationAction.AUTO_HIDE
        ).count()
        == 1
    )
    assert await OutboxEvent.filter(name="moderation:comment:hidden").count() == 1
    assert await OutboxEvent.filter(name="moderation:comment:flagged").count() == FLAGGERS


async def test_a_decision_racing_flags_keeps_the_count_equal_to_the_open_flags() -> None:
    d = await moderation.discussion(threshold=100)
    people = [await factories.person(lives_in=d.town) for _ in range(20)]
    await commands.flag_comment(people[0], d.comment.id, "spam")
    start = asyncio.Event()

    async def flag(index: int) -> object:
        await start.wait()
        return await commands.flag_comment(people[index], d.comment.id, "spam")

    async def dismiss() -> object:
        await start.wait()
        return await commands.dismiss_flags(d.moderator, d.comment.id, "Keine Verstöße")

    racing = [asyncio.create_task(flag(i)) for i in range(1, 20)]
    racing.insert(10, asyncio.create_task(dismiss()))
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*racing, return_exceptions=True)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    stored = await Comment.get(id=d.comment.id)
    open_flags = await Flag.filter(comment_id=d.comment.id, resolved_at__isnull=True).count()
    assert stored.flag_count == open_flags
