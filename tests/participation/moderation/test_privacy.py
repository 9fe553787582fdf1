"""A person's flags, suspensions and decisions in her export; her flag texts go on erasure."""

from __future__ import annotations

import pytest
from tortoise.connection import connections

from participation.accounts.models import User
from participation.moderation import commands, privacy
from participation.moderation.models import Flag
from tests import factories
from tests.factories import moderation

pytestmark = pytest.mark.usefixtures("database")


async def test_export_and_erasure() -> None:
    d = await moderation.discussion()
    flagger = await factories.person(lives_in=d.town)
    await commands.flag_comment(flagger, d.comment.id, "other", "Meine Adresse steht da")
    await commands.suspend_account(
        d.moderator, d.town.slug, d.author.user_id, moderation.later(days=1), "Spam"
    )
    [given] = await privacy.flags_given(flagger.user_id)
    assert (given["reason"], given["text"]) == ("other", "Meine Adresse steht da")
    [received] = await privacy.suspensions_received(d.author.user_id)
    assert received["reason"] == "Spam"
    [decision] = await privacy.decisions_taken(d.moderator.user_id)
    assert decision["action"] == "suspend"
    user = await User.get(id=flagger.user_id)
    await privacy.erase_flag_texts(connections.get("default"), user)
    assert (await Flag.get(user_id=flagger.user_id)).text is None
