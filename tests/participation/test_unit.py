"""The unit of work: events are kept with the change, hooks run only once it is final."""

from __future__ import annotations

import pytest

from participation import unit
from participation.outbox import events
from participation.outbox.models import OutboxEvent

pytestmark = pytest.mark.usefixtures("database")


async def _rename(u: unit.Unit, user_id: int) -> None:
    await u.record("accounts:user:renamed", "user", user_id, municipality_id=None, user_id=user_id)


async def test_hooks_and_wake_ups_run_after_the_commit_and_only_then() -> None:
    seen: list[str] = []

    def woken() -> None:
        seen.append("woken")

    events.on_commit(woken)
    try:
        async with unit.atomic() as u:
            await _rename(u, 1)
            u.after_commit(lambda: seen.append("hook"))
            assert seen == []
        assert seen == ["woken", "hook"]
    finally:
        events.forget(woken)


async def test_a_failed_unit_keeps_no_event_and_runs_no_hook() -> None:
    seen: list[str] = []
    with pytest.raises(RuntimeError):
        async with unit.atomic() as u:
            await _rename(u, 1)
            u.after_commit(lambda: seen.append("hook"))
            raise RuntimeError("refused")
    assert seen == []
    assert not await OutboxEvent.exists()


async def test_an_inner_unit_waits_for_the_outer_commit_and_fails_alone() -> None:
    seen: list[str] = []
    async with unit.atomic() as outer:
        async with unit.atomic() as inner:
            await _rename(inner, 1)
            inner.after_commit(lambda: seen.append("inner"))
        assert seen == []
        with pytest.raises(RuntimeError):
            async with unit.atomic() as failing:
                await _rename(failing, 2)
                failing.after_commit(lambda: seen.append("failing"))
                raise RuntimeError("refused")
        await _rename(outer, 3)
    assert seen == ["inner"]
    assert sorted(await OutboxEvent.all().values_list("subject_id", flat=True)) == [1, 3]


async def test_a_hook_that_fails_does_not_undo_the_commit_or_stop_the_others() -> None:
    seen: list[str] = []

    def broken() -> None:
        raise RuntimeError("mail server down")

    async with unit.atomic() as u:
        await _rename(u, 1)
        u.after_commit(broken)
        u.after_commit(lambda: seen.append("next"))
    assert seen == ["next"]
    assert await OutboxEvent.exists()
