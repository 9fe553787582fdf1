"""The reference elections in ../shared/data (see its README): real votes with official
results, beside the repository in every checkout that CI runs."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def reference(name: str) -> Path:
    """The path of a reference file, e.g. "pabulib/Poland_Warszawa_2026.pb"; skips the
    test (which fails under AUFTRAG_FORBID_SKIPS=1, as in CI) when the data is absent."""
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"needs the reference data {path} (../shared/data beside the repository)")
    return path
