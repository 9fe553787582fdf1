"""The public figures: a municipality's dashboard, the comparison of every municipality on
one figure, and the definitions of all figures.

Everything comes from `participation.metrics.queries`, which reads only the summary tables.
The pickers are GET forms, so every view has its own address; a period, figure, department
or service type the queries refuse draws the page again with the message next to its
picker (422), as a refused form does (server/pages/forms.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notifications.visits.models import ServiceType
from participation.errors import DomainError, InvalidInput, NotFound
from participation.messages import Message
from participation.metrics import queries
from participation.metrics.figures import FIGURES, Figure, definition_url
from participation.metrics.results import Comparison, ComparisonRow, FigureValue
from participation.municipalities.models import Department, Municipality
from participation.municipalities.queries import municipality_by_slug
from server import charts, i18n
from server.pages import figure_words as words
from server.pages.forms import error_page, field_errors
from server.templating import render
from server.web import Pages

DEFAULT_PERIOD = words.LAST_12_MONTHS
DEFAULT_FIGURE = "first_answer_days"


@dataclass(frozen=True)
class Section:
    id: str
    title: Message
    figures: tuple[str, ...]


SECTIONS = (
    Section(
        "answers",
        Message("The council's answers and promises"),
        ("first_answer_days", "promise_kept_share", "completion_days"),
    ),
    Section("outcomes", Message("Outcomes"), ("accepted_share", "rejected_share", "open_share")),
    Section("satisfaction", Message("Satisfaction with the outcomes"), ("outcome_satisfaction",)),
    Section("traceability", Message("Traceability"), ("traceability_share",)),
    Section(
        "participation",
        Message("Participation"),
        ("participants", "mandates_launched", "signatures", "ballots", "comments"),
    ),
    Section(
        "moderation", Message("Moderation"), ("flags", "hidden_items", "moderation_decision_hours")
    ),
    Section(
        "services", Message("Routine services"), ("service_duration_days", "service_satisfaction")
    ),
    Section("invitations", Message("The invitation funnel"), ("invitation_conversion_share",)),
)

# The figures whose records are mandates: those kept per department, and the launches.
MANDATE_RECORDS = {f.id for f in FIGURES.values() if f.by_department} | {"mandates_launched"}
MODERATION_RECORDS = next(s.figures for s in SECTIONS if s.id == "moderation")


def records_url(slug: str, figure: str) -> str:
    """The open-data download with the records behind a figure."""
    if figure in MANDATE_RECORDS:
        dataset = "mandates"
    elif figure in MODERATION_RECORDS:
        dataset = "moderation-log"
    else:
        dataset = "figures"
    return f"/open-data/{slug}/{dataset}.csv"


def _top(unit: str) -> float | None:
    """A fixed scale where the unit has one (shares to 100 %, scores to 5)."""
    return {"share": 1.0, "score": 5.0}.get(unit)


def _title(figure: Figure) -> str:
    return i18n.gettext(figure.title)


# -- the dashboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    chart: Markup
    summary: str
    rows: tuple[tuple[str, str, str], ...]  # month, value in words, cases


@dataclass(frozen=True)
class Card:
    """One figure as the dashboard shows it, every text in the reader's language."""

    anchor: str
    figure: str
    title: str
    service: str | None
    value: str
    p90: str | None
    cases: str | None
    interval: str | None
    per_1000: str | None
    greyed: bool
    empty: bool
    distribution: tuple[tuple[int, int], ...]
    trend: Trend | None
    definition_url: str
    records_url: str
    compare_url: str


def trend(
    anchor: str, title: str, unit: str, points: Sequence[tuple[str, float | None, int]]
) -> Trend | None:
    """The sparkline of the last months with its summary sentence and its table."""
    if not points:
        return None
    values = [value for _, value, _ in points]
    chart = charts.sparkline(
        f"{anchor}-trend",
        i18n.gettext(Message("%(figure)s, month by month", figure=title)),
        values,
        _top(unit),
    )
    known = [(month, value) for month, value, _ in points if value is not None]
    if known:
        low = min(value for _, value in known)
        high = max(value for _, value in known)
        summary = i18n.gettext(
            Message(
                "From %(start)s to %(end)s: lowest %(low)s, highest %(high)s, "
                "in %(last_month)s %(last)s.",
                start=words.month(points[0][0]),
                end=words.month(points[-1][0]),
                low=words.amount(unit, low),
                high=words.amount(unit, high),
                last_month=words.month(known[-1][0]),
                last=words.amount(unit, known[-1][1]),
            )
        )
    else:
        summary = i18n.gettext(
            Message(
                "No data from %(start)s to %(end)s.",
                start=words.month(points[0][0]),
                end=words.month(points[-1][0]),
            )
        )
    rows = tuple(
        (words.short_month(month), words.amount(unit, value), words.number(n))
        for month, value, n in points
    )
    return Trend(chart, summary, rows)


