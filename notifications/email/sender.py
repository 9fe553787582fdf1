"""The sender: claims due email deliveries, holds those in quiet hours or waiting for
their digest, and sends the rest through the process's mailer.

A claim is a lease (`leased_until`) taken in one statement, with `FOR UPDATE SKIP LOCKED`
on PostgreSQL, so two senders never hold the same row; a sender killed mid-send loses its
rows to the next one once the lease runs out. Every email has a Message-ID made of its
delivery's id, so the rare resend after such a crash is recognisably the same message.
A refusal or a timeout of the SMTP server retries the row with growing delays, and after
the last try marks it dead and records it for the administrators to retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import connections

from notifications import deadletters, kinds
from notifications.email import render, timing, tokens
from notifications.email.outgoing import Outgoing
from notifications.kinds import Category
from notifications.mail import Mail, Mailer
from notifications.models import Cadence, EmailDelivery, EmailStatus, NotificationSettings
from participation import clock
from participation.accounts.models import User
from participation.municipalities.models import Municipality
from participation.sql import is_postgres, run

log = logging.getLogger(__name__)

RETRY_TASK = "send_email_delivery"
# Longer than a batch can take when every message times out (100 / 8 × 30 s).
LEASE = timedelta(minutes=10)
BATCH = 100
# Emails in flight at once, per sender.
CONCURRENCY = 8
TRIES = 5
# The wait after the first, second, … failed try.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
DIGESTS = (Cadence.DAILY, Cadence.WEEKLY)
UNSUBSCRIBE_PAGE = "/unsubscribe/"

_DUE = "status = 'pending' AND not_before <= $2 AND (leased_until IS NULL OR leased_until < $2)"


def _claim_sql(postgres: bool, extra: str = "", limit: int | None = None) -> str:
    lock = " FOR UPDATE SKIP LOCKED" if postgres else ""
    cap = f" LIMIT {int(limit)}" if limit is not None else ""
    return (
        "UPDATE email_delivery SET leased_until = $1 WHERE id IN ("
        f"SELECT id FROM email_delivery WHERE {_DUE}{extra} ORDER BY not_before, id{cap}{lock}) "
        "RETURNING id"
    )


async def _claim(now: datetime, recipients: Iterable[int] = ()) -> list[int]:
    """Lease due rows: a batch, or every due digest row of `recipients`, so that one
    person's digest is not split across two batches."""
    connection = connections.get("default")
    postgres = is_postgres(connection)
    people = ", ".join(str(int(r)) for r in recipients)
    if people:
        digests = ", ".join(f"'{c.value}'" for c in DIGESTS)
        extra = f" AND cadence IN ({digests}) AND recipient_id IN ({people})"
        sql = _claim_sql(postgres, extra)
    else:
        sql = _claim_sql(postgres, limit=BATCH)
    rows = await run(connection, sql, now + LEASE, now)
    return [row["id"] for row in rows]


@dataclass
class Outcome:
    """What one run did, counted in deliveries."""

    sent: int = 0
    held: int = 0
    failed: int = 0

    def add(self, other: Outcome) -> None:
        self.sent += other.sent
        self.held += other.held
        self.failed += other.failed


@dataclass(frozen=True)
class _Person:
    email: str
    name: str
    language: str
    quiet: timing.Quiet


async def send_due(mailer: Mailer, outgoing: Outgoing, now: datetime | None = None) -> Outcome:
    """Send every delivery due at `now` (default: the clock's, read again for each batch,
    so that a long run's leases start when each batch does), batch after batch."""
    outcome = Outcome()
    while True:
        moment = now or clock.now()
        ids = await _claim(moment)
        if not ids:
            return outcome
        outcome.add(await _batch(ids, mailer, outgoing, moment))


async def _people(ids: set[int]) -> dict[int, _Person]:
    settings = {s.user_id: s for s in await NotificationSettings.filter(user_id__in=ids)}
    found = {}
    for user in await User.filter(id__in=ids):
        chosen = settings.get(user.id)
        quiet = (
            timing.Quiet(chosen.quiet_hours, chosen.quiet_from, chosen.quiet_until)
            if chosen
            else timing.Quiet()
        )
        language = chosen.language if chosen else "de"
        found[user.id] = _Person(user.email, user.display_name, language, quiet)
    return found


async def _zones(ids: set[int | None]) -> dict[int | None, str]:
    known = [i for i in ids if i is not None]
    return {m.id: m.time_zone for m in await Municipality.filter(id__in=known)}


