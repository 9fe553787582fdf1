"""The figure pages as a reader sees them: values in words, the greyed rule, no data yet,
bad input next to its picker, both languages, and the links to definitions and records.

The query layer is replaced by fixed results here, so each rule of the page is checked
against numbers chosen for it; tests/participation/metrics/ checks the numbers themselves.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from notifications.visits.models import ServiceType
from participation.errors import InvalidInput
from participation.messages import Message
from participation.metrics import queries
from participation.metrics.figures import FIGURES
from participation.metrics.results import Comparison, ComparisonRow, Dashboard, FigureValue
from participation.municipalities.models import Department, Municipality
from tests import factories
from tests.factories import time_travel
from tests.factories.metric_cells import cells

MONTHS = tuple(f"2026-{m:02d}" for m in range(1, 12)) + ("2026-12",)


def _value(figure: str, value: float | None, n: int, **more: object) -> FigureValue:
    fields: dict[str, object] = {
        "interval": None,
        "comparable": n >= 10 or FIGURES[figure].kind == "count",
        "unit": FIGURES[figure].unit,
    }
    fields.update(more)
    return FigureValue(figure, value, n, **fields)  # type: ignore[arg-type]


FIRST_ANSWER = _value("first_answer_days", 3, 31, interval=(2, 5), p90=9)
KEPT = _value("promise_kept_share", 0.75, 4, interval=(0.3, 0.95))
SIGNATURES = _value("signatures", 1234, 1234, per_1000=2.5)
SATISFACTION = _value(
    "outcome_satisfaction", 4.25, 12, interval=(3.9, 4.6), distribution={1: 1, 4: 6, 5: 5}
)


def _dashboard(*figures: FigureValue, department: str | None = None) -> Dashboard:
    trend = tuple((m, 2.0 + i % 3, 5) for i, m in enumerate(MONTHS))
    return Dashboard(
        municipality="musterstadt",
        name="Musterstadt",
        period="last-12-months",
        department=department,
        figures=figures,
        trends={
            "first_answer_days": trend,
            "promise_kept_share": tuple((m, None, 0) for m in MONTHS),
            "signatures": tuple((m, None, 0) for m in MONTHS),
        },
    )


class Queries:
    """What the pages asked, and what they get back."""

    def __init__(self) -> None:
        self.dashboard = _dashboard(FIRST_ANSWER, KEPT, SIGNATURES, SATISFACTION)
        self.comparison: Comparison | None = None
        self.refusal: InvalidInput | None = None
        self.asked: list[tuple[object, ...]] = []

    async def dashboard_of(
        self, slug: str, period: str, department: str | None = None
    ) -> Dashboard:
        self.asked.append((slug, period, department))
        if self.refusal is not None:
            raise self.refusal
        return self.dashboard

    async def compare(
        self, figure: str, period: str, service_type: str | None = None
    ) -> Comparison:
        self.asked.append((figure, period, service_type))
        if self.refusal is not None:
            raise self.refusal
        assert self.comparison is not None
        return self.comparison

    async def available_periods(self, slug: str | None) -> list[str]:
        return ["2026-11", "2026-Q4", "2026", "last-12-months"]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queries]:
    found = Queries()
    monkeypatch.setattr(queries, "dashboard", found.dashboard_of)
    monkeypatch.setattr(queries, "compare", found.compare)
    monkeypatch.setattr(queries, "available_periods", found.available_periods)
    yield found


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterstadt", name="Musterstadt")


def _text(html: str) -> str:
    """The page's text with tags and repeated white space removed, as a reader hears it."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _card(html: str, anchor: str) -> str:
    match = re.search(rf'<article class="fig-card[^"]*" id="{anchor}".*?</article>', html, re.S)
    assert match, f"no figure {anchor}"
    return match.group(0)


