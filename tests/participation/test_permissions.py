"""The permission table: every kind of person against every action, and why refusals happen."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from notifications import actions as notifications
from notifications.visits import actions as visits
from participation import areas, permissions
from participation.accounts.authorization import actions as accounts
from participation.actors import Actor
from participation.answers import actions as answers
from participation.costs import actions as costs
from participation.council import actions as council
from participation.deliberation import actions as deliberation
from participation.errors import NotAuthenticated, PermissionDenied
from participation.files import actions as files
from participation.mandates import actions as mandates
from participation.moderation import actions as moderation
from participation.municipalities import actions as municipalities
from participation.permissions import Level, Place, Role, may, require
from participation.plans import actions as plans
from participation.votes import actions as votes

HERE = 1
ELSEWHERE = 2
OWNER = 10


def _actor(
    *roles: Role,
    verified: bool = True,
    resident: bool = False,
    user_id: int = 11,
    lives: int = HERE,
) -> Actor:
    """Someone who declared she lives in `lives`, as people acting in a town have."""
    return Actor(
        user_id=user_id,
        display_name="Someone",
        email_verified=verified,
        roles={HERE: frozenset(roles)} if roles else {},
        residencies={HERE: None} if resident else {},
        declared=(lives, None),
    )


PEOPLE: dict[str, Actor | None] = {
    "anonymous": None,
    "unverified": _actor(verified=False),
    "citizen": _actor(),
    "resident": _actor(resident=True),
    "owner": _actor(user_id=OWNER),
    "council": _actor(Role.COUNCIL),
    "moderator": _actor(Role.MODERATOR),
    "admin": _actor(Role.ADMIN),
    "council elsewhere": Actor(
        11, "Elsewhere", True, {ELSEWHERE: frozenset({Role.COUNCIL})}, declared=(HERE, None)
    ),
    "living elsewhere": _actor(lives=ELSEWHERE),
    # A citizen who also runs the deployment: that adds creating municipalities, nothing here.
    "operator": replace(_actor(), operator=True),
}

# Every action the areas declare, and each by its name in its area's module.
Action = areas.actions()
NEEDS = {action: action.need for action in Action}
A = SimpleNamespace(
    **{
        name: value
        for module in (
            accounts,
            answers,
            costs,
            council,
            deliberation,
            files,
            mandates,
            moderation,
            municipalities,
            notifications,
            plans,
            visits,
            votes,
        )
        for name, value in vars(module).items()
        if isinstance(value, permissions.Action)
    }
)
RESIDENT_ONLY = {
    action: Level.RESIDENT for action in (A.LAUNCH_MANDATE, A.SIGN_MANDATE, A.CAST_BALLOT)
}
# Who may do what in a municipality that asks only for a verified email.
ALLOWED: dict[Action, set[str]] = {
    A.LAUNCH_MANDATE: {
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
    },
    A.VIEW_DRAFT: {"owner", "council", "admin"},
    A.MOVE_AS_INITIATOR: {"owner"},
    A.SIGN_MANDATE: {
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
    },
    A.WITHDRAW_SIGNATURE: {
        "unverified",
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
        "living elsewhere",
    },
    A.DECIDE_MANDATE: {"council", "admin"},
    # Anyone signed in: the command admits only those who co-signed the mandate.
    A.RATE_OUTCOME: {
        "unverified",
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
        "living elsewhere",
    },
    A.PROPOSE_VOTE: {"owner", "council", "admin"},
    A.MANAGE_VOTE: {"council", "admin"},
    A.CAST_BALLOT: {
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
    },
    A.MODERATE: {"moderator", "admin"},
    A.MANAGE_ROLES: {"admin"},
    A.VIEW_AUDIT_LOG: {"admin"},
    A.VERIFY_RESIDENT: {"admin"},
    A.CONFIGURE_MUNICIPALITY: {"admin"},
    A.MANAGE_DEPARTMENTS: {"admin"},
    A.ASSIGN_MANDATE: {"council", "admin"},
    A.RESPOND_TO_MANDATE: {"council", "admin"},
    A.VIEW_REVIEW_QUEUE: {"council", "admin"},
    A.WRITE_COST_ANALYSIS: {"council", "admin"},
    A.PUBLISH_COST_ANALYSIS: {"council", "admin"},
    A.VIEW_COST_DRAFTS: {"council", "admin"},
    # The initiator attaches to her own mandate; the command keeps her to that.
    A.ATTACH_FILE: {"owner", "council", "admin"},
    A.VIEW_UNPUBLISHED: {"council", "admin"},
    A.CREATE_MEASURE: {"council", "admin"},
    A.UPDATE_MEASURE: {"council", "admin"},
    A.ADD_MILESTONE: {"council", "admin"},
    # As co-signing: the municipality's level, whatever one's role.
    A.POST_COMMENT: {
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
    },
    # Those who may take part here report; being the author is checked by the command.
    A.FLAG_COMMENT: {
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
    },
    A.MODERATE_DISCUSSION: {"moderator", "admin"},
    A.SUSPEND_ACCOUNT: {"moderator", "admin"},
    # Only the hidden comment's author, whatever her roles.
    A.REQUEST_REVIEW: {"owner"},
    A.ENDORSE_COMMENT: {
        "citizen",
        "resident",
        "owner",
        "council",
        "moderator",
        "admin",
        "council elsewhere",
    },
    A.POST_OFFICIAL: {"council", "admin"},
    # The author alone (the owner is the comment's author); moderators hide instead.
    A.EDIT_COMMENT: {"owner"},
    A.DELETE_COMMENT: {"owner"},
    A.MANAGE_JOBS: {"admin"},
    A.MANAGE_SERVICE_VISITS: {"admin"},
    # The deployment's, not a municipality's: no role anywhere stands in for it.
    A.CREATE_MUNICIPALITY: {"operator"},
}


def test_the_table_covers_every_action() -> None:
    assert set(ALLOWED) == set(Action) == set(NEEDS)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_person_against_every_action(action: Action, who: str) -> None:
    place = Place(HERE)
    allowed = who in ALLOWED[action] or (
        who == "operator" and "citizen" in ALLOWED[action] and action != A.CREATE_MUNICIPALITY
    )
    assert may(PEOPLE[who], action, place, owner_id=OWNER) == allowed


@pytest.mark.parametrize(
    "action", [A.LAUNCH_MANDATE, A.SIGN_MANDATE, A.CAST_BALLOT], ids=lambda a: a.value
)
def test_a_resident_level_admits_only_verified_residents(action: Action) -> None:
    place = Place(HERE, RESIDENT_ONLY)
    allowed = {who for who in PEOPLE if may(PEOPLE[who], action, place, owner_id=OWNER)}
    assert allowed == {"resident"}
    with pytest.raises(PermissionDenied) as refused:
        require(PEOPLE["council"], action, place)
    assert refused.value.extra["needed_level"] == "resident_verified"


def test_only_an_operator_creates_municipalities_and_is_no_administrator_for_it() -> None:
    operator = PEOPLE["operator"]
    assert may(operator, A.CREATE_MUNICIPALITY, permissions.DEPLOYMENT)
    with pytest.raises(PermissionDenied):
        require(PEOPLE["admin"], A.CREATE_MUNICIPALITY, permissions.DEPLOYMENT)
    with pytest.raises(NotAuthenticated):
        require(None, A.CREATE_MUNICIPALITY, permissions.DEPLOYMENT)
    assert not may(operator, A.CONFIGURE_MUNICIPALITY, Place(HERE))


def test_a_district_vote_needs_residence_in_that_district() -> None:
    in_north = Actor(11, "North", True, residencies={HERE: 7}, declared=(HERE, 7))
    in_town = Actor(12, "Town", True, residencies={HERE: None}, declared=(HERE, 7))
    place = Place(HERE, {A.CAST_BALLOT: Level.RESIDENT}, district_id=7)
    assert may(in_north, A.CAST_BALLOT, place)
    assert not may(in_town, A.CAST_BALLOT, place)
    assert not may(Actor(13, "South", True, residencies={HERE: 8}), A.CAST_BALLOT, place)


def test_nobody_is_told_to_sign_in_and_others_are_told_no() -> None:
    with pytest.raises(NotAuthenticated):
        require(None, A.SIGN_MANDATE, Place(HERE))
    with pytest.raises(PermissionDenied):
        require(PEOPLE["citizen"], A.MANAGE_ROLES, Place(HERE))
    with pytest.raises(PermissionDenied) as unverified:
        require(PEOPLE["unverified"], A.SIGN_MANDATE, Place(HERE))
    assert unverified.value.extra["needed_level"] == "email_verified"


@pytest.mark.parametrize(
    "action", [A.LAUNCH_MANDATE, A.SIGN_MANDATE, A.CAST_BALLOT], ids=lambda a: a.value
)
def test_at_the_email_level_only_people_living_here_take_part(action: Action) -> None:
    newcomer = Actor(20, "Fresh", True)
    with pytest.raises(PermissionDenied) as undeclared:
        require(newcomer, action, Place(HERE))
    assert undeclared.value.extra["reason"] == "residence_not_declared"
    with pytest.raises(PermissionDenied) as elsewhere:
        require(PEOPLE["living elsewhere"], action, Place(HERE))
    assert elsewhere.value.extra["reason"] == "residence_not_declared"
    assert elsewhere.value.extra["needed_level"] == "email_verified"
    proven = Actor(21, "Proven", True, residencies={HERE: None})
    assert may(proven, action, Place(HERE))


def test_a_district_vote_at_the_email_level_needs_the_declared_district() -> None:
    place = Place(HERE, district_id=7)
    assert may(Actor(11, "North", True, declared=(HERE, 7)), A.CAST_BALLOT, place)
    with pytest.raises(PermissionDenied) as south:
        require(Actor(12, "South", True, declared=(HERE, 8)), A.CAST_BALLOT, place)
    assert south.value.extra["reason"] == "district_not_declared"
    with pytest.raises(PermissionDenied) as no_district:
        require(Actor(13, "Town", True, declared=(HERE, None)), A.CAST_BALLOT, place)
    assert no_district.value.extra["reason"] == "district_not_declared"


def test_the_resident_level_asks_for_proof_not_a_declaration() -> None:
    place = Place(HERE, RESIDENT_ONLY)
    with pytest.raises(PermissionDenied) as refused:
        require(PEOPLE["citizen"], A.SIGN_MANDATE, place)
    assert refused.value.extra["reason"] == "residence_not_verified"
