"""The council's official answers and who answers: told to the mandate's people, and to
the council members it was given to."""

from __future__ import annotations

from typing import Any

from notifications.catalogue.council import answerers
from notifications.catalogue.facts import entry_data, excerpt, mandate_facts
from notifications.catalogue.mandates import connected
from notifications.kinds import Category, Kind
from participation.answers.models import OfficialResponse
from participation.outbox.envelope import Event


async def assigned_data(event: Event) -> dict[str, Any]:
    return await mandate_facts(
        event, event.subject_id, department=entry_data(event).get("department")
    )


async def response_data(event: Event) -> dict[str, Any]:
    response_id = entry_data(event).get("response_id")
    bodies = await OfficialResponse.filter(id=response_id).values_list("body", flat=True)
    return await mandate_facts(
        event, event.subject_id, excerpt=excerpt(str(bodies[0])) if bodies else ""
    )


KINDS = (
    Kind("answers:response:published", Category.COUNCIL_WORK, connected, response_data),
    Kind("answers:mandate:assigned", Category.COUNCIL, answerers, assigned_data),
)
