"""Following a mandate, a district, a topic or a vote, and the list of what one follows.

Launching and co-signing a mandate follow it without a row; following it explicitly adds
one, and unfollowing any subject keeps a row with `active` false, which beats both: the
dispatcher's kinds read it as "tell her no more about this", whatever else connects her.
A subject is named as the API names it: the id of a mandate, district or vote, or a
topic's name together with its municipality, since topics are words, not rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifications.models import Follow, FollowSubject
from participation import unit
from participation.actors import Actor
from participation.errors import InvalidInput, NotAuthenticated, NotFound
from participation.mandates import commands as mandates
from participation.mandates import lifecycle
from participation.mandates.models import Mandate, MandateTopic, Signature
from participation.mandates.rules import TOPIC_MAX, normalise_topics
from participation.messages import Message
from participation.municipalities.models import District, Municipality
from participation.votes import commands as votes

FOLLOWED = "followed"
LAUNCHED = "launched"
SIGNED = "signed"


@dataclass(frozen=True)
class Subject:
    """A followable thing as it is stored (`key`) and shown (`title`, `url`)."""

    type: FollowSubject
    key: str
    municipality_id: int
    municipality_slug: str
    title: str
    url: str


@dataclass(frozen=True)
class Followed:
    """One line of her follows: why (`followed`, `launched`, `signed`) and since when."""

    subject: Subject
    reason: str
    since: datetime | None


def _need(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAuthenticated(Message("Sign in first."))
    return actor


def _type(subject_type: str) -> FollowSubject:
    try:
        return FollowSubject(subject_type)
    except ValueError:
        raise NotFound(
            Message("Only mandates, districts, topics and votes can be followed.")
        ) from None


def _id(subject_id: str, gone: Message) -> int:
    if not subject_id.isascii() or not subject_id.isdigit() or len(subject_id) > 18:
        raise NotFound(gone)
    return int(subject_id)


async def _municipality(municipality_id: int) -> Municipality:
    return await Municipality.get(id=municipality_id)


async def _topic(actor: Actor | None, subject_id: str, municipality: str | None) -> Subject:
    if not municipality:
        raise InvalidInput.on("municipality", Message("Name the municipality whose topic this is."))
    place = await Municipality.get_or_none(slug=municipality[:64])
    if place is None:
        raise NotFound(Message("This municipality does not exist."))
    tags = normalise_topics([subject_id])
    gone = Message("Nothing in this municipality is about this topic.")
    if len(tags) != 1 or len(tags[0]) > TOPIC_MAX or "\x00" in tags[0]:
        raise NotFound(gone)
    used = await MandateTopic.filter(
        topic=tags[0],
        mandate__municipality_id=place.id,
        mandate__status__in=list(lifecycle.PUBLIC),
    ).exists()
    # A topic she follows stays hers to unfollow after its last mandate has gone.
    if not used and not (
        actor is not None
        and await Follow.filter(
            user_id=actor.user_id,
            municipality_id=place.id,
            subject_type=FollowSubject.TOPIC,
            subject_key=tags[0],
        ).exists()
    ):
        raise NotFound(gone)
    return Subject(
        FollowSubject.TOPIC,
        tags[0],
        place.id,
        place.slug,
        f"#{tags[0]}",
        f"/m/{place.slug}?topic={tags[0]}",
    )


async def resolve(
    actor: Actor | None, subject_type: str, subject_id: str, municipality: str | None = None
) -> Subject:
    """The subject if it exists and `actor` may see it; NotFound otherwise. `municipality`
    (a slug) names a topic's municipality and is not read for the other types."""
    kind = _type(subject_type)
    if kind is FollowSubject.TOPIC:
        return await _topic(actor, subject_id, municipality)
    if kind is FollowSubject.MANDATE:
        mandate = await mandates.get_visible(
            actor, _id(subject_id, Message("This mandate does not exist."))
        )
        place = await _municipality(mandate.municipality_id)
        return Subject(
            kind, str(mandate.id), place.id, place.slug, mandate.title, f"/mandates/{mandate.id}"
        )
    if kind is FollowSubject.VOTE:
        vote = await votes.get_visible(actor, _id(subject_id, Message("This vote does not exist.")))
        place = await _municipality(vote.municipality_id)
        return Subject(kind, str(vote.id), place.id, place.slug, vote.title, f"/votes/{vote.id}")
    gone = Message("This district does not exist.")
    district = await District.get_or_none(id=_id(subject_id, gone))
    if district is None:
        raise NotFound(gone)
    place = await _municipality(district.municipality_id)
    return Subject(
        kind,
        str(district.id),
        place.id,
        place.slug,
        district.name,
        f"/m/{place.slug}?district={district.slug}",
    )


