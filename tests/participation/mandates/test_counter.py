"""The sharded signature counter: spread over rows, summed on read, equal to the rows."""

from __future__ import annotations

import pytest
from tortoise.transactions import in_transaction

from participation.mandates import commands, counter
from participation.mandates.models import Signature, SignatureCount, Status
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


async def test_each_mandate_gets_its_shards_at_launch() -> None:
    town = await factories.municipality()
    mandate = await factories.mandate(await factories.person(), town, Status.DRAFT)
    shards = await SignatureCount.filter(mandate_id=mandate.id).values_list("shard", flat=True)
    assert sorted(shards) == list(range(counter.SHARDS))
    assert await counter.total(mandate.id) == 0


async def test_counts_spread_over_shards_and_sum_up() -> None:
    town = await factories.municipality(quorum=1000)
    mandate = await factories.mandate(await factories.person(), town, Status.DRAFT)
    async with in_transaction() as conn:
        for _ in range(200):
            await counter.add(conn, mandate.id, 1)
        await counter.add(conn, mandate.id, -3)
    assert await counter.total(mandate.id) == 197
    used = await SignatureCount.filter(mandate_id=mandate.id, count__gt=0).count()
    assert used > counter.SHARDS // 2  # 200 random picks leave hardly any shard empty


async def test_totals_of_several_mandates() -> None:
    town = await factories.municipality(quorum=100)
    initiator = await factories.person()
    one = await factories.mandate(initiator, town, Status.COLLECTING)
    two = await factories.mandate(initiator, town, Status.COLLECTING)
    for signer in await factories.people(3):
        await commands.sign_mandate(signer, two.id)
    assert await counter.totals([one.id, two.id, 999]) == {one.id: 1, two.id: 4, 999: 0}
    assert await counter.totals([]) == {}


async def test_the_count_equals_the_signature_rows_after_signing_and_withdrawing() -> None:
    town = await factories.municipality(quorum=100)
    mandate = await factories.mandate(await factories.person(), town, Status.COLLECTING)
    signers = await factories.people(6)
    for signer in signers:
        await commands.sign_mandate(signer, mandate.id)
        await commands.sign_mandate(signer, mandate.id)
    for signer in signers[:2]:
        await commands.withdraw_signature(signer, mandate.id)
        await commands.withdraw_signature(signer, mandate.id)
    rows = await Signature.filter(mandate_id=mandate.id).count()
    assert rows == 5
    assert await counter.total(mandate.id) == rows
