"""Discussions and moderation: a reply tells whom it answers, a new comment the thread's
earlier participants, and a moderator's act the comment's author."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifications.models import Cadence, Channel, Notification, NotificationPreference, Reason
from participation import clock
from participation.moderation import commands as moderation
from participation.permissions import Role
from tests.factories import person
from tests.factories.deliberation import post
from tests.factories.moderation import discussion
from tests.factories.notifications import dispatch_outbox, notes, told

pytestmark = pytest.mark.usefixtures("database")


async def test_a_reply_tells_whom_it_answers_and_others_hear_of_a_new_comment() -> None:
    talk = await discussion()
    ben = await person(name="Ben", lives_in=talk.town)
    cleo = await person(name="Cleo", lives_in=talk.town)
    await post(ben, talk.thread, "Ich sehe das anders.")
    await post(
        cleo,
        talk.thread,
        "Ich stimme **Anna** zu, denn der Weg ist gefährlich.",
        parent=talk.comment,
    )
    await dispatch_outbox()
    replied = await notes("deliberation:comment:replied")
    assert [(n.recipient_id, n.reason) for n in replied] == [(talk.author.user_id, Reason.REPLY)]
    assert replied[0].data["excerpt"] == "Ich stimme **Anna** zu, denn der Weg ist gefährlich."
    assert replied[0].data["actor_name"] == "Cleo"
    assert replied[0].data["subject_title"] == talk.mandate.title
    assert replied[0].data["url"].startswith(f"/mandates/{talk.mandate.id}#comment-")
    # Anna is told once of Cleo's reply; Ben, who took part, hears of the new comment.
    posted = await Notification.filter(event_name="deliberation:comment:posted").order_by("id")
    assert [(n.recipient_id, n.reason) for n in posted] == [
        (talk.author.user_id, Reason.PARTICIPANT),  # of Ben's comment
        (ben.user_id, Reason.PARTICIPANT),  # of Cleo's reply
    ]
    assert len({n.group_key for n in posted}) == 1


async def test_an_official_statement_reaches_the_mandate_people() -> None:
    talk = await discussion()
    council = await person(role=Role.COUNCIL, municipality=talk.town, lives_in=talk.town)
    await post(council, talk.thread, "Die Verwaltung prüft das.", official=True)
    await dispatch_outbox()
    # Anna wrote in the thread and launched the mandate: her strongest reason counts.
    assert await told("deliberation:comment:posted") == {talk.author.user_id: Reason.INITIATOR}
    (note,) = await notes("deliberation:comment:posted")
    assert note.data["official"] is True


async def test_the_author_is_told_why_her_comment_was_hidden_even_if_she_turned_it_off() -> None:
    talk = await discussion()
    for channel in Channel:
        await NotificationPreference.create(
            user_id=talk.author.user_id,
            event="moderation:comment:hidden",
            channel=channel,
            cadence=Cadence.OFF,
        )
    await moderation.hide_comment(talk.moderator, talk.comment.id, "Beleidigung")
    await moderation.restore_comment(talk.moderator, talk.comment.id, "Doch in Ordnung")
    await dispatch_outbox()
    (hidden,) = await notes("moderation:comment:hidden")
    assert hidden.recipient_id == talk.author.user_id
    assert hidden.data["reason"] == "Beleidigung"
    assert hidden.data["actor_name"] is None
    assert await told("moderation:comment:restored") == {talk.author.user_id: Reason.DIRECT}


async def test_a_suspended_person_is_told_with_the_reason() -> None:
    talk = await discussion()
    await moderation.suspend_account(
        talk.moderator,
        talk.town.slug,
        talk.author.user_id,
        clock.now() + timedelta(days=7),
        "Wiederholte Beleidigungen",
    )
    await dispatch_outbox()
    (note,) = await notes("moderation:account:suspended")
    assert note.recipient_id == talk.author.user_id
    assert note.data["reason"] == "Wiederholte Beleidigungen"
