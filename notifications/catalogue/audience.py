"""Who is connected to what, as SQL that selects (user_id, reason): the parts a kind's
`Fanout` joins with UNION ALL. Each takes the placeholders of its parameters ($1, $2…),
so one query can share them; every placeholder is cast, since PostgreSQL must know its
type and SQLite does not care."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from notifications.kinds import Fanout


class Query:
    """A Fanout in the making: parameters numbered as they are added, parts joined."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def integer(self, value: int | None) -> str:
        self.args.append(value)
        return f"CAST(${len(self.args)} AS INTEGER)"

    def text(self, value: str) -> str:
        self.args.append(value)
        return f"CAST(${len(self.args)} AS VARCHAR(120))"

    def add(self, *parts: str) -> Query:
        self.parts += parts
        return self

    def fanout(self) -> Fanout:
        return Fanout(" UNION ALL ".join(self.parts), tuple(self.args))


def followers(subject_type: str, key: str) -> str:
    return (
        "SELECT f.user_id, 'follower' FROM notification_follow f "
        f"WHERE f.subject_type = '{subject_type}' AND f.subject_key = {key} AND f.active = TRUE"
    )


def _unfollowed(key: str) -> str:
    return (
        "(SELECT u.user_id FROM notification_follow u WHERE u.subject_type = 'mandate' "
        f"AND u.subject_key = {key} AND u.active = FALSE)"
    )


def mandate_people(query: Query, mandate_id: int, *, signers: bool = True) -> Sequence[str]:
    """Co-signers (unless `signers` is false), the initiator and the followers of a
    mandate, leaving out whoever unfollowed it: an explicit unfollow beats signing and
    launching."""
    mandate = query.integer(mandate_id)
    key = query.text(str(mandate_id))
    signed = (
        "SELECT s.user_id, 'signer' FROM signature s "
        f"WHERE s.mandate_id = {mandate} AND s.user_id IS NOT NULL "
        f"AND s.user_id NOT IN {_unfollowed(key)}"
    )
    return (
        *((signed,) if signers else ()),
        "SELECT m.initiator_id, 'initiator' FROM mandate m "
        f"WHERE m.id = {mandate} AND m.initiator_id IS NOT NULL "
        f"AND m.initiator_id NOT IN {_unfollowed(key)}",
        followers("mandate", key),
    )


def mandate_places(query: Query, mandate_id: int) -> Sequence[str]:
    """Followers of the mandate's district and of its topics in its municipality."""
    mandate = query.integer(mandate_id)
    return (
        "SELECT f.user_id, 'follower' FROM notification_follow f JOIN mandate m "
        "ON f.subject_key = CAST(m.district_id AS VARCHAR(120)) "
        "AND f.municipality_id = m.municipality_id "
        f"WHERE m.id = {mandate} AND f.subject_type = 'district' AND f.active = TRUE",
        "SELECT f.user_id, 'follower' FROM notification_follow f "
        "JOIN mandate_topic t ON f.subject_key = t.topic JOIN mandate m ON m.id = t.mandate_id "
        f"WHERE t.mandate_id = {mandate} AND f.municipality_id = m.municipality_id "
        "AND f.subject_type = 'topic' AND f.active = TRUE",
    )


def members(query: Query, municipality_id: int, role: str, reason: str) -> str:
    return (
        f"SELECT a.user_id, '{reason}' FROM account_membership a "
        f"WHERE a.municipality_id = {query.integer(municipality_id)} AND a.role = '{role}'"
    )


def department_council(query: Query, municipality_id: int, department_id: int | None) -> str:
    """The council members who work for a department: those responsible for one of its
    mandates. Membership knows no departments, so where none is known yet (or the
    mandate has no department) every council member of the municipality is told."""
    municipality = query.integer(municipality_id)
    department = query.integer(department_id)
    return (
        "SELECT a.user_id, 'council' FROM account_membership a "
        f"WHERE a.municipality_id = {municipality} AND a.role = 'council' AND ("
        "a.user_id IN (SELECT d.responsible_id FROM mandate d "
        f"WHERE d.department_id = {department} AND d.responsible_id IS NOT NULL) "
        "OR NOT EXISTS (SELECT 1 FROM mandate d "
        f"WHERE d.department_id = {department} AND d.responsible_id IS NOT NULL))"
    )


def person(query: Query, user_id: int, reason: str) -> str:
    return f"SELECT id, '{reason}' FROM account_user WHERE id = {query.integer(user_id)}"


def nobody() -> str:
    """No one: the audience of an event whose subject is gone."""
    return "SELECT id, 'direct' FROM account_user WHERE 1 = 0"
