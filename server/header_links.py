"""The header's links to the work waiting for a person: the review queue, with the number
of overdue mandates, the moderation queue, with the number of open items, and everyone's
inbox, with the number of unread notifications.

Pages render synchronously, so the counts are read before the page, here, once per
request: for signed-in council members, administrators and moderators only, each a
grouped count over an index (the mandates' (municipality_id, answer_due_at), the queue's
comments) and a read of the municipalities' names. The unread count is one count over
the inbox's index (recipient, in_inbox, read_at) for every signed-in person; nobody
signed out costs a query.

Besides, for signed-in people, one read of the names of the municipalities she lives in
or holds a role in: the header's mandates and votes lead to her own municipality on pages
that belong to none, administrators get a link to each administration, and the demo's
mailbox link is hidden from anyone tied to a real municipality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from notifications.inbox import unread_count
from participation.actors import Actor
from participation.council.queue import overdue_by_municipality
from participation.moderation.actions import MODERATORS
from participation.moderation.queries import moderation_queues
from participation.municipalities.models import Municipality
from participation.permissions import COUNCIL, Role
from server.auth import actor_of
from server.face import DEMO_SLUGS

# Paths that never render a page with the header.
SKIPPED = ("/api/", "/static/", "/passkeys/", "/favicon.")


@dataclass(frozen=True)
class Places:
    """The municipalities the header links to: `home` as (slug, name), and those she
    administers, by name."""

    home: tuple[str, str] | None = None
    administered: list[tuple[str, str]] = field(default_factory=list)
    # She holds a role, lives or says she lives in a municipality that is no demo town.
    real_town: bool = False


async def places_of(actor: Actor) -> Places:
    admin = [m for m, roles in actor.roles.items() if Role.ADMIN in roles]
    lives = actor.declared[0] if actor.declared else None
    home_id = lives or next(iter(actor.residencies), None) or next(iter(actor.roles), None)
    wanted = {*actor.roles, *actor.residencies, *([lives] if lives else [])}
    if not wanted:
        return Places()
    names = {
        mid: (slug, name)
        for mid, slug, name in await Municipality.filter(id__in=wanted).values_list(
            "id", "slug", "name"
        )
    }
    administered = sorted((names[m] for m in admin if m in names), key=lambda row: row[1])
    real_town = any(slug not in DEMO_SLUGS for slug, _ in names.values())
    return Places(names.get(home_id) if home_id else None, administered, real_town)


class HeaderLinksMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not scope["path"].startswith(SKIPPED)
        ):
            conn = HTTPConnection(scope)
            actor = await actor_of(conn)
            if actor is not None:
                conn.state.inbox_unread = await unread_count(actor)
                conn.state.header_places = await places_of(actor)
                council = [m for m, roles in actor.roles.items() if roles & COUNCIL]
                if council:
                    conn.state.council_queues = await overdue_by_municipality(council)
                moderated = [m for m, roles in actor.roles.items() if roles & MODERATORS]
                if moderated:
                    conn.state.moderation_queues = await moderation_queues(moderated)
        await self.app(scope, receive, send)
