"""Charts drawn on the server as inline SVG: a bar chart with intervals and a sparkline.

They take words and numbers already formatted for the reader, so they know no language.
Every chart is an image with a title (`role="img"`, `aria-labelledby`); the page puts a
one-sentence summary and the data table beside it, which carry the same numbers for those
who cannot see it. Nothing is styled inline, since the pages' Content Security Policy
allows styles from our stylesheets only: shapes carry classes (figures.css) and geometry
attributes. Each chart has a viewBox and no fixed width, so it shrinks to a phone's width.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 400
ROW = 44
BAR = 14
LABEL_MAX = 56

SPARK_WIDTH = 120
SPARK_HEIGHT = 32
SPARK_PAD = 3


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: `label` is shown above the bar (name, value in words and,
    for a greyed row, why it is not ranked); `greyed` rows are hatched, not only paler."""

    label: str
    value: float | None
    interval: tuple[float, float] | None = None
    greyed: bool = False


def _n(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _id(text: str) -> str:
    """An id usable in `id`, `aria-labelledby` and `url(#…)` whatever the caller passes."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", text)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], top: float | None = None) -> Markup:
    """Horizontal bars from 0 to `top` (default: the largest value or interval end), the
    95 % interval as a whisker with end caps that reach beyond the bar."""
    chart_id = _id(chart_id)
    highest = max(
        [b.value or 0 for b in bars] + [b.interval[1] for b in bars if b.interval], default=0
    )
    scale = top if top is not None else highest
    height = max(len(bars), 1) * ROW + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fig-bars" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" class="fig-hatch-ground"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" class="fig-hatch-line"/></pattern></defs>',
    ]
    for index, bar in enumerate(bars):
        top_y = index * ROW
        bar_y = top_y + 22
        parts.append(
            f'<text x="0" y="{top_y + 15}" class="fig-label">{escape(_short(bar.label))}</text>'
        )
        if bar.value is None or scale <= 0:
            continue
        width = WIDTH * min(bar.value, scale) / scale
        if bar.greyed:
            parts.append(
                f'<rect x="0" y="{bar_y}" width="{_n(width)}" height="{BAR}" '
                f'fill="url(#{chart_id}-hatch)" class="fig-bar-greyed"/>'
            )
        else:
            parts.append(
                f'<rect x="0" y="{bar_y}" width="{_n(width)}" height="{BAR}" class="fig-bar"/>'
            )
        if bar.interval is not None:
            low, high = (WIDTH * min(max(x, 0), scale) / scale for x in bar.interval)
            mid = bar_y + BAR / 2
            parts.append(
                f'<path d="M{_n(low)} {_n(mid)}H{_n(high)}'
                f"M{_n(low)} {_n(mid - 9)}V{_n(mid + 9)}"
                f'M{_n(high)} {_n(mid - 9)}V{_n(mid + 9)}" class="fig-whisker"/>'
            )
    parts.append(f'<line x1="0" y1="0" x2="0" y2="{height}" class="fig-axis"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(
    chart_id: str, title: str, values: Sequence[float | None], top: float | None = None
) -> Markup:
    """A line over the months from 0 (bottom) to `top` (default: the largest value); a month
    without a value breaks the line, and the newest value is marked with a dot."""
    chart_id = _id(chart_id)
    known = [v for v in values if v is not None]
    scale = top if top is not None else max(known, default=0)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    span = SPARK_HEIGHT - 2 * SPARK_PAD

    def point(i: int, v: float) -> tuple[str, str]:
        y = SPARK_HEIGHT - SPARK_PAD - (span * min(v, scale) / scale if scale > 0 else 0)
        return _n(SPARK_PAD + i * step), _n(y)

    runs: list[list[tuple[str, str]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(point(i, value))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fig-spark" role="img" '
        f'aria-labelledby="{chart_id}-title" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="0" y1="{SPARK_HEIGHT - SPARK_PAD}" x2="{SPARK_WIDTH}" '
        f'y2="{SPARK_HEIGHT - SPARK_PAD}" class="fig-axis"/>',
    ]
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x},{y}" for x, y in run)
            parts.append(f'<polyline points="{points}" class="fig-spark-line"/>')
        elif run:
            x, y = run[0]
            parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" class="fig-spark-dot"/>')
    if values and values[-1] is not None:
        x, y = point(len(values) - 1, values[-1])
        parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" class="fig-spark-dot"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
