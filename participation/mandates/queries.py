"""Read side of mandates: filtered lists with keyset paging, and public views."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from tortoise.expressions import Case, Q, When
from tortoise.functions import Coalesce, Sum
from tortoise.queryset import QuerySet

from participation import clock
from participation.accounts.models import Membership, User
from participation.actors import Actor
from participation.deliberation.models import SubjectType
from participation.deliberation.threads import thread_ids
from participation.errors import InvalidInput, NotFound
from participation.ids import parse_id
from participation.mandates import counter, lifecycle, permissions, rating, rules
from participation.mandates.actions import SIGN_MANDATE
from participation.mandates.models import Mandate, MandateTopic, Signature, Status
from participation.mandates.promise import service_promise
from participation.messages import Message
from participation.municipalities.models import Department, District, Municipality
from participation.municipalities.queries import municipality_by_slug, place_of, possible_slug
from participation.permissions import COUNCIL, Role, who_may


@dataclass(frozen=True)
class MandateFilter:
    status: Status | None = None
    district: str | None = None
    topic: str | None = None
    q: str | None = None
    initiator_id: int | None = None


def encode_cursor(last_id: int) -> str:
    """The id to continue after, in digits: what the API's documented pattern accepts."""
    return str(last_id)


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    last_id = parse_id(cursor)
    if last_id is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    return last_id


class Sort(StrEnum):
    """Orders of a municipality's list; `collecting` first is what its page shows unasked."""

    COLLECTING = "collecting"
    NEWEST = "newest"
    SIGNATURES = "signatures"
    CLOSING = "closing"


def topic_key(topic: str) -> str:
    """A topic as stored, however it was typed: `#Radverkehr` and `radverkehr` are one."""
    return topic.strip().lstrip("#").strip().lower()


async def _filtered(
    municipality_slug: str | None, filters: MandateFilter
) -> QuerySet[Mandate] | None:
    """The mandates `filters` select, or None when nothing can match them."""
    query = Mandate.all()
    if municipality_slug is not None:
        municipality = await municipality_by_slug(municipality_slug)
        if municipality is None:
            raise NotFound(Message("This municipality does not exist."))
        query = query.filter(municipality_id=municipality.id)
    if filters.initiator_id is not None:
        query = query.filter(initiator_id=filters.initiator_id)
    else:
        query = query.filter(status__in=list(lifecycle.PUBLIC))
    if filters.status:
        query = query.filter(status=filters.status)
    if filters.district:
        if not possible_slug(filters.district):
            return None
        query = query.filter(district__slug=filters.district)
    if filters.topic:
        if len(filters.topic) > rules.TOPIC_MAX or "\x00" in filters.topic:
            return None
        tagged = MandateTopic.filter(topic=topic_key(filters.topic)).values_list(
            "mandate_id", flat=True
        )
        query = query.filter(id__in=await tagged)
    if filters.q and "\x00" in filters.q:
        return None
    if filters.q:
        words = filters.q.split()
        for word in words[:8]:
            query = query.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return query


def _ordered(query: QuerySet[Mandate], sort: Sort) -> QuerySet[Mandate]:
    collecting_first = Case(When(status=Status.COLLECTING, then="0"), default="1")
    if sort == Sort.SIGNATURES:
        return query.annotate(total=Coalesce(Sum("counter_shards__count"), 0)).order_by(
            "-total", "-id"
        )
    if sort == Sort.CLOSING:
        # Collecting ones by their closing day, open-ended ones after them; then the rest.
        undated = Case(When(closes_at__isnull=True, then="1"), default="0")
        return query.annotate(open_first=collecting_first, undated=undated).order_by(
            "open_first", "undated", "closes_at", "-id"
        )
    return query.annotate(open_first=collecting_first).order_by("open_first", "-id")


async def list_mandates(
    actor: Actor | None,
    municipality_slug: str | None,
    filters: MandateFilter,
    limit: int = 20,
    cursor: str | None = None,
    sort: Sort = Sort.NEWEST,
) -> tuple[list[dict[str, Any]], str | None]:
    """In `sort` order, newest first unless asked. Drafts appear only in the initiator's list.

    Newest first pages by id; the other orders change as people sign, so their cursor is
    the number of mandates already shown.
    """
    query = await _filtered(municipality_slug, filters)
    if query is None:
        return [], None
    after = decode_cursor(cursor)
    if sort == Sort.NEWEST:
        if after is not None:
            query = query.filter(id__lt=after)
        rows = await query.order_by("-id").limit(limit + 1)
    else:
        rows = await _ordered(query, sort).offset(after or 0).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    views = await views_of(actor, rows)
    if not (more and rows):
        return views, None
    if sort == Sort.NEWEST:
        return views, encode_cursor(rows[-1].id)
    return views, encode_cursor((after or 0) + len(rows))


async def count_mandates(municipality_slug: str | None, filters: MandateFilter) -> int:
    """How many mandates `filters` select, all pages together."""
    query = await _filtered(municipality_slug, filters)
    return 0 if query is None else await query.count()


