"""Rounds of a benchmark, summarised as the median with the spread (min–max).

Every ratio is taken within one round — the full stack and its reference measured one
after the other under the same background load — and only then summarised: a best
full-stack round divided by the best reference round of another round compares two
different moments of a shared machine.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable
from pathlib import Path


def finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if v is not None and not math.isnan(v)]


def median(values: Iterable[float]) -> float:
    kept = finite(values)
    return statistics.median(kept) if kept else float("nan")


def spread(values: Iterable[float], digits: int = 0, unit: str = "") -> str:
    """`median (min–max)`, or the one value when there is one round."""
    kept = finite(values)
    if not kept:
        return "n/a"

    def show(v: float) -> str:
        return f"{v:,.{digits}f}{unit}"

    mid = show(statistics.median(kept))
    if len(kept) == 1:
        return mid
    return f"{mid} ({show(min(kept))}–{show(max(kept))})"


def write_json(path: Path, document: dict[str, object]) -> None:
    """The rounds as numbers, for bench/ab.py; NaN (a missing figure) becomes null."""

    def clean(value: object) -> object:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    path.write_text(json.dumps(clean(document), indent=1) + "\n")
