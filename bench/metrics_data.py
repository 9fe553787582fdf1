"""A deployment's two years of history, written with COPY, for bench/metrics.py.

Municipalities differ on purpose — how fast their council answers, how often it keeps
its service promise, how many mandates it accepts, how satisfied people are, how long
a re-registration takes — so the figures and the comparison have something to rank.
Every row goes in through asyncpg's `copy_records_to_table` from a generator (nothing
is held in memory but the mandates' outlines), with the ids chosen here so related rows
can name each other without a round trip; the sequences are moved past them at the end.

One seed, one scale and one `now` give the same rows. The schema is the app's, as
`auftrag migrate` left it; the rows are what the commands would have written (statuses
and their timestamps, timeline entries with their kinds and data, official responses,
signatures, ratings, threads with comments, flags and moderation entries, votes with
participations and ballots, service visits with invitations).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from participation.municipalities.licences import DEFAULT as DEFAULT_LICENCE

ZONE = ZoneInfo("Europe/Berlin")
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
QUORUM = 20
STATES = ("BY", "BW", "NW", "HE", "NI", "SN", "RP", "SH", "BE", "HH")
SERVICES = (
    ("residence.registration", "Ummeldung", "Change of address"),
    ("id.card", "Personalausweis", "Identity card"),
    ("vehicle.registration", "Kfz-Zulassung", "Vehicle registration"),
)
# Kinds of the council's later work on the timeline, and how often each occurs.
WORK_KINDS = ("progress", "measure", "measure_milestone", "response", "cost_analysis")
WORK_WEIGHTS = (50, 25, 15, 7, 3)


@dataclass(frozen=True)
class Scale:
    municipalities: int
    mandates: int
    timeline_entries: int
    months: int = 24
    users_per_town: int = 5_000
    comments_per_mandate: float = 4.0
    votes_per_town: int = 12
    visits_per_town: int = 10_000


FULL = Scale(municipalities=10, mandates=100_000, timeline_entries=5_000_000)
QUICK = Scale(
    municipalities=2,
    mandates=2_000,
    timeline_entries=50_000,
    users_per_town=600,
    votes_per_town=4,
    visits_per_town=1_000,
)


@dataclass(frozen=True)
class Town:
    """One municipality's character: what its figures will show."""

    id: int
    slug: str
    promise_days: int
    kept_share: float  # first answers within the promise
    accept_share: float  # of decided mandates
    rating_mean: float  # outcome satisfaction, 1–5
    service_days: tuple[int, ...]  # typical duration per service type
    service_rating: float
    population: int
    departments: tuple[int, ...] = ()
    users: tuple[int, int] = (0, 0)  # first id, count


@dataclass
class Outline:
    """What happened to one mandate, and when."""

    id: int
    town: Town
    department_id: int | None
    created: datetime
    published: datetime
    status: str
    moves: list[tuple[str, str, datetime]] = field(default_factory=list)
    submitted: datetime | None = None
    due: datetime | None = None
    first_answer: datetime | None = None
    kept: bool | None = None
    missed_at: datetime | None = None
    accepted: datetime | None = None
    closed: datetime | None = None
    end: datetime | None = None  # the last moment anything happens to it
    signers: int = 0
    work: int = 0  # further timeline entries of the council's work


@dataclass
class Generated:
    towns: list[Town]
    rows: dict[str, int]
    seconds: dict[str, float]
    now: datetime

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _towns(scale: Scale, rng: random.Random) -> list[Town]:
    towns = []
    for n in range(scale.municipalities):
        spread = n / max(1, scale.municipalities - 1)
        towns.append(
            Town(
                id=n + 1,
                slug=f"bench-{n + 1:02d}",
                promise_days=10 + 2 * (n % 6),
                kept_share=0.35 + 0.6 * spread,
                accept_share=0.3 + 0.5 * rng.random(),
                rating_mean=2.2 + 2.4 * rng.random(),
                service_days=tuple(1 + rng.randint(0, 4) * (1 + n) for _ in SERVICES),
                service_rating=2.5 + 2.0 * rng.random(),
                population=rng.choice((8_000, 25_000, 60_000, 140_000, 550_000)),
            )
        )
    return towns


