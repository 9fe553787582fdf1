"""What moderators decide on a comment and a thread, and the author's request for review."""

from __future__ import annotations

import pytest

from participation.deliberation.models import Comment, Thread
from participation.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from participation.moderation import commands
from participation.moderation.models import Flag, FlagResolution, ModerationEntry
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from tests import factories
from tests.factories import moderation

pytestmark = pytest.mark.usefixtures("database")


async def _names(thread_id: int) -> list[str]:
    rows = await OutboxEvent.filter(subject_type="thread", subject_id=thread_id).order_by("id")
    return [r.name for r in rows if r.name.startswith("moderation:")]


async def test_hiding_shows_the_reason_upholds_the_flags_and_logs_the_role() -> None:
    d = await moderation.discussion()
    await moderation.flagged(d.comment, 2)
    await commands.hide_comment(d.moderator, d.comment.id, "  Beleidigung eines Nachbarn ")
    stored = await Comment.get(id=d.comment.id)
    assert stored.hidden_at is not None and stored.hidden_reason == "Beleidigung eines Nachbarn"
    assert not stored.hidden_pending_review and stored.flag_count == 0
    assert {f.resolution for f in await Flag.filter(comment_id=d.comment.id)} == {
        FlagResolution.UPHELD
    }
    [entry] = await ModerationEntry.filter(comment_id=d.comment.id)
    assert (entry.action, entry.moderator_role) == ("hide", "moderator")
    assert entry.moderator_id == d.moderator.user_id
    assert (await _names(d.thread.id))[-1] == "moderation:comment:hidden"


async def test_a_hidden_comment_is_not_hidden_twice_but_a_pending_one_is_confirmed() -> None:
    d = await moderation.discussion()
    await commands.hide_comment(d.moderator, d.comment.id, "Spam")
    with pytest.raises(Conflict):
        await commands.hide_comment(d.moderator, d.comment.id, "Noch einmal")
    other = await moderation.discussion()
    await moderation.flagged(other.comment, 3)
    await commands.hide_comment(other.moderator, other.comment.id, "Werbung")
    stored = await Comment.get(id=other.comment.id)
    assert stored.hidden_reason == "Werbung" and not stored.hidden_pending_review


async def test_restoring_shows_the_comment_again_and_dismisses_open_flags() -> None:
    d = await moderation.discussion()
    await moderation.flagged(d.comment, 3)
    await commands.restore_comment(d.moderator, d.comment.id, "Sachliche Kritik")
    stored = await Comment.get(id=d.comment.id)
    assert stored.hidden_at is None and stored.hidden_reason is None and stored.flag_count == 0
    assert {f.resolution for f in await Flag.filter(comment_id=d.comment.id)} == {
        FlagResolution.DISMISSED
    }
    with pytest.raises(Conflict):
        await commands.restore_comment(d.moderator, d.comment.id, "Noch einmal")


async def test_dismissing_needs_open_flags_on_a_shown_comment() -> None:
    d = await moderation.discussion()
    with pytest.raises(Conflict):
        await commands.dismiss_flags(d.moderator, d.comment.id, "Nichts zu tun")
    await moderation.flagged(d.comment, 2)
    await commands.dismiss_flags(d.moderator, d.comment.id, "Hält sich an die Regeln")
    assert (await Comment.get(id=d.comment.id)).flag_count == 0
    await moderation.flagged(d.comment, 3)
    with pytest.raises(Conflict):
        await commands.dismiss_flags(d.moderator, d.comment.id, "Versteckt")
    assert await _names(d.thread.id) == [
        "moderation:comment:flagged",
        "moderation:comment:flagged",
        "moderation:flags:dismissed",
        "moderation:comment:flagged",
        "moderation:comment:flagged",
        "moderation:comment:flagged",
        "moderation:comment:hidden",
    ]


async def test_a_reason_is_required_and_bounded_and_the_action_named() -> None:
    d = await moderation.discussion()
    for reason in ("", "   ", "x" * 501, "zwei\nZeilen"):
        with pytest.raises(InvalidInput) as bad:
            await commands.hide_comment(d.moderator, d.comment.id, reason)
        assert [e.field for e in bad.value.errors] == ["reason"]
    with pytest.raises(InvalidInput) as action:
        await commands.moderate_comment(d.moderator, d.comment.id, "delete", "Weg")
    assert [e.field for e in action.value.errors] == ["action"]
    assert (await Comment.get(id=d.comment.id)).hidden_at is None
    assert await ModerationEntry.all().count() == 0


async def test_only_moderators_and_administrators_of_the_municipality_decide() -> None:
    d = await moderation.discussion()
    elsewhere = await factories.municipality()
    foreign = await moderation.moderator(elsewhere)
    for who in (
        d.author,
        await factories.person(),
        await factories.council_member(d.town),
        foreign,
    ):
        with pytest.raises(PermissionDenied):
            await commands.hide_comment(who, d.comment.id, "Nein")
    admin = await factories.person(role=Role.ADMIN, municipality=d.town)
    await commands.hide_comment(admin, d.comment.id, "Spam")
    assert (await ModerationEntry.get(comment_id=d.comment.id)).moderator_role == "admin"
    with pytest.raises(NotFound):
        await commands.hide_comment(d.moderator, 999_999, "Spam")


async def test_the_author_asks_for_review_once_and_only_of_a_hidden_comment() -> None:
    d = await moderation.discussion()
    with pytest.raises(Conflict):
        await commands.request_review(d.author, d.comment.id)
    await commands.hide_comment(d.moderator, d.comment.id, "Off-topic")
    with pytest.raises(PermissionDenied):
        await commands.request_review(await factories.person(), d.comment.id)
    await commands.request_review(d.author, d.comment.id)
    with pytest.raises(Conflict):
        await commands.request_review(d.author, d.comment.id)
    assert (await _names(d.thread.id))[-1] == "moderation:review:requested"
    # Hiding again answers the request: the comment stays hidden, off the queue.
    await commands.hide_comment(d.moderator, d.comment.id, "Bleibt off-topic")
    with pytest.raises(Conflict):
        await commands.hide_comment(d.moderator, d.comment.id, "Dreimal")


async def test_locking_and_unlocking_a_thread() -> None:
    d = await moderation.discussion()
    with pytest.raises(PermissionDenied):
        await commands.lock_thread(d.author, d.thread.id, "Ruhe")
    await commands.lock_thread(d.moderator, d.thread.id, "Die Debatte ist entgleist")
    assert (await Thread.get(id=d.thread.id)).locked_at is not None
    with pytest.raises(Conflict):
        await commands.lock_thread(d.moderator, d.thread.id, "Nochmal")
    await commands.unlock_thread(d.moderator, d.thread.id, "Wieder offen")
    assert (await Thread.get(id=d.thread.id)).locked_at is None
    with pytest.raises(Conflict):
        await commands.unlock_thread(d.moderator, d.thread.id, "Nochmal")
    entries = await ModerationEntry.filter(thread_id=d.thread.id).order_by("id")
    assert [(e.action, e.comment_id) for e in entries] == [("lock", None), ("unlock", None)]
    assert (await _names(d.thread.id)) == ["moderation:thread:locked", "moderation:thread:unlocked"]
