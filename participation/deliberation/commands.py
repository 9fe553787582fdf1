"""Writing in a discussion: posting, replying, editing, deleting, endorsing.

Every writing command asks the permission engine, then whether the writer is suspended
in the municipality, then whether the thread is locked, in that order: a reader learns
about a lock only if she could otherwise write. Each writes in one transaction with
its events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from participation import clock, text, unit
from participation.accounts.models import User
from participation.actors import Actor
from participation.deliberation import rules
from participation.deliberation.actions import (
    DELETE_COMMENT,
    EDIT_COMMENT,
    ENDORSE_COMMENT,
    POST_COMMENT,
    POST_OFFICIAL,
)
from participation.deliberation.models import Comment, CommentRevision, Stance, Thread
from participation.deliberation.subjects import Subject, department_name, visible_thread
from participation.errors import FieldError, InvalidInput, NotFound, PermissionDenied
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.models import Municipality
from participation.municipalities.queries import place_of
from participation.permissions import Action, require, signing_role
from participation.sql import run
from participation.suspensions.check import ensure_not_suspended

LOCKED = Message("This discussion is locked: it takes no new comments.")


@dataclass(frozen=True)
class Endorsing:
    """The comment's count after the command, and whether the command changed it."""

    comment_id: int
    endorsements: int
    changed: bool


async def _writer(
    actor: Actor | None, action: Action, thread: Thread, owner_id: int | None = None
) -> Actor:
    """The actor, if she may write here now: allowed, not suspended, thread not locked."""
    actor = require(actor, action, await place_of(thread.municipality_id), owner_id)
    await ensure_not_suspended(actor, thread.municipality_id)
    if thread.locked_at is not None:
        raise PermissionDenied(LOCKED, reason="locked")
    return actor


async def _comment(actor: Actor | None, comment_id: int) -> tuple[Comment, Thread, Subject]:
    """The comment and its thread, if the actor may see the thread."""
    parsed = parse_id(str(comment_id))
    comment = await Comment.get_or_none(id=parsed) if parsed is not None else None
    if comment is None:
        raise NotFound(Message("This comment does not exist."))
    thread, subject = await visible_thread(actor, comment.thread_id)
    return comment, thread, subject


def _invalid(problems: dict[str, str]) -> InvalidInput:
    return InvalidInput(
        Message("The comment has invalid fields."),
        [FieldError(field, message) for field, message in problems.items()],
    )


async def _rendered(body: str, problems: dict[str, str]) -> str:
    """The body's HTML, or "" with the problem noted under `body`."""
    if problem := rules.check_body(body):
        problems["body"] = problem
        return ""
    try:
        return await text.render(body, "body")
    except InvalidInput as exc:
        problems["body"] = exc.detail
        return ""


async def _is_new_account(user_id: int, municipality_id: int) -> bool:
    municipality = await Municipality.get(id=municipality_id).only("id", "new_account_hours")
    user = await User.get_or_none(id=user_id).only("id", "created_at")
    age = timedelta(hours=municipality.new_account_hours)
    return user is not None and clock.now() - user.created_at < age


async def _is_duplicate(user_id: int, municipality_id: int, body: str) -> bool:
    """The same text from the same person in this municipality within DUPLICATE_WINDOW."""
    return await Comment.filter(
        author_id=user_id,
        thread__municipality_id=municipality_id,
        created_at__gte=clock.now() - rules.DUPLICATE_WINDOW,
        body=body,
    ).exists()


async def _check_text(
    actor: Actor, municipality_id: int, body: str, problems: dict[str, str], *, new: bool = True
) -> str:
    """The rendered body after the anti-abuse checks: the links of new accounts, and for
    a `new` comment (not an edit) the same text posted a moment ago."""
    body_html = await _rendered(body, problems)
    if "body" in problems:
        return ""
    if await _is_new_account(actor.user_id, municipality_id) and (
        problem := rules.too_many_links(body_html)
    ):
        problems["body"] = problem
    elif new and await _is_duplicate(actor.user_id, municipality_id, body):
        problems["body"] = Message(
            "You posted the same text a moment ago; write something new or wait a few minutes."
        )
    return body_html


async def _parent(
    thread: Thread, parent_id: int | None, problems: dict[str, str]
) -> Comment | None:
    if parent_id is None:
        return None
    parsed = parse_id(str(parent_id))
    parent = await Comment.get_or_none(id=parsed) if parsed is not None else None
    if parent is None:
        problems["parent_id"] = Message("The comment you reply to does not exist.")
    elif parent.thread_id != thread.id:
        problems["parent_id"] = Message("The comment you reply to is in another discussion.")
        return None
    elif parent.deleted_at is not None or parent.hidden_at is not None:
        # Nothing is left to answer; an answer to hidden text would carry it on.
        problems["parent_id"] = Message("The comment you reply to was deleted or hidden.")
    return parent