async def views_of(actor: Actor | None, mandates: list[Mandate]) -> list[dict[str, Any]]:
    """Public representations, loading related rows once per page rather than per mandate."""
    if not mandates:
        return []
    ids = [m.id for m in mandates]
    tallies = await counter.tallies(ids)
    ratings = await rating.summaries(ids)
    threads = await thread_ids(SubjectType.MANDATE, ids)
    municipalities: dict[int, str] = dict(
        await Municipality.filter(id__in={m.municipality_id for m in mandates}).values_list(
            "id", "slug"
        )
    )
    places = {mid: await place_of(mid) for mid in municipalities}
    district_ids = {m.district_id for m in mandates if m.district_id}
    districts = (
        {d.id: d for d in await District.filter(id__in=district_ids)} if district_ids else {}
    )
    initiator_ids = {m.initiator_id for m in mandates if m.initiator_id}
    names = dict(await User.filter(id__in=initiator_ids).values_list("id", "display_name"))
    topics: dict[int, list[str]] = {i: [] for i in ids}
    for mandate_id, topic in (
        await MandateTopic.filter(mandate_id__in=ids)
        .order_by("id")
        .values_list("mandate_id", "topic")
    ):
        topics[mandate_id].append(topic)
    signed: set[int] = set()
    if actor is not None:
        # Tortoise types every values_list() result as tuples, flat=True ones too.
        mandate_ids = await Signature.filter(mandate_id__in=ids, user_id=actor.user_id).values_list(
            "mandate_id", flat=True
        )
        signed = set(cast(list[int], mandate_ids))
    assignments = await assignments_of(mandates)
    views = []
    now = clock.now()
    for m in mandates:
        district = districts.get(m.district_id) if m.district_id is not None else None
        name = names.get(m.initiator_id)
        movers = permissions.movers_for(actor, m)
        views.append(
            {
                "id": m.id,
                "municipality": municipalities[m.municipality_id],
                "title": m.title,
                "summary": m.summary,
                "body": m.body,
                "body_html": m.body_html,
                "status": m.status,
                "signature_count": tallies[m.id][0],
                "resident_signature_count": tallies[m.id][1],
                "quorum": m.quorum,
                "initiator": {"display_name": name} if name else None,
                "district": {"slug": district.slug, "name": district.name} if district else None,
                "topics": topics[m.id],
                "created_at": m.created_at,
                "published_at": m.published_at,
                "closes_at": m.closes_at,
                "submitted_at": m.submitted_at,
                "answer_due_at": m.answer_due_at,
                "closed_at": m.closed_at,
                "service_promise": service_promise(
                    m.status, m.answer_due_at, m.first_answer_at, m.promise_kept, now
                ),
                "progress": m.progress,
                "allowed_transitions": [
                    t.target for t in lifecycle.moves_from(Status(m.status), movers)
                ],
                "signed": (m.id in signed) if actor is not None else None,
                # Co-signing is open to the whole municipality, whatever the district.
                "participation": who_may(
                    places[m.municipality_id].level(SIGN_MANDATE), municipalities[m.municipality_id]
                ),
                **assignments[m.id],
                "rating": ratings[m.id],
                "thread_id": threads.get(m.id),
            }
        )
    return views


async def assignments_of(mandates: list[Mandate]) -> dict[int, dict[str, Any]]:
    """`department` ({id, name} or None) and `responsible` ({display_name, role} or
    None) per mandate id, read once for a page of mandates; never an email."""
    department_ids = {m.department_id for m in mandates if m.department_id}
    names = (
        dict(await Department.filter(id__in=department_ids).values_list("id", "name"))
        if department_ids
        else {}
    )
    responsible_ids = {m.responsible_id for m in mandates if m.responsible_id}
    people: dict[int, str] = {}
    roles: dict[tuple[int, int], Role] = {}
    if responsible_ids:
        people = dict(await User.filter(id__in=responsible_ids).values_list("id", "display_name"))
        for user_id, municipality_id, role in await Membership.filter(
            user_id__in=responsible_ids,
            municipality_id__in={m.municipality_id for m in mandates},
            role__in=list(COUNCIL),
        ).values_list("user_id", "municipality_id", "role"):
            key = (user_id, municipality_id)
            if roles.get(key) != Role.COUNCIL:
                roles[key] = Role(role)
    views = {}
    for m in mandates:
        department = (
            {"id": m.department_id, "name": names[m.department_id]}
            if m.department_id in names
            else None
        )
        responsible = None
        if m.responsible_id in people:
            role = roles.get((m.responsible_id, m.municipality_id))
            responsible = {
                "display_name": people[m.responsible_id],
                # A role revoked since: she was made responsible as a council member.
                "role": role or Role.COUNCIL,
            }
        views[m.id] = {"department": department, "responsible": responsible}
    return views


async def mandate_view(actor: Actor | None, mandate: Mandate) -> dict[str, Any]:
    return (await views_of(actor, [mandate]))[0]


async def signed_mandate_ids(actor: Actor, limit: int = 100) -> list[int]:
    """Mandates `actor` co-signed, most recent signature first."""
    mandate_ids = (
        await Signature.filter(user_id=actor.user_id)
        .order_by("-id")
        .limit(limit)
        .values_list("mandate_id", flat=True)
    )
    return cast(list[int], mandate_ids)
