"""Public figures from the summary tables: a municipality's dashboard, the comparison of all
municipalities, and the periods with data. Nothing here scans mandates."""

from __future__ import annotations

from participation.metrics.results import Comparison, Dashboard


async def dashboard(slug: str, period: str, department: str | None = None) -> Dashboard:
    """Every figure of the municipality `slug` in `period`; with `department` (its id),
    only the figures that exist per department. Raises NotFound for an unknown
    municipality, InvalidInput on `period` or `department`."""
    raise NotImplementedError


async def compare(figure: str, period: str, service_type: str | None = None) -> Comparison:
    """One figure for every municipality, ranked among the comparable ones. Raises
    InvalidInput on `figure`, `period` or `service_type`."""
    raise NotImplementedError


async def available_periods(slug: str | None) -> list[str]:
    """The months, quarters and years with data (of `slug`, or of any municipality), newest
    first, then `last-12-months`."""
    raise NotImplementedError
