"""The event catalogue: every event name, what its payload holds, and who consumes it.

The one place to look up an event. `unit.record` checks each event against it, so
every test run checks the code against the catalogue; tests/participation/outbox
checks the batched statements' events and that each entry is recorded somewhere.

Payload conventions: ids are named `<thing>_id` (mandate_id, vote_id, user_id); the
payload names its subject by the same key as the envelope's subject (a vote's event
has `vote_id`), so a handler reading only the payload finds it; envelope fields
otherwise stay out of it. Events that announce a timeline entry carry it as `entry`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from participation import areas
from participation.outbox.consumers import Consumer, registered


@dataclass(frozen=True)
class Entry:
    """One event: its subject type, the payload keys it always has and those it may have."""

    name: str
    subject_type: str
    fields: frozenset[str]
    summary: str
    optional: frozenset[str] = frozenset()

    def check(self, payload: Mapping[str, object]) -> None:
        keys = set(payload)
        missing = self.fields - keys
        unknown = keys - self.fields - self.optional
        if missing or unknown:
            raise ValueError(
                f"event {self.name!r}: payload keys {sorted(keys)} do not match the catalogue "
                f"(missing {sorted(missing)}, unknown {sorted(unknown)})"
            )


def entry(
    name: str, subject: str, fields: Iterable[str], summary: str, optional: Iterable[str] = ()
) -> Entry:
    return Entry(name, subject, frozenset(fields), summary, frozenset(optional))


def entries() -> tuple[Entry, ...]:
    """Every area's declared events, in the order the areas are found."""
    return tuple(entry for area in areas.all_areas() for entry in area.events)


_cache: tuple[tuple[Any, ...], dict[str, Entry]] = ((), {})


def catalogue() -> dict[str, Entry]:
    """Name → entry; rebuilt only when an area is added (tests add throw-away ones)."""
    global _cache
    known = areas.all_areas()
    if _cache[0] != known:
        _cache = (known, {entry.name: entry for entry in entries()})
    return _cache[1]


def check(name: str, payload: Mapping[str, object]) -> None:
    """Raise ValueError unless `name` is in the catalogue and `payload` has its keys."""
    entry = catalogue().get(name)
    if entry is None:
        raise ValueError(f"event {name!r} is not in the catalogue (participation.outbox.catalogue)")
    entry.check(payload)


def consumers_of(name: str, consumers: Iterable[Consumer] | None = None) -> list[str]:
    """The consumers whose patterns match `name`, registered ones unless given."""
    known = registered() if consumers is None else consumers
    return [consumer.name for consumer in known if consumer.matches(name)]


def markdown(consumers: Iterable[Consumer] | None = None) -> str:
    """The catalogue as a Markdown table, for the README."""
    known = list(registered() if consumers is None else consumers)
    rows = [
        "| event | subject | payload | consumers | what happened |",
        "| --- | --- | --- | --- | --- |",
    ]
    for entry in entries():
        fields = [f"`{f}`" for f in sorted(entry.fields)]
        fields += [f"`{f}`?" for f in sorted(entry.optional)]
        rows.append(
            f"| `{entry.name}` | {entry.subject_type} | {', '.join(fields) or '—'} "
            f"| {', '.join(consumers_of(entry.name, known)) or '—'} | {entry.summary} |"
        )
    return "\n".join(rows) + "\n"
