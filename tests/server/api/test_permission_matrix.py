"""Every kind of person against every action of the mandate lifecycle, through the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from participation.actors import Actor
from participation.mandates.models import Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from tests import factories

Auth = Callable[[Actor], dict[str, str]]
Act = Callable[[httpx.AsyncClient, dict[str, str], Municipality, Actor], Awaitable[int]]

PEOPLE = [
    "anonymous",
    "unverified",
    "citizen",
    "initiator",
    "council",
    "moderator",
    "admin",
    "council elsewhere",
]


async def _someone(who: str, town: Municipality, initiator: Actor) -> Actor | None:
    if who == "anonymous":
        return None
    if who == "initiator":
        return initiator
    if who == "unverified":
        return await factories.person(verified=False)
    if who == "council elsewhere":
        other = await factories.municipality("anderswo", name="Anderswo")
        return await factories.person(role=Role.COUNCIL, municipality=other)
    roles = {"council": Role.COUNCIL, "moderator": Role.MODERATOR, "admin": Role.ADMIN}
    if who in roles:
        return await factories.person(role=roles[who], municipality=town)
    return await factories.person()


async def launch(client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor) -> int:
    body = {"title": "Mehr Bänke", "summary": "Am Marktplatz.", "body": "Bitte."}
    return (
        await client.post(f"/api/v1/municipalities/{town.slug}/mandates", json=body, headers=h)
    ).status_code


async def view_draft(
    client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor
) -> int:
    draft = await factories.mandate(i, town, Status.DRAFT)
    return (await client.get(f"/api/v1/mandates/{draft.id}", headers=h)).status_code


async def publish(
    client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor
) -> int:
    draft = await factories.mandate(i, town, Status.DRAFT)
    return (await client.post(f"/api/v1/mandates/{draft.id}/publish", headers=h)).status_code


async def sign(client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor) -> int:
    collecting = await factories.mandate(i, town, Status.COLLECTING)
    return (
        await client.post(f"/api/v1/mandates/{collecting.id}/signatures", headers=h)
    ).status_code


async def withdraw_signature(
    client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor
) -> int:
    collecting = await factories.mandate(i, town, Status.COLLECTING)
    await client.post(f"/api/v1/mandates/{collecting.id}/signatures", headers=h)
    return (
        await client.delete(f"/api/v1/mandates/{collecting.id}/signatures/me", headers=h)
    ).status_code


async def start_review(
    client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor
) -> int:
    submitted = await factories.mandate(i, town, Status.SUBMITTED)
    return (
        await client.post(
            f"/api/v1/mandates/{submitted.id}/transitions", json={"to": "in_review"}, headers=h
        )
    ).status_code


async def reject(client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor) -> int:
    in_review = await factories.mandate(i, town, Status.IN_REVIEW)
    return (
        await client.post(
            f"/api/v1/mandates/{in_review.id}/transitions",
            json={"to": "rejected", "reason": "Kein Budget."},
            headers=h,
        )
    ).status_code


async def withdraw_mandate(
    client: httpx.AsyncClient, h: dict[str, str], town: Municipality, i: Actor
) -> int:
    collecting = await factories.mandate(i, town, Status.COLLECTING)
    return (
        await client.post(
            f"/api/v1/mandates/{collecting.id}/transitions", json={"to": "withdrawn"}, headers=h
        )
    ).status_code


def _row(
    anonymous: int,
    unverified: int,
    citizen: int,
    initiator: int,
    council: int,
    moderator: int,
    admin: int,
    elsewhere: int,
) -> dict[str, int]:
    codes = (anonymous, unverified, citizen, initiator, council, moderator, admin, elsewhere)
    return dict(zip(PEOPLE, codes, strict=True))


# Expected status per person. Drafts are invisible (404) to all but initiator and council.
MATRIX: dict[str, tuple[Act, dict[str, int]]] = {
    "launch": (launch, _row(401, 403, 201, 201, 201, 201, 201, 201)),
    "view draft": (view_draft, _row(404, 404, 404, 200, 200, 404, 200, 404)),
    "publish": (publish, _row(401, 404, 404, 200, 403, 404, 403, 404)),
    "co-sign": (sign, _row(401, 403, 201, 200, 201, 201, 201, 201)),
    "withdraw signature": (withdraw_signature, _row(401, 204, 204, 409, 204, 204, 204, 204)),
    "start review": (start_review, _row(401, 403, 403, 403, 200, 403, 200, 403)),
    "reject": (reject, _row(401, 403, 403, 403, 200, 403, 200, 403)),
    "withdraw mandate": (withdraw_mandate, _row(401, 403, 403, 200, 403, 403, 403, 403)),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("action", list(MATRIX))
async def test_permission_matrix(
    client: httpx.AsyncClient, town: Municipality, auth: Auth, action: str, who: str
) -> None:
    act, expected = MATRIX[action]
    initiator = await factories.person(name="Ines Initiatorin")
    person = await _someone(who, town, initiator)
    headers = auth(person) if person is not None else {}
    assert await act(client, headers, town, initiator) == expected[who]
