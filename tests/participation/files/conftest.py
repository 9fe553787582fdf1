"""Each test of the files area gets a store of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from participation.files import storage


@pytest.fixture
def store(tmp_path: Path) -> Iterator[storage.LocalStorage]:
    local = storage.LocalStorage(tmp_path / "files")
    storage.use(local)
    yield local
    storage.use(storage.LocalStorage(tmp_path / "unused"))


def stored_files(store: storage.LocalStorage) -> list[Path]:
    """Every file in the store, the temporary folder excluded."""
    if not store.root.exists():
        return []
    return [p for p in store.root.rglob("*") if p.is_file() and "incoming" not in p.parts]
