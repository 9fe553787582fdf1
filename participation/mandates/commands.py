"""One function per user action on mandates; each checks, validates, writes and records events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from participation import clock
from participation.accounts.actors import Actor
from participation.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from participation.mandates import counter, permissions, rules, signing
from participation.mandates.models import Mandate, MandateTopic, Status
from participation.mandates.rules import Mover
from participation.municipalities.models import Municipality
from participation.municipalities.queries import district_by_slug, municipality_by_slug
from participation.outbox import events
from participation.sql import run
from participation.text import render_markdown
from participation.timeline.models import TimelineEntry


@dataclass(frozen=True)
class SignOutcome:
    created: bool
    signature_count: int
    status: Status


async def get_visible(actor: Actor | None, mandate_id: int) -> Mandate:
    """The mandate if `actor` may see it; drafts of others look like they do not exist."""
    mandate = await Mandate.get_or_none(id=mandate_id)
    if mandate is None or not permissions.may_view(actor, mandate):
        raise NotFound("This mandate does not exist.")
    return mandate


async def launch_mandate(
    actor: Actor | None,
    municipality_slug: str,
    *,
    title: str,
    summary: str,
    body: str,
    district: str | None = None,
    topics: list[str] | None = None,
) -> Mandate:
    """Create a draft mandate with `actor` as initiator.

    Raises PermissionDenied (email not verified) and InvalidInput naming each bad
    field, the municipality included; nothing is stored when any check fails.
    """
    if actor is None or not permissions.may_launch(actor):
        raise PermissionDenied("Only people with a verified email address may launch a mandate.")
    municipality = await municipality_by_slug(municipality_slug)
    if municipality is None:
        raise InvalidInput.on("municipality", f"Unknown municipality {municipality_slug!r}.")
    tags = rules.normalise_topics(topics or [])
    problems = rules.check_content(title, summary, body, tags)
    district_row = None
    if district:
        district_row = await district_by_slug(municipality.id, district)
        if district_row is None:
            problems["district"] = "This district does not exist in this municipality."
    if problems:
        raise InvalidInput(
            "The mandate has invalid fields.",
            [FieldError(field, message) for field, message in problems.items()],
        )
    async with in_transaction() as conn:
        mandate = await Mandate.create(
            municipality_id=municipality.id,
            district_id=district_row.id if district_row else None,
            initiator_id=actor.user_id,
            title=title.strip(),
            summary=summary.strip(),
            body=body,
            body_html=render_markdown(body),
            quorum=municipality.default_quorum,
            using_db=conn,
        )
        if tags:
            await MandateTopic.bulk_create(
                [MandateTopic(mandate_id=mandate.id, topic=t) for t in tags], using_db=conn
            )
        await counter.create_shards(conn, mandate.id)
        entry = await _entry(conn, mandate, "launched", actor, {})
        await events.append(
            conn, "mandates:mandate:launched", mandate_id=mandate.id, entry=_entry_payload(entry)
        )
    events.nudge()
    return mandate


async def publish_mandate(actor: Actor | None, mandate_id: int) -> Mandate:
    """Open a draft for co-signing; the initiator becomes its first signer.

    Raises NotFound, PermissionDenied (not the initiator) and Conflict (not a draft).
    """
    return await transition_mandate(actor, mandate_id, Status.COLLECTING)


async def transition_mandate(
    actor: Actor | None, mandate_id: int, target: Status | str, reason: str | None = None
) -> Mandate:
    """Move a mandate along its lifecycle as the initiator or the council.

    Raises NotFound, InvalidInput (unknown status, missing or over-long reason),
    Conflict (the move does not exist from the current status; lists those that do)
    and PermissionDenied (the move exists but belongs to someone else).
    """
    mandate = await get_visible(actor, mandate_id)
    try:
        target = Status(target)
    except ValueError:
        raise InvalidInput.on("to", f"Unknown status {target!r}.") from None
    reason = (reason or "").strip() or None
    if reason and len(reason) > rules.REASON_MAX:
        raise InvalidInput.on("reason", f"Reason must be at most {rules.REASON_MAX} characters.")
    movers = permissions.movers_for(actor, mandate)
    transition = rules.find(Status(mandate.status), target)
    if transition is None or transition.mover == Mover.SYSTEM:
        allowed = [t.target.value for t in rules.moves_from(Status(mandate.status), movers)]
        raise Conflict(
            f"A mandate in status {mandate.status} cannot move to {target}.",
            allowed_transitions=allowed,
            status_now=mandate.status,
        )
    if transition.mover not in movers:
        who = "the initiator" if transition.mover == Mover.INITIATOR else "the council"
        raise PermissionDenied(f"Only {who} may move this mandate to {target}.")
    if transition.needs_reason and not reason:
        raise InvalidInput.on("reason", "This decision needs a reason.")
    async with in_transaction() as conn:
        await _move(conn, mandate, target, actor, reason)
        if target == Status.COLLECTING:
            # Only the initiator may launch (see rules), so a launched mandate has one.
            assert mandate.initiator_id is not None
            await signing.add_signature(conn, mandate.id, mandate.initiator_id)
    events.nudge()
    if target == Status.COLLECTING:
        await check_quorum(mandate.id)
    return await Mandate.get(id=mandate.id)


async def sign_mandate(actor: Actor | None, mandate_id: int) -> SignOutcome:
    """Co-sign; signing twice is harmless and reports `created=False`.

    Raises PermissionDenied (not signed in with a verified email), NotFound and
    Conflict (the mandate is not open for signatures).
    """
    if actor is None or not permissions.may_sign(actor):
        raise PermissionDenied("Only people with a verified email address may co-sign.")
    attempt = await signing.sign(mandate_id, actor.user_id)
    mandate = attempt.mandate
    if mandate is None or not permissions.may_view(actor, mandate):
        raise NotFound("This mandate does not exist.")
    if not attempt.created:
        if not rules.open_for_signatures(Status(mandate.status), mandate.closes_at, clock.now()):
            raise Conflict("This mandate is not open for signatures.", status_now=mandate.status)
        return SignOutcome(False, attempt.total, Status(mandate.status))
    if rules.milestone_reached(attempt.total, mandate.quorum) <= mandate.milestone:
        return SignOutcome(True, attempt.total, Status(mandate.status))
    total, status = await check_quorum(mandate_id)
    return SignOutcome(True, total, status)


async def withdraw_signature(actor: Actor | None, mandate_id: int) -> int:
    """Take back one's signature while the mandate is collecting; returns the new count.

    Raises PermissionDenied (not signed in), NotFound and Conflict (no longer
    collecting, or the initiator, whose signature stands with the mandate).
    """
    if actor is None:
        raise PermissionDenied("Sign in to withdraw a signature.")
    mandate = await get_visible(actor, mandate_id)
    if mandate.status not in rules.WITHDRAWABLE_SIGNATURE:
        raise Conflict(
            "Signatures can only be withdrawn while the mandate is collecting.",
            status_now=mandate.status,
        )
    if mandate.initiator_id == actor.user_id:
        raise Conflict("The initiator's signature stands; withdraw the mandate instead.")
    async with in_transaction() as conn:
        deleted = await run(
            conn,
            # Conditional on the status, so a withdrawal racing the quorum cannot undo it.
            "DELETE FROM signature WHERE mandate_id = $1 AND user_id = $2 AND EXISTS "
            "(SELECT 1 FROM mandate WHERE id = $1 AND status = 'collecting') RETURNING id",
            mandate.id,
            actor.user_id,
        )
        if deleted:
            await counter.add(conn, mandate.id, -1)
            await events.append(conn, "mandates:signature:withdrawn", mandate_id=mandate.id)
    if deleted:
        events.nudge()
    return await counter.total(mandate.id)


async def check_quorum(mandate_id: int, known: Mandate | None = None) -> tuple[int, Status]:
    """Announce milestones and submit on quorum, each exactly once.

    Returns the count and the status as far as this call knows it.

    Runs after the signature's own commit: whichever signer commits last reads a
    sum that includes every earlier signature, so a crossing is never missed, and
    the conditional updates below let only one of the racing signers record it.
    """
    total = await counter.total(mandate_id)
    mandate = known or await Mandate.get_or_none(id=mandate_id)
    if mandate is None or mandate.status != Status.COLLECTING:
        return total, Status(mandate.status) if mandate else Status.COLLECTING
    level = rules.milestone_reached(total, mandate.quorum)
    if level <= mandate.milestone:
        return total, Status.COLLECTING
    async with in_transaction() as conn:
        # Claim each milestone passed on its own, lowest first: under a burst the count
        # jumps past several between two checks, and claiming only the highest level
        # left the ones in between unannounced.
        announced = False
        for percent in rules.MILESTONES:
            if percent > level or percent <= mandate.milestone:
                continue
            claimed = (
                await Mandate.filter(id=mandate_id, status=Status.COLLECTING, milestone__lt=percent)
                .using_db(conn)
                .update(milestone=percent)
            )
            if claimed:
                announced = True
                entry = await _entry(
                    conn, mandate, "milestone", None, {"percent": percent, "count": total}
                )
                await events.append(
                    conn,
                    "mandates:milestone:reached",
                    mandate_id=mandate_id,
                    entry=_entry_payload(entry),
                )
        moved = 0
        if level >= 100:
            moved = (
                await Mandate.filter(id=mandate_id, status=Status.COLLECTING)
                .using_db(conn)
                .update(
                    status=Status.SUBMITTED,
                    milestone=100,
                    submitted_at=clock.now(),
                    answer_due_at=clock.now() + timedelta(days=await _promise_days(mandate)),
                )
            )
            if moved:
                await _record_move(
                    conn, mandate, Status.COLLECTING, Status.SUBMITTED, None, None, count=total
                )
    if moved or announced:
        events.nudge()
    # Whoever recorded the crossing, reaching the quorum means the mandate is submitted now.
    return total, Status.SUBMITTED if level >= 100 else Status.COLLECTING


async def expire_mandates() -> int:
    """Close collecting mandates whose signature period ended; returns how many expired.

    A mandate that did reach its quorum is submitted instead, which also repairs a
    crossing whose follow-up check was lost to a crash.
    """
    collecting = await Mandate.filter(status=Status.COLLECTING)
    totals = await counter.totals([mandate.id for mandate in collecting])
    expired = 0
    for mandate in collecting:
        if rules.milestone_reached(totals[mandate.id], mandate.quorum) > mandate.milestone:
            await check_quorum(mandate.id, known=mandate)
            continue
        if mandate.closes_at is None or mandate.closes_at > clock.now():
            continue
        async with in_transaction() as conn:
            moved = (
                await Mandate.filter(id=mandate.id, status=Status.COLLECTING)
                .using_db(conn)
                .update(status=Status.EXPIRED, closed_at=clock.now())
            )
            if moved:
                await _record_move(conn, mandate, Status.COLLECTING, Status.EXPIRED, None, None)
                expired += 1
    if expired:
        events.nudge()
    return expired


async def _promise_days(mandate: Mandate) -> int:
    municipality = await Municipality.get(id=mandate.municipality_id)
    return municipality.service_promise_days


async def _move(
    conn: BaseDBAsyncClient,
    mandate: Mandate,
    target: Status,
    actor: Actor | None,
    reason: str | None,
) -> None:
    """Apply one lifecycle move if nobody moved the mandate first."""
    source = Status(mandate.status)
    now = clock.now()
    changes: dict[str, object] = {"status": target}
    if target == Status.COLLECTING:
        municipality = await Municipality.get(id=mandate.municipality_id)
        changes.update(
            published_at=now, closes_at=now + timedelta(days=municipality.signature_period_days)
        )
    if target in rules.FINAL:
        changes["closed_at"] = now
    moved = await Mandate.filter(id=mandate.id, status=source).using_db(conn).update(**changes)
    if not moved:
        raise Conflict("Someone else changed this mandate a moment ago; reload and try again.")
    await _record_move(conn, mandate, source, target, actor, reason)


async def _record_move(
    conn: BaseDBAsyncClient,
    mandate: Mandate,
    source: Status,
    target: Status,
    actor: Actor | None,
    reason: str | None,
    **extra: object,
) -> None:
    data: dict[str, object] = {"from": source.value, "to": target.value, **extra}
    if reason:
        data["reason"] = reason
    entry = await _entry(conn, mandate, "status", actor, data)
    await events.append(
        conn,
        f"mandates:mandate:{target.value}",
        mandate_id=mandate.id,
        entry=_entry_payload(entry),
    )


async def _entry(
    conn: BaseDBAsyncClient, mandate: Mandate, kind: str, actor: Actor | None, data: dict
) -> TimelineEntry:
    return await TimelineEntry.create(
        mandate_id=mandate.id,
        kind=kind,
        data=data,
        actor_id=actor.user_id if actor else None,
        using_db=conn,
    )


def _entry_payload(entry: TimelineEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "data": entry.data,
        "created_at": entry.created_at.isoformat(),
    }
