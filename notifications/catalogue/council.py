"""The service promise: a reminder to who must answer, an escalation when nobody did."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.audience import Query, department_council, members, nobody, person
from notifications.catalogue.facts import entry_data, mandate_facts
from notifications.kinds import Category, Fanout, Kind
from participation.mandates.models import Mandate
from participation.outbox.envelope import Event
from participation.permissions import Role


async def _mandate(event: Event) -> Mandate | None:
    return await Mandate.get_or_none(id=event.subject_id).only(
        "id", "municipality_id", "department_id", "responsible_id"
    )


async def answerers(event: Event) -> Fanout:
    """The responsible council member, and the department's council members."""
    query = Query()
    mandate = await _mandate(event)
    if mandate is None:
        return query.add(nobody()).fanout()
    if mandate.responsible_id is not None:
        query.add(person(query, mandate.responsible_id, "direct"))
    query.add(department_council(query, mandate.municipality_id, mandate.department_id))
    return query.fanout()


async def escalation(event: Event) -> Fanout:
    """The department's council members and the municipality's administrators."""
    query = Query()
    mandate = await _mandate(event)
    if mandate is None:
        return query.add(nobody()).fanout()
    query.add(
        department_council(query, mandate.municipality_id, mandate.department_id),
        members(query, mandate.municipality_id, Role.ADMIN.value, "administrator"),
    )
    return query.fanout()


async def reminded_data(event: Event) -> dict[str, Any]:
    return await mandate_facts(event, event.subject_id, due_at=event.payload.get("due_at"))


async def missed_data(event: Event) -> dict[str, Any]:
    return await mandate_facts(event, event.subject_id, due_at=entry_data(event).get("due_at"))


KINDS = (
    Kind("council:promise:reminded", Category.COUNCIL, answerers, reminded_data),
    Kind("council:promise:missed", Category.COUNCIL, escalation, missed_data),
)
