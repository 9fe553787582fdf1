"""Notifications as an area: the dev mailbox's table and its part in erasure."""

from __future__ import annotations

from notifications import privacy
from participation.areas import Area

AREA = Area(
    name="notifications",
    models="notifications.models",
    erasers={"notifications:mailbox": privacy.erase_mailbox},
)
