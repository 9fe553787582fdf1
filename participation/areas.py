"""Areas declare themselves: one `area.py` per area names what the app and the worker wire in.

An area is a package `participation/<area>/` (or `notifications/`) with a module `area.py`
that defines `AREA = Area(...)`. The database models, the permission table, the privacy
export and erasure, the clock jobs and the outbox consumers are all read from these
declarations, found by scanning the packages, so adding an area touches no central list.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from participation.permissions import Action

# Packages whose subpackages, or which themselves, may hold an `area.py`.
ROOTS = ("participation", "notifications")

Exporter = Callable[[int], Awaitable[Any]]
# Called as eraser(connection, user) inside the deletion's transaction.
Eraser = Callable[[Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class ClockJob:
    """A job run at second 0 of every `every`-th minute of the hour: by the arq worker, or
    by the web process when there is no Redis. `timeout` bounds one run; runs never
    overlap."""

    name: str
    function: Callable[[], Awaitable[object]]
    timeout: float
    every: int = 1

    @property
    def minutes(self) -> set[int] | None:
        """The minutes of the hour it runs at, as arq's cron takes them; None for all."""
        return None if self.every == 1 else set(range(0, 60, self.every))


@dataclass(frozen=True)
class Task:
    """A job function that commands enqueue by `name`, run by an arq worker or by the web
    process. `timeout` bounds one try; a try that fails is retried up to `tries` times in
    all, with backoff, and then recorded as a dead letter."""

    name: str
    function: Callable[..., Awaitable[object]]
    timeout: float = 60
    tries: int = 5


@dataclass(frozen=True)
class Area:
    name: str
    # The Tortoise models module, if the area has tables.
    models: str | None = None
    actions: tuple[Action, ...] = ()
    # Export section → exporter(user_id); eraser name → eraser(connection, user).
    exporters: Mapping[str, Exporter] = field(default_factory=dict)
    erasers: Mapping[str, Eraser] = field(default_factory=dict)
    clock_jobs: tuple[ClockJob, ...] = ()
    # Read by the outbox package (its consumers and its catalogue entries); typed
    # loosely so that this module imports nothing of it.
    consumers: tuple[Any, ...] = ()
    events: tuple[Any, ...] = ()
    tasks: tuple[Task, ...] = ()
    # Read by notifications (its Kinds: which event notifies whom, and how).
    kinds: tuple[Any, ...] = ()


_found: list[Area] | None = None
_registered: list[Area] = []


def _area_modules() -> Iterator[str]:
    for root in ROOTS:
        package = importlib.import_module(root)
        if importlib.util.find_spec(f"{root}.area") is not None:
            yield f"{root}.area"
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.ispkg and importlib.util.find_spec(f"{root}.{info.name}.area") is not None:
                yield f"{root}.{info.name}.area"


def _discover() -> list[Area]:
    found = []
    for name in _area_modules():
        area = importlib.import_module(name).AREA
        if not isinstance(area, Area):
            raise TypeError(f"{name}.AREA is not an Area")
        found.append(area)
    return found


def all_areas() -> tuple[Area, ...]:
    """Every declared area: participation's by package name, then notifications, then
    those registered by hand."""
    global _found
    if _found is None:
        _found = _discover()
    return (*_found, *_registered)


def register(area: Area) -> None:
    """Add an area that lives outside the scanned packages, as tests do."""
    if any(known.name == area.name for known in all_areas()):
        raise ValueError(f"area {area.name!r} is declared twice")
    _registered.append(area)


def unregister(area: Area) -> None:
    """Forget an area added by `register`."""
    _registered.remove(area)


def models() -> list[str]:
    return [area.models for area in all_areas() if area.models is not None]


def actions() -> tuple[Action, ...]:
    return tuple(action for area in all_areas() for action in area.actions)


def clock_jobs() -> tuple[ClockJob, ...]:
    return tuple(job for area in all_areas() for job in area.clock_jobs)


def tasks() -> tuple[Task, ...]:
    return tuple(task for area in all_areas() for task in area.tasks)


def kinds() -> tuple[Any, ...]:
    return tuple(kind for area in all_areas() for kind in area.kinds)


def consumers() -> tuple[Any, ...]:
    return tuple(consumer for area in all_areas() for consumer in area.consumers)
