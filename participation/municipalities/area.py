"""The municipalities area: the tenants, their districts and the levels each asks for."""

from __future__ import annotations

from participation.areas import Area
from participation.municipalities.actions import ACTIONS

AREA = Area(name="municipalities", models="participation.municipalities.models", actions=ACTIONS)
