"""Mandates in any status, reached through the commands a user or the council would run."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from participation import clock
from participation.actors import Actor
from participation.mandates import commands, counter, quorum
from participation.mandates.models import Mandate, Status
from participation.municipalities.models import Municipality
from tests.factories.accounts import council_member, people

_numbers = itertools.count(1)

# The council's path from `submitted` to each later status.
_COUNCIL_PATH = {
    Status.IN_REVIEW: [Status.IN_REVIEW],
    Status.ACCEPTED: [Status.IN_REVIEW, Status.ACCEPTED],
    Status.IN_PROGRESS: [Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS],
    Status.COMPLETED: [Status.IN_REVIEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED],
    Status.REJECTED: [Status.IN_REVIEW, Status.REJECTED],
}


@contextmanager
def time_travel(to: datetime) -> Iterator[None]:
    """Let the domain's clock read `to`."""
    with mock.patch.object(clock, "now", lambda: to):
        yield


async def mandate(
    initiator: Actor,
    municipality: Municipality,
    status: Status = Status.COLLECTING,
    *,
    title: str | None = None,
    summary: str = "Eine kurze Zusammenfassung.",
    body: str = "Der **Auftrag** im Detail.",
    district: str | None = None,
    topics: list[str] | None = None,
    council: Actor | None = None,
) -> Mandate:
    """A mandate of `initiator` in `status`.

    `submitted` and later statuses gather as many co-signers as the municipality's
    quorum needs; council moves are made by `council` (a new member if not given).
    """
    launched = await commands.launch_mandate(
        initiator,
        municipality.slug,
        title=title or f"Auftrag {next(_numbers)}",
        summary=summary,
        body=body,
        district=district,
        topics=topics,
    )
    if status == Status.DRAFT:
        return launched
    if status == Status.WITHDRAWN:
        await commands.transition_mandate(initiator, launched.id, Status.WITHDRAWN)
        return await Mandate.get(id=launched.id)
    await commands.publish_mandate(initiator, launched.id)
    if status == Status.COLLECTING:
        return await Mandate.get(id=launched.id)
    if status == Status.EXPIRED:
        current = await Mandate.get(id=launched.id)
        assert current.closes_at is not None
        with time_travel(current.closes_at + timedelta(seconds=1)):
            await quorum.expire_mandates()
        return await Mandate.get(id=launched.id)
    await sign_until_quorum(launched.id)
    current = await Mandate.get(id=launched.id)
    assert current.status == Status.SUBMITTED, current.status
    council = council or await council_member(municipality)
    for step in _COUNCIL_PATH.get(status, []):
        reason = "Nicht umsetzbar." if step == Status.REJECTED else None
        await commands.transition_mandate(council, launched.id, step, reason)
    return await Mandate.get(id=launched.id)


async def sign_until_quorum(mandate_id: int) -> list[Actor]:
    """Co-sign with new people of its municipality until the quorum is reached."""
    current = await Mandate.get(id=mandate_id).prefetch_related("municipality")
    missing = current.quorum - await counter.total(mandate_id)
    signers = await people(max(missing, 0), lives_in=current.municipality)
    for signer in signers:
        await commands.sign_mandate(signer, mandate_id)
    return signers
