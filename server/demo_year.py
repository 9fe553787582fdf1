"""The demo towns' last twelve months, told through the commands at the moments they tell of.

Each mandate is a story: launched, co-signed to quorum, assigned and answered (within the
town's working days), decided, worked on with measures and progress, completed, rated;
discussed, with a flag now and then that a moderator decides. Each service visit is one
too: the portal reports it signed with the town's key, the invitation it leads to is
scored and, sometimes, taken up. The promise clock runs every working morning, so an
answer that comes too late is first recorded as a missed promise. A fixed seed per
story makes every demo the same; server/demo_clock.py plays them in order.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import jwt

from notifications.visits.commands import AUDIENCE, give_satisfaction, record_visit
from notifications.visits.models import Invitation
from participation import clock
from participation.actors import Actor
from participation.answers import commands as answer_commands
from participation.costs import commands as cost_commands
from participation.council.promise import watch_promises
from participation.deliberation import commands as discussion
from participation.deliberation.models import SubjectType
from participation.deliberation.threads import thread_ids
from participation.mandates import commands
from participation.mandates.models import Mandate, Status
from participation.mandates.rating import RATEABLE, rate_outcome
from participation.moderation import commands as moderation
from participation.municipalities.calendar import WorkingCalendar
from participation.municipalities.models import Municipality
from participation.municipalities.queries import working_calendar
from participation.plans import commands as plans
from participation.votes import commands as vote_commands
from participation.votes.clockwork import advance_votes
from participation.votes.drafts import OptionDraft, VoteDraft
from participation.votes.queries import options_of
from server.demo_clock import Story, moved_clock, play
from server.demo_towns import SERVICES, TOWNS, Cast, found, operator

SEED = 13
MANDATES = 30
VISITS = 70
# Office hours in UTC, as in server/demo_history.py.
OPENS, CLOSES = 7, 16

# (title, summary, topics); the title gets the district's name.
SUBJECTS = [
    (
        "Tempo 30 vor der Grundschule in",
        "Langsamer fahren, wo Kinder zur Schule gehen.",
        ("verkehr", "schule"),
    ),
    (
        "Mehr Fahrradbügel in",
        "Sichere Abstellplätze für Pendlerinnen und Pendler.",
        ("radverkehr", "verkehr"),
    ),
    ("Ein Bücherschrank in", "Tauschen statt wegwerfen, an einem zentralen Platz.", ("bildung",)),
    (
        "Blühstreifen statt Rasen in",
        "Städtische Rasenflächen werden zu Blühwiesen.",
        ("grün", "klima"),
    ),
    (
        "Beleuchteter Fußweg in",
        "Der Weg ist abends dunkel und wird gemieden.",
        ("verkehr", "sicherheit"),
    ),
    ("Sanierung des Spielplatzes in", "Die Geräte sind alt, einige gesperrt.", ("familie",)),
    ("Trinkwasserbrunnen in", "Kostenloses Trinkwasser an heißen Tagen.", ("klima", "gesundheit")),
    (
        "Bürgersprechstunde vor Ort in",
        "Einmal im Monat kommt die Verwaltung ins Viertel.",
        ("verwaltung",),
    ),
    (
        "Zebrastreifen an der Hauptstraße in",
        "Die Querung ist für Ältere gefährlich.",
        ("verkehr", "senioren"),
    ),
    (
        "Schattenbäume am Marktplatz in",
        "Der Platz heizt sich im Sommer stark auf.",
        ("grün", "klima"),
    ),
    (
        "Öffentliche Toilette in",
        "Es gibt im Zentrum keine barrierefreie Toilette.",
        ("gesundheit",),
    ),
    ("Jugendtreff in", "Jugendliche brauchen einen Ort am Abend.", ("jugend",)),
]
BODY = (
    "## Worum es geht\n\n{summary}\n\n## Was wir beauftragen\n\n"
    "1. Eine Prüfung durch die Verwaltung\n2. Einen Zeitplan mit Kosten\n"
)
ANSWERS = [
    "Vielen Dank. Das Amt prüft den Vorschlag und meldet sich mit einem Zeitplan.",
    "Wir haben den Auftrag erhalten und prüfen Standort, Kosten und Zuständigkeit.",
    "Der Auftrag liegt dem Fachamt vor; eine Begehung ist geplant.",
]
REJECTIONS = [
    "Die Fläche gehört nicht der Stadt; ein Umbau ist dort nicht möglich.",
    "Die Kosten übersteigen den Haushalt dieses und des nächsten Jahres.",
    "Die Straßenverkehrsbehörde hat die Maßnahme nach Prüfung abgelehnt.",
]
COMMENTS = [
    ("Das ist überfällig, ich unterstütze das.", "for"),
    ("Wer soll das bezahlen? Erst die Kosten klären.", "against"),
    ("Gute Idee, aber bitte mit den Anwohnenden sprechen.", "neutral"),
    ("Ich wohne dort und sehe das Problem jeden Tag.", "for"),
    ("Es gibt dringendere Aufgaben in der Stadt.", "against"),
    ("Wie sieht der Zeitplan aus?", "neutral"),
]
VOTES = [
    ("Wofür soll der Bürgerhaushalt reichen?", ["Spielgeräte", "Sitzbänke", "Radständer"]),
    ("Wie soll der Marktplatz aussehen?", ["Mehr Bäume", "Wasserspiel", "Mehr Sitzplätze"]),
]
TAKING_PART = "Die Einladung kam zur rechten Zeit, ich bin dafür."


def _office(moment: datetime, rng: random.Random) -> datetime:
    """The first moment in office hours of a weekday at or after `moment`."""
    while True:
        if moment.hour < OPENS:
            moment = moment.replace(hour=OPENS, minute=rng.randrange(60))
        if moment.weekday() < 5 and moment.hour < CLOSES:
            return moment.replace(second=0, microsecond=0)
        moment = (moment + timedelta(days=1)).replace(hour=OPENS, minute=rng.randrange(60))


def _after(moment: datetime, rng: random.Random, low: float, high: float) -> datetime:
    """Some days (from `low` to `high`) later, in office hours."""
    return _office(
        moment + timedelta(days=rng.uniform(low, high), minutes=rng.randrange(1, 30)), rng
    )


def _on(day: date, rng: random.Random, earliest: datetime) -> datetime:
    """A moment in the office hours of `day`, after `earliest`."""
    moment = datetime.combine(day, time(rng.randrange(OPENS, CLOSES - 1), rng.randrange(60)), UTC)
    return _office(max(moment, earliest + timedelta(minutes=rng.randrange(10, 60))), rng)


def _score(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices(range(1, 6), weights=weights)[0]


async def seed_towns(
    now: datetime | None = None, mandates: int = MANDATES, visits: int = VISITS
) -> None:
    """Found the demo towns a little over a year before `now`, then tell their year up to
    it: `mandates` mandates and `visits` service visits in each (tests tell a shorter one)."""
    now = now or clock.now()
    with moved_clock(now - timedelta(days=365 + 14)):
        founder = await operator()
        casts = [await found(founder, town) for town in TOWNS]
    start = now - timedelta(days=365)
    stories: list[Story] = [_promise_clock(start)]
    for cast in casts:
        calendar = await working_calendar(await Municipality.get(slug=cast.town.slug))
        stories += [_mandate(cast, calendar, n, mandates, start) for n in range(mandates)]
        stories += [_visit(cast, n, start) for n in range(visits)]
        stories += [_vote(cast, n, start) for n in range(len(VOTES))]
    await play(stories, now)


async def _promise_clock(start: datetime) -> Story:
    """The promise clock on every working morning (it runs every minute on a server)."""
    day = start
    while True:
        day += timedelta(days=1)
        if day.weekday() < 5:
            yield day.replace(hour=OPENS, minute=5, second=0, microsecond=0)
            await watch_promises()


async def _mandate(
    cast: Cast, calendar: WorkingCalendar, n: int, count: int, start: datetime
) -> Story:
    """The `n`th of `count` mandates, launched at its point of the year and told on."""
    town = cast.town
    rng = random.Random(f"{SEED}:{town.slug}:mandate:{n}")
    t = _office(start + timedelta(days=340 * (n + rng.random()) / count), rng)
    yield t
    stem, summary, topics = SUBJECTS[(n + len(town.slug)) % len(SUBJECTS)]
    # A subject that comes round again comes from another district.
    district = (n + n // len(SUBJECTS)) % len(cast.districts)
    initiator, *others = rng.sample(cast.citizens, town.quorum + 4)
    mandate = await commands.launch_mandate(
        initiator,
        town.slug,
        title=f"{stem} {town.districts[district]}",
        summary=summary,
        body=BODY.format(summary=summary),
        district=cast.districts[district],
        topics=list(topics),
    )
    t = _after(t, rng, 0.1, 2)
    yield t
    await commands.publish_mandate(initiator, mandate.id)
    thread_id = (await thread_ids(SubjectType.MANDATE, [mandate.id]))[mandate.id]
    signers, bystanders = others[: town.quorum - 1], others[town.quorum - 1 :]
    for number, signer in enumerate(signers):
        t = _after(t, rng, 0.3, 5)
        yield t
        await commands.sign_mandate(signer, mandate.id)
        if number == 1:
            t = _after(t, rng, 0.1, 2)
            yield t
            async for moment in _discussion(cast, thread_id, bystanders, t, rng):
                t = moment
                yield t
    submitted = t
    t = _office(t + timedelta(minutes=rng.randrange(10, 180)), rng)
    yield t
    department = cast.departments[rng.randrange(len(cast.departments))]
    await answer_commands.assign_mandate(cast.council, mandate.id, department, cast.council.user_id)
    t = _office(t + timedelta(minutes=rng.randrange(5, 90)), rng)
    yield t
    await commands.transition_mandate(cast.council, mandate.id, Status.IN_REVIEW)
    answer_day = calendar.add_working_days(
        calendar.local_date(submitted), rng.randint(*town.answer_days)
    )
    t = _on(answer_day, rng, t)
    yield t
    await answer_commands.respond_to_mandate(
        cast.council, mandate.id, "first_answer", rng.choice(ANSWERS)
    )
    fate = rng.random()
    if fate < 0.15:
        return  # still under review
    t = _after(t, rng, *town.decide_days)
    yield t
    if fate < 0.4:
        await commands.transition_mandate(
            cast.council, mandate.id, Status.REJECTED, rng.choice(REJECTIONS)
        )
    else:
        async for moment in _work(cast, mandate.id, department, t, rng):
            t = moment
            yield t
    if (await Mandate.get(id=mandate.id)).status in RATEABLE:
        async for moment in _ratings(cast, mandate.id, signers, t, rng):
            yield moment


async def _work(
    cast: Cast, mandate_id: int, department: int, t: datetime, rng: random.Random
) -> Story:
    """Accepted, worked on with a measure whose progress is reported, completed at last."""
    council = cast.council
    await commands.transition_mandate(council, mandate_id, Status.ACCEPTED)
    t = _after(t, rng, 2, 8)
    yield t
    await commands.transition_mandate(council, mandate_id, Status.IN_PROGRESS)
    if rng.random() < 0.4:
        analysis = await cost_commands.create_cost_analysis(
            council,
            mandate_id,
            title="Kostenschätzung",
            items=[
                {
                    "description": "Planung und Umsetzung",
                    "category": "services",
                    "kind": "one_off",
                    "amount_cents": rng.randrange(5_000, 90_000) * 100,
                    "funding_source": "Haushalt",
                }
            ],
        )
        await cost_commands.publish_cost_analysis(council, analysis.id)
    duration = rng.uniform(*cast.town.complete_days)
    finish = t + timedelta(days=duration)
    measure = await plans.create_measure(
        council,
        mandate_id,
        title="Umsetzung",
        planned_start=t.date(),
        planned_end=finish.date(),
        department_id=department,
        weight=1,
    )
    t = _after(t, rng, 1, 4)
    yield t
    await plans.update_measure(council, measure.id, status="in_progress", progress_percent=10)
    # Progress reported about monthly: each report is a public update of the work.
    for percent in range(30, 100, 30):
        t = _after(t, rng, 20, 35)
        if t >= finish:
            break
        yield t
        await plans.update_measure(council, measure.id, progress_percent=percent)
    if rng.random() < 0.25:
        return  # still in progress
    t = _after(max(t, finish), rng, 0, 2)
    yield t
    await plans.update_measure(council, measure.id, status="done")
    t = _after(t, rng, 0.5, 4)
    yield t
    await commands.transition_mandate(council, mandate_id, Status.COMPLETED)


async def _ratings(
    cast: Cast, mandate_id: int, signers: list[Actor], t: datetime, rng: random.Random
) -> Story:
    """Some co-signers rate the outcome, within a few weeks of it."""
    for signer in rng.sample(signers, rng.randint(1, len(signers))):
        t = _after(t, rng, 0.5, 10)
        yield t
        await rate_outcome(signer, mandate_id, _score(rng, cast.town.rating_weights))


async def _discussion(
    cast: Cast, thread_id: int, people: list[Actor], t: datetime, rng: random.Random
) -> Story:
    """A few comments; now and then one is flagged and a moderator decides."""
    posted = []
    for person in rng.sample(people, rng.randint(1, 3)):
        body, stance = rng.choice(COMMENTS)
        posted.append(await discussion.post_comment(person, thread_id, body, stance))
        t = _after(t, rng, 0.05, 1)
        yield t
    if rng.random() < 0.4:
        flagger = next(p for p in cast.citizens if p not in people)
        await moderation.flag_comment(flagger, posted[0].id, "off_topic")
        t = t + timedelta(hours=rng.uniform(*cast.town.moderation_hours))
        yield t
        reason = "Der Beitrag gehört zum Thema."
        if rng.random() < 0.3:
            await moderation.hide_comment(cast.moderator, posted[0].id, "Nicht zum Thema.")
        else:
            await moderation.dismiss_flags(cast.moderator, posted[0].id, reason)


async def _vote(cast: Cast, n: int, start: datetime) -> Story:
    """A town-wide approval vote: two weeks open, then counted and published."""
    rng = random.Random(f"{SEED}:{cast.town.slug}:vote:{n}")
    title, options = VOTES[n]
    t = _office(start + timedelta(days=60 + 150 * n + rng.uniform(0, 60)), rng)
    yield t
    council = cast.council
    opens, closes = t + timedelta(days=2), t + timedelta(days=16)
    vote = await vote_commands.create_vote(
        council,
        VoteDraft(title=title, opens_at=opens, closes_at=closes),
        [OptionDraft(option) for option in options],
        municipality_slug=cast.town.slug,
    )
    await vote_commands.schedule_vote(council, vote.id)
    # The vote clock's job opens, closes and publishes it on time, as on a server.
    yield opens + timedelta(minutes=1)
    await advance_votes()
    choices = [o.id for o in await options_of(vote.id)]
    t = opens
    for voter in rng.sample(cast.citizens, rng.randint(10, 18)):
        t += timedelta(hours=rng.uniform(2, 15))
        yield t
        await vote_commands.cast_ballot(voter, vote.id, rng.sample(choices, rng.randint(1, 2)))
    yield closes + timedelta(minutes=1)
    await advance_votes()


async def _visit(cast: Cast, n: int, start: datetime) -> Story:
    """A visit to the town's offices, reported by its portal; the invitation it leads to."""
    town = cast.town
    rng = random.Random(f"{SEED}:{town.slug}:visit:{n}")
    code = rng.choices([s[0] for s in SERVICES], weights=(5, 3, 2))[0]
    completed = _office(start + timedelta(days=rng.uniform(3, 362)), rng)
    requested = completed - timedelta(days=rng.uniform(*town.service_days[code]))
    yield completed
    resident = rng.randrange(len(cast.citizens) + 6)
    if resident < len(cast.citizens):
        email = f"buerger{resident + 1}@{town.domain}"
        district = cast.districts[(resident + 1) % len(cast.districts)]
    else:
        email, district = f"gast{n}@besuch.example", rng.choice(cast.districts)
    now = clock.now()
    claims = {
        "iss": town.slug,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": str(uuid.UUID(int=rng.getrandbits(128))),
        "service_type": code,
        "district": district,
        "occurred_at": completed.isoformat(),
        "requested_at": requested.isoformat(),
        "completed_at": completed.isoformat(),
        "email": email,
    }
    token = jwt.encode(
        claims, cast.portal, algorithm="EdDSA", headers={"kid": str(cast.portal_key_id)}
    )
    if await record_visit(town.slug, token) != "invited":
        return
    invitation = await Invitation.filter(user__email=email).order_by("-id").first()
    assert invitation is not None
    if rng.random() < 0.7:
        yield _after(completed, rng, 0.1, 3)
        await give_satisfaction(invitation.token, _score(rng, town.service_weights))
    if rng.random() < 0.45 and invitation.target == "mandate":
        yield _after(clock.now(), rng, 0.2, 6)
        thread_id = (await thread_ids(SubjectType.MANDATE, [invitation.target_id]))[
            invitation.target_id
        ]
        person = cast.citizens[resident]
        await discussion.post_comment(person, thread_id, TAKING_PART, "for")
