"""A municipality with something public in every open-data set, and things that must stay
out: a draft, a hidden comment, an unpublished cost revision, people with addresses."""

from __future__ import annotations

from dataclasses import dataclass

from participation.actors import Actor
from participation.costs.models import CostRevision
from participation.mandates import commands as mandate_commands
from participation.mandates.models import Mandate, Status
from participation.moderation import commands as moderation_commands
from participation.municipalities.models import Municipality
from participation.votes import commands as vote_commands
from participation.votes.models import Vote, VoteStatus
from tests.factories import answers, deliberation, plans, votes
from tests.factories.accounts import council_member, person
from tests.factories.mandates import mandate
from tests.factories.moderation import moderator
from tests.factories.municipalities import municipality

CONTACT = "rathaus@musterdorf.example"
AGS = "05315000"
HIDDEN_TEXT = "Streng geheimer versteckter Kommentartext"
DRAFT_TITLE = "Geheimer Entwurf eines Auftrags"
DRAFT_COSTS = "Unveröffentlichte Kostenschätzung"


@dataclass(frozen=True)
class Town:
    town: Municipality
    initiator: Actor
    council: Actor
    author: Actor
    moderator: Actor
    mandate: Mandate
    draft: Mandate
    vote: Vote

    @property
    def people(self) -> tuple[Actor, ...]:
        return (self.initiator, self.council, self.author, self.moderator)


async def town(slug: str = "musterdorf", name: str = "Musterdorf") -> Town:
    place = await municipality(slug, name=name, quorum=2)
    await Municipality.filter(id=place.id).update(
        official_key=AGS, state="NW", contact_email=CONTACT, population=12_000
    )
    place = await Municipality.get(id=place.id)
    initiator = await person(
        email=f"ida.initiatorin@{slug}.example.org", name="Ida Initiatorin", lives_in=place
    )
    council = await council_member(place)
    subject = await mandate(
        initiator,
        place,
        Status.IN_REVIEW,
        title="Radweg an der Hauptstraße",
        council=council,
        topics=["radverkehr"],
    )
    await answers.response(council, subject.id, body="Wir prüfen den Radweg.")
    await mandate_commands.transition_mandate(council, subject.id, Status.ACCEPTED)
    step = await plans.measure(council, subject, title="Radweg markieren")
    await plans.cost_analysis(subject, one_off_cents=120_000, measure=step)
    hidden = await plans.cost_analysis(subject, one_off_cents=999_999, published=False)
    await CostRevision.filter(analysis_id=hidden.id).update(title=DRAFT_COSTS)
    draft = await mandate(initiator, place, Status.DRAFT, title=DRAFT_TITLE)
    author = await person(
        email=f"anna.autorin@{slug}.example.org", name="Anna Autorin", lives_in=place
    )
    watcher = await moderator(place)
    thread = await deliberation.thread_of(subject)
    comment = await deliberation.comment(author, thread, HIDDEN_TEXT)
    await moderation_commands.hide_comment(watcher, comment.id, "Beleidigung")
    ballot = await votes.vote(council, place, VoteStatus.OPEN)
    options = await votes.option_ids(ballot.id)
    for choices in ([options[0]], [options[0], options[1]]):
        await vote_commands.cast_ballot(await person(lives_in=place), ballot.id, choices)
    await vote_commands.close_vote(council, ballot.id, "Schluss.")
    await vote_commands.publish_vote(council, ballot.id)
    return Town(
        place,
        initiator,
        council,
        author,
        watcher,
        await Mandate.get(id=subject.id),
        draft,
        await Vote.get(id=ballot.id),
    )
