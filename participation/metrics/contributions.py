"""What one subject contributes to the summary tables: histogram cells and participants.

A contribution is a multiset. The projection stores each subject's last one in
`MetricFact.data` and applies only the difference to a new one, so recomputing a
subject twice changes nothing and the order of events does not matter.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from participation import environment

# (department_id, service_type, month, measure, value)
Cell = tuple[int, str, str, str, int]
# (month, person)
Person = tuple[str, str]


@dataclass
class Contribution:
    cells: Counter[Cell] = field(default_factory=Counter)
    people: Counter[Person] = field(default_factory=Counter)
    # Hashes of the accounts this subject was computed from, though they may not count
    # as participants (an invitee): an erased account's subjects are found by them.
    who: set[str] = field(default_factory=set)

    def add(
        self,
        month: str,
        measure: str,
        value: int = 0,
        count: int = 1,
        *,
        department_id: int = 0,
        service_type: str = "",
    ) -> None:
        self.cells[(department_id, service_type, month, measure, value)] += count

    def take_part(self, month: str, person: str) -> None:
        self.people[(month, person)] += 1
        self.who.add(person)

    def to_data(self) -> dict[str, Any]:
        return {
            "cells": [[*key, count] for key, count in sorted(self.cells.items()) if count],
            "people": [[*key, refs] for key, refs in sorted(self.people.items()) if refs],
            "who": sorted(self.who),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Contribution:
        found = cls()
        for dept, service, month, measure, value, count in (data or {}).get("cells", []):
            found.cells[(int(dept), str(service), str(month), str(measure), int(value))] = count
        for month, person, refs in (data or {}).get("people", []):
            found.people[(str(month), str(person))] = refs
        found.who = set((data or {}).get("who", []))
        return found


def difference(old: Contribution, new: Contribution) -> tuple[Counter[Cell], Counter[Person]]:
    """What to add to the tables (negative: take away) to go from `old` to `new`."""
    cells: Counter[Cell] = Counter()
    for key in old.cells.keys() | new.cells.keys():
        if delta := new.cells.get(key, 0) - old.cells.get(key, 0):
            cells[key] = delta
    people: Counter[Person] = Counter()
    for who in old.people.keys() | new.people.keys():
        if change := new.people.get(who, 0) - old.people.get(who, 0):
            people[who] = change
    return cells, people


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The municipal month 'YYYY-MM' of a moment."""
    return moment.astimezone(zone).strftime("%Y-%m")


@lru_cache(maxsize=1)
def _key() -> bytes:
    secret = environment.secret_key(environment.var_dir())
    return hmac.new(secret.encode(), b"auftrag:metrics:person", hashlib.sha256).digest()


def person(user_id: int) -> str:
    """A participant's key: a keyed hash of the account, so the tables name no one and
    nobody without the server's secret can tell whose row a row is. Changing SECRET_KEY
    changes every key: run `auftrag metrics rebuild` after a rotation."""
    return hmac.new(_key(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def anonymous(kind: str, record_id: object) -> str:
    """The key of a contribution whose account was erased: it still counts as one person,
    the record's own, so the months' participant counts survive the erasure."""
    return hmac.new(_key(), f"{kind}:{record_id}".encode(), hashlib.sha256).hexdigest()[:32]


def contributor(user_id: int | None, kind: str, record_id: object) -> str:
    return person(user_id) if user_id is not None else anonymous(kind, record_id)
