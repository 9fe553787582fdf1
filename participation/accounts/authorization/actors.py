"""Loading the signed-in person from the database, in one round trip."""

from __future__ import annotations

from datetime import datetime

from tortoise.connection import connections

from participation import clock
from participation.actors import Actor
from participation.permissions import Role
from participation.sql import run

_PERSON = """
SELECT u.display_name, u.email_verified, u.operator_since, {expiry}
       m.municipality_id, m.role, r.municipality_id AS resident_of, r.district_id,
       d.municipality_id AS declared_in, d.district_id AS declared_district
FROM account_user u {session}
LEFT JOIN account_membership m ON m.user_id = u.id
LEFT JOIN account_residency r ON r.user_id = u.id
LEFT JOIN account_residence_declaration d ON d.user_id = u.id
WHERE u.id = $1 AND u.suspended_at IS NULL
"""
_IN_SESSION = _PERSON.format(
    expiry="s.expires_at,",
    session="JOIN account_session s ON s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL",
)
_DIRECT = _PERSON.format(expiry="", session="")


def _aware(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def load_actor(user_id: int, session_id: int | None = None) -> Actor | None:
    """One round trip on every authenticated request, which also makes revocation immediate.

    None when the person is suspended or gone, or, given a session, when it was revoked
    or has expired. Without a session it serves the operator's CLI, jobs and tests.
    """
    connection = connections.get("default")
    if session_id is None:
        rows = await run(connection, _DIRECT, user_id)
    else:
        rows = await run(connection, _IN_SESSION, user_id, session_id)
        if rows and _aware(rows[0]["expires_at"]) <= clock.now():
            return None
    if not rows:
        return None
    roles: dict[int, set[Role]] = {}
    residencies: dict[int, int | None] = {}
    for row in rows:
        if row["role"] is not None:
            roles.setdefault(row["municipality_id"], set()).add(Role(row["role"]))
        if row["resident_of"] is not None:
            residencies[row["resident_of"]] = row["district_id"]
    first = rows[0]
    return Actor(
        user_id=user_id,
        display_name=first["display_name"],
        email_verified=bool(first["email_verified"]),
        roles={m: frozenset(r) for m, r in roles.items()},
        residencies=residencies,
        session_id=session_id,
        declared=(
            (first["declared_in"], first["declared_district"])
            if first["declared_in"] is not None
            else None
        ),
        operator=first["operator_since"] is not None,
    )
