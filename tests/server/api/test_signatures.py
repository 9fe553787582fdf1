"""Co-signing through the API: POST /mandates/{id}/signatures, DELETE …/signatures/me."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from participation.actors import Actor
from participation.mandates import counter
from participation.mandates.models import Mandate, Signature, Status
from participation.municipalities.models import Municipality
from tests import factories
from tests.factories.accounts import signed_in
from tests.support import assert_problem

Auth = Callable[[Actor], dict[str, str]]
S = Status


def _sign(client: httpx.AsyncClient, mandate_id: int, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/mandates/{mandate_id}/signatures", headers=headers)


def _withdraw(client: httpx.AsyncClient, mandate_id: int, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.delete(f"/api/v1/mandates/{mandate_id}/signatures/me", headers=headers)


async def test_signing_is_201_then_200(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    signer = await factories.person()
    first = await _sign(client, mandate.id, auth(signer))
    assert first.status_code == 201, first.text
    assert first.json() == {
        "mandate_id": mandate.id,
        "signed": True,
        "signature_count": 2,
        "status": "collecting",
    }
    again = await _sign(client, mandate.id, auth(signer))
    assert again.status_code == 200
    assert again.json()["signature_count"] == 2
    assert await Signature.filter(mandate_id=mandate.id).count() == 2
    shown = (await client.get(f"/api/v1/mandates/{mandate.id}", headers=auth(signer))).json()
    assert shown["signature_count"] == 2 and shown["signed"] is True


async def test_the_signature_that_reaches_the_quorum_submits(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)  # quorum 4, 1 signed
    statuses = []
    for signer in await factories.people(3):
        response = await _sign(client, mandate.id, auth(signer))
        assert response.status_code == 201
        statuses.append(response.json()["status"])
    assert statuses == ["collecting", "collecting", "submitted"]
    shown = (await client.get(f"/api/v1/mandates/{mandate.id}")).json()
    assert shown["status"] == "submitted"
    assert shown["signature_count"] == 4
    assert shown["submitted_at"] is not None


async def test_a_submitted_mandate_still_accepts_signatures(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    # By design: support keeps counting until the council takes the mandate up.
    mandate = await factories.mandate(citizen, town, S.SUBMITTED)
    response = await _sign(client, mandate.id, auth(await factories.person()))
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"
    assert response.json()["signature_count"] == 5


@pytest.mark.parametrize(
    "status",
    [S.IN_REVIEW, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.REJECTED, S.WITHDRAWN, S.EXPIRED],
    ids=str,
)
async def test_signing_a_mandate_not_open_for_signatures_is_409(
    client: httpx.AsyncClient,
    town: Municipality,
    citizen: Actor,
    council: Actor,
    auth: Auth,
    status: Status,
) -> None:
    mandate = await factories.mandate(citizen, town, status, council=council)
    before = await counter.total(mandate.id)
    problem = assert_problem(await _sign(client, mandate.id, auth(await factories.person())), 409)
    assert problem["status_now"] == status.value
    assert await counter.total(mandate.id) == before
    assert await Signature.filter(mandate_id=mandate.id).count() == before


async def test_signing_a_draft(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, council: Actor, auth: Auth
) -> None:
    draft = await factories.mandate(citizen, town, S.DRAFT)
    # Others cannot see a draft at all; those who can are told it is not open yet.
    assert_problem(await _sign(client, draft.id, auth(await factories.person())), 404)
    assert_problem(await _sign(client, draft.id, auth(council)), 409)
    assert_problem(await _sign(client, draft.id, auth(citizen)), 409)
    assert await Signature.filter(mandate_id=draft.id).count() == 0


async def test_signing_needs_a_signed_in_person_with_a_verified_email(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    assert_problem(await _sign(client, mandate.id, {}), 401)
    unverified = await factories.person(verified=False)
    assert_problem(await _sign(client, mandate.id, auth(unverified)), 403)
    assert await counter.total(mandate.id) == 1


async def test_signing_an_unknown_mandate_is_404(
    client: httpx.AsyncClient, citizen: Actor, auth: Auth
) -> None:
    assert_problem(await _sign(client, 424242, auth(citizen)), 404)


async def test_withdrawing_a_signature(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    mandate = await factories.mandate(citizen, town, S.COLLECTING)
    signer = await factories.person()
    await _sign(client, mandate.id, auth(signer))
    response = await _withdraw(client, mandate.id, auth(signer))
    assert response.status_code == 204
    assert response.content == b""
    shown = (await client.get(f"/api/v1/mandates/{mandate.id}", headers=auth(signer))).json()
    assert shown["signature_count"] == 1 and shown["signed"] is False
    # Withdrawing what is not there is harmless.
    assert (await _withdraw(client, mandate.id, auth(signer))).status_code == 204
    assert await counter.total(mandate.id) == 1


async def test_withdrawing_is_refused_when_it_would_not_be_fair(
    client: httpx.AsyncClient, town: Municipality, citizen: Actor, auth: Auth
) -> None:
    collecting = await factories.mandate(citizen, town, S.COLLECTING)
    assert_problem(await _withdraw(client, collecting.id, {}), 401)
    # The initiator's signature stands with the mandate.
    assert_problem(await _withdraw(client, collecting.id, auth(citizen)), 409)
    submitted = await factories.mandate(citizen, town, S.SUBMITTED)
    signer_id = (
        await Signature.filter(mandate_id=submitted.id)
        .exclude(user_id=citizen.user_id)
        .first()
        .values_list("user_id", flat=True)
    )
    signer = await signed_in(signer_id)
    problem = assert_problem(await _withdraw(client, submitted.id, auth(signer)), 409)
    assert problem["status_now"] == "submitted"
    assert await counter.total(submitted.id) == 4
    assert (await Mandate.get(id=submitted.id)).status == S.SUBMITTED