def _outline(
    mandate_id: int, town: Town, start: datetime, now: datetime, rng: random.Random
) -> Outline:
    span = (now - start).total_seconds()
    created = start + timedelta(seconds=rng.random() * span * 0.98)
    published = created + timedelta(hours=rng.random() * 72)
    department = rng.choice(town.departments) if rng.random() > 0.15 else None
    o = Outline(mandate_id, town, department, created, published, "collecting")
    o.moves.append(("draft", "collecting", published))
    o.end = published
    submitted = published + timedelta(days=5 + rng.random() * 55)
    if rng.random() > 0.6 or submitted > now:
        o.signers = rng.randint(0, QUORUM - 1)
        closes = published + timedelta(days=90)
        if closes < now:
            o.status = "expired" if rng.random() < 0.8 else "withdrawn"
            o.closed = closes if o.status == "expired" else published + (closes - published) / 3
            o.moves.append(("collecting", o.status, o.closed))
            o.end = o.closed
        return o
    o.signers = QUORUM + rng.randint(0, 2 * QUORUM)
    o.status, o.submitted = "submitted", submitted
    o.moves.append(("collecting", "submitted", submitted))
    o.due = submitted + timedelta(days=town.promise_days)
    o.end = submitted
    if rng.random() < 0.03:
        o.status, o.closed = "withdrawn", submitted + timedelta(days=rng.random() * 10)
        o.moves.append(("submitted", "withdrawn", o.closed))
        o.end = o.closed
        return o
    reviewed = submitted + timedelta(days=rng.random() * 4)
    if reviewed < now:
        o.status = "in_review"
        o.moves.append(("submitted", "in_review", reviewed))
        o.end = reviewed
    in_time = rng.random() < town.kept_share
    days = (
        rng.random() * town.promise_days
        if in_time
        else town.promise_days * (1.05 + 3 * rng.random())
    )
    answer = max(reviewed, submitted + timedelta(days=days))
    if answer > now:
        if o.due < now:
            o.missed_at, o.kept = o.due, False
        return o
    o.first_answer, o.kept = answer, answer <= o.due
    if not o.kept:
        o.missed_at = o.due
    if o.status == "submitted":
        o.status = "in_review"
        o.moves.append(("submitted", "in_review", answer))
    o.end = answer
    decided = answer + timedelta(days=rng.random() * 40)
    if decided > now or rng.random() < 0.1:
        return o
    if rng.random() >= town.accept_share:
        o.status, o.closed = "rejected", decided
        o.moves.append(("in_review", "rejected", decided))
        o.end = decided
        return o
    o.status, o.accepted = "accepted", decided
    o.moves.append(("in_review", "accepted", decided))
    o.end = decided
    started = decided + timedelta(days=1 + rng.random() * 20)
    if started > now:
        return o
    o.status = "in_progress"
    o.moves.append(("accepted", "in_progress", started))
    o.end = started
    completed = started + timedelta(days=30 + rng.random() * 270)
    if completed < now:
        o.status, o.closed = "completed", completed
        o.moves.append(("in_progress", "completed", completed))
        o.end = completed
    return o


def _at(rng: random.Random, a: datetime, b: datetime) -> datetime:
    return a + (b - a) * rng.random()


def _core_entries(o: Outline) -> int:
    """Entries every mandate has from its own moves: launched, moves, milestones, answer."""
    milestones = sum(1 for p in (25, 50, 75, 100) if o.signers * 100 >= p * QUORUM)
    return 1 + len(o.moves) + milestones + (o.first_answer is not None) + (o.missed_at is not None)


def _spread_work(outlines: list[Outline], budget: int, rng: random.Random) -> None:
    """Hand the remaining entries to the mandates the council worked on, by how long."""
    worked = [o for o in outlines if o.first_answer is not None and o.end is not None]
    if not worked or budget <= 0:
        return
    weights = [max(1.0, (o.end - o.first_answer).total_seconds() / 86400) for o in worked]  # type: ignore[operator]
    total = sum(weights)
    given = 0
    for o, w in zip(worked, weights, strict=True):
        o.work = int(budget * w / total)
        given += o.work
    for o in rng.choices(worked, k=budget - given):
        o.work += 1


