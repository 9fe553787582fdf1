"""The moderators' queue, an account's record and the public log, as they read them."""

from __future__ import annotations

import pytest

from participation.deliberation.models import Comment, SubjectType, Thread
from participation.errors import InvalidInput, PermissionDenied
from participation.mandates.models import Status
from participation.moderation import commands, queries
from tests import factories
from tests.factories import moderation, plans
from tests.factories.deliberation import comment

pytestmark = pytest.mark.usefixtures("database")


async def test_the_queue_orders_review_requests_then_flags_then_age() -> None:
    d = await moderation.discussion()
    old = d.comment
    busy = await comment(d.author, d.thread, "Viel gemeldet")
    asked = await comment(d.author, d.thread, "Bitte noch einmal ansehen")
    quiet = await comment(d.author, d.thread, "Ohne Meldung")
    await moderation.flagged(old, 1, "spam")
    await moderation.flagged(busy, 2, "insult")
    await commands.flag_comment(await factories.person(lives_in=d.town), busy.id, "off_topic")
    await commands.hide_comment(d.moderator, asked.id, "Werbung")
    await commands.request_review(d.author, asked.id)
    items, cursor = await queries.moderation_queue(d.moderator, d.town.slug)
    assert cursor is None
    assert [i["comment"]["id"] for i in items] == [asked.id, busy.id, old.id]
    assert quiet.id not in [i["comment"]["id"] for i in items]
    first, second, _ = items
    assert first["comment"]["review_requested"] and first["comment"]["hidden"]
    assert second["flags"] == 3 and second["reasons"] == {"insult": 2, "off_topic": 1}
    assert second["comment"]["body_html"] and second["subject"] == {
        "type": "mandate",
        "id": d.mandate.id,
        "thread_id": d.thread.id,
        "url": f"/mandates/{d.mandate.id}",
    }
    assert second["comment"]["url"] == f"/mandates/{d.mandate.id}#comment-{busy.id}"
    page, after = await queries.moderation_queue(d.moderator, d.town.slug, limit=2)
    assert len(page) == 2 and after == "2"
    rest, end = await queries.moderation_queue(d.moderator, d.town.slug, 2, after)
    assert [i["comment"]["id"] for i in rest] == [old.id] and end is None
    assert await queries.open_items([d.town.id]) == {d.town.id: 3}


async def test_a_decided_item_leaves_the_queue_and_a_hidden_one_shows_its_text() -> None:
    d = await moderation.discussion("Geheimer **Text**")
    await moderation.flagged(d.comment, 3)
    [item], _ = await queries.moderation_queue(d.moderator, d.town.slug)
    assert item["comment"]["hidden_pending_review"]
    assert "Geheimer" in item["comment"]["body_html"]
    await commands.hide_comment(d.moderator, d.comment.id, "Beleidigung")
    assert await queries.moderation_queue(d.moderator, d.town.slug) == ([], None)
    assert await queries.open_items([d.town.id]) == {}


async def test_the_queue_is_for_moderators_of_the_municipality_and_checks_its_cursor() -> None:
    d = await moderation.discussion()
    foreign = await moderation.moderator(await factories.municipality())
    with pytest.raises(PermissionDenied):
        await queries.moderation_queue(foreign, d.town.slug)
    with pytest.raises(InvalidInput) as bad:
        await queries.moderation_queue(d.moderator, d.town.slug, cursor="x")
    assert [e.field for e in bad.value.errors] == ["cursor"]


async def test_an_accounts_record_shows_comments_flags_and_suspensions() -> None:
    d = await moderation.discussion()
    await moderation.flagged(d.comment, 2, "insult")
    await commands.suspend_account(
        d.moderator, d.town.slug, d.author.user_id, moderation.later(days=2), "Beleidigungen"
    )
    record = await queries.account_record(d.moderator, d.town.slug, d.author.user_id)
    assert record["display_name"] == "Anna Autorin"
    assert [c["id"] for c in record["comments"]] == [d.comment.id]
    assert record["flags_received"] == {"insult": 2}
    assert [s["reason"] for s in record["suspensions"]] == ["Beleidigungen"]
    with pytest.raises(PermissionDenied):
        await queries.account_record(d.author, d.town.slug, d.author.user_id)


async def test_the_log_is_newest_first_with_roles_links_and_pages() -> None:
    d = await moderation.discussion()
    await moderation.flagged(d.comment, 3)
    await commands.restore_comment(d.moderator, d.comment.id, "Sachlich")
    await commands.lock_thread(d.moderator, d.thread.id, "Ruhe bitte")
    items, cursor = await queries.moderation_log(d.town.slug)
    assert cursor is None
    assert [(i["action"], i["moderator_role"], i["automatic"]) for i in items] == [
        ("lock", "moderator", False),
        ("restore", "moderator", False),
        ("auto_hide", None, True),
    ]
    assert items[0]["url"] == f"/mandates/{d.mandate.id}#discussion"
    assert items[1]["url"] == f"/mandates/{d.mandate.id}#comment-{d.comment.id}"
    page, after = await queries.moderation_log(d.town.slug, limit=2)
    assert len(page) == 2 and after is not None
    rest, _ = await queries.moderation_log(d.town.slug, 2, after)
    assert [i["action"] for i in rest] == ["auto_hide"]
    assert (await Comment.get(id=d.comment.id)).hidden_at is None


async def test_a_measures_discussion_links_to_the_measures_page() -> None:
    town = await factories.municipality(quorum=2)
    council = await factories.council_member(town)
    accepted = await factories.mandate(
        await factories.person(lives_in=town), town, Status.ACCEPTED, council=council
    )
    measure = await plans.measure(council, accepted)
    thread, _ = await Thread.get_or_create(
        subject_type=SubjectType.MEASURE,
        subject_id=measure.id,
        defaults={"municipality_id": town.id},
    )
    assert queries.subject_paths([thread]) == {thread.id: f"/measures/{measure.id}"}
