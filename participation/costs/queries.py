"""Read side of cost analyses: the resource, revisions, diffs and exports.

The council of the mandate's municipality sees every revision, drafts included; everybody
else sees only revisions that were published, and an analysis never published not at all.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from participation.actors import Actor
from participation.costs import rules
from participation.costs.commands import analysis_for, measures_of, sees_drafts
from participation.costs.models import CostAnalysis, CostRevision
from participation.errors import FieldError, NotFound
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate
from participation.messages import Message
from participation.municipalities.models import Municipality

NO_REVISION = Message("This cost analysis has no such revision.")


async def _population(mandate: Mandate) -> int | None:
    values = await Municipality.filter(id=mandate.municipality_id).values_list(
        "population", flat=True
    )
    return values[0] if values else None  # type: ignore[return-value]


def _shown_number(analysis: CostAnalysis, drafts: bool) -> int:
    if drafts:
        return analysis.revision
    assert analysis.published_revision is not None
    return analysis.published_revision


def _revision_dict(revision: CostRevision) -> dict[str, Any]:
    return {
        "number": revision.number,
        "title": revision.title,
        "items": revision.items,
        "assumptions": revision.assumptions,
        "one_off_cents": revision.one_off_cents,
        "per_year_cents": revision.per_year_cents,
    }


async def _measure_titles(mandate: Mandate, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await measures_of(mandate).filter(id__in=ids).values_list("id", "title")
    return dict(rows)


def _view(
    analysis: CostAnalysis,
    revision: CostRevision,
    population: int | None,
    drafts: bool,
    measure_title: str | None,
) -> dict[str, Any]:
    return {
        "id": analysis.id,
        "mandate_id": analysis.mandate_id,
        "measure_id": analysis.measure_id,
        "measure_title": measure_title,
        "title": revision.title,
        "items": revision.items,
        "assumptions": revision.assumptions,
        "assumptions_html": revision.assumptions_html,
        "revision": revision.number,
        "latest_revision": analysis.revision if drafts else analysis.published_revision,
        "published_revision": analysis.published_revision,
        "status": "published" if revision.published_at is not None else "draft",
        "one_off_cents": revision.one_off_cents,
        "per_year_cents": revision.per_year_cents,
        **rules.per_resident(revision.one_off_cents, revision.per_year_cents, population),
        "population": population,
        "currency": rules.CURRENCY,
        "author_role": revision.author_role,
        "created_at": analysis.created_at,
        "updated_at": revision.created_at,
        "published_at": revision.published_at,
    }


async def _revision(analysis: CostAnalysis, number: int, drafts: bool, field: str) -> CostRevision:
    revision = await CostRevision.get_or_none(analysis_id=analysis.id, number=number)
    if revision is None or (revision.published_at is None and not drafts):
        raise NotFound(NO_REVISION, [FieldError(field, NO_REVISION)])
    return revision


async def analysis_view(
    actor: Actor | None, analysis_id: int, number: int | None = None
) -> dict[str, Any]:
    """The analysis as `actor` may see it: the council its latest revision, the public the
    latest published one; `number` picks another visible revision."""
    analysis, mandate = await analysis_for(actor, analysis_id)
    drafts = await sees_drafts(actor, mandate)
    chosen = number if number is not None else _shown_number(analysis, drafts)
    revision = await _revision(analysis, chosen, drafts, "revision")
    titles = await _measure_titles(mandate, {analysis.measure_id} if analysis.measure_id else set())
    return _view(
        analysis, revision, await _population(mandate), drafts, titles.get(analysis.measure_id or 0)
    )


async def analyses_of(
    actor: Actor | None, mandate_id: int, limit: int = 100, after: int | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """A mandate's analyses as `actor` may see them, oldest first, and whether more follow."""
    mandate = await get_visible(actor, mandate_id)
    drafts = await sees_drafts(actor, mandate)
    query = CostAnalysis.filter(mandate_id=mandate.id)
    if not drafts:
        query = query.filter(published_revision__isnull=False)
    if after is not None:
        query = query.filter(id__gt=after)
    rows = await query.order_by("id").limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return [], False
    wanted = {(a.id, _shown_number(a, drafts)) for a in rows}
    revisions = {
        (r.analysis_id, r.number): r
        for r in await CostRevision.filter(
            analysis_id__in=[a.id for a in rows],
            number__in={n for _, n in wanted},
        )
        if (r.analysis_id, r.number) in wanted
    }
    population = await _population(mandate)
    titles = await _measure_titles(mandate, {a.measure_id for a in rows if a.measure_id})
    views = [
        _view(
            a,
            revisions[(a.id, _shown_number(a, drafts))],
            population,
            drafts,
            titles.get(a.measure_id or 0),
        )
        for a in rows
    ]
    return views, more


