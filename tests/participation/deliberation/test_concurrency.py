"""Endorsements racing on PostgreSQL: the counter is the number of rows behind it."""

from __future__ import annotations

import asyncio

import pytest

from participation.deliberation import commands
from participation.deliberation.models import Comment, Endorsement
from tests import factories
from tests.factories import deliberation as talk

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("database")]

PEOPLE = 10


async def test_many_endorsing_twice_at_once_count_once_each_and_withdrawals_too() -> None:
    town = await factories.municipality()
    author = await factories.person()
    thread = await talk.thread_of(await factories.mandate(author, town))
    comment = await talk.post(author, thread)
    fans = await factories.people(PEOPLE)
    start = asyncio.Event()

    async def endorse(index: int) -> commands.Endorsing:
        await start.wait()
        return await commands.endorse_comment(fans[index % PEOPLE], comment.id)

    racing = [asyncio.create_task(endorse(i)) for i in range(PEOPLE * 2)]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*racing)
    assert sum(o.changed for o in outcomes) == PEOPLE
    assert await Endorsement.filter(comment_id=comment.id).count() == PEOPLE
    assert (await Comment.get(id=comment.id)).endorsement_count == PEOPLE

    start.clear()

    async def withdraw(index: int) -> commands.Endorsing:
        await start.wait()
        return await commands.withdraw_endorsement(fans[index % PEOPLE], comment.id)

    racing = [asyncio.create_task(withdraw(i)) for i in range(PEOPLE * 2)]
    await asyncio.sleep(0.05)
    start.set()
    outcomes = await asyncio.gather(*racing)
    assert sum(o.changed for o in outcomes) == PEOPLE
    assert (await Comment.get(id=comment.id)).endorsement_count == 0