class Writer:
    """COPY into one table after another, timing each."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    async def copy(self, table: str, columns: list[str], records: Iterator[tuple]) -> int:
        counted = _Counted(records)
        started = time.perf_counter()
        await self.conn.copy_records_to_table(table, records=counted, columns=columns)
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        self.rows[table] = self.rows.get(table, 0) + counted.n
        return counted.n


class _Counted:
    def __init__(self, records: Iterator[tuple]) -> None:
        self._records = records
        self.n = 0

    def __iter__(self) -> Iterator[tuple]:
        for record in self._records:
            self.n += 1
            yield record


@dataclass
class Plan:
    """The deployment before any row is written: its towns and its mandates' outlines."""

    towns: list[Town]
    outlines: list[Outline]
    start: datetime
    now: datetime


def plan(scale: Scale, seed: int, now: datetime) -> Plan:
    """Towns with their departments and people, and what happened to every mandate; the
    timeline's entries add up to `scale.timeline_entries`."""
    start = now - timedelta(days=round(scale.months * 30.44))
    rng = random.Random(seed)
    towns = []
    for n, t in enumerate(_towns(scale, rng)):
        departments = tuple(range(5 * n + 1, 5 * n + 6))
        people = (n * scale.users_per_town + 1, scale.users_per_town)
        towns.append(replace(t, departments=departments, users=people))
    outlines = [
        _outline(m + 1, towns[m % len(towns)], start, now, rng) for m in range(scale.mandates)
    ]
    core = sum(_core_entries(o) for o in outlines)
    _spread_work(outlines, scale.timeline_entries - core, rng)
    return Plan(towns, outlines, start, now)


