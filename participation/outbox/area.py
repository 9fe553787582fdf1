"""The outbox: every domain event, written in the transaction of its change."""

from __future__ import annotations

from participation.areas import Area

AREA = Area(name="outbox", models="participation.outbox.models")
