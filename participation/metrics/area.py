"""The metrics area: summary tables of the public figures, kept by the `metrics` consumer."""

from __future__ import annotations

from participation.areas import Area
from participation.metrics.projection import METRICS

AREA = Area(
    name="metrics",
    models="participation.metrics.models",
    consumers=(METRICS,),
)
