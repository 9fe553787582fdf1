"""Writing co-signatures together: duplicates, bad rows and closed mandates in one batch."""

from __future__ import annotations

import asyncio

import pytest

from participation.mandates import counter, signing
from participation.mandates.models import Signature, Status
from participation.municipalities.models import Municipality
from tests import factories


@pytest.fixture
async def town(database: str) -> Municipality:
    return await factories.municipality(quorum=1000)


async def test_one_person_asking_twice_at_once_signs_once(town: Municipality) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town)
    signer = await factories.person()
    first, second = await asyncio.gather(
        signing.sign(mandate.id, signer.user_id), signing.sign(mandate.id, signer.user_id)
    )
    assert sorted([first.created, second.created]) == [False, True]
    assert await Signature.filter(mandate_id=mandate.id).count() == 2
    assert await counter.total(mandate.id) == 2


async def test_a_bad_row_does_not_fail_its_neighbours(town: Municipality) -> None:
    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town)
    signers = await factories.people(5)
    nobody = 10_000_000  # no such user: the foreign key refuses this row
    results = await asyncio.gather(
        *(signing.sign(mandate.id, s.user_id) for s in signers),
        signing.sign(mandate.id, nobody),
        return_exceptions=True,
    )
    assert [r.created for r in results[:5]] == [True] * 5  # type: ignore[union-attr]
    assert isinstance(results[5], Exception)
    assert await counter.total(mandate.id) == 6
    assert await Signature.filter(mandate_id=mandate.id).count() == 6


async def test_mandates_that_are_not_open_take_no_signature(town: Municipality) -> None:
    initiator = await factories.person()
    draft = await factories.mandate(initiator, town, Status.DRAFT)
    open_ = await factories.mandate(initiator, town)
    signer = await factories.person()
    closed, taken, missing = await asyncio.gather(
        signing.sign(draft.id, signer.user_id),
        signing.sign(open_.id, signer.user_id),
        signing.sign(10_000_000, signer.user_id),
    )
    assert not closed.created and closed.mandate is not None
    assert closed.mandate.status == Status.DRAFT
    assert taken.created and taken.total == 2
    assert not missing.created and missing.mandate is None
    assert await Signature.filter(mandate_id=draft.id).count() == 0


async def test_no_signature_lands_after_the_signature_period(town: Municipality) -> None:
    from datetime import timedelta

    from participation.errors import Conflict
    from participation.mandates import commands

    initiator = await factories.person()
    mandate = await factories.mandate(initiator, town)
    signer = await factories.person()
    assert mandate.closes_at is not None
    # The expiry job has not run yet: the period alone must close the mandate.
    with factories.time_travel(mandate.closes_at + timedelta(seconds=1)):
        attempt = await signing.sign(mandate.id, signer.user_id)
        assert not attempt.created
        with pytest.raises(Conflict):
            await commands.sign_mandate(signer, mandate.id)
    assert await counter.total(mandate.id) == 1
