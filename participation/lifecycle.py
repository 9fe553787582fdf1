"""The lifecycle kernel: states and moves as data, and the one way a move is made.

An area declares its `Lifecycle` (which moves exist, who makes each, what each is
called once made) and makes every move through `move`: a conditional update that
succeeds for one of several racing movers, the move's event, and the timeline entry
where the subject has a timeline. Reasons are validated here, once, for every area.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from tortoise.models import Model

from participation.errors import Conflict, InvalidInput
from participation.outbox import catalogue
from participation.unit import Unit

State = TypeVar("State", bound=StrEnum)
Mover = TypeVar("Mover", bound=StrEnum)


class Subject(Protocol):
    """What a lifecycle moves: a row with an id, a status and a home municipality."""

    @property
    def id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def municipality_id(self) -> int: ...


class TimelineWriter(Protocol):
    async def __call__(
        self,
        unit: Unit,
        mandate_id: int,
        kind: str,
        name: str,
        data: dict[str, Any],
        *,
        municipality_id: int,
        actor_id: int | None = None,
    ) -> object: ...


@dataclass(frozen=True)
class Transition(Generic[State, Mover]):
    source: State
    target: State
    mover: Mover
    needs_reason: bool = False


@dataclass(frozen=True)
class Reasons:
    """The messages an area gives when a reason is over-long or missing."""

    max: int
    too_long: str
    missing: str


@dataclass(frozen=True)
class Lifecycle(Generic[State, Mover]):
    """An area's moves. `events` names each target by the move that reaches it, in the
    past tense (`published`, not `collecting`); `conflict` is said when someone else
    moved the subject first; moves recorded on a timeline are entries of `entry_kind`,
    written by `timeline` (the timeline area's writer, handed in so that this kernel
    knows no area)."""

    area: str
    subject_type: str
    model: type[Model]
    transitions: tuple[Transition[State, Mover], ...]
    events: Mapping[State, str]
    reasons: Reasons
    conflict: str
    entry_kind: str = "status"
    timeline: TimelineWriter | None = None

    def __post_init__(self) -> None:
        unnamed = {t.target for t in self.transitions} - set(self.events)
        if unnamed:
            raise ValueError(f"moves to {sorted(unnamed)} have no event name")

    def find(
        self, source: State, target: State, movers: Iterable[Mover] | None = None
    ) -> Transition[State, Mover] | None:
        """The move from `source` to `target`, one of `movers`' if given, if any."""
        allowed = None if movers is None else set(movers)
        for transition in self.transitions:
            if (transition.source, transition.target) == (source, target):
                if allowed is None or transition.mover in allowed:
                    return transition
        return None

    def moves_from(self, source: State, movers: Iterable[Mover]) -> list[Transition[State, Mover]]:
        """The moves open from `source` to anyone in `movers`, one per target, in order."""
        allowed = set(movers)
        seen: dict[State, Transition[State, Mover]] = {}
        for transition in self.transitions:
            if transition.source == source and transition.mover in allowed:
                seen.setdefault(transition.target, transition)
        return list(seen.values())

    def check_reason(self, transition: Transition[State, Mover], reason: str | None) -> str | None:
        """The reason trimmed, None if blank; raises InvalidInput on `reason` when it is
        over-long or the move needs one and there is none."""
        reason = (reason or "").strip() or None
        if reason and len(reason) > self.reasons.max:
            raise InvalidInput.on("reason", self.reasons.too_long)
        if transition.needs_reason and not reason:
            raise InvalidInput.on("reason", self.reasons.missing)
        return reason

    def event_name(self, target: State) -> str:
        return f"{self.area}:{self.subject_type}:{self.events[target]}"

    def catalogue(
        self, fields: Iterable[str], optional: Iterable[str] = (), subject_type: str | None = None
    ) -> tuple[catalogue.Entry, ...]:
        """The catalogue entries of the moves' events, for the area's descriptor."""
        return tuple(
            catalogue.entry(
                self.event_name(target),
                subject_type or self.subject_type,
                fields,
                f"The {self.subject_type} moved to {target.value}.",
                optional,
            )
            for target in dict.fromkeys(t.target for t in self.transitions)
        )


async def move(
    unit: Unit,
    lifecycle: Lifecycle[State, Mover],
    subject: Subject,
    target: State,
    *,
    actor_id: int | None = None,
    reason: str | None = None,
    changes: Mapping[str, object] | None = None,
    timeline: int | None = None,
    **extra: object,
) -> None:
    """Move `subject` to `target` if nobody moved it first, and record the move.

    `changes` are further columns set by the same update; `extra` goes into the event
    and the entry. The event is the entry's when `timeline` names the mandate whose
    timeline shows the move, and the subject's own otherwise. Raises Conflict when the
    subject is no longer where it was read.
    """
    source = type(target)(subject.status)
    moved = (
        await lifecycle.model.filter(id=subject.id, status=source)
        .using_db(unit.conn)
        .update(status=target, **(changes or {}))
    )
    if not moved:
        raise Conflict(lifecycle.conflict)
    data: dict[str, Any] = {"from": source.value, "to": target.value, **extra}
    if reason:
        data["reason"] = reason
    name = lifecycle.event_name(target)
    if timeline is None:
        await unit.record(
            name,
            lifecycle.subject_type,
            subject.id,
            municipality_id=subject.municipality_id,
            actor_id=actor_id,
            **data,
        )
    else:
        if lifecycle.timeline is None:
            raise ValueError(f"the {lifecycle.subject_type} lifecycle writes no timeline")
        await lifecycle.timeline(
            unit,
            timeline,
            lifecycle.entry_kind,
            name,
            data,
            municipality_id=subject.municipality_id,
            actor_id=actor_id,
        )
