"""Threads and comments through the JSON API: shapes, statuses, and every bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from participation import clock
from participation.actors import Actor
from participation.deliberation.models import Comment, Endorsement, Thread
from participation.mandates.models import Mandate
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.suspensions.models import Suspension
from tests import factories
from tests.factories import deliberation as talk
from tests.support import EventReader, StreamingASGITransport, assert_problem, has_event

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
async def streaming(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client that hands over response bodies as they arrive, for event streams."""
    transport = StreamingASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def mandate(town: Municipality, citizen: Actor) -> Mandate:
    return await factories.mandate(citizen, town)


@pytest.fixture
async def thread(mandate: Mandate) -> Thread:
    return await talk.thread_of(mandate)


async def test_subjects_name_their_thread(
    client: httpx.AsyncClient, mandate: Mandate, thread: Thread
) -> None:
    body = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert body["thread_id"] == thread.id
    got = (await client.get(f"/api/v1/threads/{thread.id}")).json()
    assert got["subject"] == {
        "type": "mandate",
        "id": mandate.id,
        "title": mandate.title,
        "link": f"/mandates/{mandate.id}",
    }
    assert got["locked"] is False and got["comment_count"] == 0


async def test_posting_and_reading_a_comment(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    url = f"/api/v1/threads/{thread.id}/comments"
    made = await client.post(
        url, json={"body": "Ich bin **dafür**.", "stance": "for"}, headers=auth(citizen)
    )
    assert made.status_code == 201, made.text
    comment = made.json()
    assert set(comment) >= {
        "id", "thread_id", "parent_id", "depth", "stance", "body_html", "author", "official",
        "endorsements", "hidden", "hidden_reason", "created_at", "edited_at",
    }  # fmt: skip
    assert comment["author"] == {"display_name": citizen.display_name}
    assert comment["stance"] == "for" and comment["endorsements"] == 0
    reply = await client.post(
        url, json={"body": "Warum?", "parent_id": comment["id"]}, headers=auth(citizen)
    )
    assert reply.json()["depth"] == 1
    page = (await client.get(url)).json()
    assert [c["id"] for c in page["items"]] == [comment["id"]]
    assert [r["id"] for r in page["items"][0]["replies"]] == [reply.json()["id"]]
    assert page["next"] is None
    balanced = (await client.get(url, params={"view": "balanced"})).json()
    assert [c["id"] for c in balanced["for"]] == [comment["id"]] and balanced["against"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": "Gut", "stance": "vielleicht"}, "stance"),
        ({"body": "Gut", "parent_id": 999_999}, "parent_id"),
        ({"body": "Gut", "parent_id": "eins"}, "parent_id"),
        ({"stance": "for"}, "body"),
        ({"body": "Gut", "colour": "red"}, "colour"),
    ],
)
async def test_bad_comments_name_the_field_and_store_nothing(
    client: httpx.AsyncClient,
    citizen: Actor,
    thread: Thread,
    auth: Auth,
    payload: dict[str, object],
    field: str,
) -> None:
    response = await client.post(
        f"/api/v1/threads/{thread.id}/comments", json=payload, headers=auth(citizen)
    )
    assert_problem(response, 422, {field})
    assert await Comment.all().count() == 0
    assert not await OutboxEvent.filter(name__startswith="deliberation:").exists()


