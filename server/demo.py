"""Demo data for `auftrag serve --demo`: Musterstadt with districts, people and mandates,
and two more towns with a year of history (server/demo_towns.py, server/demo_year.py).

Everything goes through the same commands a user would trigger, so timelines,
counters and events look exactly like real ones; then server/demo_history.py spreads
Musterstadt's timelines over the weeks they describe, and the figures are rebuilt from
the records. Seeding twice changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from notifications.visits import offer
from participation import clock
from participation.accounts.authorization.actors import load_actor
from participation.accounts.identity.commands import ensure_user
from participation.accounts.residency.verification import verify_resident
from participation.actors import Actor
from participation.answers import commands as answer_commands
from participation.deliberation import commands as discussion
from participation.deliberation.models import SubjectType
from participation.deliberation.threads import thread_ids
from participation.live.bus import make_bus
from participation.mandates import commands
from participation.mandates.models import Status
from participation.mandates.rating import rate_outcome
from participation.metrics.rebuild import rebuild
from participation.municipalities import departments
from participation.municipalities.models import Department, District, Municipality
from participation.outbox import consumers
from participation.outbox.models import OutboxConsumer, OutboxEvent
from participation.permissions import Role
from participation.plans import commands as plan_commands
from participation.votes import commands as vote_commands
from participation.votes.drafts import OptionDraft, VoteDraft
from participation.votes.models import Rule
from participation.votes.queries import options_of
from server.demo_costs import seed_costs
from server.demo_history import spread_history
from server.demo_year import seed_towns

SLUG = "demo"
# At most so many batches per outbox consumer when the seeded events are handed over.
ROUNDS = 100
MOBILITY = ("mobilität", "verkehr", "radverkehr")
DISTRICTS = [
    ("altstadt", "Altstadt"),
    ("nordviertel", "Nordviertel"),
    ("suedstadt", "Südstadt"),
    ("hafen", "Hafen"),
]
PEOPLE = [
    ("anna@demo.example", "Anna Berger", Role.CITIZEN),
    ("ben@demo.example", "Ben Okafor", Role.CITIZEN),
    ("rat@demo.example", "Ratsmitglied Schulz", Role.COUNCIL),
    ("moderation@demo.example", "Moderation", Role.MODERATOR),
    ("admin@demo.example", "Verwaltung", Role.ADMIN),
]

MANDATES = [
    (
        "anna@demo.example",
        "Bürgerauftrag Energieeffizienz in städtischen Gebäuden",
        "Schulen, Rathaus und Bäder verbrauchen zu viel Energie. Wir beauftragen die Stadt, "
        "einen Sanierungsfahrplan mit Kosten und Einsparungen vorzulegen.",
        "## Worum es geht\n\nDie Stadt heizt und beleuchtet über 40 Gebäude. "
        "Ein Energiebericht fehlt seit Jahren.\n\n"
        "## Was wir beauftragen\n\n1. Verbrauchsdaten aller Gebäude veröffentlichen\n"
        "2. Die fünf größten Verbraucher zuerst sanieren\n3. Jährlich öffentlich berichten\n",
        "altstadt",
        ["energie", "klima"],
        [Status.COLLECTING],
        12,
    ),
    (
        "ben@demo.example",
        "Sichere Radwege zur Gesamtschule Nord",
        "Der Schulweg über die Hafenstraße ist gefährlich. Wir fordern einen "
        "geschützten Radweg bis zum Schuljahresbeginn.",
        "Jeden Morgen fahren über 300 Kinder über die Hafenstraße.\n\n"
        "- durchgehender, baulich getrennter Radweg\n- sichere Querung an der Ampel Nordring\n",
        "nordviertel",
        ["verkehr", "schule"],
        [Status.COLLECTING],
        24,
    ),
    (
        "anna@demo.example",
        "Mehr Bänke und Schatten im Stadtpark",
        "Ältere Menschen und Familien brauchen Sitzplätze und Schatten im Stadtpark.",
        "Wir wünschen uns 20 neue Bänke und 15 Bäume entlang der Hauptwege.",
        "suedstadt",
        ["grün", "senioren"],
        [Status.COLLECTING, Status.SUBMITTED],
        30,
    ),
    (
        "ben@demo.example",
        "Öffentliche Trinkbrunnen in der Innenstadt",
        "Kostenloses Trinkwasser an fünf Plätzen der Innenstadt, besonders für heiße Sommer.",
        "Andere Städte zeigen, dass Trinkbrunnen günstig und beliebt sind.",
        "altstadt",
        ["klima", "gesundheit"],
        [
            Status.COLLECTING,
            Status.SUBMITTED,
            Status.IN_REVIEW,
            Status.ACCEPTED,
            Status.IN_PROGRESS,
        ],
        30,
    ),
    (
        "anna@demo.example",
        "Digitale Terminvergabe im Bürgeramt",
        "Termine im Bürgeramt sollen online buchbar sein, mit Erinnerung per E-Mail.",
        "Lange Schlangen vor dem Bürgeramt kosten alle Zeit.",
        None,
        ["verwaltung", "digitales"],
        [
            Status.COLLECTING,
            Status.SUBMITTED,
            Status.IN_REVIEW,
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.COMPLETED,
        ],
        30,
    ),
    (
        "ben@demo.example",
        "Parkhaus am Hafen abreißen",
        "Das Parkhaus am Hafen soll einem Park weichen.",
        "Das Parkhaus ist halb leer und hässlich.",
        "hafen",
        ["verkehr"],
        [Status.COLLECTING, Status.SUBMITTED, Status.IN_REVIEW, Status.REJECTED],
        30,
    ),
    (
        "anna@demo.example",
        "Offene Bibliothek am Sonntag",
        "Die Stadtbibliothek soll sonntags als offener Lern- und Begegnungsort öffnen.",
        "Entwurf: Wir sammeln noch Ideen.",
        None,
        ["bildung"],
        [],
        0,
    ),
]

ENERGY = "Bürgerauftrag Energieeffizienz in städtischen Gebäuden"
FOUNTAINS = "Öffentliche Trinkbrunnen in der Innenstadt"

BUDGET_PROJECTS = [
    ("Spielplatz am Mühlbach", "Neue Geräte für Kinder bis zwölf Jahre.", 45_000_00),
    ("Radweg zur Gesamtschule", "Ein sicherer, beleuchteter Schulweg.", 60_000_00),
    ("Trinkbrunnen am Markt", "Kostenloses Trinkwasser im Sommer.", 15_000_00),
    ("Bänke und Schatten im Stadtpark", "Zwölf Bänke und vier Sonnensegel.", 20_000_00),
    ("Bücherschrank an der Haltestelle", "Tauschen statt wegwerfen.", 5_000_00),
]

# Which of BUDGET_PROJECTS the demo's voters chose; each ballot fits the budget.
BUDGET_BALLOTS = [(0, 2), (1, 3), (0, 3, 4), (1, 2, 4), (2, 3, 4), (0, 2, 3)]

MEASURES = [
    "LED-Beleuchtung in allen Schulen",
    "Heizungsoptimierung im Rathaus",
    "Solaranlagen auf den Turnhallen",
    "Energiemonitoring für alle Gebäude",
]

REASONS = {
    Status.REJECTED: "Das Parkhaus ist bis 2031 verpachtet; ein Abriss ist vorher nicht möglich.",
}


async def seed(towns: bool = True) -> bool:
    """Create the demo municipality and its content, and with `towns` the two demo towns
    with their year (server/demo_year.py); False if the demo already exists."""
    if await Municipality.exists(slug=SLUG):
        return False
    municipality = await Municipality.create(
        slug=SLUG,
        name="Musterstadt",
        default_quorum=30,
        signature_period_days=60,
        service_promise_days=3,
        state="BB",
        # Well formed for Brandenburg (12…) and fictional, like the town.
        official_key="12999999",
        contact_email="rathaus@musterstadt.example",
        contact_phone="+49 3399 1000",
        contact_address="Stadt Musterstadt\nMarkt 1\n14999 Musterstadt",
    )
    await District.bulk_create(
        [District(municipality_id=municipality.id, slug=s, name=n) for s, n in DISTRICTS]
    )
    people = {}
    for email, name, role in PEOPLE:
        user = await ensure_user(
            email,
            display_name=name,
            role=role,
            municipality_slug=SLUG,
            verified=True,
            declare=True,
        )
        people[email] = await load_actor(user.id)
    signers = []
    for n in range(1, 31):
        user = await ensure_user(
            f"buerger{n}@demo.example",
            display_name=f"Bürger:in {n}",
            municipality_slug=SLUG,
            verified=True,
            declare=True,
            # The first 18 vote in the Nordviertel budget vote; the others live elsewhere in town.
            district_slug="nordviertel" if n <= 18 else DISTRICTS[n % len(DISTRICTS)][0],
        )
        if n % 3:
            # Most demo citizens were confirmed as residents, so the counts show both kinds.
            await verify_resident(people["admin@demo.example"], SLUG, user.email)
        signers.append(await load_actor(user.id))
    council = people["rat@demo.example"]
    launched: dict[str, int] = {}
    # The council answers these two while reviewing them, and decides after the answer.
    decided_later: list[tuple[int, list[Status]]] = []
    for email, title, summary, body, district, topics, path, signatures in MANDATES:
        initiator = people[email]
        mandate = await commands.launch_mandate(
            initiator,
            SLUG,
            title=title,
            summary=summary,
            body=body,
            district=district,
            topics=topics,
        )
        if title in (FOUNTAINS, CAR_PARK):
            cut = path.index(Status.IN_REVIEW) + 1
            path, later = path[:cut], path[cut:]
            decided_later.append((mandate.id, later))
        for status in path:
            if status == Status.COLLECTING:
                await commands.publish_mandate(initiator, mandate.id)
                for signer in signers[: signatures - 1]:
                    await commands.sign_mandate(signer, mandate.id)
            elif status != Status.SUBMITTED:
                await commands.transition_mandate(council, mandate.id, status, REASONS.get(status))
        launched[title] = mandate.id
    await _seed_answers(people["admin@demo.example"], council, launched)
    for mandate_id, later in decided_later:
        for status in later:
            await commands.transition_mandate(council, mandate_id, status, REASONS.get(status))
    await _seed_votes(council, signers, launched)
    await seed_costs(council)
    await _seed_plan(council, municipality, launched[FOUNTAINS])
    await _seed_ratings(signers, launched[CAR_PARK])
    await _seed_discussion(people, council, launched[FOUNTAINS])
    await _seed_services(people["admin@demo.example"])
    if towns:
        # Before Musterstadt's history is spread: the towns' promise clock runs in the
        # past and must not find Musterstadt's mandates overdue there.
        await seed_towns()
    # Last: the history above happened in a minute; spread it over the weeks it tells of.
    await spread_history(municipality)
    # The figures count the records where they now are, not where the commands left them.
    await rebuild()
    await _deliver_events()
    return True


async def _deliver_events() -> None:
    """Hand the demo's events to every outbox consumer now, as a server would have as they
    happened: a server started on a fresh demo then begins with no year-long backlog that
    would keep SQLite's one writer busy while its first requests and commands wait."""
    newest = await OutboxEvent.all().order_by("-id").first()
    if newest is None:
        return
    bus = make_bus(None)
    await bus.start()
    try:
        for runner in consumers.runners({"bus": bus, "jobs": None}):
            # A batch hands over what matches; the watermark then moves a window at a time.
            for _ in range(ROUNDS):
                handed = await runner.run_once()
                done = await OutboxConsumer.get(name=runner.name)
                if not handed and done.watermark >= newest.id:
                    break
    finally:
        await bus.stop()