def _service_label(figure: Figure, code: str | None, names: dict[str, str]) -> str | None:
    """Which service a service figure is of: one type by its name, or all together."""
    if not figure.per_service_type:
        return None
    if code is None:
        return i18n.gettext(Message("all services"))
    return names.get(code, code)


def card(
    found: FigureValue,
    slug: str,
    period: str,
    service_names: dict[str, str],
    points: Sequence[tuple[str, float | None, int]],
) -> Card:
    figure = FIGURES[found.figure]
    anchor = f"figure-{found.figure}" + (f"-{found.service_type}" if found.service_type else "")
    counted = figure.kind == "count"
    compare = {"figure": found.figure, "period": period}
    if found.service_type:
        compare["service_type"] = found.service_type
    title = _title(figure)
    return Card(
        anchor=anchor,
        figure=found.figure,
        title=title,
        service=_service_label(figure, found.service_type, service_names),
        # A count of nothing is a true figure: none happened.
        value=words.amount(found.unit, 0 if counted and found.value is None else found.value),
        p90=words.p90(found.unit, found.p90),
        cases=None if counted or found.n == 0 else words.cases(found.n),
        interval=words.interval(found.unit, found.interval),
        per_1000=words.per_1000(found.per_1000),
        greyed=found.n > 0 and not found.comparable,
        empty=found.n == 0 and not counted,
        distribution=tuple(sorted((found.distribution or {}).items())) if found.n else (),
        trend=trend(
            anchor, title, found.unit, [(m, 0 if v is None else v, n) for m, v, n in points]
        )
        if counted
        else trend(anchor, title, found.unit, points),
        definition_url=definition_url(found.figure),
        records_url=records_url(slug, found.figure),
        compare_url="/figures?" + urlencode(compare),
    )


@dataclass(frozen=True)
class ShownSection:
    id: str
    title: str
    cards: tuple[Card, ...]
    services: bool  # figures per service type: "no data yet" before any visit


def _trend_points(
    trends: dict[str, tuple[tuple[str, float | None, int], ...]], found: FigureValue
) -> tuple[tuple[str, float | None, int], ...]:
    """A figure's trend; one service type's card has none, as the trends are of all
    services together."""
    if found.service_type:
        return ()
    return trends.get(found.figure, ())


async def _service_names(municipality_ids: list[int] | None) -> dict[str, str]:
    """Service types by code, named in the reader's language (retired ones too: their
    visits are still counted)."""
    rows = (
        ServiceType.all()
        if municipality_ids is None
        else ServiceType.filter(municipality_id__in=municipality_ids)
    )
    german = i18n.current() == "de"
    names: dict[str, str] = {}
    for row in await rows.order_by("code", "id"):
        names.setdefault(row.code, row.name_de if german else row.name_en)
    return names


def _sections(cards: list[Card]) -> list[ShownSection]:
    by_figure: dict[str, list[Card]] = {}
    for c in cards:
        by_figure.setdefault(c.figure, []).append(c)
    shown = []
    for section in SECTIONS:
        members = tuple(c for f in section.figures for c in by_figure.get(f, []))
        per_service = any(FIGURES[f].per_service_type for f in section.figures if f in FIGURES)
        if members or per_service:
            shown.append(
                ShownSection(section.id, i18n.gettext(section.title), members, per_service)
            )
    return shown


@dataclass(frozen=True)
class PeriodChoice:
    label: str
    periods: tuple[tuple[str, str], ...]  # (value, label)


def period_choices(available: Sequence[str], chosen: str | None) -> list[PeriodChoice]:
    """The picker's periods, grouped: the last 12 months, years, quarters, months."""
    names = list(available)
    if chosen and chosen not in names:
        names.append(chosen)
    if words.LAST_12_MONTHS not in names:
        names.append(words.LAST_12_MONTHS)
    groups: dict[str, list[str]] = {"rolling": [], "year": [], "quarter": [], "month": []}
    for name in names:
        if name == words.LAST_12_MONTHS:
            groups["rolling"].append(name)
        elif len(name) == 4:
            groups["year"].append(name)
        elif "Q" in name:
            groups["quarter"].append(name)
        else:
            groups["month"].append(name)
    labels = {
        "rolling": Message("Rolling"),
        "year": Message("Years"),
        "quarter": Message("Quarters"),
        "month": Message("Months"),
    }
    return [
        PeriodChoice(
            i18n.gettext(labels[kind]),
            tuple((n, words.period(n)) for n in sorted(members, reverse=True)),
        )
        for kind, members in groups.items()
        if members
    ]


