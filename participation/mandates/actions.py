"""What people do with mandates, and what each needs (the engine is participation.permissions)."""

from __future__ import annotations

from participation.permissions import COUNCIL, Action, Need

LAUNCH_MANDATE = Action("mandate:launch", Need(level=True))
VIEW_DRAFT = Action("mandate:view_draft", Need(roles=COUNCIL, owner=True))
MOVE_AS_INITIATOR = Action("mandate:move_as_initiator", Need(owner=True))
SIGN_MANDATE = Action("mandate:sign", Need(level=True))
WITHDRAW_SIGNATURE = Action("mandate:withdraw_signature", Need())
DECIDE_MANDATE = Action("mandate:decide", Need(roles=COUNCIL))
# Open to every signed-in person; the command admits only those who co-signed.
RATE_OUTCOME = Action("mandate:rate", Need())

ACTIONS = (
    LAUNCH_MANDATE,
    VIEW_DRAFT,
    MOVE_AS_INITIATOR,
    SIGN_MANDATE,
    WITHDRAW_SIGNATURE,
    DECIDE_MANDATE,
    RATE_OUTCOME,
)