# The portal's services; re-registration leads to the new district's consultations,
# vehicle registration and the resident parking permit to mobility topics.
SERVICES = [
    ("residence.registration", "Ummeldung", "Re-registration", (), True),
    ("id_card.collection", "Ausweisabholung", "ID card collection", (), True),
    ("vehicle.registration", "Kfz-Zulassung", "Vehicle registration", MOBILITY, False),
    ("parking.resident_permit", "Anwohnerparkausweis", "Resident parking permit", MOBILITY, True),
    ("waste.bulky_pickup", "Sperrmüllabholung", "Bulky waste pickup", ("grün", "klima"), False),
]


async def _seed_services(admin: Actor | None) -> None:
    await offer.replace_catalogue(
        admin, SLUG, [offer.Service(code, de, en) for code, de, en, _, _ in SERVICES]
    )
    rules = tuple(offer.Rule(code, topics, district) for code, _, _, topics, district in SERVICES)
    await offer.replace_invitation_rules(admin, SLUG, offer.Rules(14, rules))


CAR_PARK = "Parkhaus am Hafen abreißen"
# Scores of the first co-signers of the rejected car park mandate, some with a comment;
# the completed one is left for visitors to rate.
RATINGS = [
    (4, "Die Absage ist nachvollziehbar begründet, der Pachtvertrag war mir neu.", True),
    (2, "Bis 2031 zu warten ist enttäuschend.", False),
    (3, None, False),
    (4, "Gut, dass die Fläche danach geprüft wird.", False),
    (3, None, False),
    (2, None, False),
]


