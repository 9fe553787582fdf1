"""A mandate's public timeline: the list, and the live Server-Sent Events stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette

from participation.actors import Actor
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from tests import factories
from tests.support import EventReader, StreamingASGITransport, assert_problem, has_event

Auth = Callable[[Actor], dict[str, str]]
S = Status


@pytest.fixture
async def streaming(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client that hands over response bodies as they arrive, for event streams."""
    transport = StreamingASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_the_timeline_lists_what_happened_oldest_first(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, S.IN_REVIEW, council=council)
    response = await client.get(f"/api/v1/mandates/{mandate.id}/timeline")
    assert response.status_code == 200
    items = response.json()["items"]
    assert response.json()["next"] is None
    assert [(i["kind"], i["data"].get("to") or i["data"].get("percent")) for i in items] == [
        ("launched", None),
        ("status", "collecting"),
        ("milestone", 25),
        ("milestone", 50),
        ("milestone", 75),
        ("status", "submitted"),
        ("status", "in_review"),
    ]
    ids = [i["id"] for i in items]
    assert ids == sorted(ids)
    assert items[0]["actor"] == {"display_name": "Clara Citizen"}
    assert items[2]["actor"] is None  # milestones and the quorum are the platform's doing
    assert items[-1]["actor"] == {"display_name": "Ratsmitglied"}
    assert items[-1]["created_at"]


async def test_the_timeline_pages_with_a_cursor(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, S.IN_REVIEW, council=council)
    url = f"/api/v1/mandates/{mandate.id}/timeline"
    first = (await client.get(f"{url}?limit=4")).json()
    rest = (await client.get(f"{url}?limit=4&cursor={first['next']}")).json()
    assert len(first["items"]) == 4 and rest["next"] is None
    every = (await client.get(url)).json()["items"]
    assert first["items"] + rest["items"] == every


async def test_timeline_bad_parameters_and_hidden_drafts(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    url = f"/api/v1/mandates/{mandate.id}/timeline"
    assert_problem(await client.get(f"{url}?cursor=abc"), 422, {"cursor"})
    assert_problem(await client.get(f"{url}?limit=101"), 422, {"limit"})
    draft = await factories.mandate(citizen, town, S.DRAFT)
    assert_problem(await client.get(f"/api/v1/mandates/{draft.id}/timeline"), 404)
    own = await client.get(f"/api/v1/mandates/{draft.id}/timeline", headers=auth(citizen))
    assert own.status_code == 200
    assert_problem(await client.get("/api/v1/mandates/999/timeline"), 404)


async def test_the_stream_sends_the_backlog_then_live_changes(
    client: httpx.AsyncClient,
    streaming: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    auth: Auth,
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)  # quorum 4, 1 signed
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = EventReader(response)
        backlog = await reader.until(has_event("count"))
        timeline = [e for e in backlog if e.event == "timeline"]
        assert [e.json()["kind"] for e in timeline] == ["launched", "status", "milestone"]
        assert [e.id for e in timeline] == [str(e.json()["id"]) for e in timeline]
        assert backlog[-1].event == "count" and backlog[-1].json() == {
            "signature_count": 1,
            "resident_signature_count": 0,
        }

        signer = await factories.person()
        signed = await client.post(
            f"/api/v1/mandates/{mandate.id}/signatures", headers=auth(signer)
        )
        assert signed.status_code == 201
        live = await reader.until(has_event("timeline", kind="milestone"))
        assert has_event("count", signature_count=2)(live + await _rest(reader, live))
        milestone = next(e for e in live if e.event == "timeline")
        assert milestone.json()["data"] == {"percent": 50, "count": 2}
        assert int(milestone.id or 0) > int(timeline[-1].id or 0)
        await reader.aclose()


async def _rest(reader: EventReader, seen: list) -> list:
    """The count event may follow the timeline event it belongs to."""
    if has_event("count", signature_count=2)(seen):
        return []
    return await reader.until(has_event("count", signature_count=2))


async def test_the_stream_resumes_after_last_event_id(
    streaming: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, S.IN_REVIEW, council=council)
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url) as response:
        reader = EventReader(response)
        everything = [e for e in await reader.until(has_event("count")) if e.event == "timeline"]
        await reader.aclose()
    assert len(everything) == 7
    resume_after = everything[3].id
    for headers, query in (
        ({"Last-Event-ID": str(resume_after)}, ""),
        ({}, f"?last_event_id={resume_after}"),
    ):
        async with streaming.stream("GET", url + query, headers=headers) as response:
            reader = EventReader(response)
            resumed = await reader.until(has_event("count"))
            await reader.aclose()
        assert [e.id for e in resumed if e.event == "timeline"] == [e.id for e in everything[4:]]
        assert resumed[-1].json() == {"signature_count": 4, "resident_signature_count": 0}


async def test_the_stream_refuses_bad_ids_and_hides_drafts(
    streaming: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url, headers={"Last-Event-ID": "gestern"}) as response:
        await response.aread()
        assert_problem(response, 422, {"Last-Event-ID"})
    draft = await factories.mandate(citizen, town, S.DRAFT)
    async with streaming.stream("GET", f"/api/v1/mandates/{draft.id}/timeline/stream") as response:
        await response.aread()
        assert_problem(response, 404)


async def test_a_long_backlog_arrives_whole(
    streaming: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    from participation.timeline.models import TimelineEntry

    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    await TimelineEntry.bulk_create(
        [TimelineEntry(mandate_id=mandate.id, kind="milestone", data={"n": n}) for n in range(250)]
    )
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url) as response:
        reader = EventReader(response)
        backlog = [e for e in await reader.until(has_event("count")) if e.event == "timeline"]
        await reader.aclose()
    assert len(backlog) == 253  # launched, collecting, 25 % and the 250 added
    assert len({e.id for e in backlog}) == 253


async def test_the_stream_ends_cleanly_when_the_database_goes_away(
    streaming: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its 200 is sent already: it ends, asking the browser to come back in a while."""
    import asyncpg

    from server.api import timeline

    async def lost(*args: object, **kwargs: object) -> list:
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")

    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    monkeypatch.setattr(timeline, "entries", lost)
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url) as response:
        assert response.status_code == 200
        body = await response.aread()
    assert b"retry: 5000" in body