async def revisions_of(
    actor: Actor | None, analysis_id: int, limit: int = 100, before: int | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The visible revisions, newest first, without their items; and whether more follow."""
    analysis, mandate = await analysis_for(actor, analysis_id)
    query = CostRevision.filter(analysis_id=analysis.id)
    if not await sees_drafts(actor, mandate):
        query = query.filter(published_at__isnull=False)
    if before is not None:
        query = query.filter(number__lt=before)
    rows = await query.order_by("-number").limit(limit + 1)
    more = len(rows) > limit
    return [
        {
            "number": r.number,
            "title": r.title,
            "status": "published" if r.published_at is not None else "draft",
            "item_count": len(r.items),
            "one_off_cents": r.one_off_cents,
            "per_year_cents": r.per_year_cents,
            "author_role": r.author_role,
            "created_at": r.created_at,
            "published_at": r.published_at,
        }
        for r in rows[:limit]
    ], more


async def revision_diff(
    actor: Actor | None, analysis_id: int, from_number: int, to_number: int
) -> dict[str, Any]:
    """What changed from one visible revision to another (either order is allowed)."""
    analysis, mandate = await analysis_for(actor, analysis_id)
    drafts = await sees_drafts(actor, mandate)
    before = await _revision(analysis, from_number, drafts, "from")
    after = await _revision(analysis, to_number, drafts, "to")
    return {
        "cost_analysis_id": analysis.id,
        "currency": rules.CURRENCY,
        **rules.diff(_revision_dict(before), _revision_dict(after)),
    }


# -- CSV ---------------------------------------------------------------------------------

CSV_HEADER = (
    "position",
    "description",
    "category",
    "kind",
    "amount_cents",
    "amount_eur",
    "funding_source",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a quote first."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def csv_text(view: dict[str, Any]) -> str:
    """One line per item under a header row, then a totals line per kind and per resident."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for position, item in enumerate(view["items"], start=1):
        writer.writerow(
            [
                position,
                _cell(item["description"]),
                item["category"],
                item["kind"],
                item["amount_cents"],
                _euros(item["amount_cents"]),
                _cell(item["funding_source"]),
            ]
        )
    totals = [
        ("total_one_off", view["one_off_cents"]),
        ("total_per_year", view["per_year_cents"]),
        ("per_resident_first_year", view["per_resident_cents"]),
    ]
    for label, cents in totals:
        writer.writerow(
            [
                "",
                label,
                "",
                "",
                "" if cents is None else cents,
                "" if cents is None else _euros(cents),
                "",
            ]
        )
    return out.getvalue()


async def published_totals_by_measure(mandate_id: int) -> dict[int, dict[str, int]]:
    """For the plans area: per measure of the mandate, the sums of the public revisions of
    the analyses attached to it (`one_off_cents`, `per_year_cents`). Measures without a
    published analysis are missing; drafts never count."""
    analyses = await CostAnalysis.filter(
        mandate_id=mandate_id, measure_id__isnull=False, published_revision__isnull=False
    ).values_list("id", "measure_id", "published_revision")
    if not analyses:
        return {}
    wanted = {(a, n): m for a, m, n in analyses}
    rows = await CostRevision.filter(analysis_id__in=[a for a, _ in wanted]).values_list(
        "analysis_id", "number", "one_off_cents", "per_year_cents"
    )
    sums: dict[int, dict[str, int]] = {}
    for analysis_id, number, one_off, per_year in rows:
        measure_id = wanted.get((analysis_id, number))
        if measure_id is None:
            continue
        total = sums.setdefault(measure_id, {"one_off_cents": 0, "per_year_cents": 0})
        total["one_off_cents"] += one_off
        total["per_year_cents"] += per_year
    return sums
