"""The list of a municipality's mandates: its orders, its count, and topics however typed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participation import clock
from participation.mandates import commands, queries
from participation.mandates.models import Mandate, Status
from participation.mandates.queries import MandateFilter, Sort
from participation.municipalities.models import Municipality
from tests import factories

pytestmark = pytest.mark.usefixtures("database")


@pytest.fixture
async def town() -> Municipality:
    return await factories.municipality("musterdorf", quorum=6)


@pytest.fixture
async def listed(town: Municipality) -> dict[str, Mandate]:
    """a, b and d collecting (1, 4 and 2 signatures), c submitted with the quorum's 6."""
    initiator = await factories.person()
    made = {
        "a": await factories.mandate(initiator, town, topics=["Radverkehr"]),
        "b": await factories.mandate(initiator, town, topics=["radverkehr", "Schule"]),
        "c": await factories.mandate(initiator, town, Status.SUBMITTED),
        "d": await factories.mandate(initiator, town),
    }
    for signer in await factories.people(3):
        await commands.sign_mandate(signer, made["b"].id)
    await commands.sign_mandate(await factories.person(), made["d"].id)
    now = clock.now()
    for name, days in (("a", 20), ("b", 5), ("d", 10)):
        await Mandate.filter(id=made[name].id).update(closes_at=now + timedelta(days=days))
    return made


async def order(sort: Sort, filters: MandateFilter | None = None, limit: int = 20) -> list[int]:
    views, _ = await queries.list_mandates(
        None, "musterdorf", filters or MandateFilter(), limit, None, sort
    )
    return [v["id"] for v in views]


def ids(listed: dict[str, Mandate], names: str) -> list[int]:
    return [listed[n].id for n in names]


async def test_each_order(listed: dict[str, Mandate]) -> None:
    assert await order(Sort.NEWEST) == ids(listed, "dcba")
    assert await order(Sort.COLLECTING) == ids(listed, "dbac")
    assert await order(Sort.SIGNATURES) == ids(listed, "cbda")
    assert await order(Sort.CLOSING) == ids(listed, "bdac")


async def test_orders_page_on_without_gaps_or_repeats(listed: dict[str, Mandate]) -> None:
    for sort in Sort:
        seen: list[int] = []
        cursor = None
        while True:
            views, cursor = await queries.list_mandates(
                None, "musterdorf", MandateFilter(), 3, cursor, sort
            )
            seen += [v["id"] for v in views]
            if cursor is None:
                break
        assert seen == await order(sort), sort


async def test_a_topic_matches_with_or_without_its_hash(listed: dict[str, Mandate]) -> None:
    for typed in ("radverkehr", "#Radverkehr", " # RADVERKEHR "):
        assert await order(Sort.NEWEST, MandateFilter(topic=typed)) == ids(listed, "ba")
    assert queries.topic_key("#Schule") == "schule"


async def test_the_count_is_of_all_pages(listed: dict[str, Mandate]) -> None:
    assert await queries.count_mandates("musterdorf", MandateFilter()) == 4
    assert await queries.count_mandates("musterdorf", MandateFilter(topic="#schule")) == 1
    collecting = MandateFilter(status=Status.COLLECTING)
    assert await queries.count_mandates("musterdorf", collecting) == 3
    assert await queries.count_mandates("musterdorf", MandateFilter(district="no such")) == 0
