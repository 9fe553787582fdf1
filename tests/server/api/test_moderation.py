"""Flags, moderators' decisions, locks, suspensions, the queue and the log through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from participation import clock
from participation.actors import Actor
from participation.deliberation.models import Comment, Thread
from participation.mandates.models import Mandate
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.factories import moderation
from tests.factories.deliberation import comment, thread_of
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
async def moderator(town: Municipality) -> Actor:
    return await moderation.moderator(town)


@pytest.fixture
async def thread(town: Municipality, citizen: Actor) -> Thread:
    return await thread_of(await factories.mandate(citizen, town))


@pytest.fixture
async def posted(thread: Thread, citizen: Actor) -> Comment:
    return await comment(citizen, thread, "Das ist *mein* Beitrag.")


async def _flag(
    client: httpx.AsyncClient, auth: Auth, row: Comment, by: Actor | None = None, **body: object
) -> httpx.Response:
    flagger = by or await factories.person()
    return await client.post(
        f"/api/v1/comments/{row.id}/flags", json={"reason": "spam", **body}, headers=auth(flagger)
    )


async def test_flagging_counts_refuses_twice_and_ones_own_and_names_bad_fields(
    client: httpx.AsyncClient, auth: Auth, citizen: Actor, posted: Comment
) -> None:
    flagger = await factories.person()
    first = await _flag(client, auth, posted, by=flagger)
    assert first.status_code == 201, first.text
    assert first.json() == {"comment_id": posted.id, "reason": "spam", "hidden": False}
    assert_problem(await _flag(client, auth, posted, by=flagger), 409)
    own = assert_problem(await _flag(client, auth, posted, by=citizen), 403)
    assert own["reason"] == "own_comment"
    assert_problem(await _flag(client, auth, posted, reason="boring"), 422, {"reason"})
    assert_problem(await _flag(client, auth, posted, reason="other"), 422, {"text"})
    assert_problem(await _flag(client, auth, posted, text="x" * 1001), 422, {"text"})
    assert_problem(await _flag(client, auth, posted, extra=1), 422, {"extra"})
    assert_problem(
        await client.post(f"/api/v1/comments/{posted.id}/flags", json={"reason": "spam"}), 401
    )
    assert_problem(await _flag(client, auth, Comment(id=999_999)), 404)
    assert (await Comment.get(id=posted.id)).flag_count == 1


async def test_the_third_flag_hides_pending_review(
    client: httpx.AsyncClient, auth: Auth, posted: Comment
) -> None:
    hidden = [(await _flag(client, auth, posted)).json()["hidden"] for _ in range(3)]
    assert hidden == [False, False, True]
    stored = await Comment.get(id=posted.id)
    assert stored.hidden_reason == "hidden pending review after reports"


async def test_a_moderator_hides_restores_and_dismisses_with_a_reason(
    client: httpx.AsyncClient, auth: Auth, moderator: Actor, posted: Comment
) -> None:
    url = f"/api/v1/comments/{posted.id}/moderation"
    assert_problem(
        await client.post(url, json={"action": "hide"}, headers=auth(moderator)), 422, {"reason"}
    )
    assert_problem(
        await client.post(url, json={"action": "ban", "reason": "x"}, headers=auth(moderator)),
        422,
        {"action"},
    )
    assert_problem(
        await client.post(
            url, json={"action": "hide", "reason": "x" * 501}, headers=auth(moderator)
        ),
        422,
        {"reason"},
    )
    hidden = await client.post(
        url, json={"action": "hide", "reason": "Beleidigung"}, headers=auth(moderator)
    )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json() == {
        "comment_id": posted.id,
        "hidden": True,
        "hidden_reason": "Beleidigung",
        "flags": 0,
    }
    restored = await client.post(
        url, json={"action": "restore", "reason": "Doch sachlich"}, headers=auth(moderator)
    )
    assert restored.json()["hidden"] is False
    assert_problem(
        await client.post(
            url, json={"action": "dismiss_flags", "reason": "Nichts"}, headers=auth(moderator)
        ),
        409,
    )
    await _flag(client, auth, posted)
    dismissed = await client.post(
        url, json={"action": "dismiss_flags", "reason": "Regelkonform"}, headers=auth(moderator)
    )
    assert dismissed.status_code == 200 and dismissed.json()["flags"] == 0


async def test_the_author_asks_for_review_once(
    client: httpx.AsyncClient, auth: Auth, citizen: Actor, moderator: Actor, posted: Comment
) -> None:
    url = f"/api/v1/comments/{posted.id}/review-request"
    assert_problem(await client.post(url, headers=auth(citizen)), 409)
    await client.post(
        f"/api/v1/comments/{posted.id}/moderation",
        json={"action": "hide", "reason": "Off-topic"},
        headers=auth(moderator),
    )
    assert_problem(await client.post(url, headers=auth(await factories.person())), 403)
    asked = await client.post(url, headers=auth(citizen))
    assert asked.status_code == 201, asked.text
    assert asked.json()["comment_id"] == posted.id
    assert_problem(await client.post(url, headers=auth(citizen)), 409)


async def test_locking_and_unlocking(
    client: httpx.AsyncClient, auth: Auth, citizen: Actor, moderator: Actor, thread: Thread
) -> None:
    lock = f"/api/v1/threads/{thread.id}/lock"
    assert_problem(await client.post(lock, json={"reason": "Ruhe"}, headers=auth(citizen)), 403)
    assert_problem(await client.post(lock, json={}, headers=auth(moderator)), 422, {"reason"})
    locked = await client.post(lock, json={"reason": "Ruhe"}, headers=auth(moderator))
    assert locked.status_code == 200, locked.text
    assert locked.json()["locked"] is True and locked.json()["thread_id"] == thread.id
    assert_problem(await client.post(lock, json={"reason": "Ruhe"}, headers=auth(moderator)), 409)
    unlocked = await client.post(
        f"/api/v1/threads/{thread.id}/unlock", json={"reason": "Offen"}, headers=auth(moderator)
    )
    assert unlocked.json() == {"thread_id": thread.id, "locked": False, "locked_at": None}
    assert_problem(
        await client.post(
            "/api/v1/threads/999999/lock", json={"reason": "x"}, headers=auth(moderator)
        ),
        404,
    )


async def test_suspending_an_account(
    client: httpx.AsyncClient, auth: Auth, town: Municipality, citizen: Actor, moderator: Actor
) -> None:
    url = f"/api/v1/municipalities/{town.slug}/suspensions"
    until = (clock.now() + timedelta(days=7)).isoformat()
    made = await client.post(
        url,
        json={"user_id": citizen.user_id, "until": until, "reason": "Beleidigungen"},
        headers=auth(moderator),
    )
    assert made.status_code == 201, made.text
    assert made.json()["user_id"] == citizen.user_id
    past = (clock.now() - timedelta(days=1)).isoformat()
    assert_problem(
        await client.post(
            url,
            json={"user_id": citizen.user_id, "until": past, "reason": "x"},
            headers=auth(moderator),
        ),
        422,
        {"until"},
    )
    assert_problem(
        await client.post(
            url,
            json={"user_id": citizen.user_id, "until": "morgen", "reason": "x"},
            headers=auth(moderator),
        ),
        422,
        {"until"},
    )
    launched = await client.post(
        f"/api/v1/municipalities/{town.slug}/mandates",
        json={"title": "Neu", "summary": "Kurz.", "body": "Bitte."},
        headers=auth(citizen),
    )
    assert assert_problem(launched, 403)["reason"] == "suspended"
    # Reading and exporting stay.
    assert (await client.get("/api/v1/me/export", headers=auth(citizen))).status_code == 200


async def test_the_queue_account_and_log(
    client: httpx.AsyncClient,
    auth: Auth,
    town: Municipality,
    citizen: Actor,
    moderator: Actor,
    posted: Comment,
    thread: Thread,
) -> None:
    for _ in range(3):
        await _flag(client, auth, posted)
    queue_url = f"/api/v1/municipalities/{town.slug}/moderation/queue"
    assert_problem(await client.get(queue_url, headers=auth(citizen)), 403)
    queue = await client.get(queue_url, headers=auth(moderator))
    assert queue.status_code == 200, queue.text
    [item] = queue.json()["items"]
    assert item["flags"] == 3 and item["reasons"] == {"spam": 3}
    assert "mein" in item["comment"]["body_html"]
    mandate = await Mandate.get(id=thread.subject_id)
    assert item["subject"]["url"] == f"/mandates/{mandate.id}"
    assert_problem(await client.get(f"{queue_url}?cursor=abc", headers=auth(moderator)), 422)
    account = await client.get(
        f"/api/v1/municipalities/{town.slug}/moderation/accounts/{citizen.user_id}",
        headers=auth(moderator),
    )
    assert account.status_code == 200, account.text
    assert account.json()["display_name"] == "Clara Citizen"
    assert account.json()["flags_received"] == {"spam": 3}
    log = await client.get(f"/api/v1/municipalities/{town.slug}/moderation-log")
    assert log.status_code == 200, log.text
    [entry] = log.json()["items"]
    assert entry["action"] == "auto_hide" and entry["automatic"] is True
    assert entry["url"] == f"/mandates/{mandate.id}#comment-{posted.id}"
    assert_problem(await client.get("/api/v1/municipalities/nirgendwo/moderation-log"), 404)


async def test_administrators_set_the_threshold_through_the_settings(
    client: httpx.AsyncClient, auth: Auth, town: Municipality
) -> None:
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    url = f"/api/v1/municipalities/{town.slug}"
    changed = await client.patch(url, json={"flag_threshold": 7}, headers=auth(admin))
    assert changed.status_code == 200, changed.text
    assert (await Municipality.get(id=town.id)).flag_threshold == 7
    assert_problem(
        await client.patch(url, json={"new_account_hours": -1}, headers=auth(admin)),
        422,
        {"new_account_hours"},
    )