async def _seed_ratings(signers: list[Actor | None], mandate_id: int) -> None:
    """Co-signers rate the rejected car park mandate, so an outcome's ratings show."""
    for signer, (score, comment, show_name) in zip(signers, RATINGS, strict=False):
        await rate_outcome(signer, mandate_id, score, comment, show_name)


DEPARTMENTS = ["Tiefbauamt", "Amt für Grünflächen", "Bürgeramt", "Gebäudemanagement"]


async def _seed_answers(
    admin: Actor | None, council: Actor | None, mandates: dict[str, int]
) -> None:
    """Departments, and official answers on the fountains and the car park."""
    made = {name: await departments.create_department(admin, SLUG, name) for name in DEPARTMENTS}
    fountains = mandates["Öffentliche Trinkbrunnen in der Innenstadt"]
    assert council is not None
    await answer_commands.assign_mandate(council, fountains, made["Tiefbauamt"].id, council.user_id)
    await answer_commands.respond_to_mandate(
        council,
        fountains,
        "decision",
        "Der Rat hat die fünf Trinkbrunnen beschlossen. Das **Tiefbauamt** baut sie bis "
        "zum Sommer; die Standorte stehen in der Vorlage.",
        council_paper_reference="DS 2026/041",
        council_paper_url="https://ris.musterstadt.example/vorlage/2026-041",
    )
    await answer_commands.respond_to_mandate(
        council,
        mandates["Parkhaus am Hafen abreißen"],
        "decision",
        "Das Parkhaus ist bis 2031 verpachtet. Wir prüfen die Fläche für die Zeit danach.",
    )