async def generate(
    conn: asyncpg.Connection, scale: Scale, *, seed: int = 13, now: datetime | None = None
) -> Generated:
    """Write the whole history into the migrated, empty database behind `conn`."""
    planned = plan(scale, seed, now or datetime.now(UTC).replace(microsecond=0))
    towns, outlines, start, now = planned.towns, planned.outlines, planned.start, planned.now
    w = Writer(conn)
    await conn.execute("SET synchronous_commit = off")
    await w.copy(
        "municipality",
        [
            "id", "slug", "name", "default_quorum", "signature_period_days",
            "service_promise_days", "created_at", "population", "state", "time_zone",
            "flag_threshold", "new_account_hours", "contact_address", "contact_email",
            "contact_phone", "official_key", "open_data_licence",
        ],
        (
            (
                t.id, t.slug, f"Musterstadt {t.id:02d}", QUORUM, 90, t.promise_days,
                start - 30 * DAY, t.population, STATES[t.id % len(STATES)], ZONE.key,
                3, 24, "Rathausplatz 1", f"rathaus@{t.slug}.invalid", "", f"{9_000_000 + t.id:08d}",
                DEFAULT_LICENCE,
            )
            for t in towns
        ),
    )  # fmt: skip
    await w.copy(
        "department",
        ["id", "name", "created_at", "municipality_id"],
        (
            (d, f"Fachbereich {k + 1}", start - 30 * DAY, t.id)
            for t in towns
            for k, d in enumerate(t.departments)
        ),
    )
    await w.copy(
        "account_user",
        ["id", "email", "display_name", "email_verified", "created_at"],
        (
            (u, f"person{u}@bench.invalid", f"Person {u}", True, start - 30 * DAY)
            for t in towns
            for u in range(t.users[0], t.users[0] + t.users[1])
        ),
    )
    await w.copy(
        "account_residence_declaration",
        ["user_id", "municipality_id", "source", "declared_at"],
        (
            (u, t.id, "declared", start - 30 * DAY)
            for t in towns
            for u in range(t.users[0], t.users[0] + t.users[1])
        ),
    )
    await w.copy(
        "mandate",
        [
            "id", "title", "summary", "body", "body_html", "status", "quorum", "milestone",
            "created_at", "published_at", "closes_at", "submitted_at", "answer_due_at",
            "closed_at", "initiator_id", "municipality_id", "department_id",
            "first_answer_at", "progress", "promise_kept", "promise_overdue_at",
        ],
        (
            (
                o.id, f"Auftrag {o.id}", "Eine Bitte an den Rat.", "Bitte kümmern.",
                "<p>Bitte kümmern.</p>", o.status, QUORUM, min(100, 25 * (4 * o.signers // QUORUM)),
                o.created, o.published, o.published + 90 * DAY, o.submitted, o.due, o.closed,
                o.town.users[0] + o.id % o.town.users[1], o.town.id, o.department_id,
                o.first_answer,
                100 if o.status == "completed" else (50 if o.status == "in_progress" else None),
                o.kept, o.missed_at,
            )
            for o in outlines
        ),
    )  # fmt: skip
    await w.copy(
        "signature_count",
        ["mandate_id", "shard", "count", "resident"],
        ((o.id, 0, o.signers, o.signers) for o in outlines),
    )
    await w.copy(
        "official_response",
        ["id", "kind", "body", "body_html", "role", "created_at", "department_id", "mandate_id"],
        (
            (o.id, "first_answer", "Wir prüfen das.", "<p>Wir prüfen das.</p>", "council",
             o.first_answer, o.department_id, o.id)
            for o in outlines
            if o.first_answer is not None
        ),
    )  # fmt: skip
    await w.copy(
        "timeline_entry",
        ["kind", "data", "created_at", "mandate_id", "municipality_id"],
        _timeline(outlines, random.Random(seed + 1)),
    )
    await w.copy(
        "signature",
        ["created_at", "mandate_id", "user_id", "resident"],
        _signatures(outlines, random.Random(seed + 2)),
    )
    await w.copy(
        "rating",
        ["score", "comment", "comment_html", "show_name", "created_at", "updated_at",
         "mandate_id", "user_id"],
        _ratings(outlines, random.Random(seed + 3)),
    )  # fmt: skip
    await _deliberation(w, outlines, scale, random.Random(seed + 4), now)
    await _votes(w, towns, scale, start, now, random.Random(seed + 5))
    await _visits(w, towns, outlines, scale, start, now, random.Random(seed + 6))
    started = time.perf_counter()
    await _reset_sequences(conn)
    await conn.execute("VACUUM (ANALYZE)")
    w.seconds["vacuum analyze"] = time.perf_counter() - started
    return Generated(towns, w.rows, w.seconds, now)


def _timeline(outlines: list[Outline], rng: random.Random) -> Iterator[tuple]:
    for o in outlines:
        m, town = o.id, o.town.id
        yield ("launched", "{}", o.created, m, town)
        for source, target, at in o.moves:
            yield ("status", f'{{"from": "{source}", "to": "{target}"}}', at, m, town)
        reached_by = o.submitted or o.closed or o.published + 60 * DAY
        for p in (25, 50, 75, 100):
            if o.signers * 100 >= p * QUORUM:
                moment = o.published + (reached_by - o.published) * (p / 100)
                data = f'{{"percent": {p}, "count": {p * QUORUM // 100}}}'
                yield ("milestone", data, moment, m, town)
        if o.missed_at is not None:
            yield (
                "promise_missed",
                f'{{"due_at": "{o.missed_at.isoformat()}"}}',
                o.missed_at,
                m,
                town,
            )
        if o.first_answer is not None:
            data = json.dumps(
                {"response_id": m, "kind": "first_answer", "role": "council",
                 "department_id": o.department_id, "first": True, "promise_kept": o.kept}
            )  # fmt: skip
            yield ("response", data, o.first_answer, m, town)
        if o.work:
            assert o.first_answer is not None and o.end is not None
            begin = o.accepted or o.first_answer
            kinds = rng.choices(WORK_KINDS, WORK_WEIGHTS, k=o.work)
            for k, kind in enumerate(kinds):
                at = _at(rng, begin, o.end)
                yield (kind, _work_data(kind, k), at, m, town)


def _work_data(kind: str, k: int) -> str:
    if kind == "progress":
        return f'{{"progress": {k % 100}, "previous": {max(0, k % 100 - 1)}, "weighting": "equal"}}'
    if kind == "response":
        return '{"kind": "update", "role": "council", "first": false}'
    if kind == "measure_milestone":
        return f'{{"milestone_id": {k}, "title": "Meilenstein {k}"}}'
    if kind == "cost_analysis":
        return f'{{"revision": {k}, "total_cents": {100_000 * (k + 1)}}}'
    return f'{{"change": "updated", "title": "Maßnahme {k % 7}", "progress": {k % 100}}}'


def _signatures(outlines: list[Outline], rng: random.Random) -> Iterator[tuple]:
    for o in outlines:
        if not o.signers:
            continue
        first, count = o.town.users
        until = o.submitted or o.closed or o.published + 60 * DAY
        for u in rng.sample(range(first, first + count), min(o.signers, count)):
            yield (_at(rng, o.published, until), o.id, u, True)


def _score(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 1.0))))