async def post_comment(
    actor: Actor | None,
    thread_id: int,
    body: str,
    stance: str = "neutral",
    parent_id: int | None = None,
    official: bool = False,
) -> Comment:
    """Post a comment, a reply (`parent_id`) or, for council members and administrators
    of the municipality, an official statement signed with their role and the subject's
    department. A reply to a comment at MAX_DEPTH goes beside it, under the same parent,
    with `reply_to` naming whom it answers. Records `deliberation:comment:posted`, and
    `deliberation:comment:replied` for the author answered (unless she answers herself).

    Raises NotFound (thread or subject not visible), NotAuthenticated, PermissionDenied
    (below the municipality's level; official without the role; `reason` "suspended" or
    "locked") and InvalidInput naming `body` (empty, over 10,000 characters, too complex,
    more than 2 links from a new account, a duplicate), `stance` (unknown) and `parent_id`
    (missing, in another thread, deleted or hidden). Nothing is stored when any check
    fails.
    """
    thread, subject = await visible_thread(actor, thread_id)
    actor = await _writer(actor, POST_OFFICIAL if official else POST_COMMENT, thread)
    problems: dict[str, str] = {}
    chosen, stance_problem = rules.check_stance(stance)
    if stance_problem:
        problems["stance"] = stance_problem
    parent = await _parent(thread, parent_id, problems)
    body_html = await _check_text(actor, thread.municipality_id, body, problems)
    if problems:
        raise _invalid(problems)
    assert chosen is not None
    depth, placed_under, reply_to = 0, None, None
    if parent is not None:
        depth, placed_under = rules.placement(parent.depth, parent.id, parent.parent_id)
        reply_to = parent.id
    role = department = None
    if official:
        role = signing_role(actor, thread.municipality_id).value
        department = await department_name(subject.department_id)
    async with unit.atomic() as u:
        comment = await Comment.create(
            thread_id=thread.id,
            parent_id=placed_under,
            reply_to_id=reply_to,
            depth=depth,
            author_id=actor.user_id,
            stance=chosen,
            body=body,
            body_html=body_html,
            official=official,
            official_role=role,
            official_department=department,
            using_db=u.conn,
        )
        await u.record(
            "deliberation:comment:posted",
            "thread",
            thread.id,
            municipality_id=thread.municipality_id,
            actor_id=actor.user_id,
            thread_id=thread.id,
            comment_id=comment.id,
            parent_id=placed_under,
            stance=chosen.value,
            official=official,
        )
        answered = parent.author_id if parent is not None else None
        if answered is not None and answered != actor.user_id:
            await u.record(
                "deliberation:comment:replied",
                "user",
                answered,
                municipality_id=thread.municipality_id,
                actor_id=actor.user_id,
                user_id=answered,
                thread_id=thread.id,
                comment_id=comment.id,
            )
    return comment


def _not_changeable(comment: Comment) -> str | None:
    if comment.deleted_at is not None:
        return Message("This comment was deleted.")
    if comment.hidden_at is not None:
        return Message("This comment was hidden by a moderator.")
    return None


