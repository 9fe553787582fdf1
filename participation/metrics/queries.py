"""Public figures from the summary tables: a municipality's dashboard, the comparison of all
municipalities, and the periods with data. Nothing here scans mandates: a request reads the
cells of the months it needs in one query, a few sums and distinct counts beside it, and
computes the figures from those histograms (participation/metrics/stats.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.functions import Sum

from notifications.visits import rules as visit_rules
from participation import clock, environment, periods, sql
from participation.errors import FieldError, InvalidInput, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.metrics import people, stats
from participation.metrics.figures import FIGURES, SCORES, Figure, figure_named
from participation.metrics.models import MetricCell
from participation.metrics.results import Comparison, ComparisonRow, Dashboard, FigureValue
from participation.municipalities.models import Department, Municipality
from participation.municipalities.queries import municipality_by_slug

TREND_MONTHS = 12
WHOLE = 0  # department_id of the whole municipality
SERVICE_TYPE_MAX = 64


@dataclass
class _Data:
    """One municipality's cells over a range of months, as histograms by measure, service
    type and month."""

    cells: dict[tuple[str, str], dict[str, dict[int, int]]] = field(default_factory=dict)
    before: dict[str, int] = field(default_factory=dict)  # running sums before the range

    def add(self, measure: str, service_type: str, month: str, value: int, count: int) -> None:
        self.cells.setdefault((measure, service_type), {}).setdefault(month, {})[value] = count

    def histogram(
        self, measure: str, months: Iterable[str], service_type: str | None = None
    ) -> dict[int, int]:
        """`service_type` None sums over every service type."""
        merged: dict[int, int] = defaultdict(int)
        for (m, st), by_month in self.cells.items():
            if m != measure or service_type not in (None, st):
                continue
            for month in months:
                for value, count in by_month.get(month, {}).items():
                    merged[value] += count
        return merged

    def running(self, measure: str, months: tuple[str, ...]) -> dict[str, int]:
        """The running sum of `measure` at each of these months."""
        deltas: dict[str, int] = defaultdict(int)
        for (m, _), by_month in self.cells.items():
            if m == measure:
                for month, cells in by_month.items():
                    deltas[month] += sum(cells.values())
        total, found = self.before.get(measure, 0), {}
        for month in sorted(set(deltas) | set(months)):
            total += deltas.get(month, 0)
            if month in months:
                found[month] = total
        return found

    def active(self, months: tuple[str, ...]) -> int:
        """Active mandate-months: each month's running sum of active_delta, added up."""
        return sum(self.running("active_delta", months).values())

    def participants(self, months: tuple[str, ...]) -> int:
        """Distinct people over these months together, from the people cells."""
        measure = people.measure_for(months)
        if measure == people.ROLLING:
            return self.running(measure, months[-1:]).get(months[-1], 0)
        if measure is None:
            raise ValueError(f"no people measure spans {months}")
        return sum(self.histogram(measure, months[:1]).values())


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _interval(interval: tuple[float, float] | None, digits: int) -> tuple[float, float] | None:
    return None if interval is None else (round(interval[0], digits), round(interval[1], digits))


def evaluate(
    figure: Figure,
    data: _Data,
    months: tuple[str, ...],
    minimum: int,
    service_type: str | None = None,
    population: int | None = None,
    current: str | None = None,
) -> FigureValue:
    """The figure over `months`; traceability only over those up to `current`, the
    municipality's current month, since a month to come has active mandates but no
    updates yet."""
    if figure.kind == "count":
        if figure.id == "participants":
            n = data.participants(months)
        else:
            n = stats.cases(data.histogram(figure.measure, months, None))
        if n == 0:
            return FigureValue(figure.id, None, 0, None, True, figure.unit)
        per_1000 = round(n * 1000 / population, 2) if population else None
        return FigureValue(figure.id, float(n), n, None, True, figure.unit, per_1000=per_1000)
    histogram = data.histogram(figure.measure, months, service_type)
    if figure.id == "traceability_share":
        months = tuple(m for m in months if current is None or m <= current)
        successes, n = stats.cases(histogram), data.active(months)
    else:
        n = stats.cases(histogram)
        successes = max(histogram.get(figure.success, 0), 0)
    comparable = n >= minimum
    if figure.kind == "share":
        return FigureValue(
            figure.id,
            _rounded(stats.share(successes, n), 4),
            n,
            _interval(stats.wilson(min(successes, n), n), 4),
            comparable,
            figure.unit,
            service_type,
        )
    if figure.kind == "mean":
        return FigureValue(
            figure.id,
            _rounded(stats.mean(histogram), 2),
            n,
            _interval(stats.mean_interval(histogram, (SCORES[0], SCORES[-1])), 2),
            comparable,
            figure.unit,
            service_type,
            distribution={score: max(histogram.get(score, 0), 0) for score in SCORES},
        )
    p90 = stats.percentile(histogram, 0.9)
    return FigureValue(
        figure.id,
        stats.median(histogram),
        n,
        stats.median_interval(histogram),
        comparable,
        figure.unit,
        service_type,
        p90=None if p90 is None else float(p90),
    )


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def _department(municipality: Municipality, text: str) -> Department:
    department_id = parse_id(text)
    department = (
        await Department.get_or_none(id=department_id, municipality_id=municipality.id)
        if department_id is not None
        else None
    )
    if department is None:
        raise InvalidInput.on(
            "department",
            Message("This municipality has no department %(department)s.", department=text[:20]),
        )
    return department