def _ratings(outlines: list[Outline], rng: random.Random) -> Iterator[tuple]:
    for o in outlines:
        if o.status != "completed" or o.closed is None:
            continue
        first, count = o.town.users
        for u in rng.sample(range(first, first + count), rng.randint(2, 12)):
            at = o.closed + timedelta(days=rng.random() * 20)
            yield (_score(rng, o.town.rating_mean), "", "", False, at, at, o.id, u)


async def _deliberation(
    w: Writer, outlines: list[Outline], scale: Scale, rng: random.Random, now: datetime
) -> None:
    """One thread per mandate; comments, a few flagged, some of those hidden or dismissed."""
    await w.copy(
        "thread",
        ["id", "subject_type", "subject_id", "created_at", "municipality_id"],
        ((o.id, "mandate", o.id, o.created, o.town.id) for o in outlines),
    )
    comments: list[tuple] = []
    flags: list[tuple] = []
    decisions: list[tuple] = []
    comment_id = 0
    for o in outlines:
        first, count = o.town.users
        until = min(now, (o.end or o.published) + 30 * DAY)
        for _ in range(int(rng.random() * 2 * scale.comments_per_mandate)):
            comment_id += 1
            posted = _at(rng, o.published, until)
            author = first + rng.randrange(count)
            hidden = deleted = None
            flag_count = 0
            if rng.random() < 0.03:
                flag_count = rng.randint(1, 3)
                flagged = posted + timedelta(hours=rng.random() * 48)
                decided = flagged + timedelta(hours=rng.random() * 96)
                fate = rng.random() if decided < now else 1.0
                resolution = "upheld" if fate < 0.4 else ("dismissed" if fate < 0.8 else None)
                for f in rng.sample(range(first, first + count), flag_count):
                    at = flagged + timedelta(minutes=rng.random() * 60)
                    flags.append(
                        ("spam", None, at, decided if resolution else None, resolution,
                         comment_id, f)
                    )  # fmt: skip
                if resolution == "upheld":
                    hidden = decided
                    decisions.append(("hide", "Beleidigend.", decided, comment_id, o))
                elif resolution == "dismissed":
                    decisions.append(("dismiss_flags", "", decided, comment_id, o))
            elif rng.random() < 0.02:
                deleted = posted + timedelta(hours=rng.random() * 24)
            comments.append(
                (comment_id, 0, "neutral", "Ich finde das gut.", "<p>Ich finde das gut.</p>",
                 False, 0, flag_count, hidden, False, deleted, posted, author, o.id)
            )  # fmt: skip
    await w.copy(
        "comment",
        ["id", "depth", "stance", "body", "body_html", "official", "endorsement_count",
         "flag_count", "hidden_at", "hidden_pending_review", "deleted_at", "created_at",
         "author_id", "thread_id"],
        iter(comments),
    )  # fmt: skip
    await w.copy(
        "comment_flag",
        ["reason", "text", "created_at", "resolved_at", "resolution", "comment_id", "user_id"],
        iter(flags),
    )
    await w.copy(
        "moderation_entry",
        ["action", "reason", "moderator_role", "created_at", "comment_id", "municipality_id",
         "thread_id"],
        ((a, r, "moderator", at, c, o.town.id, o.id) for a, r, at, c, o in decisions),
    )  # fmt: skip