async def test_the_dashboard_shows_each_figure_in_words(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    page = await client.get("/m/musterstadt/figures?lang=en")
    assert page.status_code == 200
    assert "<title>Figures · Musterstadt</title>" in page.text
    assert fake.asked == [("musterstadt", "last-12-months", None)]
    first = _text(_card(page.text, "figure-first_answer_days"))
    assert "Time to the first answer" in first
    assert "3 working days" in first
    assert "90 % of cases within 9 working days" in first
    assert "based on 31 cases · 95 % between 2 and 5" in first
    assert "Too few cases" not in first
    signatures = _text(_card(page.text, "figure-signatures"))
    assert "1,234" in signatures and "2.5 per 1,000 inhabitants" in signatures
    assert "based on" not in signatures  # a count is its own number of cases
    satisfaction = _card(page.text, "figure-outcome_satisfaction")
    assert "4.2 of 5" in _text(satisfaction) or "4.3 of 5" in _text(satisfaction)
    assert re.search(r"<th scope=\"row\">4</th><td class=\"num\">6</td>", satisfaction)


async def test_a_figure_from_too_few_cases_is_greyed_with_a_label_and_its_count(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    page = (await client.get("/m/musterstadt/figures?lang=en")).text
    kept = _card(page, "figure-promise_kept_share")
    assert 'class="fig-card fig-greyed"' in kept
    assert "Too few cases to compare" in _text(kept)
    assert "75%" in _text(kept) and "based on 4 cases" in _text(kept)
    assert "fig-greyed" not in _card(page, "figure-first_answer_days").split(">")[0]


async def test_the_dashboard_in_german_has_a_decimal_comma_and_german_words(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    page = (await client.get("/m/musterstadt/figures")).text
    assert "<title>Kennzahlen · Musterstadt</title>" in page
    first = _text(_card(page, "figure-first_answer_days"))
    assert "3 Arbeitstage" in first and "auf Grundlage von 31 Fällen" in first
    signatures = _text(_card(page, "figure-signatures"))
    assert "1.234" in signatures and "2,5 je 1.000 Einwohner" in signatures
    assert "Zu wenige Fälle für einen Vergleich" in _text(_card(page, "figure-promise_kept_share"))


async def test_every_figure_links_its_definition_its_records_and_the_comparison(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    page = (await client.get("/m/musterstadt/figures?period=2026-Q4")).text
    first = _card(page, "figure-first_answer_days")
    assert 'href="/figures/definitions#first_answer_days"' in first
    assert 'href="/open-data/musterstadt/mandates.csv"' in first
    assert 'href="/figures?figure=first_answer_days&amp;period=2026-Q4"' in first
    assert 'href="/open-data/musterstadt/figures.csv"' in _card(page, "figure-signatures")


async def test_the_trend_is_a_sparkline_with_its_summary_and_its_table(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    first = _card(
        (await client.get("/m/musterstadt/figures?lang=en")).text, "figure-first_answer_days"
    )
    svg = re.search(r"<svg.*?</svg>", first, re.S)
    assert svg
    chart = ET.fromstring(svg.group(0))
    assert chart.get("role") == "img"
    assert "month by month" in _text(first)
    assert "From January 2026 to December 2026: lowest 2 working days, highest 4 working days" in (
        _text(first)
    )
    assert len(re.findall(r"<tr><th scope=\"row\">", first)) == 12
    page = (await client.get("/m/musterstadt/figures?lang=en")).text
    kept = _text(_card(page, "figure-promise_kept_share"))
    assert "No data from January 2026 to December 2026." in kept
    signatures = _text(_card(page, "figure-signatures"))  # a count of nothing is 0
    assert "From January 2026 to December 2026: lowest 0, highest 0" in signatures


async def test_services_before_any_visit_say_no_data_yet(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    fake.dashboard = _dashboard(FIRST_ANSWER, _value("service_duration_days", None, 0))
    page = _text((await client.get("/m/musterstadt/figures?lang=en")).text)
    assert "Routine services No data yet: no service visit has been reported" in page


async def test_service_figures_are_named_by_their_service(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    await ServiceType.create(
        municipality_id=town.id,
        code="meldewesen.ummeldung",
        name_de="Ummeldung",
        name_en="Re-registration",
    )
    fake.dashboard = _dashboard(
        _value("service_duration_days", 3, 40, service_type="meldewesen.ummeldung", interval=(2, 4))
    )
    page = (await client.get("/m/musterstadt/figures?lang=en")).text
    card = _text(_card(page, "figure-service_duration_days-meldewesen.ummeldung"))
    assert "Duration of services: Re-registration" in card or ": Re-registration" in card
    assert "3 days" in card


async def test_a_bad_period_or_department_is_shown_next_to_its_picker(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    fake.refusal = InvalidInput.on("period", Message("This period is in the future."))
    page = await client.get("/m/musterstadt/figures?period=2099-01")
    assert page.status_code == 422
    assert 'id="figures-period" name="period" aria-invalid="true"' in page.text
    assert '<p class="field-error" id="figures-period-error">' in page.text
    assert 'href="#figures-period"' in page.text  # the summary links to the picker
    assert "figure-first_answer_days" not in page.text
    fake.refusal = InvalidInput.on("department", Message("This department does not exist."))
    page = await client.get("/m/musterstadt/figures?department=999&lang=en")
    assert page.status_code == 422
    assert 'id="figures-department-error"' in page.text


async def test_an_unknown_municipality_is_404(
    client: httpx.AsyncClient, app: Starlette, fake: Queries
) -> None:
    assert (await client.get("/m/nirgendwo/figures")).status_code == 404


async def test_the_department_picker_offers_the_municipalitys_departments(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    works = await Department.create(municipality_id=town.id, name="Tiefbauamt")
    fake.dashboard = _dashboard(FIRST_ANSWER, department=str(works.id))
    page = (await client.get(f"/m/musterstadt/figures?department={works.id}&lang=en")).text
    assert f'<option value="{works.id}" selected>Tiefbauamt</option>' in page
    assert "Department: Tiefbauamt" in _text(page)
    assert fake.asked[-1] == ("musterstadt", "last-12-months", str(works.id))


def _comparison(figure: str, *rows: ComparisonRow, service_type: str | None = None) -> Comparison:
    return Comparison(figure, "2026", service_type, FIGURES[figure].unit, rows)


RANKED = (
    ComparisonRow("musterstadt", "Musterstadt", 2, 31, (1, 3), True, 1),
    ComparisonRow("beispielheim", "Beispielheim", 6, 25, (4, 9), True, 2),
    ComparisonRow("kleinweiler", "Kleinweiler", 1, 3, None, False, None),
    ComparisonRow("leerdorf", "Leerdorf", None, 0, None, False, None),
)


async def test_the_comparison_ranks_and_greys_and_says_it_in_one_sentence(
    client: httpx.AsyncClient, app: Starlette, fake: Queries
) -> None:
    fake.comparison = _comparison("first_answer_days", *RANKED)
    page = await client.get("/figures?figure=first_answer_days&period=2026&lang=en")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Musterstadt gives its first answer fastest: median 2 working days (31 cases)." in text
    chart = ET.fromstring(re.search(r"<svg.*?</svg>", page.text, re.S).group(0))  # type: ignore[union-attr]
    ns = {"s": "http://www.w3.org/2000/svg"}
    labels = [t.text for t in chart.findall("s:text", ns)]
    assert labels == [
        "1. Musterstadt: 2 working days",
        "2. Beispielheim: 6 working days",
        "Kleinweiler: 1 working day · not ranked: 3 cases",
        "Leerdorf: no data",
    ]
    assert len(chart.findall("s:rect[@class='fig-bar-greyed']", ns)) == 1
    table = re.search(r"<table.*?</table>", page.text, re.S).group(0)  # type: ignore[union-attr]
    assert '<tr class="fig-greyed"><td>not ranked: 3 cases</td>' in table
    assert '<td class="span">1–3</td>' in table
    assert fake.asked == [("first_answer_days", "2026", None)]
    # A service chosen beside a figure that is not per service is left aside.
    await client.get("/figures?figure=first_answer_days&period=2026&service_type=x")
    assert fake.asked[-1] == ("first_answer_days", "2026", None)


async def test_the_comparison_in_german(
    client: httpx.AsyncClient, app: Starlette, fake: Queries
) -> None:
    fake.comparison = _comparison("first_answer_days", *RANKED)
    page = await client.get("/figures?figure=first_answer_days&period=2026")
    assert "<title>Kennzahlen im Vergleich · Auftrag</title>" in page.text
    text = _text(page.text)
    assert (
        "Musterstadt gibt die erste Antwort am schnellsten: Median 2 Arbeitstage (31 Fälle)."
        in text
    )
    assert "nicht gereiht: 3 Fälle" in text


async def test_no_comparable_municipality_is_said_so(
    client: httpx.AsyncClient, app: Starlette, fake: Queries
) -> None:
    fake.comparison = _comparison("first_answer_days", *RANKED[2:])
    text = _text((await client.get("/figures?lang=en")).text)
    assert "No municipality has enough cases in this period to be ranked." in text


async def test_bad_figure_period_and_service_type_are_shown_next_to_their_pickers(
    client: httpx.AsyncClient, app: Starlette, fake: Queries
) -> None:
    for field, query in (
        ("figure", "figure=speed"),
        ("period", "period=2026-13"),
        ("service_type", "figure=service_duration_days&service_type=nothing"),
    ):
        fake.refusal = InvalidInput.on(field, Message("Unknown."))
        page = await client.get(f"/figures?{query}")
        assert page.status_code == 422, field
        assert f'id="compare-{field}-error"' in page.text
        assert "<svg" not in page.text


async def test_the_definitions_have_an_anchor_for_every_figure(
    client: httpx.AsyncClient, app: Starlette
) -> None:
    page = (await client.get("/figures/definitions?lang=en")).text
    for figure in FIGURES.values():
        assert f'id="{figure.id}"' in page
    text = _text(page)
    assert "A fast first answer says nothing about its quality" in text
    assert "What it does not say" in text
    german = _text((await client.get("/figures/definitions?lang=de")).text)
    assert "Was sie nicht aussagt" in german


async def test_the_header_and_footer_lead_to_the_figures(
    client: httpx.AsyncClient, town: Municipality, fake: Queries
) -> None:
    page = (await client.get("/m/musterstadt")).text
    assert 'href="/m/musterstadt/figures"' in page
    assert 'href="/figures"' in page


# -- with the real query layer, from summary cells ---------------------------------------------


NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
def december() -> Iterator[None]:
    with time_travel(NOW):
        yield


async def test_the_dashboard_from_summary_cells(
    client: httpx.AsyncClient, town: Municipality, december: None
) -> None:
    # 31 first answers in November: median 2, so comparable; 4 settled promises, 3 kept.
    await cells(town, "first_answer_days", "2026-11", {1: 10, 2: 12, 4: 9})
    await cells(town, "promise_kept", "2026-11", {1: 3, 0: 1})
    page = await client.get("/m/musterstadt/figures?period=2026-11&lang=en")
    assert page.status_code == 200
    first = _text(_card(page.text, "figure-first_answer_days"))
    assert "2 working days" in first and "based on 31 cases" in first
    assert "Too few cases" not in first
    kept = _text(_card(page.text, "figure-promise_kept_share"))
    assert "75%" in kept and "based on 4 cases" in kept and "Too few cases to compare" in kept
    assert "Period: November 2026" in _text(page.text)
    comments = _text(_card(page.text, "figure-comments"))
    assert "Comments 0" in comments and "no data" not in comments.lower()  # none is a count
    assert "No data for this period" in _text(_card(page.text, "figure-completion_days"))
    services = _text(page.text).split("Routine services", 2)[-1]
    assert services.startswith(" No data yet")


async def test_a_future_period_and_a_department_of_another_town_are_refused(
    client: httpx.AsyncClient, town: Municipality, december: None
) -> None:
    future = await client.get("/m/musterstadt/figures?period=2027-03&lang=en")
    assert future.status_code == 422
    assert "This period is in the future." in future.text
    other = await factories.municipality("anderswo")
    elsewhere = await Department.create(municipality_id=other.id, name="Bauamt")
    refused = await client.get(f"/m/musterstadt/figures?department={elsewhere.id}")
    assert refused.status_code == 422
    assert 'id="figures-department-error"' in refused.text


async def test_the_comparison_from_summary_cells(
    client: httpx.AsyncClient, town: Municipality, december: None
) -> None:
    other = await factories.municipality("beispielheim", name="Beispielheim")
    small = await factories.municipality("kleinweiler", name="Kleinweiler")
    await cells(town, "first_answer_days", "2026-11", {1: 10, 2: 12, 4: 9})
    await cells(other, "first_answer_days", "2026-11", {5: 10, 6: 10})
    await cells(small, "first_answer_days", "2026-11", {0: 3})
    page = await client.get("/figures?figure=first_answer_days&period=2026-11&lang=en")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Musterstadt gives its first answer fastest: median 2 working days (31 cases)." in text
    assert "Kleinweiler: 0 working days · not ranked: 3 cases" in text
    bad = await client.get("/figures?figure=service_duration_days&service_type=nothing")
    assert bad.status_code == 422 and 'id="compare-service_type-error"' in bad.text
    for query in ("figure=x&period=2026-13", "figure=x&period=9999", "period=0001"):
        both = await client.get(f"/figures?{query}")
        assert both.status_code == 422, query
    coded = await client.get("/figures?figure=service_duration_days&service_type=%00")
    assert coded.status_code == 422
    for period in ("9999", "0000", "9999-12"):
        far = await client.get(f"/m/musterstadt/figures?period={period}")
        assert far.status_code == 422 and 'id="figures-period-error"' in far.text
        api = await client.get(f"/api/v1/municipalities/musterstadt/metrics?period={period}")
        assert api.status_code == 422, api.text


async def test_a_service_figure_is_compared_for_all_services_or_one(
    client: httpx.AsyncClient, app: Starlette, fake: Queries
) -> None:
    row = ComparisonRow("musterstadt", "Musterstadt", 3, 40, (2, 4), True, 1)
    fake.comparison = _comparison("service_duration_days", row)
    page = _text((await client.get("/figures?figure=service_duration_days&lang=en")).text)
    assert "Musterstadt completes this service fastest: median 3 days (40 cases)." in page
    assert ": all services" in page
    assert fake.asked[-1] == ("service_duration_days", "last-12-months", None)
    await client.get("/figures?figure=service_duration_days&service_type=meldewesen.ummeldung")
    assert fake.asked[-1] == ("service_duration_days", "last-12-months", "meldewesen.ummeldung")
