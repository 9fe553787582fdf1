"""Flagging a comment: the reasons, once per person, never one's own, and the threshold."""

from __future__ import annotations

import pytest

from participation.deliberation.models import Comment
from participation.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from participation.mandates.models import Status
from participation.moderation import commands, rules
from participation.moderation.models import Flag, ModerationAction, ModerationEntry
from participation.outbox.models import OutboxEvent
from tests import factories
from tests.factories import moderation
from tests.factories.deliberation import comment, thread_of

pytestmark = pytest.mark.usefixtures("database")


async def _events(thread_id: int, name: str) -> list[OutboxEvent]:
    return [
        e
        for e in await OutboxEvent.filter(subject_type="thread", subject_id=thread_id)
        if e.name == name
    ]


async def test_a_flag_counts_and_announces_itself_with_ids_only() -> None:
    d = await moderation.discussion()
    flagger = await factories.person()
    outcome = await commands.flag_comment(flagger, d.comment.id, "insult")
    assert not outcome.hid
    assert (await Comment.get(id=d.comment.id)).flag_count == 1
    [event] = await _events(d.thread.id, "moderation:comment:flagged")
    assert event.payload == {
        "thread_id": d.thread.id,
        "comment_id": d.comment.id,
        "reason": "insult",
    }


async def test_the_reason_other_needs_a_text_and_unknown_reasons_are_named() -> None:
    d = await moderation.discussion()
    flagger = await factories.person()
    with pytest.raises(InvalidInput) as missing:
        await commands.flag_comment(flagger, d.comment.id, "other", "  ")
    assert {e.field for e in missing.value.errors} == {"text"}
    with pytest.raises(InvalidInput) as long:
        await commands.flag_comment(flagger, d.comment.id, "spam", "x" * 1001)
    assert {e.field for e in long.value.errors} == {"text"}
    with pytest.raises(InvalidInput) as unknown:
        await commands.flag_comment(flagger, d.comment.id, "boring")
    assert {e.field for e in unknown.value.errors} == {"reason"}
    assert await Flag.filter(comment_id=d.comment.id).count() == 0
    await commands.flag_comment(flagger, d.comment.id, "other", "Werbung für einen Laden")
    assert (await Flag.get(comment_id=d.comment.id)).text == "Werbung für einen Laden"


async def test_one_flag_per_person_and_none_on_ones_own_comment() -> None:
    d = await moderation.discussion()
    flagger = await factories.person()
    await commands.flag_comment(flagger, d.comment.id, "spam")
    with pytest.raises(Conflict):
        await commands.flag_comment(flagger, d.comment.id, "insult")
    with pytest.raises(PermissionDenied) as own:
        await commands.flag_comment(d.author, d.comment.id, "spam")
    assert own.value.extra["reason"] == "own_comment"
    assert (await Comment.get(id=d.comment.id)).flag_count == 1


async def test_a_deleted_comment_takes_no_flags() -> None:
    d = await moderation.discussion()
    await Comment.filter(id=d.comment.id).update(deleted_at=d.comment.created_at)
    with pytest.raises(Conflict):
        await commands.flag_comment(await factories.person(), d.comment.id, "spam")


async def test_people_from_elsewhere_and_suspended_people_cannot_flag() -> None:
    d = await moderation.discussion()
    elsewhere = await factories.municipality()
    stranger = await factories.person(lives_in=elsewhere)
    with pytest.raises(PermissionDenied):
        await commands.flag_comment(stranger, d.comment.id, "spam")
    citizen = await factories.person()
    await commands.suspend_account(
        d.moderator, d.town.slug, citizen.user_id, moderation.later(days=3), "Beleidigungen"
    )
    with pytest.raises(PermissionDenied) as suspended:
        await commands.flag_comment(citizen, d.comment.id, "spam")
    assert suspended.value.extra["reason"] == "suspended"


async def test_reaching_the_threshold_hides_pending_review_and_logs_it_once() -> None:
    d = await moderation.discussion()
    assert d.town.flag_threshold == 3
    await moderation.flagged(d.comment, 2)
    assert (await Comment.get(id=d.comment.id)).hidden_at is None
    outcome = await commands.flag_comment(await factories.person(), d.comment.id, "insult")
    assert outcome.hid
    stored = await Comment.get(id=d.comment.id)
    assert stored.hidden_at is not None and stored.hidden_pending_review
    assert stored.hidden_reason == rules.AUTO_HIDE_REASON
    # A fourth flag is counted but hides nothing again.
    fourth = await commands.flag_comment(await factories.person(), d.comment.id, "spam")
    assert not fourth.hid
    assert (await Comment.get(id=d.comment.id)).flag_count == 4
    [entry] = await ModerationEntry.filter(comment_id=d.comment.id)
    assert entry.action == ModerationAction.AUTO_HIDE and entry.moderator_role is None
    [hidden] = await _events(d.thread.id, "moderation:comment:hidden")
    assert hidden.payload == {
        "thread_id": d.thread.id,
        "comment_id": d.comment.id,
        "automatic": True,
    }


async def test_the_municipalitys_threshold_decides() -> None:
    d = await moderation.discussion(threshold=1)
    assert (await commands.flag_comment(await factories.person(), d.comment.id, "spam")).hid


async def test_flags_never_hide_an_official_statement() -> None:
    d = await moderation.discussion()
    council = await factories.council_member(d.town)
    statement = await comment(council, d.thread, "Die Verwaltung prüft das.")
    await Comment.filter(id=statement.id).update(official=True, official_role="council")
    await moderation.flagged(statement, 5)
    stored = await Comment.get(id=statement.id)
    assert stored.flag_count == 5 and stored.hidden_at is None
    assert await ModerationEntry.filter(comment_id=statement.id).count() == 0


async def test_a_comment_on_a_draft_cannot_be_flagged_by_those_who_cannot_see_it() -> None:
    town = await factories.municipality()
    initiator = await factories.person(lives_in=town)
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    row = await comment(initiator, await thread_of(draft), "Entwurf")
    with pytest.raises(NotFound):
        await commands.flag_comment(await factories.person(lives_in=town), row.id, "spam")