async def _cells(
    municipality_id: int | None,
    department_id: int,
    first: str,
    last: str,
    measures: list[str] | None,
    service_type: str | None,
) -> list[dict[str, Any]]:
    """Written by hand: the ORM's row objects cost more than the query on a dashboard's few
    thousand cells."""
    conditions = ['"department_id" = $1', '"month" >= $2', '"month" <= $3']
    values: list[Any] = [department_id, first, last]

    def given(condition: str, *more: Any) -> None:
        numbers = range(len(values) + 1, len(values) + len(more) + 1)
        conditions.append(condition % ", ".join(f"${n}" for n in numbers))
        values.extend(more)

    if municipality_id is not None:
        given('"municipality_id" = %s', municipality_id)
    if service_type is not None:
        given('"service_type" = %s', service_type)
    if measures is not None:
        given('"measure" IN (%s)', *measures)
    return await sql.run(
        connections.get("default"),
        'SELECT "municipality_id", "measure", "service_type", "month", "value", "count" '
        'FROM "metric_cell" WHERE ' + " AND ".join(conditions),
        *values,
    )


async def _load(
    municipality_ids: list[int],
    department_id: int,
    first: str,
    last: str,
    measures: list[str] | None = None,
    service_type: str | None = None,
) -> dict[int, _Data]:
    """Every cell of these municipalities (one, or all there are) from month `first` to
    `last` (of these measures, of this service type: '' none), and the running sum of
    active mandates before `first`: two queries, whatever the number of figures."""
    data: dict[int, _Data] = {m: _Data() for m in municipality_ids}
    only = municipality_ids[0] if len(municipality_ids) == 1 else None
    for row in await _cells(only, department_id, first, last, measures, service_type):
        if row["municipality_id"] in data:
            data[row["municipality_id"]].add(
                row["measure"], row["service_type"], row["month"], row["value"], row["count"]
            )
    running = [m for m in people.RUNNING if measures is None or m in measures]
    if running:
        for municipality_id, measure, total in (
            await MetricCell.filter(
                municipality_id__in=municipality_ids,
                department_id=department_id,
                service_type="",
                measure__in=running,
                month__lt=first,
            )
            .annotate(total=Sum("count"))
            .group_by("municipality_id", "measure")
            .values_list("municipality_id", "measure", "total")
        ):
            data[municipality_id].before[measure] = int(total or 0)
    return data


async def _service_types(municipality_id: int) -> list[str]:
    codes = (
        await MetricCell.filter(
            municipality_id=municipality_id, department_id=WHOLE, service_type__not=""
        )
        .distinct()
        .values_list("service_type", flat=True)
    )
    return sorted(str(code) for code in codes)


async def dashboard(slug: str, period: str, department: str | None = None) -> Dashboard:
    """Every figure of the municipality `slug` in `period`, service figures for all services
    together and once per service type; with `department` (its id; empty, as a form sends
    "all", is the whole municipality), only the figures that exist per department, for it.
    Trends: the 12 months up to the period's last (or the current) month. Raises NotFound
    for an unknown municipality, InvalidInput on `period` or `department`."""
    municipality = await _municipality(slug)
    zone = ZoneInfo(municipality.time_zone)
    now = clock.now()
    chosen = periods.past_period(period, now, zone)
    unit = await _department(municipality, department) if department else None
    figures = [f for f in FIGURES.values() if unit is None or f.by_department]
    trend = periods.months_until(min(chosen.months[-1], periods.month_of(now, zone)), TREND_MONTHS)
    first, last = min(trend[0], chosen.months[0]), max(trend[-1], chosen.months[-1])
    data = (await _load([municipality.id], unit.id if unit else WHOLE, first, last))[
        municipality.id
    ]
    service_types = await _service_types(municipality.id) if unit is None else []
    minimum = environment.metrics_min_cases()
    values: list[FigureValue] = []
    trends: dict[str, tuple[tuple[str, float | None, int], ...]] = {}
    for figure in figures:
        kinds: list[str | None] = [None]
        if figure.per_service_type:
            kinds += service_types
        for service_type in kinds:
            values.append(
                evaluate(
                    figure,
                    data,
                    chosen.months,
                    minimum,
                    service_type,
                    municipality.population,
                    periods.month_of(now, zone),
                )
            )
        monthly = [evaluate(figure, data, (month,), minimum) for month in trend]
        trends[figure.id] = tuple(
            (month, v.value, v.n) for month, v in zip(trend, monthly, strict=True)
        )
    return Dashboard(
        municipality.slug,
        municipality.name,
        period,
        unit.name if unit else None,
        tuple(values),
        trends,
    )


