"""What a thread discusses, and whether a reader may see it: a thread is as visible as
its subject (a draft mandate's thread is as hidden as the draft).

The areas whose subjects are discussed (mandates, plans, votes) open threads, so they
import this area; this area must not import them back. Each registers, next to the
command that opens its threads, how to find a subject for a reader (`discussed`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from participation.actors import Actor
from participation.deliberation.models import SubjectType, Thread
from participation.errors import NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.models import Department

GONE = Message("This discussion does not exist.")


@dataclass(frozen=True)
class Subject:
    type: SubjectType
    id: int
    title: str
    link: str
    # The department an official statement is signed with, if the subject has one.
    department_id: int | None


# The subject `subject_id` as `actor` may see it; raises NotFound (with GONE) otherwise.
Resolver = Callable[[Actor | None, int], Awaitable[Subject]]
_resolvers: dict[SubjectType, Resolver] = {}


def discussed(subject_type: SubjectType) -> Callable[[Resolver], Resolver]:
    """Register the resolver of a kind of subject; its area's commands module does."""

    def register(resolver: Resolver) -> Resolver:
        _resolvers[subject_type] = resolver
        return resolver

    return register


async def subject_of(actor: Actor | None, thread: Thread) -> Subject:
    """The thread's subject if `actor` may see it; NotFound otherwise."""
    kind = SubjectType(thread.subject_type)
    resolver = _resolvers.get(kind)
    if resolver is None:
        raise RuntimeError(f"no resolver for {kind} subjects: import its area's commands")
    return await resolver(actor, thread.subject_id)


async def visible_thread(actor: Actor | None, thread_id: int | str) -> tuple[Thread, Subject]:
    """The thread and its subject, or NotFound alike for a missing and a hidden one."""
    parsed = parse_id(str(thread_id))
    thread = await Thread.get_or_none(id=parsed) if parsed is not None else None
    if thread is None:
        raise NotFound(GONE)
    return thread, await subject_of(actor, thread)


async def department_name(department_id: int | None) -> str | None:
    if department_id is None:
        return None
    department = await Department.get_or_none(id=department_id)
    return department.name if department else None
