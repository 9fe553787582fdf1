"""The lifecycle kernel alone, on a lifecycle made up for the test and rows kept in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest

from participation import lifecycle as kernel
from participation.errors import Conflict, InvalidInput


class Light(StrEnum):
    OFF = "off"
    ON = "on"
    BROKEN = "broken"


class Who(StrEnum):
    OWNER = "owner"
    JANITOR = "janitor"


@dataclass
class Lamp:
    id: int
    status: str
    municipality_id: int = 7


class Lamps:
    """Stands in for a model: `filter(...).using_db(...).update(...)` over in-memory rows."""

    rows: dict[int, Lamp] = {}

    def __init__(self, conditions: dict[str, Any]) -> None:
        self.conditions = conditions

    @classmethod
    def filter(cls, **conditions: Any) -> Lamps:
        return cls(conditions)

    def using_db(self, conn: object) -> Lamps:
        return self

    async def update(self, **values: Any) -> int:
        lamp = self.rows.get(self.conditions["id"])
        if lamp is None or lamp.status != self.conditions["status"]:
            return 0
        for name, value in values.items():
            setattr(lamp, name, value)
        return 1


@dataclass
class Unit:
    conn: object = None
    recorded: list[tuple[Any, ...]] = field(default_factory=list)

    async def record(self, name: str, subject_type: str, subject_id: int, **envelope: Any) -> None:
        self.recorded.append((name, subject_type, subject_id, envelope))


T = kernel.Transition[Light, Who]
LAMPS = kernel.Lifecycle[Light, Who](
    area="streets",
    subject_type="lamp",
    model=Lamps,  # type: ignore[arg-type]
    transitions=(
        T(Light.OFF, Light.ON, Who.OWNER),
        T(Light.OFF, Light.ON, Who.JANITOR),
        T(Light.ON, Light.OFF, Who.OWNER),
        T(Light.ON, Light.BROKEN, Who.JANITOR, needs_reason=True),
    ),
    events={Light.ON: "switched_on", Light.OFF: "switched_off", Light.BROKEN: "broken"},
    reasons=kernel.Reasons(max=10, too_long="Too long.", missing="Say why."),
    conflict="Someone was quicker.",
)


def test_a_move_is_found_for_its_movers_only() -> None:
    assert LAMPS.find(Light.OFF, Light.ON, {Who.JANITOR}) == T(Light.OFF, Light.ON, Who.JANITOR)
    assert LAMPS.find(Light.OFF, Light.ON) == T(Light.OFF, Light.ON, Who.OWNER)
    assert LAMPS.find(Light.ON, Light.BROKEN, {Who.OWNER}) is None
    assert LAMPS.find(Light.BROKEN, Light.ON) is None


def test_moves_from_a_state_are_listed_once_per_target_in_order() -> None:
    assert [t.target for t in LAMPS.moves_from(Light.ON, set(Who))] == [Light.OFF, Light.BROKEN]
    assert [t.mover for t in LAMPS.moves_from(Light.OFF, set(Who))] == [Who.OWNER]
    assert LAMPS.moves_from(Light.ON, set()) == []


def test_events_are_named_area_subject_action() -> None:
    assert LAMPS.event_name(Light.ON) == "streets:lamp:switched_on"


def test_every_target_needs_an_event_name() -> None:
    with pytest.raises(ValueError, match="no event name"):
        kernel.Lifecycle[Light, Who](
            area="streets",
            subject_type="lamp",
            model=Lamps,  # type: ignore[arg-type]
            transitions=(T(Light.OFF, Light.ON, Who.OWNER),),
            events={},
            reasons=LAMPS.reasons,
            conflict="",
        )


def test_a_reason_is_trimmed_and_blank_means_none() -> None:
    switch_off = T(Light.ON, Light.OFF, Who.OWNER)
    assert LAMPS.check_reason(switch_off, "  dark  ") == "dark"
    assert LAMPS.check_reason(switch_off, "   ") is None
    assert LAMPS.check_reason(switch_off, None) is None


@pytest.mark.parametrize(
    ("reason", "message"), [(None, "Say why."), (" ", "Say why."), ("x" * 11, "Too long.")]
)
def test_a_bad_reason_names_the_field(reason: str | None, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        LAMPS.check_reason(T(Light.ON, Light.BROKEN, Who.JANITOR, needs_reason=True), reason)
    assert [(e.field, e.message) for e in raised.value.errors] == [("reason", message)]


async def test_a_move_updates_the_row_and_records_its_event() -> None:
    lamp = Lamps.rows[1] = Lamp(1, Light.ON)
    unit = Unit()
    await kernel.move(
        unit,  # type: ignore[arg-type]
        LAMPS,
        Lamp(1, Light.ON),
        Light.BROKEN,
        actor_id=3,
        reason="Smashed.",
        changes={"municipality_id": 8},
        pole=12,
    )
    assert (lamp.status, lamp.municipality_id) == (Light.BROKEN, 8)
    assert unit.recorded == [
        (
            "streets:lamp:broken",
            "lamp",
            1,
            {
                "municipality_id": 7,
                "actor_id": 3,
                "from": "on",
                "to": "broken",
                "pole": 12,
                "reason": "Smashed.",
            },
        )
    ]


async def test_a_move_someone_made_first_is_a_conflict_and_records_nothing() -> None:
    Lamps.rows[2] = Lamp(2, Light.OFF)
    unit = Unit()
    with pytest.raises(Conflict, match="Someone was quicker."):
        await kernel.move(unit, LAMPS, Lamp(2, Light.ON), Light.OFF)  # type: ignore[arg-type]
    assert Lamps.rows[2].status == Light.OFF
    assert unit.recorded == []