async def _checked_service_type(figure: Figure, service_type: str | None) -> str | None:
    if service_type is None or service_type == "":
        return None
    if not figure.per_service_type:
        raise InvalidInput.on("service_type", Message("This figure is not given per service type."))
    if not visit_rules.CODE.fullmatch(service_type) or len(service_type) > SERVICE_TYPE_MAX:
        raise InvalidInput.on("service_type", Message("This is no service code."))
    if not await MetricCell.exists(service_type=service_type):
        raise InvalidInput.on(
            "service_type",
            Message("No municipality has figures for this service type."),
        )
    return service_type


def _ranked(figure: Figure, rows: list[ComparisonRow]) -> tuple[ComparisonRow, ...]:
    """Comparable rows first, best first, with competition ranks (1, 2, 2, 4); then the
    others by name, unranked. A figure that is no quality (better None) ranks nobody."""
    comparable = [r for r in rows if r.comparable and r.value is not None]
    others = sorted((r for r in rows if r not in comparable), key=lambda r: r.name)
    sign = 1.0 if figure.better == "lower" else -1.0
    comparable.sort(key=lambda r: (sign * (r.value or 0.0), r.name))
    if figure.better is None:
        return tuple(comparable + others)
    ranked: list[ComparisonRow] = []
    for index, row in enumerate(comparable):
        same = ranked and ranked[-1].value == row.value
        rank = ranked[-1].rank if same else index + 1
        ranked.append(
            ComparisonRow(row.municipality, row.name, row.value, row.n, row.interval, True, rank)
        )
    return tuple(ranked + others)


async def compare(figure: str, period: str, service_type: str | None = None) -> Comparison:
    """One figure for every municipality of the deployment, ranked among the comparable
    ones by the figure's direction. Raises InvalidInput on `figure`, `period` or
    `service_type` (not per service type, or no municipality has it)."""
    municipalities = await Municipality.all().order_by("name")
    problems: list[FieldError] = []
    try:
        chosen_figure = figure_named(figure)
    except InvalidInput as refused:
        problems += refused.errors
    try:
        chosen = _periods(period, municipalities)
    except InvalidInput as refused:
        problems += refused.errors
    if problems:
        raise InvalidInput(Message("The comparison cannot be shown so."), problems)
    wanted = await _checked_service_type(chosen_figure, service_type)
    ids = [m.id for m in municipalities]
    rows: list[ComparisonRow] = []
    if ids:
        first = min(p.months[0] for p in chosen.values())
        last = max(p.months[-1] for p in chosen.values())
        measures = [chosen_figure.measure]
        if chosen_figure.id == "traceability_share":
            measures.append("active_delta")
        if chosen_figure.id == "participants":
            spans = {people.measure_for(p.months) for p in chosen.values()}
            measures = [m for m in people.MEASURES if m in spans]
        kind = wanted if chosen_figure.per_service_type else ""
        data = await _load(ids, WHOLE, first, last, measures, kind)
        minimum = environment.metrics_min_cases()
        for m in municipalities:
            value = evaluate(
                chosen_figure,
                data[m.id],
                chosen[m.id].months,
                minimum,
                wanted,
                m.population,
                periods.month_of(clock.now(), ZoneInfo(m.time_zone)),
            )
            rows.append(
                ComparisonRow(
                    m.slug, m.name, value.value, value.n, value.interval, value.comparable, None
                )
            )
    return Comparison(
        chosen_figure.id, period, wanted, chosen_figure.unit, _ranked(chosen_figure, rows)
    )


def _periods(period: str, municipalities: list[Municipality]) -> dict[int, periods.Period]:
    """`period` in each municipality's own months; refused as in the future only if it has
    not begun in any of them. Raises InvalidInput on `period`."""
    now = clock.now()
    chosen = {
        m.id: periods.parse_period(period, now, ZoneInfo(m.time_zone)) for m in municipalities
    } or {0: periods.parse_period(period, now, ZoneInfo("UTC"))}
    if min(p.months[0] for p in chosen.values()) > _current_month(municipalities):
        raise InvalidInput.on("period", Message("This period is in the future."))
    return chosen


def _current_month(municipalities: Iterable[Municipality]) -> str:
    """The latest current month among these municipalities' time zones: a period that
    has begun anywhere on the deployment may be asked for."""
    now = clock.now()
    return max(
        (periods.month_of(now, ZoneInfo(m.time_zone)) for m in municipalities),
        default=periods.month_of(now, ZoneInfo("UTC")),
    )


async def available_periods(slug: str | None) -> list[str]:
    """`last-12-months`, then the years, quarters and months with data (of `slug`, or of
    any municipality), each newest first. Months to come are left out: a mandate closed
    this month counts as inactive from the next. Raises NotFound for an unknown
    municipality."""
    cells = MetricCell.all()
    if slug is not None:
        municipality = await _municipality(slug)
        cells = cells.filter(municipality_id=municipality.id)
        current = _current_month([municipality])
    else:
        current = _current_month(await Municipality.all())
    found = await cells.filter(month__lte=current).distinct().values_list("month", flat=True)
    months = sorted({str(m) for m in found}, reverse=True)
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True)
    years = sorted({m[:4] for m in months}, reverse=True)
    return [periods.LAST_12_MONTHS, *years, *quarters, *months]