async def _set(actor: Actor, subject: Subject, active: bool) -> bool:
    """Store the choice; True when it changed anything."""
    async with unit.atomic() as u:
        row = (
            await Follow.filter(
                user_id=actor.user_id,
                municipality_id=subject.municipality_id,
                subject_type=subject.type,
                subject_key=subject.key,
            )
            .using_db(u.conn)
            .select_for_update()
            .first()
        )
        if row is not None and row.active == active:
            return False
        if row is None:
            await Follow.create(
                user_id=actor.user_id,
                municipality_id=subject.municipality_id,
                subject_type=subject.type,
                subject_key=subject.key,
                active=active,
                using_db=u.conn,
            )
        else:
            row.active = active
            await row.save(using_db=u.conn, update_fields=["active"])
        await u.record(
            "notifications:follow:started" if active else "notifications:follow:ended",
            "user",
            actor.user_id,
            municipality_id=subject.municipality_id,
            actor_id=actor.user_id,
            user_id=actor.user_id,
            followed=subject.type.value,
            key=subject.key,
        )
    return True


async def follow(
    actor: Actor | None, subject_type: str, subject_id: str, municipality: str | None = None
) -> Subject:
    """Follow the subject; following it again changes nothing. Raises NotAuthenticated,
    NotFound (no such subject or municipality, or one she may not see) and InvalidInput
    (field `municipality`, for a topic without one)."""
    actor = _need(actor)
    subject = await resolve(actor, subject_type, subject_id, municipality)
    await _set(actor, subject, True)
    return subject


async def unfollow(
    actor: Actor | None, subject_type: str, subject_id: str, municipality: str | None = None
) -> Subject:
    """Stop following the subject, also where launching or co-signing followed it;
    repeating it changes nothing. Raises as `follow` does."""
    actor = _need(actor)
    subject = await resolve(actor, subject_type, subject_id, municipality)
    await _set(actor, subject, False)
    return subject


async def is_following(
    actor: Actor | None, subject_type: FollowSubject, key: str, municipality_id: int
) -> bool:
    """Whether she hears of the subject: an explicit row decides, else launching or
    co-signing a mandate."""
    if actor is None:
        return False
    row = await Follow.get_or_none(
        user_id=actor.user_id,
        municipality_id=municipality_id,
        subject_type=subject_type,
        subject_key=key,
    )
    if row is not None:
        return row.active
    if subject_type is not FollowSubject.MANDATE:
        return False
    mandate_id = int(key)
    launched = await Mandate.filter(id=mandate_id, initiator_id=actor.user_id).exists()
    return launched or await Signature.filter(mandate_id=mandate_id, user_id=actor.user_id).exists()


async def follows_of(actor: Actor | None) -> list[Followed]:
    """Everything she follows, explicit or by launching and co-signing, newest first;
    subjects deleted or hidden since are left out."""
    actor = _need(actor)
    rows = await Follow.filter(user_id=actor.user_id).order_by("-id")
    ended = {row.subject_key for row in rows if row.subject_type == FollowSubject.MANDATE}
    found: list[Followed] = []
    for row in rows:
        if row.active:
            await _add(
                found,
                actor,
                row.subject_type,
                row.subject_key,
                row.municipality_id,
                FOLLOWED,
                row.created_at,
            )
    launched = (
        await Mandate.filter(initiator_id=actor.user_id)
        .order_by("-id")
        .values_list("id", "created_at")
    )
    signed = (
        await Signature.filter(user_id=actor.user_id)
        .order_by("-id")
        .values_list("mandate_id", "created_at")
    )
    for reason, pairs in ((LAUNCHED, launched), (SIGNED, signed)):
        for mandate_id, since in pairs:
            if str(mandate_id) in ended:
                continue
            ended.add(str(mandate_id))
            await _add(found, actor, FollowSubject.MANDATE, str(mandate_id), None, reason, since)
    return found


async def _add(
    found: list[Followed],
    actor: Actor,
    subject_type: FollowSubject,
    key: str,
    municipality_id: int | None,
    reason: str,
    since: datetime | None,
) -> None:
    slug = None
    if subject_type is FollowSubject.TOPIC and municipality_id is not None:
        place = await Municipality.get_or_none(id=municipality_id)
        slug = place.slug if place else None
    try:
        subject = await resolve(actor, subject_type.value, key, slug)
    except (NotFound, InvalidInput):
        return
    found.append(Followed(subject, reason, since))
