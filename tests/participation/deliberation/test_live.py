"""Every change a thread shows signals its open pages, once per thread and batch."""

from __future__ import annotations

from typing import Any

import pytest

from participation.deliberation import commands
from participation.deliberation.live import LIVE
from participation.outbox.consumers import Runner
from tests import factories
from tests.factories import deliberation as talk

pytestmark = pytest.mark.usefixtures("database")


class RecordingBus:
    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        self.messages.append((topic, message))


async def test_posting_editing_and_deleting_signal_the_thread() -> None:
    town = await factories.municipality()
    citizen = await factories.person()
    thread = await talk.thread_of(await factories.mandate(citizen, town))
    bus = RecordingBus()
    runner = Runner(LIVE, {"bus": bus}, 0.5)
    await runner.run_once()
    bus.messages.clear()
    first = await talk.post(citizen, thread)
    second = await talk.post(citizen, thread, parent=first)
    await runner.run_once()
    assert bus.messages == [
        (
            f"thread:{thread.id}",
            {"type": "thread", "thread_id": thread.id, "comment_ids": [first.id, second.id]},
        )
    ]
    bus.messages.clear()
    await commands.edit_comment(citizen, first.id, "Anders gesagt")
    await commands.delete_comment(citizen, second.id)
    await runner.run_once()
    assert [m["comment_ids"] for _, m in bus.messages] == [[first.id, second.id]]


def test_a_moderators_hiding_and_a_lock_signal_the_thread_but_flags_do_not() -> None:
    for name in (
        "moderation:comment:hidden",
        "moderation:comment:restored",
        "moderation:thread:locked",
        "moderation:thread:unlocked",
    ):
        assert LIVE.matches(name), name
    # Told to the answered person, and invisible until a flag hides the comment.
    assert not LIVE.matches("deliberation:comment:replied")
    assert not LIVE.matches("moderation:comment:flagged")
