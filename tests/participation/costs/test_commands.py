"""Cost analysis commands: drafting, revising, publishing; bad input stores nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from participation.actors import Actor
from participation.costs import commands, queries
from participation.costs.models import CostAnalysis, CostRevision
from participation.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from participation.outbox.models import OutboxEvent
from participation.permissions import Role
from participation.timeline.models import TimelineEntry
from tests import factories
from tests.factories import costs as cost_factories
from tests.factories.costs import ITEMS

pytestmark = pytest.mark.usefixtures("database")


async def _setup(status: Status = Status.IN_REVIEW) -> tuple[Municipality, Actor, Actor, Mandate]:
    town = await factories.municipality(quorum=2)
    town.population = 12_000
    await town.save()
    initiator = await factories.person(name="Initiatorin")
    council = await factories.council_member(town)
    mandate = await factories.mandate(initiator, town, status, council=council)
    return town, initiator, council, mandate


async def _events(name: str) -> list[dict[str, Any]]:
    return [e.payload for e in await OutboxEvent.filter(name=name).order_by("id")]


async def _nothing_stored() -> None:
    assert await CostAnalysis.all().count() == 0
    assert await CostRevision.all().count() == 0
    assert await OutboxEvent.filter(name__startswith="costs:").count() == 0


async def test_creating_drafts_revision_one_with_its_totals() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate)
    assert analysis.status == "draft" and analysis.revision == 1
    assert analysis.published_revision is None
    view = await queries.analysis_view(council, analysis.id)
    assert view["one_off_cents"] == 10_000_000
    assert view["per_year_cents"] == 450_000
    # (100,000 € + 4,500 €) among 12,000 residents: 8.708… €, so 871 cents.
    assert view["per_resident_cents"] == 871
    assert view["one_off_per_resident_cents"] == 833
    assert view["per_year_per_resident_cents"] == 38
    assert view["author_role"] == "council"
    assert "<strong>2026</strong>" in view["assumptions_html"]
    assert [p["revision"] for p in await _events("costs:analysis:created")] == [1]
    # A draft is not public: nothing on the timeline yet.
    assert await TimelineEntry.filter(mandate_id=mandate.id, kind="cost_analysis").count() == 0


async def test_an_administrator_signs_as_administrator() -> None:
    town, _, _, mandate = await _setup()
    admin = await factories.person(role=Role.ADMIN, municipality=town)
    analysis = await cost_factories.cost_analysis(admin, mandate)
    assert (await queries.analysis_view(admin, analysis.id))["author_role"] == "admin"


async def test_every_save_is_a_new_revision_and_old_ones_stay() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate)
    changed = [dict(ITEMS[0], amount_cents=1_500_000), *ITEMS[1:]]
    await commands.revise_cost_analysis(
        council, analysis.id, title="Kosten, neu", items=changed, assumptions="Neu."
    )
    revised = await commands.revise_cost_analysis(
        council, analysis.id, title="Kosten, neu", items=changed[:1], assumptions="Neu."
    )
    assert revised.revision == 3
    rows = await CostRevision.filter(analysis_id=analysis.id).order_by("number")
    assert [r.number for r in rows] == [1, 2, 3]
    assert [r.one_off_cents for r in rows] == [10_000_000, 10_300_000, 1_500_000]
    assert rows[0].title == "Kosten des Radwegs" and rows[0].items == ITEMS
    assert [p["revision"] for p in await _events("costs:analysis:revised")] == [2, 3]


async def test_publishing_makes_the_latest_revision_public_and_later_saves_are_drafts() -> None:
    _, initiator, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate)
    with pytest.raises(NotFound):
        await queries.analysis_view(initiator, analysis.id)
    with pytest.raises(NotFound):
        await queries.analysis_view(None, analysis.id)
    await commands.publish_cost_analysis(council, analysis.id)
    public = await queries.analysis_view(None, analysis.id)
    assert public["revision"] == 1 and public["status"] == "published"
    assert public["published_at"] is not None

    await commands.revise_cost_analysis(council, analysis.id, title="Teurer", items=ITEMS[:1])
    # The public still sees revision 1; the council sees the draft revision 2.
    public = await queries.analysis_view(initiator, analysis.id)
    assert (public["revision"], public["title"], public["status"]) == (
        1,
        "Kosten des Radwegs",
        "published",
    )
    own = await queries.analysis_view(council, analysis.id)
    assert (own["revision"], own["title"], own["status"]) == (2, "Teurer", "draft")
    with pytest.raises(NotFound) as missing:
        await queries.analysis_view(None, analysis.id, number=2)
    assert missing.value.errors[0].field == "revision"
    revisions, _ = await queries.revisions_of(None, analysis.id)
    assert [r["number"] for r in revisions] == [1]
    revisions, _ = await queries.revisions_of(council, analysis.id)
    assert [r["number"] for r in revisions] == [2, 1]

    await commands.publish_cost_analysis(council, analysis.id)
    public = await queries.analysis_view(None, analysis.id)
    assert (public["revision"], public["title"]) == (2, "Teurer")
    # Revision 1 stays public, so anybody can compare.
    assert (await queries.analysis_view(None, analysis.id, number=1))[
        "title"
    ] == "Kosten des Radwegs"
    entries = await TimelineEntry.filter(mandate_id=mandate.id, kind="cost_analysis").order_by("id")
    assert [(e.data["revision"], e.data["republished"]) for e in entries] == [(1, False), (2, True)]
    assert entries[1].data["previous_revision"] == 1
    published = await _events("costs:analysis:published")
    assert [(p["revision"], p["one_off_cents"], p["mandate_id"]) for p in published] == [
        (1, 10_000_000, mandate.id),
        (2, 1_200_000, mandate.id),
    ]
    assert published[0]["entry"]["kind"] == "cost_analysis"


async def test_publishing_twice_changes_nothing() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate, publish=True)
    await commands.publish_cost_analysis(council, analysis.id)
    assert len(await _events("costs:analysis:published")) == 1
    assert await TimelineEntry.filter(kind="cost_analysis").count() == 1


async def test_diff_between_published_revisions_and_drafts_for_the_council() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate, publish=True)
    items = [
        *ITEMS,
        {
            "description": "Beleuchtung",
            "category": "material",
            "kind": "one_off",
            "amount_cents": 300_000,
        },
    ]
    await commands.revise_cost_analysis(
        council, analysis.id, title="Kosten des Radwegs", items=items
    )
    d = await queries.revision_diff(council, analysis.id, 1, 2)
    assert [a["description"] for a in d["added"]] == ["Beleuchtung"]
    assert d["totals"]["one_off_cents"]["change"] == 300_000
    with pytest.raises(NotFound) as hidden:
        await queries.revision_diff(None, analysis.id, 1, 2)
    assert hidden.value.errors[0].field == "to"


async def test_an_analysis_of_one_of_the_mandates_measures() -> None:
    _, _, council, mandate = await _setup()
    measure = await cost_factories.measure(mandate)
    analysis = await cost_factories.cost_analysis(
        council, mandate, measure_id=measure.id, publish=True
    )
    view = await queries.analysis_view(None, analysis.id)
    assert (view["measure_id"], view["measure_title"]) == (measure.id, "Radweg bauen")
    assert (await _events("costs:analysis:published"))[0]["measure_id"] == measure.id


async def test_a_measure_of_another_mandate_or_municipality_is_refused() -> None:
    town, initiator, council, mandate = await _setup()
    other_here = await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)
    elsewhere = await factories.municipality()
    council_there = await factories.council_member(elsewhere)
    far = await factories.mandate(
        await factories.person(lives_in=elsewhere),
        elsewhere,
        Status.IN_REVIEW,
        council=council_there,
    )
    for foreign in (await cost_factories.measure(other_here), await cost_factories.measure(far)):
        with pytest.raises(InvalidInput) as refused:
            await cost_factories.cost_analysis(council, mandate, measure_id=foreign.id)
        assert [e.field for e in refused.value.errors] == ["measure_id"]
    await _nothing_stored()


async def test_bad_input_names_every_field_and_stores_nothing() -> None:
    _, _, council, mandate = await _setup()
    items = [
        dict(ITEMS[0], amount_cents=-5),
        dict(ITEMS[1], amount_cents=12.5),
        dict(ITEMS[2], amount_cents=10**12 + 1),
        dict(ITEMS[0], category="catering"),
    ]
    with pytest.raises(InvalidInput) as refused:
        await commands.create_cost_analysis(
            council, mandate.id, title=" ", items=items, assumptions=""
        )
    assert {e.field for e in refused.value.errors} == {
        "title",
        "items[0].amount_cents",
        "items[1].amount_cents",
        "items[2].amount_cents",
        "items[3].category",
    }
    await _nothing_stored()


async def test_a_bad_revision_leaves_the_analysis_as_it_was() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate, publish=True)
    with pytest.raises(InvalidInput):
        await commands.revise_cost_analysis(
            council, analysis.id, title="x", items=[dict(ITEMS[0], kind="monthly")]
        )
    assert (await CostAnalysis.get(id=analysis.id)).revision == 1
    assert await CostRevision.filter(analysis_id=analysis.id).count() == 1


@pytest.mark.parametrize("status", [Status.COLLECTING, Status.WITHDRAWN, Status.EXPIRED])
async def test_a_mandate_not_before_the_council_takes_no_cost_analysis(status: Status) -> None:
    _, _, council, mandate = await _setup(status)
    with pytest.raises(Conflict):
        await cost_factories.cost_analysis(council, mandate)
    await _nothing_stored()


@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.ACCEPTED, Status.COMPLETED, Status.REJECTED]
)
async def test_a_mandate_that_reached_the_council_takes_one(status: Status) -> None:
    _, _, council, mandate = await _setup(status)
    assert (await cost_factories.cost_analysis(council, mandate)).revision == 1


async def test_others_may_not_write_or_publish() -> None:
    town, initiator, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate)
    elsewhere = await factories.municipality()
    outsiders = [
        initiator,
        await factories.person(),
        await factories.person(role=Role.MODERATOR, municipality=town),
        await factories.council_member(elsewhere),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            await cost_factories.cost_analysis(outsider, mandate)
        # The draft does not exist for them; once published they still may not touch it.
        with pytest.raises(NotFound):
            await commands.publish_cost_analysis(outsider, analysis.id)
    await commands.publish_cost_analysis(council, analysis.id)
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            await commands.revise_cost_analysis(outsider, analysis.id, title="x", items=[])
        with pytest.raises(PermissionDenied):
            await commands.publish_cost_analysis(outsider, analysis.id)
    assert await CostRevision.filter(analysis_id=analysis.id).count() == 1


async def test_lists_show_the_public_only_published_analyses() -> None:
    _, _, council, mandate = await _setup()
    published = await cost_factories.cost_analysis(council, mandate, title="A", publish=True)
    await cost_factories.cost_analysis(council, mandate, title="B")
    public, _ = await queries.analyses_of(None, mandate.id)
    assert [v["id"] for v in public] == [published.id]
    own, _ = await queries.analyses_of(council, mandate.id)
    assert [v["title"] for v in own] == ["A", "B"]


def test_csv_guards_against_formulas() -> None:
    view = {
        "items": [
            {
                "description": '=HYPERLINK("http://x")',
                "category": "other",
                "kind": "one_off",
                "amount_cents": 123,
                "funding_source": "@SUM(A1)",
            },
            {
                "description": "+49 Telefon",
                "category": "other",
                "kind": "per_year",
                "amount_cents": 7,
                "funding_source": "-",
            },
        ],
        "one_off_cents": 123,
        "per_year_cents": 7,
        "per_resident_cents": None,
    }
    lines = queries.csv_text(view).splitlines()
    assert lines[0] == "position,description,category,kind,amount_cents,amount_eur,funding_source"
    assert lines[1] == '1,"\'=HYPERLINK(""http://x"")",other,one_off,123,1.23,\'@SUM(A1)'
    assert lines[2] == "2,'+49 Telefon,other,per_year,7,0.07,'-"
    assert lines[3:] == [
        ",total_one_off,,,123,1.23,",
        ",total_per_year,,,7,0.07,",
        ",per_resident_first_year,,,,,",
    ]


@pytest.mark.postgres
async def test_saves_at_the_same_moment_get_numbers_of_their_own() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate)
    titles = [f"Fassung {n}" for n in range(8)]
    await asyncio.gather(
        *(commands.revise_cost_analysis(council, analysis.id, title=t, items=ITEMS) for t in titles)
    )
    rows = await CostRevision.filter(analysis_id=analysis.id).order_by("number")
    assert [r.number for r in rows] == list(range(1, 10))
    assert sorted(r.title for r in rows[1:]) == sorted(titles)
    assert (await CostAnalysis.get(id=analysis.id)).revision == 9


@pytest.mark.postgres
async def test_publishing_at_the_same_moment_announces_once() -> None:
    _, _, council, mandate = await _setup()
    analysis = await cost_factories.cost_analysis(council, mandate)
    await asyncio.gather(*(commands.publish_cost_analysis(council, analysis.id) for _ in range(5)))
    assert len(await _events("costs:analysis:published")) == 1


async def test_published_totals_per_measure_for_the_plans_area() -> None:
    _, _, council, mandate = await _setup()
    bench, light = (
        await cost_factories.measure(mandate, "Bänke"),
        await cost_factories.measure(mandate, "Licht"),
    )
    one = [dict(ITEMS[0], amount_cents=100), dict(ITEMS[2], amount_cents=10)]
    first = await cost_factories.cost_analysis(
        council, mandate, items=one, measure_id=bench.id, publish=True
    )
    await cost_factories.cost_analysis(
        council, mandate, items=[dict(ITEMS[0], amount_cents=50)], measure_id=bench.id, publish=True
    )
    # A draft revision and a never published analysis do not count.
    await commands.revise_cost_analysis(council, first.id, title="x", items=[])
    await cost_factories.cost_analysis(council, mandate, measure_id=light.id)
    await cost_factories.cost_analysis(council, mandate, publish=True)
    assert await queries.published_totals_by_measure(mandate.id) == {
        bench.id: {"one_off_cents": 150, "per_year_cents": 10}
    }