async def _batch(ids: list[int], mailer: Mailer, outgoing: Outgoing, now: datetime) -> Outcome:
    rows = list(await EmailDelivery.filter(id__in=ids).select_related("notification"))
    waiting = {r.recipient_id for r in rows if r.cadence in DIGESTS}
    if waiting:
        more = await _claim(now, waiting)
        rows += await EmailDelivery.filter(id__in=more).select_related("notification")
    people = await _people({r.recipient_id for r in rows})
    zones = await _zones({r.notification.municipality_id for r in rows})
    holds: dict[datetime, list[int]] = defaultdict(list)
    singles: list[EmailDelivery] = []
    digests: dict[int, list[EmailDelivery]] = defaultdict(list)
    for row in rows:
        person = people.get(row.recipient_id)
        if person is None:
            continue
        zone = timing.zone(zones.get(row.notification.municipality_id))
        due = (
            timing.digest_time(row.notification.created_at, zone, row.cadence)
            if row.cadence in DIGESTS
            else row.not_before
        )
        later = due if due > now else timing.held_until(now, zone, person.quiet)
        if later is not None:
            holds[later].append(row.id)
        elif row.cadence in DIGESTS:
            digests[row.recipient_id].append(row)
        else:
            singles.append(row)
    for until, held in holds.items():
        await EmailDelivery.filter(id__in=held).update(not_before=until, leased_until=None)
    limit = asyncio.Semaphore(CONCURRENCY)

    async def send(group: Sequence[EmailDelivery]) -> bool:
        async with limit:
            person = people[group[0].recipient_id]
            zone = timing.zone(zones.get(group[0].notification.municipality_id))
            return await _send(group, person, zone, mailer, outgoing, now)

    groups: list[Sequence[EmailDelivery]] = [[row] for row in singles]
    groups += digests.values()
    results = await asyncio.gather(*(send(group) for group in groups))
    outcome = Outcome(held=sum(len(h) for h in holds.values()))
    for group, ok in zip(groups, results, strict=True):
        if ok:
            outcome.sent += len(group)
        else:
            outcome.failed += len(group)
    return outcome


def message_id(group: Sequence[EmailDelivery], domain: str) -> str:
    """The same for the same delivery, so a resend is recognisably the same message."""
    first = min(row.id for row in group)
    what = "digest" if group[0].cadence in DIGESTS else "email"
    return f"<auftrag.{what}.{first}@{domain}>"


def _category(event: str) -> Category:
    kind = kinds.registered().get(event)
    if kind is None:
        raise LookupError(f"no kind of notification for {event!r}")
    return kind.category


def compose(
    group: Sequence[EmailDelivery], person: _Person, zone: timing.ZoneInfo, outgoing: Outgoing
) -> Mail:
    """The email for one delivery, or the digest of several."""
    items = [
        render.Item(
            row.notification.event_name,
            _category(row.notification.event_name),
            row.notification.data,
            f"{row.notification.subject_type}:{row.notification.subject_id}",
        )
        for row in group
    ]
    categories = {item.category for item in items}
    token = tokens.sign(outgoing.keys[0], group[0].recipient_id, categories)
    unsubscribe = outgoing.link(UNSUBSCRIBE_PAGE + token)
    reader = render.Reader(person.name, person.language, zone, unsubscribe)
    if group[0].cadence in DIGESTS:
        rendered = render.digest(items, reader, outgoing.link)
    else:
        rendered = render.one(items[0], reader, outgoing.link)
    return Mail(
        to=person.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=(
            ("Message-ID", message_id(group, outgoing.domain)),
            ("List-Unsubscribe", f"<{unsubscribe}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated"),
        ),
    )


async def _send(
    group: Sequence[EmailDelivery],
    person: _Person,
    zone: timing.ZoneInfo,
    mailer: Mailer,
    outgoing: Outgoing,
    now: datetime,
) -> bool:
    ids = [row.id for row in group]
    try:
        mail = compose(group, person, zone, outgoing)
        await mailer.send(mail)
    except Exception as exc:  # a refusal, a timeout, a broken template: all retried
        log.warning("email deliveries %s failed: %r", ids, exc)
        await _failed(group, repr(exc), now)
        return False
    await EmailDelivery.filter(id__in=ids, status=EmailStatus.PENDING).update(
        status=EmailStatus.SENT,
        sent_at=now,
        message_id=dict(mail.headers)["Message-ID"],
        leased_until=None,
        error=None,
    )
    return True


async def _failed(group: Sequence[EmailDelivery], error: str, now: datetime) -> None:
    for row in group:
        attempts = row.attempts + 1
        if attempts < TRIES:
            await EmailDelivery.filter(id=row.id).update(
                attempts=attempts,
                not_before=now + BACKOFF[min(attempts, len(BACKOFF)) - 1],
                leased_until=None,
                error=error,
            )
            continue
        await EmailDelivery.filter(id=row.id).update(
            attempts=attempts, status=EmailStatus.DEAD, leased_until=None, error=error
        )
        await deadletters.record(
            RETRY_TASK,
            {"delivery_id": row.id},
            error,
            attempts,
            row.notification.municipality_id,
        )


async def retry(delivery_id: int, mailer: Mailer, outgoing: Outgoing) -> Outcome:
    """Give a dead (or waiting) delivery its tries back and send what is due now."""
    now = clock.now()
    await EmailDelivery.filter(
        id=delivery_id, status__in=(EmailStatus.DEAD, EmailStatus.PENDING)
    ).update(status=EmailStatus.PENDING, attempts=0, not_before=now, leased_until=None, error=None)
    return await send_due(mailer, outgoing, now)
