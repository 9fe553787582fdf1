"""What people do about a discussion's rules: report a comment, and what moderators
decide — hide, restore, dismiss the reports, lock a thread, suspend an account — and
the author's one request for a second look.

Every moderator's decision writes one line of the public log (ModerationEntry) and one
event, in the transaction of the change. Decisions on a comment take its row lock first,
so two moderators acting at once are decided one after the other, and a report arriving
meanwhile is counted either before the decision (and resolved by it) or after it (and
left open): the comment's `flag_count` always equals its open flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from participation import clock, unit
from participation.accounts.models import Membership, User
from participation.actors import Actor
from participation.deliberation.models import Comment, Thread
from participation.deliberation.subjects import subject_of
from participation.errors import Conflict, FieldError, InvalidInput, NotFound, PermissionDenied
from participation.ids import parse_id
from participation.messages import Message
from participation.moderation import rules
from participation.moderation.actions import (
    FLAG_COMMENT,
    MODERATE_DISCUSSION,
    MODERATORS,
    REQUEST_REVIEW,
    SUSPEND_ACCOUNT,
)
from participation.moderation.models import (
    Flag,
    FlagResolution,
    ModerationAction,
    ModerationEntry,
)
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, place_of
from participation.permissions import Role, require
from participation.suspensions.check import ensure_not_suspended
from participation.suspensions.models import Suspension

NO_COMMENT = Message("This comment does not exist.")
NO_THREAD = Message("This discussion does not exist.")


class Decision(StrEnum):
    """What `POST /comments/{id}/moderation` may ask for."""

    HIDE = "hide"
    RESTORE = "restore"
    DISMISS_FLAGS = "dismiss_flags"


@dataclass(frozen=True)
class FlagOutcome:
    flag: Flag
    # True when this flag reached the threshold and hid the comment.
    hid: bool


async def comment_and_thread(comment_id: int) -> tuple[Comment, Thread]:
    comment = await Comment.get_or_none(id=comment_id) if parse_id(str(comment_id)) else None
    if comment is None:
        raise NotFound(NO_COMMENT)
    return comment, await Thread.get(id=comment.thread_id)


def moderator_role(actor: Actor, municipality_id: int) -> Role:
    """The role a decision is logged with: moderator, or administrator if only that."""
    return Role.MODERATOR if actor.has_role(municipality_id, Role.MODERATOR) else Role.ADMIN


def _checked_reason(reason: str | None) -> str:
    if problem := rules.check_reason(reason):
        raise InvalidInput.on("reason", problem)
    return (reason or "").strip()


async def flag_comment(
    actor: Actor | None, comment_id: int, reason: str, text: str | None = None
) -> FlagOutcome:
    """Report a comment. It counts as an open flag; when the open flags reach the
    municipality's `flag_threshold` the comment is hidden at once, pending review, with
    the public reason "hidden pending review after reports" — exactly once, however many
    flags arrive together: a conditional update decides which flag hid it, and only that
    one logs the `auto_hide` and records the event. Official statements are never hidden
    by flags; a hidden comment may still be flagged (the moderators see the count).

    Raises NotFound (also on a subject she may not see), NotAuthenticated,
    PermissionDenied (not allowed to take part here, suspended here, or `reason`
    "own_comment"), Conflict (the comment was deleted, or she flagged it already) and
    InvalidInput naming `reason` (unknown) or `text` (missing for `other`, over 1,000
    characters).
    """
    comment, thread = await comment_and_thread(comment_id)
    # A comment is as visible as its subject: on a draft's thread it does not exist.
    await subject_of(actor, thread)
    actor = require(actor, FLAG_COMMENT, await place_of(thread.municipality_id))
    await ensure_not_suspended(actor, thread.municipality_id)
    if comment.author_id == actor.user_id:
        raise PermissionDenied(Message("You cannot flag your own comment."), reason="own_comment")
    if comment.deleted_at is not None:
        raise Conflict(Message("This comment was deleted by its author."))
    chosen, problem = rules.check_flag_reason(reason)
    problems = [FieldError("reason", problem)] if problem else []
    if text_problem := rules.check_flag_text(chosen, text):
        problems.append(FieldError("text", text_problem))
    if problems:
        raise InvalidInput(Message("The flag has invalid fields."), problems)
    assert chosen is not None
    already = Conflict(Message("You have flagged this comment already."))
    if await Flag.exists(comment_id=comment.id, user_id=actor.user_id):
        raise already
    municipality = await Municipality.get(id=thread.municipality_id).only("id", "flag_threshold")
    threshold = municipality.flag_threshold
    try:
        return await _flag(actor, comment, thread, chosen, (text or "").strip() or None, threshold)
    except IntegrityError:
        # A second flag of hers sent at the same moment: the unique constraint decided.
        raise already from None


async def _flag(
    actor: Actor,
    comment: Comment,
    thread: Thread,
    reason: str,
    text: str | None,
    threshold: int,
) -> FlagOutcome:
    now = clock.now()
    async with unit.atomic() as u:
        flag = await Flag.create(
            comment_id=comment.id, user_id=actor.user_id, reason=reason, text=text, using_db=u.conn
        )
        # The increment takes the comment's row lock, so the flags are counted one by one.
        await Comment.filter(id=comment.id).using_db(u.conn).update(flag_count=F("flag_count") + 1)
        await u.record(
            "moderation:comment:flagged",
            "thread",
            thread.id,
            municipality_id=thread.municipality_id,
            actor_id=actor.user_id,
            thread_id=thread.id,
            comment_id=comment.id,
            reason=reason,
        )
        hid = bool(
            await Comment.filter(
                id=comment.id,
                hidden_at__isnull=True,
                deleted_at__isnull=True,
                official=False,
                flag_count__gte=threshold,
            )
            .using_db(u.conn)
            .update(hidden_at=now, hidden_reason=rules.AUTO_HIDE_REASON, hidden_pending_review=True)
        )
        if hid:
            await ModerationEntry.create(
                municipality_id=thread.municipality_id,
                action=ModerationAction.AUTO_HIDE,
                comment_id=comment.id,
                thread_id=thread.id,
                reason=rules.AUTO_HIDE_REASON,
                using_db=u.conn,
            )
            await _announce_comment(u, "moderation:comment:hidden", thread, comment, None, True)
    return FlagOutcome(flag, hid)


async def _announce_comment(
    u: unit.Unit,
    name: str,
    thread: Thread,
    comment: Comment,
    actor: Actor | None,
    automatic: bool | None = None,
) -> None:
    extra = {} if automatic is None else {"automatic": automatic}
    await u.record(
        name,
        "thread",
        thread.id,
        municipality_id=thread.municipality_id,
        actor_id=actor.user_id if actor else None,
        thread_id=thread.id,
        comment_id=comment.id,
        **extra,
    )


async def _log(
    u: unit.Unit,
    actor: Actor,
    thread: Thread,
    action: ModerationAction,
    reason: str,
    comment: Comment | None = None,
    until: datetime | None = None,
) -> ModerationEntry:
    return await ModerationEntry.create(
        municipality_id=thread.municipality_id,
        action=action,
        comment_id=comment.id if comment else None,
        thread_id=thread.id,
        reason=reason,
        moderator_role=moderator_role(actor, thread.municipality_id),
        moderator_id=actor.user_id,
        until=until,
        using_db=u.conn,
    )


async def _locked(u: unit.Unit, comment_id: int) -> Comment:
    return await Comment.filter(id=comment_id).select_for_update().using_db(u.conn).get()


async def _resolve_flags(u: unit.Unit, comment_id: int, resolution: FlagResolution) -> None:
    await (
        Flag.filter(comment_id=comment_id, resolved_at__isnull=True)
        .using_db(u.conn)
        .update(resolved_at=clock.now(), resolution=resolution)
    )


async def _moderating(actor: Actor | None, comment_id: int) -> tuple[Actor, Comment, Thread]:
    comment, thread = await comment_and_thread(comment_id)
    actor = require(actor, MODERATE_DISCUSSION, await place_of(thread.municipality_id))
    return actor, comment, thread


async def hide_comment(actor: Actor | None, comment_id: int, reason: str) -> Comment:
    """Hide a comment: readers see the public `reason` in place of its text, the author
    is told (the event). Its open flags are resolved as upheld. A comment hidden pending
    review, or whose author asked for review, may be hidden again: that confirms it, with
    the new reason, and takes it off the queue.

    Raises NotFound, NotAuthenticated, PermissionDenied (not a moderator or administrator
    here), Conflict (deleted by its author, or hidden already and not awaiting review)
    and InvalidInput naming `reason` (missing, over 500 characters, not one line).
    """
    actor, comment, thread = await _moderating(actor, comment_id)
    cleaned = _checked_reason(reason)
    async with unit.atomic() as u:
        comment = await _locked(u, comment.id)
        if comment.deleted_at is not None:
            raise Conflict(Message("This comment was deleted by its author."))
        if comment.hidden_at is not None and not rules.awaits_review(comment):
            raise Conflict(Message("This comment is hidden already."))
        comment.hidden_at = clock.now()
        comment.hidden_reason = cleaned
        comment.hidden_pending_review = False
        comment.flag_count = 0
        await comment.save(
            using_db=u.conn,
            update_fields=["hidden_at", "hidden_reason", "hidden_pending_review", "flag_count"],
        )
        await _resolve_flags(u, comment.id, FlagResolution.UPHELD)
        await _log(u, actor, thread, ModerationAction.HIDE, cleaned, comment)
        await _announce_comment(u, "moderation:comment:hidden", thread, comment, actor, False)
    return comment


async def restore_comment(actor: Actor | None, comment_id: int, reason: str) -> Comment:
    """Show a hidden comment again; its open flags are dismissed.

    Raises NotFound, NotAuthenticated, PermissionDenied (not a moderator or administrator
    here), Conflict (not hidden) and InvalidInput naming `reason`.
    """
    actor, comment, thread = await _moderating(actor, comment_id)
    cleaned = _checked_reason(reason)
    async with unit.atomic() as u:
        comment = await _locked(u, comment.id)
        if comment.hidden_at is None:
            raise Conflict(Message("This comment is not hidden."))
        comment.hidden_at = None
        comment.hidden_reason = None  # type: ignore[assignment]
        comment.hidden_pending_review = False
        comment.flag_count = 0
        await comment.save(
            using_db=u.conn,
            update_fields=["hidden_at", "hidden_reason", "hidden_pending_review", "flag_count"],
        )
        await _resolve_flags(u, comment.id, FlagResolution.DISMISSED)
        await _log(u, actor, thread, ModerationAction.RESTORE, cleaned, comment)
        await _announce_comment(u, "moderation:comment:restored", thread, comment, actor)
    return comment


async def dismiss_flags(actor: Actor | None, comment_id: int, reason: str) -> Comment:
    """Decide that a shown comment keeps to the rules: its open flags are dismissed and
    it leaves the queue.

    Raises NotFound, NotAuthenticated, PermissionDenied (not a moderator or administrator
    here), Conflict (no open flags; or hidden — restore it, or hide it for good) and
    InvalidInput naming `reason`.
    """
    actor, comment, thread = await _moderating(actor, comment_id)
    cleaned = _checked_reason(reason)
    async with unit.atomic() as u:
        comment = await _locked(u, comment.id)
        if comment.hidden_at is not None:
            raise Conflict(Message("This comment is hidden: restore it, or hide it for good."))
        if comment.flag_count == 0:
            raise Conflict(Message("This comment has no open flags."))
        comment.flag_count = 0
        await comment.save(using_db=u.conn, update_fields=["flag_count"])
        await _resolve_flags(u, comment.id, FlagResolution.DISMISSED)
        await _log(u, actor, thread, ModerationAction.DISMISS_FLAGS, cleaned, comment)
        await _announce_comment(u, "moderation:flags:dismissed", thread, comment, actor)
    return comment


DECISIONS = {
    Decision.HIDE: hide_comment,
    Decision.RESTORE: restore_comment,
    Decision.DISMISS_FLAGS: dismiss_flags,
}


async def moderate_comment(
    actor: Actor | None, comment_id: int, action: str, reason: str
) -> Comment:
    """One of the decisions above by its name; InvalidInput naming `action` otherwise."""
    try:
        decision = Decision(action)
    except ValueError:
        raise InvalidInput.on(
            "action", Message("Choose one of %(actions)s.", actions=", ".join(Decision))
        ) from None
    return await DECISIONS[decision](actor, comment_id, reason)


async def request_review(actor: Actor | None, comment_id: int) -> Comment:
    """The author of a hidden comment asks the moderators to look again, once: it goes
    to the top of the queue. Allowed while suspended — it is her appeal.

    Raises NotFound, NotAuthenticated, PermissionDenied (not her comment) and Conflict
    (not hidden, or she asked already).
    """
    comment, thread = await comment_and_thread(comment_id)
    actor = require(
        actor, REQUEST_REVIEW, await place_of(thread.municipality_id), owner_id=comment.author_id
    )
    if comment.hidden_at is None:
        raise Conflict(Message("This comment is not hidden."))
    now = clock.now()
    async with unit.atomic() as u:
        asked = await (
            Comment.filter(id=comment.id, hidden_at__isnull=False, review_requested_at__isnull=True)
            .using_db(u.conn)
            .update(review_requested_at=now)
        )
        if not asked:
            raise Conflict(Message("You have asked for a review of this comment already."))
        await _announce_comment(u, "moderation:review:requested", thread, comment, actor)
    comment.review_requested_at = now
    return comment


async def _thread(actor: Actor | None, thread_id: int) -> tuple[Actor, Thread]:
    thread = await Thread.get_or_none(id=thread_id) if parse_id(str(thread_id)) else None
    if thread is None:
        raise NotFound(NO_THREAD)
    return require(actor, MODERATE_DISCUSSION, await place_of(thread.municipality_id)), thread


async def lock_thread(actor: Actor | None, thread_id: int, reason: str) -> Thread:
    """Lock a discussion: it takes no new comments, replies or edits; what it holds stays
    readable. The reason goes to the public log.

    Raises NotFound, NotAuthenticated, PermissionDenied (not a moderator or administrator
    here), Conflict (locked already) and InvalidInput naming `reason`.
    """
    return await _set_lock(actor, thread_id, reason, locking=True)


async def unlock_thread(actor: Actor | None, thread_id: int, reason: str) -> Thread:
    """Open a locked discussion again. Raises as `lock_thread`, Conflict when not locked."""
    return await _set_lock(actor, thread_id, reason, locking=False)


async def _set_lock(actor: Actor | None, thread_id: int, reason: str, *, locking: bool) -> Thread:
    moderator, thread = await _thread(actor, thread_id)
    cleaned = _checked_reason(reason)
    async with unit.atomic() as u:
        changed = await (
            Thread.filter(id=thread.id, locked_at__isnull=locking)
            .using_db(u.conn)
            .update(locked_at=clock.now() if locking else None)
        )
        if not changed:
            raise Conflict(
                Message("This discussion is locked already.")
                if locking
                else Message("This discussion is not locked.")
            )
        action = ModerationAction.LOCK if locking else ModerationAction.UNLOCK
        await _log(u, moderator, thread, action, cleaned)
        await u.record(
            "moderation:thread:locked" if locking else "moderation:thread:unlocked",
            "thread",
            thread.id,
            municipality_id=thread.municipality_id,
            actor_id=moderator.user_id,
            thread_id=thread.id,
        )
    return await Thread.get(id=thread.id)


async def suspend_account(
    actor: Actor | None, slug: str, user_id: int, until: datetime | None, reason: str
) -> Suspension:
    """Suspend an account in this municipality until `until`: she may read and export,
    not write here. The public log says an account was suspended, until when and why —
    never whose; she is told through the event.

    Raises NotFound (municipality), NotAuthenticated, PermissionDenied (not a moderator
    or administrator here) and InvalidInput naming `user_id` (nobody, herself, or a
    moderator or administrator here), `until` (not in the future, more than a year
    ahead) and `reason`.
    """
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    actor = require(actor, SUSPEND_ACCOUNT, await place_of(municipality.id))
    problems: list[FieldError] = []
    target = await User.get_or_none(id=user_id) if parse_id(str(user_id)) else None
    if target is None:
        problems.append(FieldError("user_id", Message("This account does not exist.")))
    elif target.id == actor.user_id:
        problems.append(FieldError("user_id", Message("You cannot suspend yourself.")))
    elif await Membership.exists(
        user_id=target.id, municipality_id=municipality.id, role__in=list(MODERATORS)
    ):
        problems.append(
            FieldError(
                "user_id",
                Message(
                    "Moderators and administrators are not suspended; an administrator "
                    "takes the role away first."
                ),
            )
        )
    if problem := rules.check_until(until, clock.now()):
        problems.append(FieldError("until", problem))
    if problem := rules.check_reason(reason):
        problems.append(FieldError("reason", problem))
    if problems:
        raise InvalidInput(Message("The suspension has invalid fields."), problems)
    assert target is not None and until is not None
    cleaned = reason.strip()
    async with unit.atomic() as u:
        suspension = await Suspension.create(
            municipality_id=municipality.id,
            user_id=target.id,
            until=until,
            reason=cleaned,
            created_by_id=actor.user_id,
            using_db=u.conn,
        )
        await ModerationEntry.create(
            municipality_id=municipality.id,
            action=ModerationAction.SUSPEND,
            reason=cleaned,
            moderator_role=moderator_role(actor, municipality.id),
            moderator_id=actor.user_id,
            until=until,
            using_db=u.conn,
        )
        await u.record(
            "moderation:account:suspended",
            "user",
            target.id,
            municipality_id=municipality.id,
            actor_id=actor.user_id,
            user_id=target.id,
            suspension_id=suspension.id,
        )
    return suspension