async def _municipality(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def dashboard_page(request: Request) -> Response:
    params = request.query_params
    period = params.get("period") or DEFAULT_PERIOD
    department = params.get("department") or None
    try:
        municipality = await _municipality(request.path_params["slug"])
    except DomainError as exc:
        return error_page(request, exc)
    errors: dict[str, str] = {}
    sections: list[ShownSection] = []
    try:
        shown = await queries.dashboard(municipality.slug, period, department)
    except InvalidInput as exc:
        errors = field_errors(exc)
    except DomainError as exc:
        return error_page(request, exc)
    else:
        names = await _service_names([municipality.id])
        sections = _sections(
            [
                card(f, municipality.slug, period, names, _trend_points(shown.trends, f))
                for f in shown.figures
                if f.figure in FIGURES
            ]
        )
    departments = await Department.filter(municipality_id=municipality.id).order_by("name")
    return render(
        request,
        "figures/dashboard.html",
        status=422 if errors else 200,
        municipality=municipality,
        period=period,
        period_label=words.period(period) if not errors.get("period") else None,
        department=department,
        department_name=next((d.name for d in departments if str(d.id) == department), None),
        periods=period_choices(
            await queries.available_periods(municipality.slug),
            None if "period" in errors else period,
        ),
        departments=departments,
        sections=sections,
        errors=errors,
    )


# -- the comparison --------------------------------------------------------------------------


SUMMARIES = {
    "first_answer_days": Message(
        "%(name)s gives its first answer fastest: median %(value)s (%(cases)s)."
    ),
    "promise_kept_share": Message(
        "%(name)s keeps its service promise most often: %(value)s (%(cases)s)."
    ),
    "completion_days": Message(
        "%(name)s completes mandates fastest: median %(value)s (%(cases)s)."
    ),
    "outcome_satisfaction": Message(
        "People are most satisfied with the outcomes in %(name)s: %(value)s (%(cases)s)."
    ),
    "traceability_share": Message(
        "%(name)s reports most often on its work: %(value)s (%(cases)s)."
    ),
    "moderation_decision_hours": Message(
        "%(name)s decides on flagged comments fastest: median %(value)s (%(cases)s)."
    ),
    "service_duration_days": Message(
        "%(name)s completes this service fastest: median %(value)s (%(cases)s)."
    ),
    "service_satisfaction": Message(
        "People are most satisfied with this service in %(name)s: %(value)s (%(cases)s)."
    ),
    "invitation_conversion_share": Message(
        "Invited people take part most often in %(name)s: %(value)s (%(cases)s)."
    ),
}
FIRST = Message("%(name)s comes first: %(value)s (%(cases)s).")
HIGHEST = Message("The highest value in this period: %(name)s with %(value)s (%(cases)s).")
NONE_RANKED = Message("No municipality has enough cases in this period to be ranked.")
NO_DATA = Message("No municipality has data for this period yet.")


def summary(comparison: Comparison) -> str:
    """The comparison in one sentence: who comes first, with the value and the cases; for a
    figure that is not a quality (a count, the share rejected), who has the highest value."""
    if FIGURES[comparison.figure].better is None:
        known = [r for r in comparison.rows if r.comparable and r.value is not None]
        if not known:
            shown = any(r.value is not None for r in comparison.rows)
            return i18n.gettext(NONE_RANKED if shown else NO_DATA)
        first = max(known, key=lambda r: r.value or 0)
        message = HIGHEST
    else:
        ranked = next((r for r in comparison.rows if r.rank == 1), None)
        if ranked is None or ranked.value is None:
            return i18n.gettext(NONE_RANKED)
        first = ranked
        message = SUMMARIES.get(comparison.figure, FIRST)
    return i18n.gettext(
        Message(
            message.id,
            name=first.name,
            value=words.amount(comparison.unit, first.value),
            cases=words.case_count(first.n),
        )
    )


@dataclass(frozen=True)
class Row:
    """A row of the comparison's table, in words."""

    rank: str
    name: str
    slug: str
    value: str
    interval: str
    cases: str
    greyed: bool


def _label(row: ComparisonRow, unit: str) -> str:
    value = words.amount(unit, row.value)
    if row.rank is not None:
        return f"{row.rank}. {row.name}: {value}"
    if row.comparable or row.value is None:
        return f"{row.name}: {value}"
    return f"{row.name}: {value} · {words.not_ranked(row.n)}"


def comparison_chart(comparison: Comparison, title: str) -> Markup:
    bars = [
        charts.Bar(_label(row, comparison.unit), row.value, row.interval, not row.comparable)
        for row in comparison.rows
    ]
    return charts.bar_chart("comparison", title, bars, _top(comparison.unit))


def _rank(row: ComparisonRow) -> str:
    if row.rank is not None:
        return str(row.rank)
    return "–" if row.comparable else words.not_ranked(row.n)


def rows(comparison: Comparison) -> list[Row]:
    return [
        Row(
            rank=_rank(row),
            name=row.name,
            slug=row.municipality,
            value=words.amount(comparison.unit, row.value),
            interval=words.span(comparison.unit, row.interval),
            cases=words.number(row.n),
            greyed=not row.comparable,
        )
        for row in comparison.rows
    ]


def figure_choices() -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The picker's figures, grouped as on the dashboard."""
    return [
        (
            i18n.gettext(section.title),
            tuple((f, _title(FIGURES[f])) for f in section.figures if f in FIGURES),
        )
        for section in SECTIONS
    ]


async def comparison_page(request: Request) -> Response:
    params = request.query_params
    figure = params.get("figure") or DEFAULT_FIGURE
    period = params.get("period") or DEFAULT_PERIOD
    service_type = params.get("service_type") or None
    if figure in FIGURES and not FIGURES[figure].per_service_type:
        # The picker offers services beside every figure; only service figures use one.
        service_type = None
    errors: dict[str, str] = {}
    comparison: Comparison | None = None
    try:
        comparison = await queries.compare(figure, period, service_type)
    except InvalidInput as exc:
        errors = field_errors(exc)
    except DomainError as exc:
        return error_page(request, exc)
    names = await _service_names(None)
    known = FIGURES.get(figure) if "figure" not in errors else None
    title = ""
    if comparison is not None and known is not None:
        title = _title(known)
        service = _service_label(known, service_type, names)
        if service:
            title = f"{title}: {service}"
    return render(
        request,
        "figures/comparison.html",
        status=422 if errors else 200,
        figure=figure if known else None,
        definition=known,
        definition_url=definition_url(figure) if known else None,
        period=period,
        period_label=words.period(period) if "period" not in errors else None,
        service_type=service_type,
        per_service=known is not None and known.per_service_type,
        services=sorted(names.items(), key=lambda item: item[1]),
        figures=figure_choices(),
        periods=period_choices(
            await queries.available_periods(None), None if "period" in errors else period
        ),
        chart_title=title,
        chart=comparison_chart(comparison, title) if comparison is not None else None,
        summary=summary(comparison) if comparison is not None else None,
        rows=rows(comparison) if comparison is not None else [],
        errors=errors,
    )


# -- the definitions -------------------------------------------------------------------------


UNITS = {
    "working_days": Message("working days, in the municipality's calendar"),
    "days": Message("calendar days"),
    "hours": Message("hours, rounded up"),
    "share": Message("a share of the cases, in per cent"),
    "score": Message("a score from 1 to 5"),
    "count": Message("a number of cases"),
}
KINDS = {
    "median": Message("the median, with the 90th percentile and a 95 % interval"),
    "share": Message("a share, with a 95 % interval (Wilson)"),
    "mean": Message("the mean, with the distribution and a 95 % interval"),
    "count": Message("a count, per 1,000 inhabitants where the population is known"),
}
BETTER = {
    "lower": Message("Lower is better: the comparison ranks the lowest first."),
    "higher": Message("Higher is better: the comparison ranks the highest first."),
}


@dataclass(frozen=True)
class Definition:
    """A figure's definition in the reader's language; `id` is its anchor."""

    id: str
    title: str
    definition: str
    unit: str
    kind: str
    better: str | None
    caveat: str


def definition(figure: Figure) -> Definition:
    return Definition(
        id=figure.id,
        title=_title(figure),
        definition=i18n.gettext(figure.definition),
        unit=i18n.gettext(UNITS[figure.unit]) if figure.unit in UNITS else figure.unit,
        kind=i18n.gettext(KINDS[figure.kind]) if figure.kind in KINDS else figure.kind,
        better=i18n.gettext(BETTER[figure.better]) if figure.better in BETTER else None,
        caveat=i18n.gettext(figure.caveat),
    )


async def definitions_page(request: Request) -> Response:
    sections = [
        (i18n.gettext(s.title), [definition(FIGURES[f]) for f in s.figures if f in FIGURES])
        for s in SECTIONS
    ]
    return render(request, "figures/definitions.html", sections=sections)


ROUTES = [
    Route("/figures", comparison_page, methods=["GET"]),
    Route("/figures/definitions", definitions_page, methods=["GET"]),
    Route("/m/{slug}/figures", dashboard_page, methods=["GET"]),
]

PAGES = Pages(8, ROUTES)
