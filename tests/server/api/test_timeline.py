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


async def test_live_entries_come_with_the_message_not_from_a_query_per_stream(
    app: Starlette,
    streaming: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    council: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten thousand open pages must not each read the new entry: the bus carries it."""
    from participation.mandates import commands
    from server.api import timeline

    mandate = await factories.mandate(citizen, town, S.SUBMITTED, council=council)
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url) as response:
        reader = EventReader(response)
        await reader.until(has_event("count"))

        async def no_reads(*args: object, **kwargs: object) -> list:
            raise AssertionError("a stream read the timeline for a live entry")

        monkeypatch.setattr(timeline, "entries", no_reads)
        await commands.transition_mandate(council, mandate.id, S.IN_REVIEW)
        live = await reader.until(has_event("timeline", kind="status"))
        entry = next(e for e in live if e.event == "timeline").json()
        assert entry["data"] == {"from": "submitted", "to": "in_review"}
        assert entry["actor"] == {"display_name": "Ratsmitglied"}
        await reader.aclose()


async def test_a_stream_sends_each_entry_once_even_when_committed_out_of_order(
    app: Starlette, streaming: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    from participation.live import topics

    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    bus = app.state.bus
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"

    def entry(entry_id: int) -> dict:
        return {
            "id": entry_id,
            "kind": "milestone",
            "data": {"percent": entry_id, "count": 1},
            "actor": None,
            "created_at": "2026-12-01T10:00:00+00:00",
        }

    async with streaming.stream("GET", url) as response:
        reader = EventReader(response)
        backlog = [e for e in await reader.until(has_event("count")) if e.event == "timeline"]
        last = int(backlog[-1].id or 0)
        topic = topics.mandate(mandate.id)
        # PostgreSQL hands out ids in the order transactions ask, not commit: +2 may
        # arrive before +1. Both are sent, and a repeated message sends nothing again.
        for ids in ([last + 2], [last + 1], [last + 1, last + 2], [last - 1], [last + 3]):
            await bus.publish(
                topic,
                {"mandate_id": mandate.id, "type": "timeline", "entries": [entry(i) for i in ids]},
            )
        live = await reader.until(lambda events: any(e.id == str(last + 3) for e in events))
        # A count signal from the mandate's own creation may arrive in between; only
        # the timeline entries are under test.
        sent = [e.id for e in live if e.event == "timeline"]
        assert sent == [str(last + 2), str(last + 1), str(last + 3)]
        await reader.aclose()


async def test_a_stream_that_fell_behind_catches_up_from_the_table(
    app: Starlette, streaming: httpx.AsyncClient, town: Municipality, citizen: Actor
) -> None:
    """A reader too slow for the bus loses messages; then it reads what it missed."""
    from participation.live import topics
    from participation.timeline.models import TimelineEntry

    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    bus = app.state.bus
    topic = topics.mandate(mandate.id)
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with streaming.stream("GET", url) as response:
        reader = EventReader(response)
        await reader.until(has_event("count"))
        missed = await TimelineEntry.create(
            mandate_id=mandate.id, municipality_id=town.id, kind="milestone", data={"percent": 99}
        )
        (inbox,) = bus._queues[topic]
        inbox.overflowed = True  # as the bus marks it when it drops the oldest message
        await bus.publish(topic, {"mandate_id": mandate.id, "type": "timeline", "entries": []})
        live = await reader.until(has_event("timeline", kind="milestone"))
        assert [e.id for e in live if e.event == "timeline"] == [str(missed.id)]
        assert not inbox.overflowed
        await reader.aclose()


async def test_an_entry_carries_what_its_kind_shows(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor
) -> None:
    """Other areas' entries (an official answer here) come through as they were written:
    rendered Markdown, role and department, links; the schema says `data` varies by kind."""
    from participation import text
    from participation.timeline import entries as timeline_entries
    from participation.unit import atomic

    mandate = await factories.mandate(citizen, town, S.IN_REVIEW, council=council)
    body_html = await text.render("Wir **prüfen** das. <script>x()</script>", "body")
    async with atomic() as unit:
        # Recorded under an existing event name: the answers area declares its own.
        await timeline_entries.record(
            unit,
            mandate.id,
            "response",
            "mandates:mandate:reviewed",
            {
                "from": "submitted",
                "to": "in_review",
                "body_html": body_html,
                "role": "Ratsmitglied",
                "department": "Bauamt",
                "council_paper_url": "https://ris.example/vo020?VOLFDNR=1",
            },
            municipality_id=town.id,
            actor_id=council.user_id,
        )
    items = (await client.get(f"/api/v1/mandates/{mandate.id}/timeline")).json()["items"]
    newest = items[-1]
    assert newest["kind"] == "response"
    assert (
        newest["data"]["body_html"]
        == "<p>Wir <strong>prüfen</strong> das. &lt;script&gt;x()&lt;/script&gt;</p>\n"
    )
    assert newest["data"]["role"] == "Ratsmitglied" and newest["data"]["department"] == "Bauamt"
    assert newest["data"]["council_paper_url"].startswith("https://ris.example/")
    assert newest["actor"] == {"display_name": "Ratsmitglied"}
    assert newest["created_at"].endswith("Z")  # UTC, with its offset
    schema = (await client.get("/api/openapi.json")).json()["components"]["schemas"]
    entry = schema["TimelineEntryOut"]["properties"]
    assert "depends on it" in entry["kind"]["description"]
    assert "_html" in entry["data"]["description"]


async def test_streams_opening_together_share_one_read_of_the_count(
    app: Starlette,
    streaming: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages reconnecting at once (after a deploy) do not each count the signatures."""
    import asyncio
    import contextlib

    from participation.mandates import counter

    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    reads: list[int] = []
    tallies = counter.tallies

    async def slow_tallies(ids: list[int]) -> dict:
        reads.append(len(ids))
        await asyncio.sleep(0.2)
        return await tallies(ids)

    monkeypatch.setattr(counter, "tallies", slow_tallies)
    url = f"/api/v1/mandates/{mandate.id}/timeline/stream"
    async with contextlib.AsyncExitStack() as stack:
        responses = await asyncio.gather(
            *(stack.enter_async_context(streaming.stream("GET", url)) for _ in range(20))
        )
        readers = [EventReader(r) for r in responses]
        counts = await asyncio.gather(*(r.until(has_event("count")) for r in readers))
        assert all(c[-1].json()["signature_count"] == 1 for c in counts)
        for reader in readers:
            await reader.aclose()
    assert 1 <= len(reads) < 20
