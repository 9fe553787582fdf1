"""Every figure against summary cells worked out by hand: empty periods, single cases, the
minimum number of cases, the intervals, traceability's running sum, and the comparison."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from participation.errors import InvalidInput, NotFound
from participation.mandates.models import Status
from participation.metrics import queries
from participation.metrics.rebuild import rebuild
from participation.metrics.results import Dashboard, FigureValue
from participation.municipalities.models import Department, Municipality
from tests import factories
from tests.factories import time_travel
from tests.factories.metric_cells import cells, participants

pytestmark = pytest.mark.usefixtures("database")

NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now() -> Iterator[None]:
    with time_travel(NOW):
        yield


def figure(board: Dashboard, figure_id: str, service_type: str | None = None) -> FigureValue:
    (found,) = [
        f for f in board.figures if f.figure == figure_id and f.service_type == service_type
    ]
    return found


async def town(slug: str, name: str, population: int | None = None) -> Municipality:
    municipality = await factories.municipality(slug, name=name)
    if population is not None:
        municipality.population = population
        await municipality.save()
    return municipality


async def test_a_municipality_without_data_has_every_figure_without_a_value() -> None:
    await town("leer", "Leerstadt")
    board = await queries.dashboard("leer", "last-12-months")
    assert board.name == "Leerstadt" and board.department is None
    assert {f.figure for f in board.figures} == set(queries.FIGURES)
    for value in board.figures:
        assert (value.value, value.n, value.interval) == (None, 0, None), value.figure
        assert value.comparable is (value.unit == "count")
    assert len(board.trends["first_answer_days"]) == 12
    assert board.trends["first_answer_days"][-1] == ("2026-12", None, 0)


async def test_median_p90_and_their_interval() -> None:
    municipality = await town("a", "A")
    # 0 1 1 2 2 2 3 3 5 12: median (2 + 2) / 2, p90 the 9th, interval the 2nd and 9th
    await cells(municipality, "first_answer_days", "2026-11", {0: 1, 1: 2, 2: 3, 3: 2, 5: 1, 12: 1})
    board = await queries.dashboard("a", "2026-11")
    answer = figure(board, "first_answer_days")
    assert (answer.value, answer.p90, answer.n) == (2.0, 5.0, 10)
    assert answer.interval == (1.0, 5.0)
    assert answer.comparable and answer.unit == "working_days"
    assert ("2026-11", 2.0, 10) in board.trends["first_answer_days"]


async def test_a_single_case_has_no_interval_and_is_not_comparable() -> None:
    municipality = await town("a", "A")
    await cells(municipality, "completion_days", "2026-10", {30: 1})
    completion = figure(await queries.dashboard("a", "2026-Q4"), "completion_days")
    assert (completion.value, completion.p90, completion.n) == (30.0, 30.0, 1)
    assert completion.interval is None
    assert not completion.comparable


async def test_the_minimum_number_of_cases_is_the_deployment_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    municipality = await town("a", "A")
    await cells(municipality, "completion_days", "2026-10", {4: 2, 9: 1})
    assert not figure(await queries.dashboard("a", "2026"), "completion_days").comparable
    monkeypatch.setenv("METRICS_MIN_CASES", "3")
    assert figure(await queries.dashboard("a", "2026"), "completion_days").comparable


async def test_outcome_shares_with_wilson_intervals() -> None:
    municipality = await town("a", "A")
    # open 2, accepted 5, rejected 2, withdrawn 1
    await cells(municipality, "outcome", "2026-10", {0: 2, 1: 5, 2: 2, 3: 1})
    board = await queries.dashboard("a", "2026-Q4")
    accepted = figure(board, "accepted_share")
    assert (accepted.value, accepted.n, accepted.interval) == (0.5, 10, (0.2366, 0.7634))
    assert figure(board, "rejected_share").value == 0.2
    assert figure(board, "open_share").value == 0.2


async def test_a_share_of_every_case_reaches_one() -> None:
    municipality = await town("a", "A")
    await cells(municipality, "promise_kept", "2026-11", {1: 10})
    kept = figure(await queries.dashboard("a", "2026-11"), "promise_kept_share")
    assert (kept.value, kept.interval) == (1.0, (0.7225, 1.0))


async def test_satisfaction_is_a_mean_with_its_distribution() -> None:
    municipality = await town("a", "A")
    # 5 5 5 4 1: mean 4, s = √3, 4 ± 1.96·√3/√5 = 4 ± 1.52, clipped at 5
    await cells(municipality, "rating", "2026-11", {5: 3, 4: 1, 1: 1})
    rating = figure(await queries.dashboard("a", "2026-11"), "outcome_satisfaction")
    assert (rating.value, rating.n, rating.interval) == (4.0, 5, (2.48, 5.0))
    assert rating.distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 3}


async def test_traceability_divides_traced_by_active_mandate_months() -> None:
    municipality = await town("a", "A")
    await cells(municipality, "active_delta", "2024-06", {0: 1})  # before the loaded months
    await cells(municipality, "active_delta", "2026-09", {0: 3})
    await cells(municipality, "active_delta", "2026-10", {0: 1})
    await cells(municipality, "active_delta", "2026-11", {0: -2})
    await cells(municipality, "traced", "2026-10", {0: 2})
    await cells(municipality, "traced", "2026-11", {0: 2})
    # active: October 1 + 3 + 1 = 5, November 3, December 3; traced 4 of 11
    board = await queries.dashboard("a", "2026-Q4")
    traced = figure(board, "traceability_share")
    assert (traced.value, traced.n) == (0.3636, 11)
    assert ("2026-10", 0.4, 5) in board.trends["traceability_share"]
    assert ("2026-12", 0.0, 3) in board.trends["traceability_share"]


async def test_counts_per_1000_inhabitants_and_distinct_participants() -> None:
    municipality = await town("a", "A", population=2000)
    await cells(municipality, "signatures", "2026-11", {0: 30})
    await participants(municipality, "2026-10", "anna", "bert")
    await participants(municipality, "2026-11", "anna", "carl")
    board = await queries.dashboard("a", "2026-Q4")
    signatures = figure(board, "signatures")
    assert (signatures.value, signatures.n, signatures.per_1000) == (30.0, 30, 15.0)
    assert signatures.interval is None and signatures.comparable
    people = figure(board, "participants")
    assert (people.value, people.per_1000) == (3.0, 1.5)  # anna once, not once a month
    assert ("2026-10", 2.0, 2) in board.trends["participants"]


async def test_service_figures_for_all_services_and_per_service_type() -> None:
    municipality = await town("a", "A")
    await cells(
        municipality, "service_duration_days", "2026-11", {1: 2, 3: 1}, service_type="ummeldung"
    )
    await cells(municipality, "service_duration_days", "2026-11", {10: 1}, service_type="pass")
    await cells(municipality, "service_rating", "2025-01", {4: 1}, service_type="kfz")
    board = await queries.dashboard("a", "2026-11")
    assert figure(board, "service_duration_days").value == 2.0  # 1 1 3 10
    assert figure(board, "service_duration_days", "ummeldung").value == 1.0
    assert figure(board, "service_duration_days", "pass").value == 10.0
    no_visits = figure(board, "service_duration_days", "kfz")  # has data, not this month
    assert (no_visits.value, no_visits.n) == (None, 0)


async def test_a_department_dashboard_has_the_department_s_figures_only() -> None:
    municipality = await town("a", "A")
    roads = await Department.create(municipality=municipality, name="Tiefbau")
    await cells(municipality, "first_answer_days", "2026-11", {2: 1}, department_id=roads.id)
    await cells(municipality, "first_answer_days", "2026-11", {2: 1, 8: 1})
    board = await queries.dashboard("a", "2026-11", str(roads.id))
    assert board.department == "Tiefbau"
    assert figure(board, "first_answer_days").n == 1
    figures = {f.figure for f in board.figures}
    assert "signatures" not in figures and "service_duration_days" not in figures
    assert set(board.trends) == figures


@pytest.mark.parametrize("department", ["other", "abc", "99999999999999999999"])
async def test_a_department_not_of_this_municipality_is_refused(department: str) -> None:
    await town("a", "A")
    other = await town("b", "B")
    elsewhere = await Department.create(municipality=other, name="Tiefbau")
    given = str(elsewhere.id) if department == "other" else department
    with pytest.raises(InvalidInput) as refused:
        await queries.dashboard("a", "2026-11", given)
    assert [e.field for e in refused.value.errors] == ["department"]


@pytest.mark.parametrize("period", ["2027-01", "2027", "november", "2026-13"])
async def test_future_and_unknown_periods_are_refused(period: str) -> None:
    await town("a", "A")
    with pytest.raises(InvalidInput) as refused:
        await queries.dashboard("a", period)
    assert [e.field for e in refused.value.errors] == ["period"]
    with pytest.raises(InvalidInput):
        await queries.compare("signatures", period)


async def test_an_unknown_municipality_is_not_found() -> None:
    with pytest.raises(NotFound):
        await queries.dashboard("nowhere", "2026")
    with pytest.raises(NotFound):
        await queries.available_periods("nowhere")


async def test_the_comparison_ranks_comparable_rows_only() -> None:
    a, b, c = await town("a", "Aberg"), await town("b", "Bedorf"), await town("c", "Cestadt")
    await town("d", "Dehausen")
    await cells(a, "promise_kept", "2026-11", {1: 9, 0: 1})
    await cells(b, "promise_kept", "2026-11", {1: 10})
    await cells(c, "promise_kept", "2026-11", {1: 1})
    comparison = await queries.compare("promise_kept_share", "2026-11")
    assert comparison.unit == "share" and comparison.service_type is None
    assert [(r.municipality, r.value, r.n, r.rank) for r in comparison.rows] == [
        ("b", 1.0, 10, 1),
        ("a", 0.9, 10, 2),
        ("c", 1.0, 1, None),
        ("d", None, 0, None),
    ]


async def test_lower_is_better_and_ties_share_a_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_MIN_CASES", "1")
    for slug, days in (("a", 5), ("b", 2), ("c", 2)):
        await cells(await town(slug, slug.upper()), "first_answer_days", "2026-10", {days: 1})
    rows = (await queries.compare("first_answer_days", "2026-Q4")).rows
    assert [(r.municipality, r.rank) for r in rows] == [("b", 1), ("c", 1), ("a", 3)]


async def test_counts_stand_side_by_side_unranked() -> None:
    a, b = await town("a", "A"), await town("b", "B")
    await cells(a, "comments", "2026-11", {0: 3})
    await cells(b, "comments", "2026-11", {0: 7})
    rows = (await queries.compare("comments", "last-12-months")).rows
    assert [(r.municipality, r.value, r.rank) for r in rows] == [("b", 7.0, None), ("a", 3.0, None)]


async def test_participants_are_compared_as_distinct_people() -> None:
    a = await town("a", "A")
    await participants(a, "2026-10", "anna")
    await participants(a, "2026-11", "anna", "bert")
    (row,) = (await queries.compare("participants", "2026-Q4")).rows
    assert row.value == 2.0


async def test_a_service_type_is_compared_alone() -> None:
    a, b = await town("a", "A"), await town("b", "B")
    await cells(a, "service_duration_days", "2026-11", {3: 1}, service_type="pass")
    await cells(a, "service_duration_days", "2026-11", {20: 1}, service_type="kfz")
    await cells(b, "service_duration_days", "2026-11", {9: 1}, service_type="kfz")
    comparison = await queries.compare("service_duration_days", "2026-11", "pass")
    assert comparison.service_type == "pass"
    assert [(r.municipality, r.value) for r in comparison.rows] == [("a", 3.0), ("b", None)]
    all_services = await queries.compare("service_duration_days", "2026-11")
    assert [r.value for r in all_services.rows] == [11.5, 9.0]  # (3 + 20) / 2


@pytest.mark.parametrize(
    ("figure_id", "service_type", "field"),
    [
        ("fastest", None, "figure"),
        ("signatures", "pass", "service_type"),
        ("service_duration_days", "unheard_of", "service_type"),
    ],
)
async def test_bad_comparisons_are_refused_naming_the_field(
    figure_id: str, service_type: str | None, field: str
) -> None:
    await town("a", "A")
    with pytest.raises(InvalidInput) as refused:
        await queries.compare(figure_id, "2026", service_type)
    assert [e.field for e in refused.value.errors] == [field]


async def test_available_periods_are_those_with_data() -> None:
    a = await town("a", "A")
    await town("b", "B")
    await cells(a, "signatures", "2026-11", {0: 1})
    await cells(a, "signatures", "2025-02", {0: 1})
    await cells(a, "active_delta", "2027-01", {0: -1})  # closed in December
    expected = ["last-12-months", "2026", "2025", "2026-Q4", "2025-Q1", "2026-11", "2025-02"]
    assert await queries.available_periods("a") == expected
    assert await queries.available_periods(None) == expected
    assert await queries.available_periods("b") == ["last-12-months"]


async def test_the_dashboard_reads_what_the_projection_keeps() -> None:
    municipality = await town("a", "A", population=1000)
    initiator = await factories.person(lives_in=municipality)
    await factories.mandate(initiator, municipality, Status.ACCEPTED)
    await rebuild("a")
    board = await queries.dashboard("a", "2026-12")
    assert figure(board, "mandates_launched").value == 1.0
    assert figure(board, "signatures").value == 4.0  # the quorum
    assert figure(board, "participants").value == 4.0  # the initiator signed first
    accepted = figure(board, "accepted_share")
    assert (accepted.value, accepted.n) == (1.0, 1)
    assert figure(board, "traceability_share").n == 1  # one active mandate-month


async def test_traceability_of_the_current_quarter_leaves_out_the_months_to_come() -> None:
    municipality = await town("jetzt", "Jetztstadt")
    with time_travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC)):
        await cells(municipality, "active_delta", "2026-10", {0: 1})
        await cells(municipality, "traced", "2026-10", {0: 1})
        await cells(municipality, "traced", "2026-11", {0: 1})
        board = await queries.dashboard("jetzt", "2026-Q4")
        (row,) = (await queries.compare("traceability_share", "2026-Q4")).rows
    traced = figure(board, "traceability_share")
    assert (traced.value, traced.n) == (1.0, 2)  # October and November; December is to come
    assert (row.value, row.n) == (1.0, 2)


async def test_a_bad_figure_and_a_bad_period_are_named_together() -> None:
    await town("beide", "Beidestadt")
    with pytest.raises(InvalidInput) as refused:
        await queries.compare("schnelligkeit", "2026-13")
    assert sorted(e.field for e in refused.value.errors) == ["figure", "period"]
    with pytest.raises(InvalidInput) as coded:
        await queries.compare("service_duration_days", "2026", "meldung\x00")
    assert [e.field for e in coded.value.errors] == ["service_type"]
