"""The services a municipality offers and the rules that match their visits, as
administrators edit them: each replaced as a whole, as the API's PUT and the form do."""

from __future__ import annotations

from dataclasses import dataclass

from notifications.visits import rules
from notifications.visits.actions import MANAGE_SERVICE_VISITS
from notifications.visits.models import InvitationPolicy, InvitationRule, ServiceType
from participation import clock, single_line, unit
from participation.actors import Actor
from participation.errors import FieldError, InvalidInput, NotFound
from participation.mandates.rules import normalise_topics
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import require


@dataclass(frozen=True)
class Service:
    code: str
    name_de: str
    name_en: str


@dataclass(frozen=True)
class Rule:
    service_type: str
    topics: tuple[str, ...]
    own_district: bool


@dataclass(frozen=True)
class Rules:
    cap_days: int
    rules: tuple[Rule, ...]


async def municipality_here(slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return municipality


async def _admin_here(actor: Actor | None, slug: str) -> Municipality:
    municipality = await municipality_here(slug)
    require(actor, MANAGE_SERVICE_VISITS, await place_of(municipality.id))
    return municipality


async def services(municipality_id: int) -> list[Service]:
    rows = await ServiceType.filter(municipality_id=municipality_id, retired_at=None).order_by(
        "code"
    )
    return [Service(r.code, r.name_de, r.name_en) for r in rows]


async def service_catalogue(actor: Actor | None, slug: str) -> list[Service]:
    return await services((await _admin_here(actor, slug)).id)


def _name(field: str, value: str) -> str | FieldError:
    if problem := single_line.problem(value):
        return FieldError(field, problem)
    name = " ".join(value.split())
    if not name or len(name) > rules.NAME_MAX:
        return FieldError(
            field, Message("Give a name of 1 to %(max)s characters.", max=rules.NAME_MAX)
        )
    return name


def _checked_services(items: list[Service]) -> list[Service]:
    problems: list[FieldError] = []
    seen: set[str] = set()
    checked = []
    for n, item in enumerate(items):
        code = item.code.strip()
        if not rules.CODE.match(code) or len(code) > rules.CODE_MAX:
            message = Message(
                "A service code is lower-case words joined by dots, such as "
                "residence.registration, of at most %(max)s characters.",
                max=rules.CODE_MAX,
            )
            problems.append(FieldError(f"services.{n}.code", message))
        elif code in seen:
            problems.append(
                FieldError(f"services.{n}.code", Message("Each service code only once."))
            )
        seen.add(code)
        names = [
            _name(f"services.{n}.name_{lang}", getattr(item, f"name_{lang}"))
            for lang in ("de", "en")
        ]
        problems.extend(name for name in names if isinstance(name, FieldError))
        if all(isinstance(name, str) for name in names):
            checked.append(Service(code, str(names[0]), str(names[1])))
    if problems:
        raise InvalidInput(Message("The catalogue has invalid entries."), problems)
    return checked


async def replace_catalogue(actor: Actor | None, slug: str, items: list[Service]) -> list[Service]:
    """Make `items` the municipality's services. Services left out are retired, not
    deleted: their visits stay in the figures, and a later catalogue may bring them back.

    Raises NotFound, PermissionDenied and InvalidInput (`services.N.code`, `.name_de`, `.name_en`).
    """
    municipality = await _admin_here(actor, slug)
    checked = _checked_services(items)
    now = clock.now()
    async with unit.atomic() as u:
        existing = {
            row.code: row
            for row in await ServiceType.filter(municipality_id=municipality.id)
            .select_for_update()
            .using_db(u.conn)
        }
        for item in checked:
            row = existing.get(item.code)
            if row is None:
                await ServiceType.create(
                    municipality_id=municipality.id,
                    code=item.code,
                    name_de=item.name_de,
                    name_en=item.name_en,
                    using_db=u.conn,
                )
            else:
                row.name_de, row.name_en, row.retired_at = item.name_de, item.name_en, None
                await row.save(using_db=u.conn)
        kept = {item.code for item in checked}
        await (
            ServiceType.filter(
                municipality_id=municipality.id, retired_at=None, code__not_in=list(kept) or [""]
            )
            .using_db(u.conn)
            .update(retired_at=now)
        )
        await u.record(
            "visits:catalogue:changed",
            "municipality",
            municipality.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id if actor else None,
            codes=sorted(kept),
        )
    return await services(municipality.id)


async def cap_days(municipality_id: int) -> int:
    policy = await InvitationPolicy.get_or_none(municipality_id=municipality_id)
    return policy.cap_days if policy else rules.DEFAULT_CAP_DAYS


async def current_rules(municipality_id: int) -> Rules:
    rows = await InvitationRule.filter(
        service_type__municipality_id=municipality_id, service_type__retired_at=None
    ).prefetch_related("service_type")
    return Rules(
        await cap_days(municipality_id),
        tuple(
            Rule(r.service_type.code, tuple(r.topics), r.own_district)
            for r in sorted(rows, key=lambda r: r.service_type.code)
        ),
    )


async def invitation_rules(actor: Actor | None, slug: str) -> Rules:
    return await current_rules((await _admin_here(actor, slug)).id)


def _checked_rules(given: Rules, known: dict[str, ServiceType]) -> Rules:
    problems: list[FieldError] = []
    if not 1 <= given.cap_days <= rules.CAP_DAYS_MAX:
        message = Message("Between 1 and %(max)s days.", max=rules.CAP_DAYS_MAX)
        problems.append(FieldError("cap_days", message))
    seen: set[str] = set()
    checked = []
    for n, rule in enumerate(given.rules):
        if rule.service_type not in known:
            message = Message("This service is not in the catalogue.")
            problems.append(FieldError(f"rules.{n}.service_type", message))
        elif rule.service_type in seen:
            message = Message("One rule per service.")
            problems.append(FieldError(f"rules.{n}.service_type", message))
        seen.add(rule.service_type)
        topics = normalise_topics(list(rule.topics))
        if any(single_line.problem(t) for t in topics) or len(topics) > rules.TOPICS_MAX:
            message = Message("At most %(max)s topics, each on one line.", max=rules.TOPICS_MAX)
            problems.append(FieldError(f"rules.{n}.topics", message))
        elif any(len(t) > 40 for t in topics):
            message = Message("Each topic must be at most %(max)s characters.", max=40)
            problems.append(FieldError(f"rules.{n}.topics", message))
        checked.append(Rule(rule.service_type, tuple(topics), rule.own_district))
    if problems:
        raise InvalidInput(Message("The invitation rules have invalid entries."), problems)
    return Rules(given.cap_days, tuple(checked))


async def replace_invitation_rules(actor: Actor | None, slug: str, given: Rules) -> Rules:
    """Make `given` the municipality's rules and frequency cap; a service without a rule
    leads to no invitation.

    Raises NotFound, PermissionDenied and InvalidInput (`cap_days`,
    `rules.N.service_type`, `rules.N.topics`).
    """
    municipality = await _admin_here(actor, slug)
    known = {
        s.code: s
        for s in await ServiceType.filter(municipality_id=municipality.id, retired_at=None)
    }
    checked = _checked_rules(given, known)
    async with unit.atomic() as u:
        await (
            InvitationRule.filter(service_type_id__in=[s.id for s in known.values()] or [0])
            .using_db(u.conn)
            .delete()
        )
        for rule in checked.rules:
            await InvitationRule.create(
                service_type_id=known[rule.service_type].id,
                topics=list(rule.topics),
                own_district=rule.own_district,
                using_db=u.conn,
            )
        updated = (
            await InvitationPolicy.filter(municipality_id=municipality.id)
            .using_db(u.conn)
            .update(cap_days=checked.cap_days)
        )
        if not updated:
            await InvitationPolicy.create(
                municipality_id=municipality.id, cap_days=checked.cap_days, using_db=u.conn
            )
        await u.record(
            "visits:rules:changed",
            "municipality",
            municipality.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id if actor else None,
            cap_days=checked.cap_days,
        )
    return await current_rules(municipality.id)
