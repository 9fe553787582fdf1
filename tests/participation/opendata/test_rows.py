"""What the readers keep of the records: public data without anybody's name or account."""

from __future__ import annotations

from datetime import UTC, datetime

from participation.opendata.datasets import DATASETS
from participation.opendata.monthly import last_months
from participation.opendata.rows import public_data


def test_public_data_keeps_roles_and_departments_but_no_names_or_accounts() -> None:
    data = {
        "department": "Tiefbau",
        "department_id": 3,
        "responsible": {"display_name": "Rita Rat", "role": "council"},
        "user_id": 9,
        "items": [{"author_id": 4, "title": "Radweg"}],
    }
    assert public_data(data) == {
        "department": "Tiefbau",
        "department_id": 3,
        "responsible": {"role": "council"},
        "items": [{"title": "Radweg"}],
    }


def test_the_last_months_are_counted_in_the_municipalitys_time_zone() -> None:
    # 23:30 UTC on 31 December is already January in Berlin.
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    months = last_months(now, "Europe/Berlin")
    assert len(months) == 24
    assert months[-1] == "2027-01" and months[0] == "2025-02"
    assert last_months(now, "UTC", 3) == ["2026-10", "2026-11", "2026-12"]


def test_every_data_set_names_each_column_once() -> None:
    for dataset in DATASETS.values():
        names = [c.name for c in dataset.columns]
        assert len(names) == len(set(names)), dataset.id
        assert all(c.meaning for c in dataset.columns)
