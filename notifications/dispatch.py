"""The dispatcher: the outbox consumer that turns each event of a known kind into one
notification per recipient, and an email delivery where her choices and consent say so.

Exactly once per person, event and channel, however often the outbox hands an event
over (after a crash, a restart, with two workers): the notification's unique key
(recipient, event) and the delivery's one-to-one link make a repeated dispatch insert
nothing. Both statements run in one transaction, so an event is dispatched whole or not
at all. Recipients are resolved in SQL where they are many (every co-signer), so a
fan-out to 100,000 people is two statements, not 100,000 round trips.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from notifications import kinds, live
from notifications.kinds import Fanout, Kind, Recipient
from notifications.models import REASON_ORDER, Cadence, Reason
from participation import clock
from participation.outbox.consumers import Consumer, Handler
from participation.outbox.envelope import Event
from participation.sql import is_postgres, run

NAME = "notifications"
# Recipients given as a list go in statements of at most this many rows.
CHUNK = 400
# The job that sends due emails; enqueued after a dispatch that created some.
SEND_EMAILS = "send_emails"


@dataclass(frozen=True)
class Dispatched:
    """What one event produced: the people newly told, and how many emails are due."""

    recipients: tuple[int, ...]
    emails: int


def group_key(event: Event) -> str:
    return f"{event.name}:{event.subject_type}:{event.subject_id}"[:128]


def _rank_sql(column: str) -> str:
    cases = " ".join(f"WHEN '{reason.value}' THEN {rank}" for reason, rank in REASON_ORDER.items())
    return f"CASE {column} {cases} END"


def _reason_sql(column: str) -> str:
    cases = " ".join(f"WHEN {rank} THEN '{reason.value}'" for reason, rank in REASON_ORDER.items())
    return f"CASE {column} {cases} END"


def _strongest(recipients: Sequence[Recipient]) -> list[Recipient]:
    best: dict[int, Reason] = {}
    for recipient in recipients:
        known = best.get(recipient.user_id)
        if known is None or REASON_ORDER[recipient.reason] < REASON_ORDER[known]:
            best[recipient.user_id] = recipient.reason
    return [Recipient(user_id, reason) for user_id, reason in best.items()]


def _chunks(recipients: list[Recipient]) -> Iterator[list[Recipient]]:
    for start in range(0, len(recipients), CHUNK):
        yield recipients[start : start + CHUNK]


def _cadence(user: str, event: str, channel: str, default: str) -> str:
    """Her choice for this kind and channel, else the kind's `default`."""
    return (
        "COALESCE((SELECT p.cadence FROM notification_preference p "
        f"WHERE p.user_id = {user} AND p.event = {event} AND p.channel = '{channel}'), "
        f"{default})"
    )


def _consented(user: str, topic: str) -> str:
    """Her latest record on the consent topic is a grant, or the kind needs none (NULL)."""
    return (
        f"(CAST({topic} AS VARCHAR(48)) IS NULL OR COALESCE((SELECT c.granted "
        f"FROM account_consent c WHERE c.user_id = {user} AND c.topic = {topic} "
        "ORDER BY c.id DESC LIMIT 1), FALSE))"
    )


def _insert_sql(candidates: str, kind: Kind, postgres: bool) -> str:
    """$1 event id, $2 event name, $3 actor (or -1), $4 consent topic (or NULL), $5 inbox default,
    $6 email default, $7 municipality, $8 subject type, $9 subject id, $10 group key,
    $11 data, $12 now; the candidates' own parameters follow."""
    data = "CAST($11 AS JSONB)" if postgres else "$11"
    # Without a choice to make, $5 is the kind's fixed 'immediate', typed for PostgreSQL.
    inbox = (
        _cadence("r.user_id", "$2", "inbox", "$5") if kind.optional else "CAST($5 AS VARCHAR(16))"
    )
    email = _cadence("r.user_id", "$2", "email", "$6")
    return (
        f"WITH candidates (user_id, reason) AS ({candidates}), "
        f"ranked AS (SELECT user_id, MIN({_rank_sql('reason')}) AS rank FROM candidates "
        "WHERE user_id IS NOT NULL AND user_id <> $3 GROUP BY user_id), "
        f"chosen AS (SELECT r.user_id, r.rank, {inbox} AS inbox, "
        f"CASE WHEN {_consented('r.user_id', '$4')} THEN {email} ELSE 'off' END AS email "
        "FROM ranked r) "
        "INSERT INTO notification (recipient_id, event_id, event_name, reason, municipality_id, "
        "subject_type, subject_id, group_key, data, in_inbox, created_at) "
        f"SELECT user_id, $1, $2, {_reason_sql('rank')}, $7, $8, $9, $10, {data}, "
        "inbox <> 'off', $12 FROM chosen WHERE inbox <> 'off' OR email <> 'off' "
        "ON CONFLICT (recipient_id, event_id) DO NOTHING RETURNING recipient_id"
    )