async def _votes(
    w: Writer, towns: list[Town], scale: Scale, start: datetime, now: datetime, rng: random.Random
) -> None:
    votes: list[tuple] = []
    participations: list[tuple] = []
    vote_id = 0
    for t in towns:
        for k in range(scale.votes_per_town):
            vote_id += 1
            opens = start + (now - start) * ((k + 0.2) / scale.votes_per_town)
            closes = opens + 21 * DAY
            status = "published" if closes < now else "open"
            votes.append((vote_id, opens, closes, status, t.id))
            first, count = t.users
            voters = rng.sample(range(first, first + count), rng.randint(count // 20, count // 5))
            for u in voters:
                participations.append((_at(rng, opens, min(closes, now)), vote_id, u))
    await w.copy(
        "vote",
        ["id", "title", "description", "description_html", "rule", "max_choices",
         "limit_ballot_cost", "eligibility_level", "opens_at", "closes_at", "min_turnout",
         "status", "created_at", "updated_at", "municipality_id"],
        (
            (v, f"Abstimmung {v}", "Was zuerst?", "<p>Was zuerst?</p>", "approval", 2, False,
             "email_verified", opens, closes, 0, status, opens - 7 * DAY, opens, town)
            for v, opens, closes, status, town in votes
        ),
    )  # fmt: skip
    await w.copy(
        "vote_option",
        ["position", "title", "description", "vote_id"],
        ((p, f"Vorschlag {p + 1}", "", v[0]) for v in votes for p in range(3)),
    )
    await w.copy(
        "vote_participation",
        ["created_at", "updated_at", "vote_id", "user_id"],
        ((at, at, v, u) for at, v, u in participations),
    )
    await w.copy(
        "vote_ballot",
        ["id", "slot", "choices", "receipt_digest", "vote_id"],
        (
            (uuid.UUID(int=rng.getrandbits(128)), f"s{n}", f"[{n % 3}]", f"{n:064x}", v)
            for n, (_, v, _) in enumerate(participations)
        ),
    )


async def _visits(
    w: Writer,
    towns: list[Town],
    outlines: list[Outline],
    scale: Scale,
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    """Service visits per town and type; half invited, some of the invited give a score."""
    await w.copy(
        "visit_service_type",
        ["id", "code", "name_de", "name_en", "municipality_id"],
        (
            (t.id * 10 + k, code, de, en, t.id)
            for t in towns
            for k, (code, de, en) in enumerate(SERVICES)
        ),
    )
    open_mandates = {
        t.id: [o.id for o in outlines if o.town is t and o.status == "collecting"] or [0]
        for t in towns
    }
    visits: list[tuple] = []
    invitations: list[tuple] = []
    visit_id = 0
    for t in towns:
        first, count = t.users
        for _ in range(scale.visits_per_town):
            visit_id += 1
            k = rng.randrange(len(SERVICES))
            requested = _at(rng, start, now - 2 * DAY)
            completed = requested + timedelta(days=rng.expovariate(1 / t.service_days[k]))
            done = completed if completed < now and rng.random() < 0.9 else None
            occurred = done or requested
            received = occurred + timedelta(minutes=5)
            invited = rng.random() < 0.5
            visits.append(
                (visit_id, f"jti-{visit_id}", "invited" if invited else "no_consent", occurred,
                 requested, done, received, t.id, t.id * 10 + k, first + rng.randrange(count))
            )  # fmt: skip
            if invited:
                sent = received + timedelta(minutes=30)
                scored = sent + timedelta(hours=rng.random() * 72) if rng.random() < 0.4 else None
                target = rng.choice(open_mandates[t.id])
                invitations.append(
                    (f"tok-{visit_id}", "mandate", target, f"/mandates/{target}", sent,
                     scored, _score(rng, t.service_rating) if scored else None, scored, "", "",
                     t.id, visits[-1][-1], visit_id)
                )  # fmt: skip
    await w.copy(
        "visit_service_visit",
        ["id", "jti", "outcome", "occurred_at", "requested_at", "completed_at", "received_at",
         "municipality_id", "service_type_id", "user_id"],
        iter(visits),
    )  # fmt: skip
    await w.copy(
        "visit_invitation",
        ["token", "target", "target_id", "target_path", "sent_at", "opened_at", "score",
         "scored_at", "comment", "comment_html", "municipality_id", "user_id", "visit_id"],
        iter(invitations),
    )  # fmt: skip


async def _reset_sequences(conn: asyncpg.Connection) -> None:
    """Move every id sequence past the ids written here, so the app's inserts go on."""
    rows = await conn.fetch(
        "SELECT t.relname AS tbl, a.attname AS col, "
        "pg_get_serial_sequence(t.relname, a.attname) AS seq "
        "FROM pg_class t JOIN pg_attribute a ON a.attrelid = t.oid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = 'public' AND t.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped "
        "AND pg_get_serial_sequence(t.relname, a.attname) IS NOT NULL"
    )
    for row in rows:
        await conn.execute(
            f"SELECT setval('{row['seq']}', GREATEST(1, (SELECT COALESCE(max({row['col']}), 0) "
            f"FROM {row['tbl']})))"
        )


# --- events for the consumer ---------------------------------------------------------------

# The mix of new events: co-signatures, first answers, outcome ratings, service visits.
EVENT_MIX = (("signature", 0.4), ("answer", 0.2), ("rating", 0.2), ("visit", 0.2))


async def write_events(
    conn: asyncpg.Connection, generated: Generated, count: int, seed: int
) -> dict[str, int]:
    """`count` new records of today with their outbox events, the events written through
    the app's event writer (participation.outbox.events.write) in transactions of 500.

    The records go in first, with asyncpg; then the events about them, as the commands
    would have recorded them. Returns how many events of each kind.
    """
    from tortoise.transactions import in_transaction

    from participation.outbox import catalogue, events
    from participation.outbox.envelope import Event

    rng = random.Random(seed + 7)
    known = catalogue.catalogue()
    mix = [(kind, share) for kind, share in EVENT_MIX if kind != "visit" or _VISIT in known]
    wanted = {kind: int(count * share / sum(s for _, s in mix)) for kind, share in mix}
    wanted[mix[0][0]] += count - sum(wanted.values())
    now = datetime.now(UTC)
    towns = {t.id: t for t in generated.towns}
    new: list[Event] = []

    waiting = await conn.fetch(
        "SELECT id, municipality_id, answer_due_at, department_id FROM mandate "
        "WHERE status = 'in_review' AND first_answer_at IS NULL ORDER BY id LIMIT $1",
        wanted.get("answer", 0),
    )
    if len(waiting) < wanted.get("answer", 0):
        wanted[mix[0][0]] += wanted["answer"] - len(waiting)
        wanted["answer"] = len(waiting)
    people = await _new_people(conn, generated, wanted["signature"] + wanted.get("rating", 0), now)

    collecting = await conn.fetch(
        "SELECT id, municipality_id FROM mandate WHERE status = 'collecting' ORDER BY id"
    )
    rows = []
    for n in range(wanted["signature"]):
        mandate = collecting[n % len(collecting)]
        rows.append((now, mandate["id"], people[mandate["municipality_id"]].pop(), True))
    await conn.copy_records_to_table(
        "signature", records=rows, columns=["created_at", "mandate_id", "user_id", "resident"]
    )
    town_of = {m["id"]: m["municipality_id"] for m in collecting}
    for _, mandate_id, user, _ in rows:
        town = town_of[mandate_id]
        new.append(
            Event("mandates:signature:created", "mandate", mandate_id, town, user,
                  {"mandate_id": mandate_id})
        )  # fmt: skip

    for mandate in waiting:
        kept = mandate["answer_due_at"] is None or now <= mandate["answer_due_at"]
        await conn.execute(
            "UPDATE mandate SET first_answer_at = $2, promise_kept = $3 WHERE id = $1",
            mandate["id"], now, kept,
        )  # fmt: skip
        response = await conn.fetchval(
            "INSERT INTO official_response (kind, body, body_html, role, created_at, "
            "department_id, mandate_id) VALUES ('first_answer', 'Wir prüfen das.', "
            "'<p>Wir prüfen das.</p>', 'council', $1, $2, $3) RETURNING id",
            now, mandate["department_id"], mandate["id"],
        )  # fmt: skip
        data = {
            "response_id": response,
            "kind": "first_answer",
            "role": "council",
            "department_id": mandate["department_id"],
            "first": True,
            "promise_kept": kept,
        }
        entry = await conn.fetchval(
            "INSERT INTO timeline_entry (kind, data, created_at, mandate_id, municipality_id) "
            "VALUES ('response', $1, $2, $3, $4) RETURNING id",
            json.dumps(data), now, mandate["id"], mandate["municipality_id"],
        )  # fmt: skip
        new.append(
            Event("answers:response:published", "mandate", mandate["id"],
                  mandate["municipality_id"], None,
                  {"entry": {"id": entry, "kind": "response", "data": data,
                             "created_at": now.isoformat()}})
        )  # fmt: skip

    if wanted.get("rating"):
        completed = await conn.fetch(
            "SELECT id, municipality_id FROM mandate WHERE status = 'completed' ORDER BY id"
        )
        rated = []
        for n in range(wanted["rating"]):
            mandate = completed[n % len(completed)]
            town = mandate["municipality_id"]
            rated.append(
                (mandate["id"], people[town].pop(), _score(rng, towns[town].rating_mean), town)
            )
        ids = await conn.fetch(
            "INSERT INTO rating (score, comment, comment_html, show_name, created_at, updated_at, "
            "mandate_id, user_id) SELECT s, '', '', false, $1, $1, m, u "
            "FROM unnest($2::int[], $3::int[], $4::int[]) WITH ORDINALITY AS t(m, u, s, n) "
            "ORDER BY n RETURNING id",
            now, [r[0] for r in rated], [r[1] for r in rated], [r[2] for r in rated],
        )  # fmt: skip
        for (mandate_id, user, score, town), row in zip(rated, ids, strict=True):
            new.append(
                Event("mandates:rating:created", "mandate", mandate_id, town, user,
                      {"mandate_id": mandate_id, "rating_id": row["id"], "score": score})
            )  # fmt: skip

    if wanted.get("visit"):
        new.extend(await _new_visits(conn, generated, wanted["visit"], now, rng, known[_VISIT]))

    rng.shuffle(new)
    for start in range(0, len(new), 500):
        async with in_transaction() as connection:
            for event in new[start : start + 500]:
                catalogue.check(event.name, event.payload)
                await events.write(connection, event)
    return {kind: n for kind, n in wanted.items() if n}


_VISIT = "visits:visit:recorded"


async def _new_people(
    conn: asyncpg.Connection, generated: Generated, count: int, now: datetime
) -> dict[int, list[int]]:
    """`count` new verified people in each town, who have signed and rated nothing yet."""
    first = await conn.fetchval("SELECT max(id) FROM account_user") + 1
    ids = {
        t.id: list(range(first + n * count, first + (n + 1) * count))
        for n, t in enumerate(generated.towns)
    }
    await conn.copy_records_to_table(
        "account_user",
        records=[
            (u, f"new{u}@bench.invalid", f"Neu {u}", True, now) for us in ids.values() for u in us
        ],
        columns=["id", "email", "display_name", "email_verified", "created_at"],
    )
    await conn.copy_records_to_table(
        "account_residence_declaration",
        records=[(u, town, "declared", now) for town, us in ids.items() for u in us],
        columns=["user_id", "municipality_id", "source", "declared_at"],
    )
    await _reset_sequences(conn)
    return ids


async def _new_visits(
    conn: asyncpg.Connection,
    generated: Generated,
    count: int,
    now: datetime,
    rng: random.Random,
    entry: object,
) -> list:
    from participation.outbox.envelope import Event

    rows = []
    for n in range(count):
        town = generated.towns[n % len(generated.towns)]
        k = rng.randrange(len(SERVICES))
        requested = now - timedelta(days=rng.expovariate(1 / town.service_days[k]))
        rows.append((f"new-{n}", "no_consent", now, requested, now, now, town.id, town.id * 10 + k))
    ids = await conn.fetch(
        "INSERT INTO visit_service_visit (jti, outcome, occurred_at, requested_at, completed_at, "
        "received_at, municipality_id, service_type_id) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], "
        "$5::timestamptz[], $6::timestamptz[], $7::int[], $8::int[]) RETURNING id, "
        "municipality_id, service_type_id",
        *[[r[i] for r in rows] for i in range(8)],
    )
    fields = getattr(entry, "fields", frozenset()) | getattr(entry, "optional", frozenset())
    events = []
    for row in ids:
        code = SERVICES[row["service_type_id"] % 10][0]
        values = {
            "visit_id": row["id"],
            "service_type": code,
            "service_type_id": row["service_type_id"],
            "service_type_code": code,
            "municipality_id": row["municipality_id"],
        }
        payload = {k: v for k, v in values.items() if k in fields}
        events.append(
            Event(
                _VISIT,
                getattr(entry, "subject_type", "service_visit"),
                row["id"],
                row["municipality_id"],
                None,
                payload,
            )
        )
    return events
