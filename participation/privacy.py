"""The registry behind a person's export and erasure: each area adds its own sections.

An exporter adds a section to the export; an eraser runs inside the deletion's
transaction before the account row goes. Areas declare both in their `area.py`, the
accounts area too; the registry reads the declarations the first time it is used.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from participation import areas
from participation.areas import Eraser, Exporter

EXPORT_FORMAT = "auftrag-account-export/1"
# Sections every export starts with, before any area's.
FRAME = ("format", "exported_at")

_EXPORTERS: dict[str, Exporter] = {}
_ERASERS: dict[str, Eraser] = {}
_loaded = False


def exporters() -> dict[str, Exporter]:
    """Section → exporter, every area's registered."""
    load()
    return _EXPORTERS


def erasers() -> dict[str, Eraser]:
    """Name → eraser, every area's registered."""
    load()
    return _ERASERS


def register_exporter(section: str, exporter: Exporter) -> None:
    """Add `section` to every export: `exporter(user_id)` returns JSON-like data.

    Datetimes and enums in it are written as ISO 8601 strings and their values.
    """
    load()
    _add_exporter(section, exporter)


def register_eraser(name: str, eraser: Eraser) -> None:
    """Run `eraser(conn, user)` in the deletion's transaction, before the account row goes.

    For data the foreign keys do not already remove or anonymise on their own.
    """
    load()
    _add_eraser(name, eraser)


def _add_exporter(section: str, exporter: Exporter) -> None:
    if section in FRAME or section in _EXPORTERS:
        raise ValueError(f"export section {section!r} is taken")
    _EXPORTERS[section] = exporter


def _add_eraser(name: str, eraser: Eraser) -> None:
    if name in _ERASERS:
        raise ValueError(f"eraser {name!r} is taken")
    _ERASERS[name] = eraser


def load() -> None:
    """Register every area's sections once, in the order the areas are declared."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for area in areas.all_areas():
        for section, exporter in area.exporters.items():
            _add_exporter(section, exporter)
        for name, eraser in area.erasers.items():
            _add_eraser(name, eraser)


def plain(value: Any) -> Any:
    """JSON-ready: datetimes as ISO 8601 with offset, enums as their values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


async def export(user_id: int, exported_at: datetime) -> dict[str, Any]:
    """Every registered section for `user_id`, after the format and the time."""
    document: dict[str, Any] = {"format": EXPORT_FORMAT, "exported_at": exported_at}
    for section, exporter in exporters().items():
        document[section] = await exporter(user_id)
    return plain(document)


async def erase(connection: Any, user: Any) -> None:
    """Run every eraser, in the deletion's transaction."""
    for eraser in erasers().values():
        await eraser(connection, user)
