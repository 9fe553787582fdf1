"""Posting, replying, editing, deleting and endorsing: what a person notices, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation import clock
from participation.accounts.models import User
from participation.actors import Actor
from participation.deliberation import commands, queries
from participation.deliberation.models import Comment, CommentRevision, Endorsement, Thread
from participation.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.suspensions.models import Suspension
from tests import factories
from tests.factories import answers as answer_factories
from tests.factories import deliberation as talk
from tests.factories import time_travel

pytestmark = pytest.mark.usefixtures("database")


async def _setup() -> tuple[Municipality, Actor, Mandate, Thread]:
    town = await factories.municipality()
    citizen = await factories.person(name="Clara Bürgerin")
    mandate = await factories.mandate(citizen, town)
    return town, citizen, mandate, await talk.thread_of(mandate)


def _fields(exc: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return {e.field for e in exc.value.errors}


async def _names(thread: Thread) -> list[str]:
    rows = await OutboxEvent.filter(subject_type="thread", subject_id=thread.id).order_by("id")
    return [r.name for r in rows]


async def test_launching_a_mandate_opens_its_thread() -> None:
    _, _, mandate, _ = await _setup()
    assert await Thread.filter(subject_type="mandate", subject_id=mandate.id).count() == 1


async def test_a_comment_is_rendered_safely_and_announced() -> None:
    _, citizen, _, thread = await _setup()
    posted = await commands.post_comment(
        citizen, thread.id, "Ein **Argument** <script>alert(1)</script>", "for"
    )
    assert "<strong>Argument</strong>" in posted.body_html
    assert "<script>" not in posted.body_html
    assert posted.stance == "for" and posted.depth == 0
    event = await OutboxEvent.get(name="deliberation:comment:posted")
    assert event.payload == {
        "thread_id": thread.id,
        "comment_id": posted.id,
        "parent_id": None,
        "stance": "for",
        "official": False,
    }


async def test_replies_nest_to_depth_three_then_stay_beside_quoting_whom_they_answer() -> None:
    _, citizen, _, thread = await _setup()
    other = await factories.person(name="Otto Antwort")
    root = await talk.post(citizen, thread)
    one = await talk.post(other, thread, parent=root)
    two = await talk.post(citizen, thread, parent=one)
    three = await talk.post(other, thread, parent=two)
    four = await talk.post(citizen, thread, parent=three)
    assert [c.depth for c in (root, one, two, three, four)] == [0, 1, 2, 3, 3]
    assert four.parent_id == two.id and four.reply_to_id == three.id
    page, _ = await queries.comments_page(None, thread, "oldest")
    assert [c["id"] for c in page] == [root.id]
    replies = page[0]["replies"]
    assert [c["id"] for c in replies] == [one.id, two.id, three.id, four.id]
    assert replies[-1]["reply_to"] == {"id": three.id, "author": {"display_name": "Otto Antwort"}}
    assert replies[0]["reply_to"] is None


async def test_the_answered_author_is_told_but_not_when_answering_herself() -> None:
    _, citizen, _, thread = await _setup()
    other = await factories.person()
    root = await talk.post(citizen, thread)
    answer = await talk.post(other, thread, parent=root)
    await talk.post(citizen, thread, parent=answer)
    await talk.post(citizen, thread, parent=root)
    told = await OutboxEvent.filter(name="deliberation:comment:replied").order_by("id")
    assert [(e.subject_id, e.payload["comment_id"]) for e in told] == [
        (citizen.user_id, answer.id),
        (other.user_id, told[1].payload["comment_id"]),
    ]


@pytest.mark.parametrize(
    ("body", "stance", "field"),
    [
        ("", "for", "body"),
        ("   \n ", "for", "body"),
        ("x" * 10_001, "for", "body"),
        ("Gut", "maybe", "stance"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    body: str, stance: str, field: str
) -> None:
    _, citizen, _, thread = await _setup()
    with pytest.raises(InvalidInput) as exc:
        await commands.post_comment(citizen, thread.id, body, stance)
    assert _fields(exc) == {field}
    assert await Comment.all().count() == 0
    assert await _names(thread) == []


async def test_a_parent_missing_or_in_another_thread_is_refused() -> None:
    town, citizen, _, thread = await _setup()
    elsewhere = await talk.thread_of(await factories.mandate(citizen, town))
    foreign = await talk.post(citizen, elsewhere)
    gone = await talk.post(citizen, thread)
    await commands.delete_comment(citizen, gone.id)
    for parent_id in (foreign.id, 999_999, gone.id):
        with pytest.raises(InvalidInput) as exc:
            await commands.post_comment(citizen, thread.id, "Antwort", "neutral", parent_id)
        assert _fields(exc) == {"parent_id"}
    assert await Comment.filter(thread_id=thread.id).count() == 1


async def test_the_same_text_twice_within_ten_minutes_is_a_duplicate() -> None:
    town, citizen, _, thread = await _setup()
    elsewhere = await talk.thread_of(await factories.mandate(citizen, town))
    await commands.post_comment(citizen, thread.id, "Gleicher Text")
    with pytest.raises(InvalidInput) as exc:
        await commands.post_comment(citizen, elsewhere.id, "Gleicher Text")
    assert _fields(exc) == {"body"}
    other = await factories.person()
    await commands.post_comment(other, thread.id, "Gleicher Text")
    with time_travel(clock.now() + timedelta(minutes=11)):
        await commands.post_comment(citizen, thread.id, "Gleicher Text")


async def test_new_accounts_may_post_at_most_two_links_of_any_form() -> None:
    _, citizen, _, thread = await _setup()
    three = "[a](https://a.example) <https://b.example> [c](https://c.example)"
    with pytest.raises(InvalidInput) as exc:
        await commands.post_comment(citizen, thread.id, three)
    assert _fields(exc) == {"body"}
    referenced = "[a][x] [b][x] [c][x]\n\n[x]: https://a.example"
    with pytest.raises(InvalidInput):
        await commands.post_comment(citizen, thread.id, referenced)
    await commands.post_comment(citizen, thread.id, "[a](https://a.example) <https://b.example>")
    await User.filter(id=citizen.user_id).update(created_at=clock.now() - timedelta(hours=25))
    await commands.post_comment(citizen, thread.id, three)


async def test_anonymous_unverified_and_outsiders_may_not_post() -> None:
    town, _, _, thread = await _setup()
    with pytest.raises(NotAuthenticated):
        await commands.post_comment(None, thread.id, "Hallo")
    unverified = await factories.person(verified=False)
    with pytest.raises(PermissionDenied):
        await commands.post_comment(unverified, thread.id, "Hallo")
    outsider = await factories.person(lives_in=None)
    with pytest.raises(PermissionDenied) as exc:
        await commands.post_comment(outsider, thread.id, "Hallo")
    assert exc.value.extra["reason"] == "residence_not_declared"


async def test_a_draft_mandates_thread_is_as_hidden_as_the_draft() -> None:
    town, citizen, _, _ = await _setup()
    draft = await factories.mandate(citizen, town, Status.DRAFT)
    thread = await talk.thread_of(draft)
    stranger = await factories.person()
    with pytest.raises(NotFound):
        await commands.post_comment(stranger, thread.id, "Hallo")
    await commands.post_comment(citizen, thread.id, "Meine Notiz")


async def test_locked_and_suspended_writers_get_a_clear_refusal() -> None:
    town, citizen, _, thread = await _setup()
    mine = await talk.post(citizen, thread)
    await Suspension.create(
        user_id=citizen.user_id,
        municipality_id=town.id,
        until=clock.now() + timedelta(days=1),
        reason="Beleidigungen",
    )
    for attempt in (
        commands.post_comment(citizen, thread.id, "Noch was"),
        commands.edit_comment(citizen, mine.id, "Anders"),
        commands.endorse_comment(citizen, mine.id),
    ):
        with pytest.raises(PermissionDenied) as exc:
            await attempt
        assert exc.value.extra["reason"] == "suspended"
    other = await factories.person()
    await Thread.filter(id=thread.id).update(locked_at=clock.now())
    with pytest.raises(PermissionDenied) as locked:
        await commands.post_comment(other, thread.id, "Hallo")
    assert locked.value.extra["reason"] == "locked"
    assert await Comment.filter(thread_id=thread.id).count() == 1


async def test_editing_keeps_the_earlier_version_within_the_window_only() -> None:
    _, citizen, _, thread = await _setup()
    posted = await commands.post_comment(citizen, thread.id, "Erste Fassung", "for")
    edited = await commands.edit_comment(citizen, posted.id, "Zweite *Fassung*", "against")
    assert edited.edited_at is not None
    stored = await Comment.get(id=posted.id)
    assert (stored.body, stored.stance) == ("Zweite *Fassung*", "against")
    versions = await queries.history(stored)
    assert [v["stance"] for v in versions] == ["for"]
    assert "Erste Fassung" in versions[0]["body_html"]
    assert "deliberation:comment:edited" in await _names(thread)
    with time_travel(posted.created_at + timedelta(minutes=16)):
        with pytest.raises(InvalidInput) as exc:
            await commands.edit_comment(citizen, posted.id, "Dritte Fassung")
    assert _fields(exc) == {"comment_id"}
    assert await CommentRevision.filter(comment_id=posted.id).count() == 1


async def test_only_the_author_edits_or_deletes() -> None:
    _, citizen, _, thread = await _setup()
    posted = await talk.post(citizen, thread)
    other = await factories.person()
    with pytest.raises(PermissionDenied):
        await commands.edit_comment(other, posted.id, "Meins jetzt")
    with pytest.raises(PermissionDenied):
        await commands.delete_comment(other, posted.id)
    assert (await Comment.get(id=posted.id)).deleted_at is None


async def test_deletion_leaves_a_placeholder_with_the_replies_intact() -> None:
    _, citizen, _, thread = await _setup()
    other = await factories.person()
    root = await talk.post(citizen, thread, "Mein Argument")
    reply = await talk.post(other, thread, "Meine Antwort", parent=root)
    await commands.delete_comment(citizen, root.id)
    await commands.delete_comment(citizen, root.id)
    page, _ = await queries.comments_page(None, thread)
    assert page[0]["deleted"] and page[0]["body_html"] is None
    assert page[0]["replies"][0]["id"] == reply.id
    assert "Meine Antwort" in page[0]["replies"][0]["body_html"]
    assert (await _names(thread)).count("deliberation:comment:deleted") == 1
    with pytest.raises(InvalidInput) as exc:
        await commands.edit_comment(citizen, root.id, "Doch nicht")
    assert _fields(exc) == {"comment_id"}


async def test_endorsing_is_once_per_person_and_withdrawable() -> None:
    _, citizen, _, thread = await _setup()
    posted = await talk.post(citizen, thread)
    fan = await factories.person()
    first = await commands.endorse_comment(fan, posted.id)
    again = await commands.endorse_comment(fan, posted.id)
    assert (first.changed, first.endorsements) == (True, 1)
    assert (again.changed, again.endorsements) == (False, 1)
    await commands.endorse_comment(citizen, posted.id)
    assert (await Comment.get(id=posted.id)).endorsement_count == 2
    gone = await commands.withdraw_endorsement(fan, posted.id)
    assert (gone.changed, gone.endorsements) == (True, 1)
    assert not (await commands.withdraw_endorsement(fan, posted.id)).changed
    assert await Endorsement.filter(comment_id=posted.id).count() == 1


async def test_official_statements_are_signed_with_role_and_department() -> None:
    town, citizen, mandate, thread = await _setup()
    roads = await answer_factories.department(town, "Tiefbauamt")
    await mandate.__class__.filter(id=mandate.id).update(department_id=roads.id)
    council = await factories.person(role=Role.COUNCIL, municipality=town, name="Rita Rat")
    statement = await talk.post(council, thread, official=True)
    assert (statement.official_role, statement.official_department) == ("council", "Tiefbauamt")
    with pytest.raises(PermissionDenied):
        await talk.post(citizen, thread, official=True)


async def test_sorting_and_cursor_pages_cover_every_top_level_comment_once() -> None:
    _, citizen, _, thread = await _setup()
    people = await factories.people(3)
    posted = [await talk.post(citizen, thread) for _ in range(5)]
    for fan in people:
        await commands.endorse_comment(fan, posted[2].id)
    await commands.endorse_comment(people[0], posted[4].id)
    for sort, expected in (
        ("newest", [c.id for c in reversed(posted)]),
        ("oldest", [c.id for c in posted]),
        ("endorsed", [posted[2].id, posted[4].id, posted[3].id, posted[1].id, posted[0].id]),
    ):
        seen, cursor = [], None
        while True:
            page, cursor = await queries.comments_page(None, thread, sort, cursor, limit=2)
            seen += [c["id"] for c in page]
            if cursor is None:
                break
        assert seen == expected, sort
    with pytest.raises(InvalidInput):
        await queries.comments_page(None, thread, "endorsed", "abc")


async def test_the_balanced_view_shows_the_strongest_of_each_side() -> None:
    _, citizen, _, thread = await _setup()
    pro = await talk.post(citizen, thread, stance="for")
    weak_pro = await talk.post(citizen, thread, stance="for")
    contra = await talk.post(citizen, thread, stance="against")
    await talk.post(citizen, thread, stance="neutral")
    await commands.endorse_comment(await factories.person(), pro.id)
    sides = await queries.balanced(None, thread)
    assert [c["id"] for c in sides["for"]] == [pro.id, weak_pro.id]
    assert [c["id"] for c in sides["against"]] == [contra.id]
