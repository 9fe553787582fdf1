"""The accounts area: identity, authorization and residency of the people using Auftrag."""

from __future__ import annotations

from participation.accounts import privacy
from participation.accounts.authorization.actions import ACTIONS
from participation.accounts.events import EVENTS
from participation.areas import Area

AREA = Area(
    name="accounts",
    models="participation.accounts.models",
    actions=ACTIONS,
    exporters=privacy.EXPORTERS,
    erasers=privacy.ERASERS,
    events=EVENTS,
)
