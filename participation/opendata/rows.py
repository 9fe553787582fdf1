"""The rows of each open-data set, read in batches by id so that a download never holds a
whole municipality's records: each reader yields one list of rows per batch.

Only what the site shows the public goes in: no drafts, no unpublished cost revisions, no
hidden comment, and of people only the initiator's display name. Timeline entries keep
their public data with every name and account id taken out (`public_data`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from tortoise.queryset import QuerySet

from participation.accounts.models import User
from participation.costs.models import CostAnalysis, CostRevision
from participation.costs.rules import CURRENCY
from participation.mandates import counter
from participation.mandates.models import Mandate, MandateTopic, Status
from participation.moderation.queries import moderation_log
from participation.municipalities.models import Department, District, Municipality
from participation.plans.models import Measure, MeasureMilestone
from participation.timeline.models import TimelineEntry
from participation.votes.models import Vote, VoteOption, VoteStatus

# Rows per database read; small enough that a batch is a few hundred kilobytes.
BATCH = 500

Batches = AsyncIterator[list[dict[str, Any]]]
Reader = Callable[[Municipality, str, int], Batches]

# Keys naming people or their accounts, left out of the timeline's public data: the
# open data names nobody but initiators (the responsible person stays as her role).
PERSONAL_KEYS = frozenset(
    {"display_name", "name_shown", "email", "user_id", "actor_id", "author_id", "ip"}
    | {"responsible_id", "moderator_id", "initiator_id", "created_by_id"}
)


def public_data(value: Any) -> Any:
    """`value` without any key in PERSONAL_KEYS, at any depth."""
    if isinstance(value, dict):
        return {k: public_data(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [public_data(v) for v in value]
    return value


async def _names(model: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(await model.filter(id__in=wanted).values_list("id", "name"))


async def batches(query: QuerySet[Any], size: int) -> AsyncIterator[list[Any]]:
    """`query`'s rows in id order, `size` at a time; the next batch is read only once the
    one before has been taken, so a reader holds one batch at a time."""
    after = 0
    while rows := await query.filter(id__gt=after).order_by("id").limit(size):
        yield rows
        after = rows[-1].id


async def mandates(municipality: Municipality, base: str, size: int) -> Batches:
    query = Mandate.filter(municipality_id=municipality.id).exclude(status=Status.DRAFT)
    async for rows in batches(query, size):
        ids = [m.id for m in rows]
        tallies = await counter.tallies(ids)
        topics: dict[int, list[str]] = {i: [] for i in ids}
        for mandate_id, topic in (
            await MandateTopic.filter(mandate_id__in=ids)
            .order_by("id")
            .values_list("mandate_id", "topic")
        ):
            topics[mandate_id].append(topic)
        initiator_ids = {m.initiator_id for m in rows if m.initiator_id}
        initiators = (
            dict(await User.filter(id__in=initiator_ids).values_list("id", "display_name"))
            if initiator_ids
            else {}
        )
        districts = await _names(District, {m.district_id for m in rows})
        departments = await _names(Department, {m.department_id for m in rows})
        yield [
            {
                "id": m.id,
                "url": f"{base}/mandates/{m.id}",
                "title": m.title,
                "summary": m.summary,
                "status": m.status.value,
                "district": districts.get(m.district_id or 0, ""),
                "topics": topics[m.id],
                "initiator": initiators.get(m.initiator_id or 0, ""),
                "signature_count": tallies.get(m.id, (0, 0))[0],
                "quorum": m.quorum,
                "created_at": m.created_at,
                "published_at": m.published_at,
                "submitted_at": m.submitted_at,
                "answer_due_at": m.answer_due_at,
                "first_answer_at": m.first_answer_at,
                "promise_kept": m.promise_kept,
                "department": departments.get(m.department_id or 0, ""),
                "progress": m.progress,
                "completed_at": m.closed_at if m.status == Status.COMPLETED else None,
                "closed_at": m.closed_at,
            }
            for m in rows
        ]


async def timelines(municipality: Municipality, base: str, size: int) -> Batches:
    # By the mandate's municipality: entries of older code carry no municipality_id.
    query = TimelineEntry.filter(mandate__municipality_id=municipality.id).exclude(
        mandate__status=Status.DRAFT
    )
    async for rows in batches(query, size):
        yield [
            {
                "id": e.id,
                "mandate_id": e.mandate_id,
                "kind": e.kind,
                "created_at": e.created_at,
                "data": public_data(e.data),
            }
            for e in rows
        ]


async def cost_analyses(municipality: Municipality, base: str, size: int) -> Batches:
    query = CostAnalysis.filter(
        mandate__municipality_id=municipality.id,
        published_revision__isnull=False,
    ).exclude(mandate__status=Status.DRAFT)
    async for rows in batches(query, size):
        shown = {(a.id, a.published_revision or 0) for a in rows}
        revisions = {
            (r.analysis_id, r.number): r
            for r in await CostRevision.filter(
                analysis_id__in=[a.id for a in rows],
                number__in={n for _, n in shown},
                published_at__isnull=False,
            )
        }
        batch = []
        for analysis in rows:
            revision = revisions.get((analysis.id, analysis.published_revision or 0))
            if revision is None:
                continue
            common = {
                "analysis_id": analysis.id,
                "mandate_id": analysis.mandate_id,
                "measure_id": analysis.measure_id,
                "title": revision.title,
                "revision": revision.number,
                "published_at": revision.published_at,
                "author_role": revision.author_role,
                "one_off_cents": revision.one_off_cents,
                "per_year_cents": revision.per_year_cents,
                "currency": CURRENCY,
            }
            items = revision.items or [{}]
            for position, item in enumerate(items, start=1):
                batch.append(
                    {
                        **common,
                        "position": position if item else None,
                        "description": item.get("description", ""),
                        "category": item.get("category", ""),
                        "kind": item.get("kind", ""),
                        "amount_cents": item.get("amount_cents"),
                        "funding_source": item.get("funding_source", ""),
                    }
                )
        yield batch


async def measures(municipality: Municipality, base: str, size: int) -> Batches:
    query = Measure.filter(mandate__municipality_id=municipality.id).exclude(
        mandate__status=Status.DRAFT
    )
    async for rows in batches(query, size):
        milestones: dict[int, list[dict[str, Any]]] = {m.id: [] for m in rows}
        for milestone in await MeasureMilestone.filter(measure_id__in=list(milestones)).order_by(
            "date", "id"
        ):
            milestones[milestone.measure_id].append(
                {
                    "title": milestone.title,
                    "date": milestone.date.isoformat(),
                    "reached_at": milestone.reached_at.isoformat()
                    if milestone.reached_at
                    else None,
                }
            )
        departments = await _names(Department, {m.department_id for m in rows})
        yield [
            {
                "id": m.id,
                "mandate_id": m.mandate_id,
                "title": m.title,
                "status": m.status.value,
                "progress": m.progress,
                "planned_start": m.planned_start,
                "planned_end": m.planned_end,
                "department": departments.get(m.department_id or 0, ""),
                "reason": m.reason or "",
                "milestones": milestones[m.id],
                "updated_at": m.updated_at,
            }
            for m in rows
        ]


def ballots_url(base: str, vote_id: int) -> str:
    return f"{base}/api/v1/votes/{vote_id}/ballots.pb"


def _score(details: dict[str, Any], option_id: int) -> float | None:
    value = (details.get("scores") or {}).get(str(option_id))
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def published_votes(municipality: Municipality) -> QuerySet[Vote]:
    """Published votes with a result: the ones whose result the site shows."""
    return Vote.filter(
        municipality_id=municipality.id, status=VoteStatus.PUBLISHED, result__isnull=False
    )


async def vote_results(municipality: Municipality, base: str, size: int) -> Batches:
    async for rows in batches(published_votes(municipality), size):
        options: dict[int, list[VoteOption]] = {v.id: [] for v in rows}
        for option in await VoteOption.filter(vote_id__in=list(options)).order_by(
            "vote_id", "position"
        ):
            options[option.vote_id].append(option)
        districts = await _names(District, {v.district_id for v in rows})
        batch = []
        for vote in rows:
            result = vote.result or {}
            winners = [str(w) for w in result.get("winners", [])]
            quorum_met = bool(result.get("quorum_met"))
            for option in options[vote.id]:
                rank = winners.index(str(option.id)) + 1 if str(option.id) in winners else None
                batch.append(
                    {
                        "vote_id": vote.id,
                        "vote_title": vote.title,
                        "rule": vote.rule.value,
                        "district": districts.get(vote.district_id or 0, ""),
                        "closes_at": vote.closes_at,
                        "published_at": vote.published_at,
                        "turnout": result.get("turnout", vote.turnout),
                        "quorum_met": quorum_met,
                        "option_id": option.id,
                        "position": option.position,
                        "option_title": option.title,
                        "cost_cents": option.cost_cents,
                        "currency": CURRENCY,
                        "score": _score(result.get("details") or {}, option.id),
                        "winner": rank is not None,
                        "winner_rank": rank,
                        "ballots_url": ballots_url(base, vote.id) if quorum_met else "",
                    }
                )
        yield batch


async def moderation(municipality: Municipality, base: str, size: int) -> Batches:
    """The public moderation log, read through the log's own query so that the download
    shows exactly what /m/<slug>/moderation-log shows; newest first, as there."""
    cursor: str | None = None
    while True:
        items, cursor = await moderation_log(municipality.slug, size, cursor)
        if items:
            yield [
                {
                    "id": e["id"],
                    "created_at": e["created_at"],
                    "action": e["action"],
                    "subject_type": e["subject"]["type"] if e["subject"] else "",
                    "subject_id": e["subject"]["id"] if e["subject"] else None,
                    "comment_id": e["comment_id"],
                    "url": base + e["url"] if e["url"] else "",
                    "reason": e["reason"],
                    "moderator_role": e["moderator_role"] or "",
                    "automatic": e["automatic"],
                    "until": e["until"],
                }
                for e in items
            ]
        if cursor is None:
            return
