"""The inbox through the API: list, pages, mark read, mark all read, the live count."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.municipalities.models import Municipality
from tests import factories
from tests.factories import deliberation as talk
from tests.factories.notifications import notification
from tests.support import EventReader, StreamingASGITransport, assert_problem, has_event

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
async def streaming(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = StreamingASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_her_inbox_lists_grouped_items_and_marks_them_read(
    client: httpx.AsyncClient, citizen: Actor, auth: Auth
) -> None:
    older = await notification(citizen, "votes:vote:opened", subject_id=2, subject_title="Plan")
    await notification(citizen, subject_id=5)
    newest = await notification(citizen, subject_id=5, subject_title="Thema 5")
    someone = await factories.person()
    theirs = await notification(someone, subject_id=5)
    listed = await client.get("/api/v1/me/notifications", headers=auth(citizen))
    assert listed.status_code == 200
    body = listed.json()
    assert body["unread"] == 3
    assert body["next"] is None
    assert [(i["id"], i["count"]) for i in body["items"]] == [(newest.id, 2), (older.id, 1)]
    assert body["items"][0]["text"] == "2 new comments on “Thema 5”."
    assert body["items"][0]["url"] == newest.data["url"]
    assert body["items"][0]["reason"] == "participant"
    page = await client.get("/api/v1/me/notifications?limit=1", headers=auth(citizen))
    assert page.json()["next"] == str(newest.id)
    rest = await client.get(
        f"/api/v1/me/notifications?limit=1&cursor={newest.id}", headers=auth(citizen)
    )
    assert [i["id"] for i in rest.json()["items"]] == [older.id]

    marked = await client.post(f"/api/v1/me/notifications/{newest.id}/read", headers=auth(citizen))
    assert marked.json() == {"marked": 2, "unread": 1}
    unread = await client.get("/api/v1/me/notifications?unread=true", headers=auth(citizen))
    assert [i["id"] for i in unread.json()["items"]] == [older.id]
    assert_problem(
        await client.post(f"/api/v1/me/notifications/{theirs.id}/read", headers=auth(citizen)),
        404,
    )
    everything = await client.post("/api/v1/me/notifications/read-all", headers=auth(citizen))
    assert everything.json() == {"marked": 1, "unread": 0}


async def test_bad_input_and_strangers_get_problems(
    client: httpx.AsyncClient, citizen: Actor, auth: Auth
) -> None:
    assert_problem(await client.get("/api/v1/me/notifications"), 401)
    assert_problem(await client.post("/api/v1/me/notifications/read-all"), 401)
    assert_problem(
        await client.get("/api/v1/me/notifications?cursor=x", headers=auth(citizen)),
        422,
        {"cursor"},
    )
    assert_problem(
        await client.get("/api/v1/me/notifications?limit=0", headers=auth(citizen)),
        422,
        {"limit"},
    )
    assert_problem(
        await client.post("/api/v1/me/notifications/999999/read", headers=auth(citizen)), 404
    )


async def test_the_stream_counts_up_when_someone_replies(
    client: httpx.AsyncClient,
    streaming: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    auth: Auth,
) -> None:
    thread = await talk.thread_of(await factories.mandate(citizen, town))
    mine = await talk.post(citizen, thread, "Mein Punkt.")
    ben = await factories.person(name="Ben", lives_in=town)
    async with streaming.stream(
        "GET", "/api/v1/me/notifications/stream", headers=auth(citizen)
    ) as response:
        assert response.status_code == 200
        reader = EventReader(response)
        # Her own mandate's first milestone may have told her already.
        [first] = await reader.until(has_event("inbox"))
        before = first.json()["unread"]
        replied = await client.post(
            f"/api/v1/threads/{thread.id}/comments",
            json={"body": "Sehe ich anders.", "parent_id": mine.id},
            headers=auth(ben),
        )
        assert replied.status_code == 201, replied.text
        await reader.until(has_event("inbox", unread=before + 1))
        await reader.aclose()
    assert_problem(await client.get("/api/v1/me/notifications/stream"), 401)
