"""A data set's batches as CSV or JSON text, written piece by piece as the batches come.

CSV: a header row of the dictionary's columns, then one line per row, each batch written
into a small buffer of its own. JSON: one array, its elements encoded one by one and sent
a batch at a time. Both UTF-8; times in ISO 8601 with their offset, dates as YYYY-MM-DD.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from participation.opendata.columns import Column, Type
from participation.opendata.rows import Batches

# Spreadsheets run a cell starting like this as a formula; a quote first keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == Type.BOOLEAN:
        return "true" if value else "false"
    if column.type == Type.JSON:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_plain)
    if column.type == Type.LIST:
        value = "; ".join(str(v) for v in value)
    if column.type in (Type.STRING, Type.LIST) and str(value).startswith(_FORMULA_START):
        return "'" + str(value)
    return str(_plain(value))


async def csv_text(columns: tuple[Column, ...], batches: Batches) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    yield buffer.getvalue()
    async for batch in batches:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in batch:
            writer.writerow([_cell(c, row[c.name]) for c in columns])
        yield buffer.getvalue()


async def json_text(columns: tuple[Column, ...], batches: Batches) -> AsyncIterator[str]:
    yield "["
    separator = "\n"
    async for batch in batches:
        parts = []
        for row in batch:
            element = {c.name: _plain(row[c.name]) for c in columns}
            parts.append(separator + json.dumps(element, ensure_ascii=False, default=_plain))
            separator = ",\n"
        yield "".join(parts)
    yield "\n]\n"
