"""Every kind of person against every deliberation and moderation action, through the API.

The people of the issue: anonymous, a citizen, the comment's author, a council member, a
moderator, an administrator, a suspended citizen, and a moderator of another municipality.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from participation import clock
from participation.actors import Actor
from participation.deliberation.models import Comment, Thread
from participation.moderation import commands
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories
from tests.factories import moderation
from tests.factories.deliberation import comment, thread_of

Auth = Callable[[Actor], dict[str, str]]

PEOPLE = [
    "anonymous",
    "citizen",
    "author",
    "council",
    "moderator",
    "admin",
    "suspended",
    "moderator elsewhere",
]
MODERATORS = {"moderator": 200, "admin": 200}


@dataclass
class Scene:
    town: Municipality
    thread: Thread
    comment: Comment
    author: Actor
    moderator: Actor


Act = Callable[[httpx.AsyncClient, dict[str, str], Scene], Awaitable[int]]


async def _post(client: httpx.AsyncClient, url: str, h: dict[str, str], body: object = None) -> int:
    return (await client.post(f"/api/v1{url}", json=body, headers=h)).status_code


async def flag(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    return await _post(client, f"/comments/{s.comment.id}/flags", h, {"reason": "spam"})


async def hide(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    body = {"action": "hide", "reason": "Beleidigung"}
    return await _post(client, f"/comments/{s.comment.id}/moderation", h, body)


async def restore(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    await commands.hide_comment(s.moderator, s.comment.id, "Spam")
    body = {"action": "restore", "reason": "Doch nicht"}
    return await _post(client, f"/comments/{s.comment.id}/moderation", h, body)


async def dismiss(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    await moderation.flagged(s.comment, 1)
    body = {"action": "dismiss_flags", "reason": "Regelkonform"}
    return await _post(client, f"/comments/{s.comment.id}/moderation", h, body)


async def lock(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    return await _post(client, f"/threads/{s.thread.id}/lock", h, {"reason": "Ruhe"})


async def unlock(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    await commands.lock_thread(s.moderator, s.thread.id, "Ruhe")
    return await _post(client, f"/threads/{s.thread.id}/unlock", h, {"reason": "Offen"})


async def review(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    await commands.hide_comment(s.moderator, s.comment.id, "Spam")
    return await _post(client, f"/comments/{s.comment.id}/review-request", h)


async def suspend(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    target = await factories.person(lives_in=s.town)
    body = {
        "user_id": target.user_id,
        "until": (clock.now() + timedelta(days=3)).isoformat(),
        "reason": "Spam",
    }
    return await _post(client, f"/municipalities/{s.town.slug}/suspensions", h, body)


async def queue(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    url = f"/api/v1/municipalities/{s.town.slug}/moderation/queue"
    return (await client.get(url, headers=h)).status_code


async def account(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    url = f"/api/v1/municipalities/{s.town.slug}/moderation/accounts/{s.author.user_id}"
    return (await client.get(url, headers=h)).status_code


async def log(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    url = f"/api/v1/municipalities/{s.town.slug}/moderation-log"
    return (await client.get(url, headers=h)).status_code


async def post(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    body = {"body": "Ein neuer Gedanke.", "stance": "for"}
    return await _post(client, f"/threads/{s.thread.id}/comments", h, body)


async def reply(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    body = {"body": "Eine Antwort.", "stance": "against", "parent_id": s.comment.id}
    return await _post(client, f"/threads/{s.thread.id}/comments", h, body)


async def official(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    body = {"body": "Die Verwaltung prüft das.", "stance": "neutral", "official": True}
    return await _post(client, f"/threads/{s.thread.id}/comments", h, body)


async def endorse(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    return await _post(client, f"/comments/{s.comment.id}/endorsements", h)


async def edit(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    body = {"body": "Besser formuliert."}
    url = f"/api/v1/comments/{s.comment.id}"
    return (await client.patch(url, json=body, headers=h)).status_code


async def delete(client: httpx.AsyncClient, h: dict[str, str], s: Scene) -> int:
    return (await client.delete(f"/api/v1/comments/{s.comment.id}", headers=h)).status_code


def _only(allowed: dict[str, int]) -> dict[str, int]:
    """Anonymous is asked to sign in; everyone not allowed is refused."""
    return {who: allowed.get(who, 401 if who == "anonymous" else 403) for who in PEOPLE}


WRITERS = {"citizen": 201, "author": 201, "council": 201, "moderator": 201, "admin": 201}

# A suspended citizen may not write or flag, but may read the log like anyone; the
# moderator of another town does not live here, so she takes no part in its discussions.
EXPECTED: dict[Act, dict[str, int]] = {
    post: _only(WRITERS),
    reply: _only(WRITERS),
    official: _only({"council": 201, "admin": 201}),
    endorse: _only(WRITERS),
    edit: _only({"author": 200}),
    delete: _only({"author": 200}),
    flag: _only({"citizen": 201, "council": 201, "moderator": 201, "admin": 201}),
    hide: _only(MODERATORS),
    restore: _only(MODERATORS),
    dismiss: _only(MODERATORS),
    lock: _only(MODERATORS),
    unlock: _only(MODERATORS),
    review: _only({"author": 201}),
    suspend: _only({"moderator": 201, "admin": 201}),
    queue: _only(MODERATORS),
    account: _only(MODERATORS),
    log: dict.fromkeys(PEOPLE, 200),
}


async def _someone(who: str, s: Scene) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "author":
        return s.author
    if who == "moderator":
        return s.moderator
    if who == "moderator elsewhere":
        other = await factories.municipality("anderswo", name="Anderswo")
        return await factories.person(role=Role.MODERATOR, municipality=other, lives_in=other)
    if who == "council":
        return await factories.council_member(s.town)
    if who == "admin":
        return await factories.person(role=Role.ADMIN, municipality=s.town, lives_in=s.town)
    person = await factories.person(lives_in=s.town)
    if who == "suspended":
        await commands.suspend_account(
            s.moderator, s.town.slug, person.user_id, clock.now() + timedelta(days=1), "Spam"
        )
    return person


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("act", list(EXPECTED), ids=lambda a: a.__name__)
async def test_who_may_do_what(
    client: httpx.AsyncClient, auth: Auth, town: Municipality, act: Act, who: str
) -> None:
    author = await factories.person(name="Anna Autorin", lives_in=town)
    thread = await thread_of(await factories.mandate(author, town))
    scene = Scene(
        town, thread, await comment(author, thread), author, await moderation.moderator(town)
    )
    person = await _someone(who, scene)
    headers = auth(person) if person else {}
    assert await act(client, headers, scene) == EXPECTED[act][who]


async def test_a_suspended_author_may_still_ask_for_review(
    client: httpx.AsyncClient, auth: Auth, town: Municipality
) -> None:
    author = await factories.person(lives_in=town)
    thread = await thread_of(await factories.mandate(author, town))
    scene = Scene(
        town, thread, await comment(author, thread), author, await moderation.moderator(town)
    )
    await commands.suspend_account(
        scene.moderator, town.slug, author.user_id, clock.now() + timedelta(days=1), "Spam"
    )
    assert await review(client, auth(author), scene) == 201