async def edit_comment(
    actor: Actor | None, comment_id: int, body: str, stance: str | None = None
) -> Comment:
    """Change one's comment within EDIT_WINDOW of posting it, keeping the version it
    replaces as a CommentRevision; the stance stays unless given. Records
    `deliberation:comment:edited`.

    Raises NotFound, NotAuthenticated, PermissionDenied (not the author; suspended;
    locked) and InvalidInput naming `comment_id` (deleted, hidden or past the window),
    `body` (as for posting) and `stance`. Nothing is stored when any check fails.
    """
    comment, thread, _ = await _comment(actor, comment_id)
    actor = await _writer(actor, EDIT_COMMENT, thread, owner_id=comment.author_id)
    problems: dict[str, str] = {}
    if problem := _not_changeable(comment):
        problems["comment_id"] = problem
    elif clock.now() - comment.created_at > rules.EDIT_WINDOW:
        problems["comment_id"] = Message(
            "A comment can be edited for %(minutes)s minutes after posting.",
            minutes=int(rules.EDIT_WINDOW.total_seconds() // 60),
        )
    chosen: Stance | None = Stance(comment.stance)
    if stance is not None:
        chosen, stance_problem = rules.check_stance(stance)
        if stance_problem:
            problems["stance"] = stance_problem
    body_html = await _check_text(actor, thread.municipality_id, body, problems, new=False)
    if problems:
        raise _invalid(problems)
    assert chosen is not None
    now = clock.now()
    async with unit.atomic() as u:
        # Conditional on the version read, so two edits at once keep both versions apart.
        changed = (
            await Comment.filter(
                id=comment.id,
                deleted_at__isnull=True,
                hidden_at__isnull=True,
                edited_at=comment.edited_at,
            )
            .using_db(u.conn)
            .update(body=body, body_html=body_html, stance=chosen, edited_at=now)
        )
        if not changed:
            raise InvalidInput.on(
                "comment_id", Message("The comment changed meanwhile; load it again.")
            )
        await CommentRevision.create(
            comment_id=comment.id,
            body=comment.body,
            body_html=comment.body_html,
            stance=comment.stance,
            written_at=comment.edited_at or comment.created_at,
            using_db=u.conn,
        )
        await u.record(
            "deliberation:comment:edited",
            "thread",
            thread.id,
            municipality_id=thread.municipality_id,
            actor_id=actor.user_id,
            thread_id=thread.id,
            comment_id=comment.id,
        )
    comment.body, comment.body_html, comment.stance, comment.edited_at = (
        body,
        body_html,
        chosen,
        now,
    )
    return comment


async def delete_comment(actor: Actor | None, comment_id: int) -> Comment:
    """Delete one's comment: it shows as "deleted by the author", its replies stay.
    Records `deliberation:comment:deleted`. Deleting it again changes nothing.

    Its text and earlier versions go: the author took them back. The row stays, so the
    replies keep their place.

    Raises NotFound, NotAuthenticated, PermissionDenied (not the author; suspended;
    locked).
    """
    comment, thread, _ = await _comment(actor, comment_id)
    actor = await _writer(actor, DELETE_COMMENT, thread, owner_id=comment.author_id)
    if comment.deleted_at is not None:
        return comment
    now = clock.now()
    async with unit.atomic() as u:
        changed = (
            await Comment.filter(id=comment.id, deleted_at__isnull=True)
            .using_db(u.conn)
            .update(deleted_at=now, body="", body_html="")
        )
        if changed:
            await CommentRevision.filter(comment_id=comment.id).using_db(u.conn).delete()
            await u.record(
                "deliberation:comment:deleted",
                "thread",
                thread.id,
                municipality_id=thread.municipality_id,
                actor_id=actor.user_id,
                thread_id=thread.id,
                comment_id=comment.id,
            )
    comment.deleted_at = now
    return comment


_ENDORSE = (
    "INSERT INTO comment_endorsement (comment_id, user_id, created_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (comment_id, user_id) DO NOTHING RETURNING id"
)
_WITHDRAW = "DELETE FROM comment_endorsement WHERE comment_id = $1 AND user_id = $2 RETURNING id"
_COUNT = (
    "UPDATE comment SET endorsement_count = endorsement_count + $2 WHERE id = $1 "
    "RETURNING endorsement_count"
)


async def _count_of(comment_id: int) -> int:
    comment = await Comment.get(id=comment_id).only("id", "endorsement_count")
    return comment.endorsement_count


async def endorse_comment(actor: Actor | None, comment_id: int) -> Endorsing:
    """Endorse a comment, once per person: endorsing again changes nothing (`changed`
    False). The row and the counter change in one transaction, the row's insertion
    deciding, so the count stays exact when many endorse at once.

    Raises NotFound, NotAuthenticated, PermissionDenied (below the level; suspended;
    locked) and InvalidInput naming `comment_id` (deleted or hidden: nothing to endorse).
    Endorsing one's own comment is allowed, as agreeing with oneself harms nobody's count
    more than one vote.
    """
    comment, thread, _ = await _comment(actor, comment_id)
    actor = await _writer(actor, ENDORSE_COMMENT, thread)
    if problem := _not_changeable(comment):
        raise InvalidInput.on("comment_id", problem)
    async with unit.atomic() as u:
        inserted = await run(u.conn, _ENDORSE, comment.id, actor.user_id, clock.now())
        if not inserted:
            return Endorsing(comment.id, await _count_of(comment.id), changed=False)
        rows = await run(u.conn, _COUNT, comment.id, 1)
    return Endorsing(comment.id, int(rows[0]["endorsement_count"]), changed=True)


async def withdraw_endorsement(actor: Actor | None, comment_id: int) -> Endorsing:
    """Take one's endorsement back; without one, nothing changes (`changed` False).

    Withdrawing is allowed while suspended or in a locked thread: it only takes back
    what one gave. Raises NotFound and NotAuthenticated.
    """
    comment, thread, _ = await _comment(actor, comment_id)
    if actor is None:
        require(actor, ENDORSE_COMMENT, await place_of(thread.municipality_id))
    assert actor is not None
    async with unit.atomic() as u:
        removed = await run(u.conn, _WITHDRAW, comment.id, actor.user_id)
        if not removed:
            return Endorsing(comment.id, await _count_of(comment.id), changed=False)
        rows = await run(u.conn, _COUNT, comment.id, -1)
    return Endorsing(comment.id, int(rows[0]["endorsement_count"]), changed=True)
