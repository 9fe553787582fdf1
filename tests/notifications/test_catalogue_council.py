"""The council's work: answers, plans and costs reach the mandate's people; assignment,
the service promise's reminder and its escalation reach the council."""

from __future__ import annotations

import pytest

from notifications.models import Reason
from participation.answers import commands as answers
from participation.council.promise import record_missed, remind
from participation.mandates.models import Mandate, Status
from participation.permissions import Role
from tests.factories import council_member, mandate, municipality, people, person, time_travel
from tests.factories.answers import department, response
from tests.factories.notifications import dispatch_outbox, notes, told
from tests.factories.plans import measure

pytestmark = pytest.mark.usefixtures("database")


async def test_an_answer_and_a_measure_reach_the_initiator_with_an_excerpt() -> None:
    town = await municipality(quorum=2)
    (initiator,) = await people(1)
    council = await council_member(town)
    subject = await mandate(initiator, town, Status.IN_PROGRESS, council=council)
    await response(council, subject.id, body="Wir prüfen das **gründlich**.")
    await measure(council, subject, title="Radweg bauen")
    await dispatch_outbox()
    (answer,) = [
        n for n in await notes("answers:response:published") if n.recipient_id == initiator.user_id
    ]
    assert answer.data["excerpt"] == "Wir prüfen das **gründlich**."
    (planned,) = [
        n for n in await notes("plans:measure:created") if n.recipient_id == initiator.user_id
    ]
    assert planned.data["measure_title"] == "Radweg bauen"


async def test_assignment_reminder_and_escalation_reach_council_and_administrators() -> None:
    town = await municipality(quorum=2)
    (initiator,) = await people(1)
    council = await council_member(town)
    other = await council_member(town)
    admin = await person(role=Role.ADMIN, municipality=town, lives_in=town)
    subject = await mandate(initiator, town, Status.SUBMITTED, council=council)
    office = await department(town)
    await answers.assign_mandate(admin, subject.id, office.id, council.user_id)
    due = (await Mandate.get(id=subject.id)).answer_due_at
    assert due is not None
    with time_travel(due):
        await remind(due)
    with time_travel(due.replace(year=due.year + 1)):
        await record_missed(due.replace(year=due.year + 1))
    await dispatch_outbox()
    # The admin assigned it, so she is not told of her own act.
    assert await told("answers:mandate:assigned") == {council.user_id: Reason.DIRECT}
    reminded = await told("council:promise:reminded")
    assert reminded == {council.user_id: Reason.DIRECT}
    (note,) = await notes("council:promise:reminded")
    assert note.data["due_at"] == due.isoformat()
    escalated = await told("council:promise:missed")
    assert escalated[council.user_id] == Reason.COUNCIL
    assert escalated[admin.user_id] == Reason.ADMINISTRATOR
    assert other.user_id not in reminded
