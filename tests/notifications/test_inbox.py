"""The inbox: newest first, page by page, unread news of one subject as one item; marking
read, one group or all; nobody reads or marks another's."""

from __future__ import annotations

import pytest
from tortoise.connection import connections

from notifications import inbox
from notifications.models import Notification
from notifications.privacy import erase_notifications, notifications_received
from notifications.sentences import translated
from participation.accounts.models import User
from participation.errors import InvalidInput, NotAuthenticated, NotFound
from participation.outbox.models import OutboxEvent
from server import i18n
from tests.factories import people
from tests.factories.notifications import notification

pytestmark = pytest.mark.usefixtures("database")


async def test_unread_comments_on_one_subject_show_as_one_item_with_the_newest_link() -> None:
    anna, ben = await people(2)
    first = await notification(anna, subject_id=7)
    await notification(anna, subject_id=7)
    newest = await notification(anna, subject_id=7)
    other = await notification(anna, "votes:vote:opened", subject_id=9, subject_title="Haushalt")
    await notification(ben, subject_id=7)
    items, cursor = await inbox.list_inbox(anna)
    assert cursor is None
    assert [(i.id, i.count) for i in items] == [(other.id, 1), (newest.id, 3)]
    assert str(items[1].sentence) == "3 new comments on “Thema 7”."
    assert str(items[0].sentence) == "The vote “Haushalt” is open."
    assert items[1].url == newest.data["url"]
    assert await inbox.unread_count(anna) == 4
    # Marking the group read marks all three; read, they show one by one.
    assert await inbox.mark_read(anna, newest.id) == 3
    assert await inbox.unread_count(anna) == 1
    items, _ = await inbox.list_inbox(anna)
    assert [i.id for i in items][-1] == first.id
    assert all(i.count == 1 for i in items)
    unread, _ = await inbox.list_inbox(anna, unread=True)
    assert [i.id for i in unread] == [other.id]


async def test_pages_follow_the_cursor_without_gaps_or_repeats() -> None:
    (anna,) = await people(1)
    made = [await notification(anna, subject_id=n) for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        items, cursor = await inbox.list_inbox(anna, limit=2, cursor=cursor)
        seen += [i.id for i in items]
        if cursor is None:
            break
    assert seen == [n.id for n in reversed(made)]
    with pytest.raises(InvalidInput) as bad:
        await inbox.list_inbox(anna, cursor="abc")
    assert [e.field for e in bad.value.errors] == ["cursor"]


async def test_mark_all_read_and_nobody_marks_another_persons() -> None:
    anna, ben = await people(2)
    mine = await notification(anna, subject_id=1)
    await notification(anna, subject_id=2)
    with pytest.raises(NotFound):
        await inbox.mark_read(ben, mine.id)
    with pytest.raises(NotAuthenticated):
        await inbox.mark_all_read(None)
    assert await inbox.mark_all_read(anna) == 2
    assert await inbox.mark_all_read(anna) == 0
    assert await inbox.unread_count(anna) == 0
    assert await Notification.filter(read_at__isnull=True).count() == 0
    # Her open pages hear of it: one event, through the outbox.
    assert await OutboxEvent.filter(name="notifications:inbox:read").count() == 1


async def test_sentences_are_in_her_language() -> None:
    (anna,) = await people(1)
    await notification(anna, "deliberation:comment:replied", subject_id=3, actor_name="Ben")
    (item,), _ = await inbox.list_inbox(anna)
    assert translated(item.sentence, i18n.catalog("de").gettext) == (
        "Ben hat auf deinen Kommentar zu „Thema 3“ geantwortet."
    )


async def test_her_inbox_is_exported_and_erased_with_her() -> None:
    anna, ben = await people(2)
    await notification(anna, subject_id=1)
    await notification(ben, subject_id=1)
    exported = await notifications_received(anna.user_id)
    assert [e["event"] for e in exported] == ["deliberation:comment:posted"]
    assert exported[0]["data"]["subject_title"] == "Thema 1"
    await erase_notifications(connections.get("default"), await User.get(id=anna.user_id))
    assert await Notification.filter(recipient_id=anna.user_id).count() == 0
    assert await Notification.filter(recipient_id=ben.user_id).count() == 1