async def test_a_reply_to_another_threads_comment_is_refused(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    other = await talk.thread_of(await factories.mandate(citizen, town))
    foreign = await talk.post(citizen, other)
    response = await client.post(
        f"/api/v1/threads/{thread.id}/comments",
        json={"body": "Antwort", "parent_id": foreign.id},
        headers=auth(citizen),
    )
    assert_problem(response, 422, {"parent_id"})
    assert await Comment.filter(thread_id=thread.id).count() == 0


async def test_anonymous_and_missing_threads(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    anonymous = await client.post(f"/api/v1/threads/{thread.id}/comments", json={"body": "Hi"})
    assert_problem(anonymous, 401)
    missing = await client.post(
        "/api/v1/threads/999999/comments", json={"body": "Hi"}, headers=auth(citizen)
    )
    assert_problem(missing, 404)
    assert_problem(await client.get("/api/v1/threads/999999"), 404)


async def test_official_statements_need_the_council(
    client: httpx.AsyncClient, citizen: Actor, council: Actor, thread: Thread, auth: Auth
) -> None:
    url = f"/api/v1/threads/{thread.id}/comments"
    refused = await client.post(
        url, json={"body": "Amtlich", "official": True}, headers=auth(citizen)
    )
    assert_problem(refused, 403)
    made = await client.post(url, json={"body": "Amtlich", "official": True}, headers=auth(council))
    assert made.status_code == 201, made.text
    assert made.json()["official"] is True and made.json()["official_role"] == "council"


async def test_a_locked_thread_answers_403_naming_the_lock(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    await Thread.filter(id=thread.id).update(locked_at=clock.now())
    response = await client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "Hi"}, headers=auth(citizen)
    )
    body = assert_problem(response, 403)
    assert body["reason"] == "locked"


async def test_editing_deleting_and_history(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    posted = await talk.post(citizen, thread, "Erste Fassung")
    url = f"/api/v1/comments/{posted.id}"
    other = await factories.person()
    assert_problem(await client.patch(url, json={"body": "Meins"}, headers=auth(other)), 403)
    assert_problem(await client.patch(url, json={"body": ""}, headers=auth(citizen)), 422, {"body"})
    edited = await client.patch(url, json={"body": "Zweite Fassung"}, headers=auth(citizen))
    assert edited.status_code == 200 and edited.json()["edited_at"]
    history = (await client.get(f"{url}/history")).json()
    assert [("Erste Fassung" in v["body_html"]) for v in history["items"]] == [True]
    deleted = await client.delete(url, headers=auth(citizen))
    assert deleted.json()["deleted"] is True and deleted.json()["body_html"] is None
    assert_problem(await client.get(f"{url}/history"), 404)


async def test_a_hidden_comment_shows_no_text_and_no_history(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread
) -> None:
    posted = await talk.post(citizen, thread, "Geheimer Text")
    await Comment.filter(id=posted.id).update(hidden_at=clock.now(), hidden_reason="Beleidigung")
    page = (await client.get(f"/api/v1/threads/{thread.id}/comments")).json()
    shown = page["items"][0]
    assert shown["hidden"] is True and shown["body_html"] is None
    assert shown["hidden_reason"] == "Beleidigung"
    assert "Geheimer Text" not in str(page)
    assert_problem(await client.get(f"/api/v1/comments/{posted.id}/history"), 404)


async def test_endorsing_answers_201_then_200(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    posted = await talk.post(citizen, thread)
    url = f"/api/v1/comments/{posted.id}/endorsements"
    fan = await factories.person()
    first = await client.post(url, headers=auth(fan))
    again = await client.post(url, headers=auth(fan))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {"comment_id": posted.id, "endorsements": 1, "endorsed_by_me": True}
    page = (await client.get(f"/api/v1/threads/{thread.id}/comments", headers=auth(fan))).json()
    assert page["items"][0]["endorsed_by_me"] is True
    gone = await client.delete(url, headers=auth(fan))
    assert gone.json()["endorsements"] == 0
    assert await Endorsement.all().count() == 0


async def test_bad_cursors_and_sorts_name_the_parameter(
    client: httpx.AsyncClient, thread: Thread
) -> None:
    url = f"/api/v1/threads/{thread.id}/comments"
    assert_problem(await client.get(url, params={"sort": "best"}), 422, {"sort"})
    assert_problem(await client.get(url, params={"cursor": "x"}), 422, {"cursor"})
    assert_problem(
        await client.get(url, params={"sort": "endorsed", "cursor": "12"}), 422, {"cursor"}
    )


async def test_a_suspended_writer_gets_403_naming_the_suspension(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    await Suspension.create(
        user_id=citizen.user_id,
        municipality_id=town.id,
        until=clock.now() + timedelta(days=1),
        reason="Spam",
    )
    response = await client.post(
        f"/api/v1/threads/{thread.id}/comments", json={"body": "Hi"}, headers=auth(citizen)
    )
    assert assert_problem(response, 403)["reason"] == "suspended"
    assert await Comment.all().count() == 0
    # Reading stays open.
    assert (await client.get(f"/api/v1/threads/{thread.id}/comments")).status_code == 200


async def test_editing_after_the_window_names_the_comment_and_changes_nothing(
    client: httpx.AsyncClient, citizen: Actor, thread: Thread, auth: Auth
) -> None:
    posted = await talk.post(citizen, thread, "So bleibt es")
    await Comment.filter(id=posted.id).update(created_at=posted.created_at - timedelta(minutes=16))
    late = await client.patch(
        f"/api/v1/comments/{posted.id}", json={"body": "Anders"}, headers=auth(citizen)
    )
    assert_problem(late, 422, {"comment_id"})
    assert (await Comment.get(id=posted.id)).body == "So bleibt es"


async def test_the_stream_says_ready_then_signals_each_change(
    client: httpx.AsyncClient,
    streaming: httpx.AsyncClient,
    citizen: Actor,
    thread: Thread,
    auth: Auth,
) -> None:
    earlier = await talk.post(citizen, thread)
    async with streaming.stream("GET", f"/api/v1/threads/{thread.id}/stream") as response:
        assert response.status_code == 200
        reader = EventReader(response)
        [ready] = await reader.until(has_event("ready"))
        assert ready.json() == {"thread_id": thread.id, "last_comment_id": earlier.id}
        posted = await client.post(
            f"/api/v1/threads/{thread.id}/comments", json={"body": "Neu"}, headers=auth(citizen)
        )
        new_id = posted.json()["id"]
        signals = await reader.until(has_event("thread", comment_ids=[new_id]))
        assert signals[-1].json() == {"thread_id": thread.id, "comment_ids": [new_id]}
        await reader.aclose()
    missing = await client.get("/api/v1/threads/999999/stream")
    assert_problem(missing, 404)