async def _seed_votes(
    council: Actor | None, signers: list[Actor | None], mandates: dict[str, int]
) -> None:
    """An open district budget vote, and a published ranked vote on the energy mandate."""
    now = clock.now()
    budget = await vote_commands.create_vote(
        council,
        VoteDraft(
            title="Bürgerhaushalt Nordviertel 2027",
            description=(
                "Das Nordviertel verteilt **100.000 €**. Wähle die Projekte, die du "
                "unterstützt; gezählt wird nach der Methode der gleichen Anteile."
            ),
            rule=Rule.MES,
            budget_cents=100_000_00,
            district="nordviertel",
            opens_at=now + timedelta(minutes=1),
            closes_at=now + timedelta(days=21),
        ),
        [OptionDraft(title, text, cost) for title, text, cost in BUDGET_PROJECTS],
        municipality_slug=SLUG,
    )
    await vote_commands.schedule_vote(council, budget.id)
    await vote_commands.open_vote(council, budget.id)
    projects = [o.id for o in await options_of(budget.id)]
    for n, signer in enumerate(signers[:18]):
        chosen = BUDGET_BALLOTS[n % len(BUDGET_BALLOTS)]
        await vote_commands.cast_ballot(signer, budget.id, [projects[i] for i in chosen])

    ranked = await vote_commands.create_vote(
        council,
        VoteDraft(
            title="Welche Maßnahme zuerst?",
            description="Ordne die Maßnahmen des Aktionsplans: 1 ist deine erste Wahl.",
            rule=Rule.IRV,
            opens_at=now + timedelta(minutes=1),
            closes_at=now + timedelta(days=14),
        ),
        [OptionDraft(title) for title in MEASURES],
        mandate_id=mandates[ENERGY],
    )
    await vote_commands.schedule_vote(council, ranked.id)
    await vote_commands.open_vote(council, ranked.id)
    measures = [o.id for o in await options_of(ranked.id)]
    for n, signer in enumerate(signers[:25]):
        first = (0, 1, 2, 0, 1)[n % 5]
        order = [measures[first], *(m for i, m in enumerate(measures) if i != first)]
        await vote_commands.cast_ballot(signer, ranked.id, order)
    await vote_commands.close_vote(council, ranked.id, "Die Bürgerversammlung hat abgestimmt.")
    await vote_commands.publish_vote(council, ranked.id)


