"""May this actor do this action here? The one place that answers, for every area.

An action needs a role in the municipality, or a verification level the municipality
chose (which includes living there: declared at the email level, proven at the
resident level), or both; some also need the actor to own the subject (the initiator of a
mandate). Areas add their own state rules (a closed vote takes no ballots) on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from participation.accounts.actors import Actor
from participation.accounts.models import Level, Role
from participation.errors import NotAuthenticated, PermissionDenied
from participation.messages import Message


class Action(StrEnum):
    LAUNCH_MANDATE = "mandate:launch"
    VIEW_DRAFT = "mandate:view_draft"
    MOVE_AS_INITIATOR = "mandate:move_as_initiator"
    SIGN_MANDATE = "mandate:sign"
    WITHDRAW_SIGNATURE = "mandate:withdraw_signature"
    DECIDE_MANDATE = "mandate:decide"
    PROPOSE_VOTE = "vote:propose"
    MANAGE_VOTE = "vote:manage"
    CAST_BALLOT = "vote:cast"
    MODERATE = "discussion:moderate"
    MANAGE_ROLES = "roles:manage"
    VIEW_AUDIT_LOG = "audit:view"
    VERIFY_RESIDENT = "residency:verify"
    CONFIGURE_MUNICIPALITY = "municipality:configure"


@dataclass(frozen=True)
class Place:
    """Where an action happens: the municipality's id and the levels it asks for."""

    municipality_id: int
    launch_level: Level = Level.EMAIL
    sign_level: Level = Level.EMAIL
    vote_level: Level = Level.EMAIL
    district_id: int | None = None


@dataclass(frozen=True)
class Need:
    roles: frozenset[Role] = frozenset()
    owner: bool = False
    level: str | None = None

    def by(self, actor: Actor, place: Place, owner_id: int | None) -> bool:
        """Roles and ownership are alternatives; a verification level is always required."""
        if self.level is not None:
            level = Level(getattr(place, self.level))
            if not actor.meets(level, place.municipality_id, place.district_id):
                return False
        if not self.roles and not self.owner:
            return True
        if self.owner and owner_id is not None and owner_id == actor.user_id:
            return True
        return actor.has_role(place.municipality_id, *self.roles)


_COUNCIL = frozenset({Role.COUNCIL, Role.ADMIN})
_ADMIN = frozenset({Role.ADMIN})

NEEDS: dict[Action, Need] = {
    Action.LAUNCH_MANDATE: Need(level="launch_level"),
    Action.VIEW_DRAFT: Need(roles=_COUNCIL, owner=True),
    Action.MOVE_AS_INITIATOR: Need(owner=True),
    Action.SIGN_MANDATE: Need(level="sign_level"),
    Action.WITHDRAW_SIGNATURE: Need(),
    Action.DECIDE_MANDATE: Need(roles=_COUNCIL),
    Action.PROPOSE_VOTE: Need(roles=_COUNCIL, owner=True),
    Action.MANAGE_VOTE: Need(roles=_COUNCIL),
    Action.CAST_BALLOT: Need(level="vote_level"),
    Action.MODERATE: Need(roles=frozenset({Role.MODERATOR, Role.ADMIN})),
    Action.MANAGE_ROLES: Need(roles=_ADMIN),
    Action.VIEW_AUDIT_LOG: Need(roles=_ADMIN),
    Action.VERIFY_RESIDENT: Need(roles=_ADMIN),
    Action.CONFIGURE_MUNICIPALITY: Need(roles=_ADMIN),
}


class Refusal(StrEnum):
    """Why an action that asks for a level was refused: clients act on it, pages offer a fix."""

    EMAIL_NOT_VERIFIED = "email_not_verified"
    RESIDENCE_NOT_DECLARED = "residence_not_declared"
    DISTRICT_NOT_DECLARED = "district_not_declared"
    RESIDENCE_NOT_VERIFIED = "residence_not_verified"


_DENIED = {
    Refusal.EMAIL_NOT_VERIFIED: Message("This needs an account with a verified email address."),
    Refusal.RESIDENCE_NOT_DECLARED: (
        Message("This is open to people who live here: declare where you live first.")
    ),
    Refusal.DISTRICT_NOT_DECLARED: (
        Message("This is open to people who live in this district: declare your district first.")
    ),
    Refusal.RESIDENCE_NOT_VERIFIED: Message("This needs an account verified as resident here."),
}


def refusal(actor: Actor, level: Level, place: Place) -> Refusal | None:
    """What `actor` lacks for an action at `level` at `place`, or None if nothing."""
    if actor.meets(level, place.municipality_id, place.district_id):
        return None
    if not actor.email_verified:
        return Refusal.EMAIL_NOT_VERIFIED
    if level == Level.RESIDENT:
        return Refusal.RESIDENCE_NOT_VERIFIED
    if place.district_id is not None and actor.lives_in(place.municipality_id):
        return Refusal.DISTRICT_NOT_DECLARED
    return Refusal.RESIDENCE_NOT_DECLARED


def who_may(level: Level, municipality: str, district: str | None = None) -> dict[str, str | None]:
    """Who may take part, as the API and pages say it: the level and how residence counts."""
    return {
        "level": level.value,
        "residence": "verified" if level == Level.RESIDENT else "declared",
        "municipality": municipality,
        "district": district,
    }


def may(actor: Actor | None, action: Action, place: Place, owner_id: int | None = None) -> bool:
    """Whether `actor` may do `action` at `place`; `owner_id` is the subject's owner."""
    return actor is not None and NEEDS[action].by(actor, place, owner_id)


def require(
    actor: Actor | None, action: Action, place: Place, owner_id: int | None = None
) -> Actor:
    """The actor, if allowed; else NotAuthenticated (nobody) or PermissionDenied (why)."""
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    need = NEEDS[action]
    if need.by(actor, place, owner_id):
        return actor
    if need.level is not None:
        level = Level(getattr(place, need.level))
        reason = refusal(actor, level, place)
        if reason is not None:
            raise PermissionDenied(_DENIED[reason], needed_level=level.value, reason=reason.value)
    raise PermissionDenied(Message("You are not allowed to do this here."), action=action.value)
