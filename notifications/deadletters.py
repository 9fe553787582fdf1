"""Jobs that failed on every try: recorded with their arguments, so nothing is dropped
silently, and listed for administrators to retry or discard.

A municipality's administrators see the dead letters of its jobs; jobs for no
municipality (a clock job, a sign-in mail) are the operator's, through
`auftrag dead-letters`. A retry enqueues the job again with the same arguments and
marks the letter retried; if the job fails for good once more it is a new letter.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from notifications.actions import MANAGE_JOBS
from notifications.models import DeadLetter
from participation import clock
from participation.actors import Actor
from participation.errors import Conflict, NotFound
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import require
from participation.unit import atomic

log = logging.getLogger(__name__)

ERROR_MAX = 4_000
LIST_LIMIT = 200
RETRIED = "notifications:dead_letter:retried"
DISCARDED = "notifications:dead_letter:discarded"


class Enqueue(Protocol):
    async def enqueue(self, name: str, **kwargs: Any) -> None: ...


async def record(
    task: str,
    kwargs: dict[str, Any],
    error: str,
    tries: int,
    municipality_id: int | None = None,
) -> DeadLetter:
    """Keep a job that failed for good; `kwargs` must be JSON, as a job's arguments are."""
    log.error("job %s failed for good after %d tries: %s", task, tries, error)
    return await DeadLetter.create(
        task=task,
        kwargs=kwargs,
        error=error[:ERROR_MAX],
        tries=tries,
        municipality_id=municipality_id,
    )


async def _administered(actor: Actor | None, slug: str) -> Municipality:
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    require(actor, MANAGE_JOBS, await place_of(municipality.id))
    return municipality


async def list_dead_letters(actor: Actor | None, slug: str) -> list[DeadLetter]:
    """The municipality's dead letters, newest first. Raises NotFound, PermissionDenied."""
    municipality = await _administered(actor, slug)
    return await DeadLetter.filter(municipality_id=municipality.id).limit(LIST_LIMIT)


async def _letter(municipality_id: int | None, letter_id: int) -> DeadLetter:
    letter = await DeadLetter.get_or_none(id=letter_id, municipality_id=municipality_id)
    if letter is None:
        raise NotFound(Message("There is no such failed job."))
    return letter


async def _retry(letter: DeadLetter, jobs: Enqueue, actor_id: int | None) -> DeadLetter:
    async with atomic() as unit:
        # The update is the lock: of two administrators clicking at once, one retries.
        claimed = await DeadLetter.filter(id=letter.id, retried_at=None).update(
            retried_at=clock.now()
        )
        if not claimed:
            raise Conflict(Message("This job was retried already."))
        await unit.record(
            RETRIED,
            "dead_letter",
            letter.id,
            municipality_id=letter.municipality_id,
            actor_id=actor_id,
            task=letter.task,
        )
        unit.after_commit(lambda: jobs.enqueue(letter.task, **letter.kwargs))
    await letter.refresh_from_db()
    return letter


async def retry_dead_letter(
    actor: Actor | None, slug: str, letter_id: int, jobs: Enqueue
) -> DeadLetter:
    """Enqueue the failed job again with its arguments and mark it retried.

    Raises NotFound (municipality or letter), PermissionDenied, Conflict (retried already).
    """
    municipality = await _administered(actor, slug)
    letter = await _letter(municipality.id, letter_id)
    return await _retry(letter, jobs, actor.user_id if actor else None)


async def discard_dead_letter(actor: Actor | None, slug: str, letter_id: int) -> None:
    """Forget a failed job that should not run again. Raises NotFound, PermissionDenied."""
    municipality = await _administered(actor, slug)
    letter = await _letter(municipality.id, letter_id)
    async with atomic() as unit:
        if not await DeadLetter.filter(id=letter.id).delete():
            raise NotFound(Message("There is no such failed job."))
        await unit.record(
            DISCARDED,
            "dead_letter",
            letter.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id if actor else None,
            task=letter.task,
        )


async def operator_dead_letters(everything: bool = False) -> list[DeadLetter]:
    """For the operator's command line: the jobs of no municipality, or all of them."""
    query = DeadLetter.all() if everything else DeadLetter.filter(municipality_id=None)
    return await query.limit(LIST_LIMIT)


async def operator_retry(letter_id: int, jobs: Enqueue) -> DeadLetter:
    """The operator retries any dead letter: she runs the platform, so no role is asked."""
    letter = await DeadLetter.get_or_none(id=letter_id)
    if letter is None:
        raise NotFound(Message("There is no such failed job."))
    return await _retry(letter, jobs, None)