async def _seed_plan(council: Actor | None, municipality: Municipality, mandate_id: int) -> None:
    """The fountains' action plan: one measure done, one under way with milestones ahead."""
    today = clock.now().date()
    office = await Department.get(municipality_id=municipality.id, name="Tiefbauamt")
    survey = await plan_commands.create_measure(
        council,
        mandate_id,
        title="Standorte prüfen",
        description="Wasseranschlüsse und Platz an fünf Plätzen der Innenstadt prüfen.",
        planned_start=today - timedelta(days=60),
        planned_end=today - timedelta(days=20),
        department_id=office.id,
        weight=1,
    )
    await plan_commands.update_measure(council, survey.id, status="in_progress")
    await plan_commands.update_measure(council, survey.id, status="done")
    build = await plan_commands.create_measure(
        council,
        mandate_id,
        title="Fünf Trinkbrunnen bauen",
        description="Bau und Anschluss der Brunnen, **barrierefrei** erreichbar.",
        planned_start=today - timedelta(days=10),
        planned_end=today + timedelta(days=120),
        department_id=office.id,
        weight=3,
    )
    await plan_commands.update_measure(council, build.id, status="in_progress", progress_percent=40)
    await plan_commands.add_milestone(
        council, build.id, title="Aufträge vergeben", day=today - timedelta(days=5)
    )
    await plan_commands.add_milestone(
        council, build.id, title="Erster Brunnen am Markt", day=today + timedelta(days=30)
    )


async def _seed_discussion(
    people: dict[str, Actor | None], council: Actor | None, mandate_id: int
) -> None:
    """Both sides of an argument and the council's statement, so the balanced view shows."""
    thread_id = (await thread_ids(SubjectType.MANDATE, [mandate_id]))[mandate_id]
    anna, ben = people["anna@demo.example"], people["ben@demo.example"]
    pro = await discussion.post_comment(
        anna,
        thread_id,
        "Im Sommer 2025 gab es zwölf Hitzetage. Wer in der Innenstadt einkauft, braucht "
        "Wasser, ohne etwas kaufen zu müssen.",
        "for",
    )
    await discussion.post_comment(
        ben,
        thread_id,
        "Die Wartung kostet jedes Jahr Geld, und an der Marktstraße steht schon ein Brunnen, "
        "der oft außer Betrieb ist. Erst den reparieren!",
        "against",
    )
    await discussion.post_comment(
        ben, thread_id, "Einverstanden, wenn der Brunnen am Markt mit dabei ist.", parent_id=pro.id
    )
    await discussion.post_comment(
        council,
        thread_id,
        "Der Brunnen an der Marktstraße wird im Rahmen der Maßnahme mit erneuert; die "
        "Wartungskosten stehen in der Kostenanalyse.",
        official=True,
    )