# $1 event id, $2 event name, $3 now, $4 consent topic (or NULL), $5 email default.
_EMAILS = (
    "INSERT INTO email_delivery (notification_id, recipient_id, cadence, status, "
    "not_before, attempts) "
    "SELECT id, recipient_id, email, 'pending', $3, 0 FROM ("
    "SELECT n.id, n.recipient_id, "
    f"CASE WHEN {_consented('n.recipient_id', '$4')} "
    f"THEN {_cadence('n.recipient_id', '$2', 'email', '$5')} ELSE 'off' END AS email "
    "FROM notification n WHERE n.event_id = $1 "
    "AND NOT EXISTS (SELECT 1 FROM email_delivery d WHERE d.notification_id = n.id)"
    ") AS due WHERE email <> 'off' "
    "ON CONFLICT (notification_id) DO NOTHING RETURNING id"
)


def _values(chunk: list[Recipient], first: int) -> tuple[str, list[Any]]:
    rows = []
    values: list[Any] = []
    for offset, recipient in enumerate(chunk):
        n = first + 2 * offset
        rows.append(f"(CAST(${n} AS INTEGER), CAST(${n + 1} AS VARCHAR(16)))")
        values += [recipient.user_id, recipient.reason.value]
    return "VALUES " + ", ".join(rows), values


async def deliver(kind: Kind, event: Event) -> Dispatched:
    """Dispatch one event of `kind`; repeating it for the same event adds nothing."""
    assert event.id is not None, "only events read from the outbox are dispatched"
    found = await kind.recipients(event)
    data = await kind.data(event)
    now = clock.now()
    common = [
        event.id,
        event.name,
        event.actor_id if event.actor_id is not None else -1,
        kind.consented_by,
        kind.inbox.value if kind.optional else Cadence.IMMEDIATE.value,
        kind.email.value,
        event.municipality_id,
        event.subject_type,
        event.subject_id,
        group_key(event),
        json.dumps(data),
        now,
    ]
    told: list[int] = []
    async with in_transaction() as connection:
        postgres = is_postgres(connection)
        if isinstance(found, Fanout):
            shifted = _shift(found.sql, len(common))
            rows = await run(connection, _insert_sql(shifted, kind, postgres), *common, *found.args)
            told += [row["recipient_id"] for row in rows]
        else:
            for chunk in _chunks(_strongest(found)):
                candidates, values = _values(chunk, len(common) + 1)
                rows = await run(
                    connection, _insert_sql(candidates, kind, postgres), *common, *values
                )
                told += [row["recipient_id"] for row in rows]
        emails = await _emails(connection, event, kind, now)
    return Dispatched(tuple(told), emails)


async def _emails(connection: BaseDBAsyncClient, event: Event, kind: Kind, now: Any) -> int:
    rows = await run(
        connection, _EMAILS, event.id, event.name, now, kind.consented_by, kind.email.value
    )
    return len(rows)


def _shift(sql: str, by: int) -> str:
    """A Fanout's $1, $2… become $13, $14…, after the dispatcher's own parameters."""
    # In one pass: replacing $1 after $3 had become $15 made it $135.
    return re.sub(r"\$(\d+)", lambda found: f"${int(found[1]) + by}", sql)


async def dispatch(batch: Sequence[Event], context: Mapping[str, Any]) -> None:
    """The consumer's handler: every event of the batch, oldest first."""
    registry = kinds.registered()
    emails = 0
    for event in batch:
        kind = registry.get(event.name)
        if kind is not None:
            dispatched = await deliver(kind, event)
            emails += dispatched.emails
            # After the commit, so an open inbox that hears it reads what was written.
            await live.publish(context, dispatched.recipients)
    jobs = context.get("jobs")
    if emails and jobs is not None:
        await jobs.enqueue(SEND_EMAILS)


class _KindHandlers(Mapping[str, Handler]):
    """The dispatcher's handlers, one per kind, read when first needed: the kinds come
    from the areas' declarations, which are still being imported when this one is."""

    def _all(self) -> dict[str, Handler]:
        return {event: dispatch for event in kinds.registered()}

    def __getitem__(self, key: str) -> Handler:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


NOTIFIER = Consumer(name=NAME, handlers=_KindHandlers())
