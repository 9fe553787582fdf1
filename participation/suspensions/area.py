"""The suspensions area: who may not write where, asked by every writing command.

Its own area, apart from moderation, which decides suspensions: deliberation and the
other writing areas ask it, and moderation acts on deliberation's comments, so neither
of those two may import the other.
"""

from __future__ import annotations

from participation.areas import Area

AREA = Area(name="suspensions", models="participation.suspensions.models")
