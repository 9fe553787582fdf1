"""May this actor do this action here? The one engine that answers, for every area.

An action needs a role in the municipality, or the verification level the municipality
chose for it (which includes living there: declared at the email level, proven at the
resident level), or both; some also need the actor to own the subject (the initiator of a
mandate). A few belong to the whole deployment, not to one municipality: they need an
operator, and happen at DEPLOYMENT. Each area declares its own actions; areas add their
own state rules (a closed vote takes no ballots) on top.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from participation.actors import Actor
from participation.errors import NotAuthenticated, PermissionDenied
from participation.messages import Message


class Role(StrEnum):
    CITIZEN = "citizen"
    COUNCIL = "council"
    MODERATOR = "moderator"
    ADMIN = "admin"


class Level(StrEnum):
    """How sure the platform is about a person: each municipality picks one per action."""

    EMAIL = "email_verified"
    RESIDENT = "resident_verified"


@dataclass(frozen=True)
class Place:
    """Where an action happens: the municipality's id and the level it sets per action."""

    municipality_id: int
    levels: Mapping[str, Level] = field(default_factory=dict, hash=False)
    district_id: int | None = None

    def level(self, action: str) -> Level:
        """The level asked for `action` here; the email level unless the place chose another."""
        return Level(self.levels.get(action, Level.EMAIL))


# The deployment itself, where operators create municipalities: no municipality has id 0.
DEPLOYMENT = Place(municipality_id=0)


@dataclass(frozen=True)
class Need:
    """Roles and ownership are alternatives; a level, when asked, is always required; an
    operator's action needs an operator and nothing else."""

    roles: frozenset[Role] = frozenset()
    owner: bool = False
    level: bool = False
    operator: bool = False


class Action(str):
    """An action an area declares, named `area:verb` as the audit and the API show it."""

    need: Need

    def __new__(cls, value: str, need: Need) -> Action:
        action = super().__new__(cls, value)
        action.need = need
        return action

    @property
    def value(self) -> str:
        return str.__str__(self)


COUNCIL = frozenset({Role.COUNCIL, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})


def signing_role(actor: Actor, municipality_id: int) -> Role:
    """The role an official text is signed with: council member, or administrator if only
    that (official answers, official statements in discussions)."""
    return Role.COUNCIL if actor.has_role(municipality_id, Role.COUNCIL) else Role.ADMIN


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


def _meets(actor: Actor, level: Level, place: Place) -> bool:
    """A verified email and residence: declared at the email level, proven at the resident."""
    if not actor.email_verified:
        return False
    if level == Level.RESIDENT:
        return actor.is_resident(place.municipality_id, place.district_id)
    return actor.lives_in(place.municipality_id, place.district_id)


def _allowed(actor: Actor, action: Action, place: Place, owner_id: int | None) -> bool:
    need = action.need
    if need.operator:
        return actor.operator
    if need.level and not _meets(actor, place.level(action), place):
        return False
    if not need.roles and not need.owner:
        return True
    if need.owner and owner_id is not None and owner_id == actor.user_id:
        return True
    return actor.has_role(place.municipality_id, *need.roles)


def refusal(actor: Actor, level: Level, place: Place) -> Refusal | None:
    """What `actor` lacks for an action at `level` at `place`, or None if nothing."""
    if _meets(actor, level, place):
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
    return actor is not None and _allowed(actor, action, place, owner_id)


def require(
    actor: Actor | None, action: Action, place: Place, owner_id: int | None = None
) -> Actor:
    """The actor, if allowed; else NotAuthenticated (nobody) or PermissionDenied (why)."""
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    if _allowed(actor, action, place, owner_id):
        return actor
    if action.need.level:
        level = place.level(action)
        reason = refusal(actor, level, place)
        if reason is not None:
            raise PermissionDenied(_DENIED[reason], needed_level=level.value, reason=reason.value)
    raise PermissionDenied(Message("You are not allowed to do this here."), action=action.value)
