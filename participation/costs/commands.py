"""One function per council action on cost analyses; each checks, validates, writes, records."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F
from tortoise.fields import ReverseRelation
from tortoise.queryset import QuerySet

from participation import clock, text, unit
from participation.actors import Actor
from participation.costs import rules
from participation.costs.actions import (
    PUBLISH_COST_ANALYSIS,
    VIEW_COST_DRAFTS,
    WRITE_COST_ANALYSIS,
)
from participation.costs.models import CostAnalysis, CostRevision, CostStatus
from participation.errors import Conflict, FieldError, InvalidInput, NotFound
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.queries import place_of
from participation.permissions import Role, may, require
from participation.timeline.models import TimelineEntry

_UNSET: Any = object()


def measures_of(mandate: Mandate) -> QuerySet[Any]:
    """The mandate's measures, through the reverse relation the plans area declares on it
    (this area reads measures but does not import the plans area)."""
    relation: ReverseRelation[Any] = mandate.measures  # type: ignore[attr-defined]
    return relation.all()


def author_role(actor: Actor, municipality_id: int) -> str:
    """The role a cost analysis is signed with: administrator or council."""
    return Role.ADMIN.value if actor.has_role(municipality_id, Role.ADMIN) else Role.COUNCIL.value


async def _writable_mandate(actor: Actor | None, mandate: Mandate) -> Actor:
    actor = require(actor, WRITE_COST_ANALYSIS, await place_of(mandate.municipality_id))
    if Status(mandate.status) not in rules.ANALYSABLE:
        raise Conflict(
            Message("Cost analyses are attached once a mandate has reached the council."),
            status_now=mandate.status,
        )
    return actor


async def analysis_for(actor: Actor | None, analysis_id: int) -> tuple[CostAnalysis, Mandate]:
    """The analysis and its mandate if `actor` may see the analysis at all: the council of
    its municipality sees drafts, everybody else only analyses published once."""
    analysis = await CostAnalysis.get_or_none(id=analysis_id)
    if analysis is None:
        raise NotFound(Message("This cost analysis does not exist."))
    try:
        mandate = await get_visible(actor, analysis.mandate_id)
    except NotFound:
        raise NotFound(Message("This cost analysis does not exist.")) from None
    if analysis.published_revision is None and not await sees_drafts(actor, mandate):
        raise NotFound(Message("This cost analysis does not exist."))
    return analysis, mandate


async def sees_drafts(actor: Actor | None, mandate: Mandate) -> bool:
    return may(actor, VIEW_COST_DRAFTS, await place_of(mandate.municipality_id))


async def _content(
    mandate: Mandate, title: Any, items: Any, assumptions: Any, measure_id: Any
) -> tuple[list[rules.Item], str, str, int | None]:
    """Checked items, assumptions and their HTML, and the measure; InvalidInput names every
    bad field at once."""
    problems: dict[str, str] = {}
    if (problem := rules.check_title(title)) is not None:
        problems["title"] = problem
    cleaned, item_problems = rules.check_items(items)
    problems.update(item_problems)
    if (problem := rules.check_assumptions(assumptions)) is not None:
        problems["assumptions"] = problem
    if measure_id is not None:
        if isinstance(measure_id, bool) or not isinstance(measure_id, int):
            problems["measure_id"] = Message("A measure is named by its id.")
        elif not await measures_of(mandate).filter(id=measure_id).exists():
            problems["measure_id"] = Message("This mandate has no such measure.")
    assumptions_html = ""
    if "assumptions" not in problems:
        try:
            assumptions_html = await text.render(assumptions, "assumptions")
        except InvalidInput as exc:
            problems["assumptions"] = exc.detail
    if problems:
        raise InvalidInput(
            Message("The cost analysis has invalid fields."),
            [FieldError(field, message) for field, message in problems.items()],
        )
    return cleaned, assumptions, assumptions_html, measure_id


def _figures(analysis: CostAnalysis, revision: CostRevision) -> dict[str, Any]:
    return {
        "cost_analysis_id": analysis.id,
        "mandate_id": analysis.mandate_id,
        "measure_id": analysis.measure_id,
        "revision": revision.number,
        "one_off_cents": revision.one_off_cents,
        "per_year_cents": revision.per_year_cents,
    }


async def create_cost_analysis(
    actor: Actor | None,
    mandate_id: int,
    *,
    title: str,
    items: list[dict[str, Any]],
    assumptions: str = "",
    measure_id: int | None = None,
) -> CostAnalysis:
    """Draft a cost analysis of a mandate, or of one of its measures, as revision 1.

    Raises NotAuthenticated, NotFound (no such mandate), PermissionDenied (not the council
    or an administrator of the mandate's municipality), Conflict (the mandate has not
    reached the council) and InvalidInput naming every bad field (`items[3].amount_cents`,
    `measure_id` when the measure is not this mandate's); nothing is stored then.
    """
    mandate = await get_visible(actor, mandate_id)
    actor = await _writable_mandate(actor, mandate)
    cleaned, assumptions, assumptions_html, measure_id = await _content(
        mandate, title, items, assumptions, measure_id
    )
    async with unit.atomic() as u:
        analysis = await CostAnalysis.create(
            mandate_id=mandate.id,
            measure_id=measure_id,
            status=CostStatus.DRAFT,
            revision=1,
            author_id=actor.user_id,
            using_db=u.conn,
        )
        await _save_revision(
            u,
            "costs:analysis:created",
            analysis,
            mandate,
            actor,
            title,
            cleaned,
            (assumptions, assumptions_html),
        )
    return analysis


async def revise_cost_analysis(
    actor: Actor | None,
    analysis_id: int,
    *,
    title: str,
    items: list[dict[str, Any]],
    assumptions: str = "",
    measure_id: Any = _UNSET,
) -> CostAnalysis:
    """Save a new revision; earlier ones stay as they were, and a published one stays public
    until this one is published. `measure_id` left out keeps the analysis's measure; None
    attaches the analysis to the mandate itself.

    Raises NotAuthenticated, NotFound, PermissionDenied, Conflict (the mandate is no longer
    before the council: withdrawn or expired) and InvalidInput naming every bad field.
    """
    analysis, mandate = await analysis_for(actor, analysis_id)
    actor = await _writable_mandate(actor, mandate)
    if measure_id is _UNSET:
        measure_id = analysis.measure_id
    cleaned, assumptions, assumptions_html, measure_id = await _content(
        mandate, title, items, assumptions, measure_id
    )
    async with unit.atomic() as u:
        # Numbered under the analysis's row lock, so two saves at once get two numbers.
        await (
            CostAnalysis.filter(id=analysis.id)
            .using_db(u.conn)
            .update(
                revision=F("revision") + 1,
                status=CostStatus.DRAFT,
                measure_id=measure_id,
                updated_at=clock.now(),
            )
        )
        analysis = await CostAnalysis.filter(id=analysis.id).using_db(u.conn).get()
        await _save_revision(
            u,
            "costs:analysis:revised",
            analysis,
            mandate,
            actor,
            title,
            cleaned,
            (assumptions, assumptions_html),
        )
    return analysis


async def _save_revision(
    u: unit.Unit,
    event: str,
    analysis: CostAnalysis,
    mandate: Mandate,
    actor: Actor,
    title: str,
    cleaned: list[dict[str, Any]],
    assumptions: tuple[str, str],
) -> None:
    """Write revision number `analysis.revision` with its totals, and record `event`."""
    sums = rules.totals(cleaned)
    revision = await CostRevision.create(
        analysis_id=analysis.id,
        number=analysis.revision,
        title=title.strip(),
        items=cleaned,
        assumptions=assumptions[0],
        assumptions_html=assumptions[1],
        one_off_cents=sums.one_off_cents,
        per_year_cents=sums.per_year_cents,
        author_id=actor.user_id,
        author_role=author_role(actor, mandate.municipality_id),
        using_db=u.conn,
    )
    await u.record(
        event,
        "cost_analysis",
        analysis.id,
        municipality_id=mandate.municipality_id,
        actor_id=actor.user_id,
        **_figures(analysis, revision),
    )


async def publish_cost_analysis(actor: Actor | None, analysis_id: int) -> CostAnalysis:
    """Publish the latest revision: it becomes what the public sees, on the mandate's page
    and timeline ("published", or "revised" when an earlier revision was public). Publishing
    what is already public changes nothing and records nothing.

    Raises NotAuthenticated, NotFound, PermissionDenied and Conflict (the mandate was
    withdrawn or expired).
    """
    analysis, mandate = await analysis_for(actor, analysis_id)
    actor = require(actor, PUBLISH_COST_ANALYSIS, await place_of(mandate.municipality_id))
    if Status(mandate.status) not in rules.ANALYSABLE:
        raise Conflict(
            Message("Cost analyses are published once a mandate has reached the council."),
            status_now=mandate.status,
        )
    now = clock.now()
    async with unit.atomic() as u:
        analysis = await CostAnalysis.select_for_update().using_db(u.conn).get(id=analysis.id)
        if analysis.published_revision == analysis.revision:
            return analysis
        previous = analysis.published_revision
        revision = (
            await CostRevision.filter(analysis_id=analysis.id, number=analysis.revision)
            .using_db(u.conn)
            .get()
        )
        revision.published_at = now
        await revision.save(using_db=u.conn, update_fields=["published_at"])
        analysis.status = CostStatus.PUBLISHED
        analysis.published_revision = revision.number
        await analysis.save(
            using_db=u.conn, update_fields=["status", "published_revision", "updated_at"]
        )
        measure_title = None
        if analysis.measure_id is not None:
            measure = (
                await measures_of(mandate).filter(id=analysis.measure_id).using_db(u.conn).first()
            )
            measure_title = measure.title if measure is not None else None
        data = {
            "cost_analysis_id": analysis.id,
            "title": revision.title,
            "revision": revision.number,
            "previous_revision": previous,
            "republished": previous is not None,
            "one_off_cents": revision.one_off_cents,
            "per_year_cents": revision.per_year_cents,
            "measure_id": analysis.measure_id,
            "measure_title": measure_title,
            "author_role": revision.author_role,
        }
        await _announce(u, mandate, actor, data, analysis, revision)
    return analysis


async def _announce(
    u: unit.Unit,
    mandate: Mandate,
    actor: Actor,
    data: dict[str, Any],
    analysis: CostAnalysis,
    revision: CostRevision,
) -> None:
    """The timeline entry and its event, as participation.timeline.entries.record writes
    them, with the figures the plans area reads in the same event."""
    entry = await TimelineEntry.create(
        mandate_id=mandate.id,
        kind="cost_analysis",
        data=data,
        actor_id=actor.user_id,
        using_db=u.conn,
    )
    await u.record(
        "costs:analysis:published",
        "mandate",
        mandate.id,
        municipality_id=mandate.municipality_id,
        actor_id=actor.user_id,
        entry={
            "id": entry.id,
            "kind": entry.kind,
            "data": entry.data,
            "created_at": entry.created_at.isoformat(),
        },
        republished=data["republished"],
        **_figures(analysis, revision),
    )
