"""The CSV and JSON writers: what a spreadsheet and a JSON parser make of the rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from participation.messages import Message
from participation.opendata import formats
from participation.opendata.columns import Column, Type
from participation.opendata.rows import Batches

COLUMNS = (
    Column("id", Type.INTEGER, Message("Id")),
    Column("title", Type.STRING, Message("Title")),
    Column("kept", Type.BOOLEAN, Message("Kept")),
    Column("topics", Type.LIST, Message("Topics")),
    Column("data", Type.JSON, Message("Data")),
    Column("at", Type.DATETIME, Message("At")),
    Column("on", Type.DATE, Message("On")),
)
ROW = {
    "id": 7,
    "title": '=HYPERLINK("http://evil.example")',
    "kept": False,
    "topics": ["radverkehr", "schule"],
    "data": {"to": "accepted", "when": date(2026, 11, 2)},
    "at": datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
    "on": date(2026, 11, 2),
}


async def _batches(*batches: list[dict[str, object]]) -> Batches:
    for batch in batches:
        yield batch


async def _text(chunks: object) -> str:
    return "".join([chunk async for chunk in chunks])  # type: ignore[attr-defined]


async def test_csv_has_a_header_and_cells_a_spreadsheet_does_not_run() -> None:
    text = await _text(formats.csv_text(COLUMNS, _batches([ROW], [{**ROW, "id": 8}])))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [c.name for c in COLUMNS]
    assert rows[1] == [
        "7",
        '\'=HYPERLINK("http://evil.example")',
        "false",
        "radverkehr; schule",
        '{"to": "accepted", "when": "2026-11-02"}',
        "2026-11-02T09:30:00+00:00",
        "2026-11-02",
    ]
    assert [r[0] for r in rows[1:]] == ["7", "8"]


async def test_a_list_starting_like_a_formula_is_text_too() -> None:
    text = await _text(formats.csv_text(COLUMNS, _batches([{**ROW, "topics": ["=1+1", "x"]}])))
    assert list(csv.reader(io.StringIO(text)))[1][3] == "'=1+1; x"


async def test_csv_leaves_missing_values_empty() -> None:
    empty = dict.fromkeys(ROW)
    text = await _text(formats.csv_text(COLUMNS, _batches([empty])))
    assert list(csv.reader(io.StringIO(text)))[1] == [""] * len(COLUMNS)


async def test_json_is_one_array_of_the_columns_whatever_the_batches() -> None:
    text = await _text(formats.json_text(COLUMNS, _batches([ROW], [], [{**ROW, "id": 8}])))
    items = json.loads(text)
    assert [i["id"] for i in items] == [7, 8]
    assert items[0]["title"].startswith("=HYPERLINK")
    assert items[0]["kept"] is False and items[0]["topics"] == ["radverkehr", "schule"]
    assert items[0]["data"] == {"to": "accepted", "when": "2026-11-02"}
    assert items[0]["at"] == "2026-11-02T09:30:00+00:00"


async def test_json_of_no_rows_is_an_empty_array() -> None:
    assert json.loads(await _text(formats.json_text(COLUMNS, _batches()))) == []
