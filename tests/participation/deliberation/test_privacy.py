"""A person's comments and endorsements in her export, and what her account's deletion leaves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from participation import privacy
from participation.accounts.models import User
from participation.accounts.privacy import delete_account
from participation.deliberation import commands, queries
from participation.deliberation.models import Comment, CommentRevision, Endorsement
from tests import factories
from tests.factories import deliberation as talk

pytestmark = pytest.mark.usefixtures("database")


async def test_the_export_holds_her_comments_versions_and_endorsements() -> None:
    town = await factories.municipality()
    author = await factories.person()
    thread = await talk.thread_of(await factories.mandate(author, town))
    posted = await commands.post_comment(author, thread.id, "Erste Fassung", "for")
    await commands.edit_comment(author, posted.id, "Zweite Fassung")
    other = await talk.post(await factories.person(), thread)
    await commands.endorse_comment(author, other.id)
    document = await privacy.export(author.user_id, datetime.now(UTC))
    [mine] = document["comments"]
    assert mine["body"] == "Zweite Fassung" and mine["stance"] == "for"
    assert [v["body"] for v in mine["earlier_versions"]] == ["Erste Fassung"]
    assert [e["comment_id"] for e in document["endorsements"]] == [other.id]


async def test_deletion_empties_her_comments_keeps_replies_and_lowers_counts() -> None:
    town = await factories.municipality()
    author = await factories.person(email="weg@example.org")
    thread = await talk.thread_of(await factories.mandate(await factories.person(), town))
    posted = await commands.post_comment(author, thread.id, "Mein Text", "for")
    await commands.edit_comment(author, posted.id, "Mein neuer Text")
    reply = await talk.post(await factories.person(), thread, parent=posted)
    await commands.endorse_comment(author, reply.id)
    assert (await Comment.get(id=reply.id)).endorsement_count == 1
    await delete_account(author, "weg@example.org")
    assert not await User.filter(id=author.user_id).exists()
    stored = await Comment.get(id=posted.id)
    assert stored.body == "" and stored.body_html == "" and stored.deleted_at is not None
    assert stored.author_id is None
    assert not await CommentRevision.filter(comment_id=posted.id).exists()
    assert (await Comment.get(id=reply.id)).endorsement_count == 0
    assert not await Endorsement.filter(comment_id=reply.id).exists()
    page, _ = await queries.comments_page(None, thread)
    assert page[0]["deleted"] and page[0]["author"] is None
    assert [r["id"] for r in page[0]["replies"]] == [reply.id]
