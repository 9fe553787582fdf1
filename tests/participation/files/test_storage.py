"""The local store: content-addressed, fanned out, written atomically."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from participation.files.storage import LocalStorage
from tests.support import stored_files


def test_content_is_stored_under_its_sha256_fanned_out(store: LocalStorage) -> None:
    data = b"%PDF-1.4 Kosten"
    key = store.put(io.BytesIO(data))
    assert key == hashlib.sha256(data).hexdigest()
    path = store.root / key[:2] / key[2:4] / key
    assert path.read_bytes() == data
    assert store.exists(key)
    with store.open(key) as handle:
        assert handle.read() == data


def test_the_same_bytes_are_stored_once(store: LocalStorage) -> None:
    first = store.put(b"gleich")
    second = store.put(io.BytesIO(b"gleich"))
    assert first == second
    assert len(stored_files(store)) == 1
    assert list((store.root / "incoming").iterdir()) == []


def test_delete_and_missing_content(store: LocalStorage) -> None:
    key = store.put(b"weg damit")
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)


def test_a_failed_write_leaves_nothing_behind(store: LocalStorage) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("disk gone")

    with pytest.raises(OSError):
        store.put(Broken(b"x"))
    assert stored_files(store) == []
    assert list((store.root / "incoming").iterdir()) == []


def test_keys_are_checked_so_no_path_can_be_named(store: LocalStorage) -> None:
    for key in ("../../etc/passwd", "AB" * 32, "a" * 63):
        with pytest.raises(ValueError):
            store.open(key)


def test_files_dir_chooses_where_the_store_lives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from participation.files.storage import default_root
    from server.settings import Settings

    monkeypatch.setenv("AUFTRAG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("FILES_DIR", raising=False)
    assert default_root() == tmp_path / "var" / "files"
    assert Settings.from_env().file_store == tmp_path / "var" / "files"
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "elsewhere"))
    assert default_root() == tmp_path / "elsewhere"
    assert Settings.from_env().file_store == tmp_path / "elsewhere"
