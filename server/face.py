"""Which municipality a page belongs to, so that its header, title, colour and footer are
that municipality's: found once per request from the path, before the page renders.

A page of a municipality is one under /m/{slug}/, or one of its mandates, votes, measures,
cost analyses, threads or comments. A page that renders with a `municipality` of its own
(just changed, say) shows that one instead (server/templating.py). Deployment-wide pages
(/, /account, /sign-in) have none and show the platform's face.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from participation.costs.models import CostAnalysis
from participation.deliberation.models import Comment, Thread
from participation.mandates.models import Mandate
from participation.municipalities import face
from participation.municipalities.models import Municipality
from participation.municipalities.queries import municipality_by_slug, possible_slug
from participation.plans.models import Measure
from participation.votes.models import Vote

SKIPPED = ("/api/", "/static/", "/passkeys/")
DEMO_SLUG = "demo"
# The fictional municipalities `auftrag demo` founds (server/demo.py, server/demo_towns.py).
DEMO_SLUGS = frozenset({DEMO_SLUG, "beispielhausen", "bad-beispiel"})


@dataclass(frozen=True)
class Face:
    """What every page of a municipality shows of it."""

    slug: str
    name: str
    crest_url: str | None
    theme_url: str | None

    @property
    def demo(self) -> bool:
        return self.slug in DEMO_SLUGS


def face_of(municipality: Municipality) -> Face:
    return Face(
        slug=municipality.slug,
        name=municipality.name,
        crest_url=face.crest_url(municipality),
        theme_url=face.theme_url(municipality),
    )


async def _first(query: object) -> int | None:
    values = await query  # type: ignore[misc]
    return int(values[0]) if values else None


async def _mandate(mandate_id: int) -> int | None:
    return await _first(Mandate.filter(id=mandate_id).values_list("municipality_id", flat=True))


async def _vote(vote_id: int) -> int | None:
    return await _first(Vote.filter(id=vote_id).values_list("municipality_id", flat=True))


async def _thread(thread_id: int) -> int | None:
    return await _first(Thread.filter(id=thread_id).values_list("municipality_id", flat=True))


async def _comment(comment_id: int) -> int | None:
    thread = await _first(Comment.filter(id=comment_id).values_list("thread_id", flat=True))
    return await _thread(thread) if thread is not None else None


async def _measure(measure_id: int) -> int | None:
    mandate = await _first(Measure.filter(id=measure_id).values_list("mandate_id", flat=True))
    return await _mandate(mandate) if mandate is not None else None


async def _analysis(analysis_id: int) -> int | None:
    mandate = await _first(CostAnalysis.filter(id=analysis_id).values_list("mandate_id", flat=True))
    return await _mandate(mandate) if mandate is not None else None


_OWNERS: tuple[tuple[re.Pattern[str], Callable[[int], Awaitable[int | None]]], ...] = (
    (re.compile(r"^/mandates/([0-9]{1,18})(?:/|$)"), _mandate),
    (re.compile(r"^/votes/([0-9]{1,18})(?:/|$)"), _vote),
    (re.compile(r"^/threads/([0-9]{1,18})(?:/|$)"), _thread),
    (re.compile(r"^/comments/([0-9]{1,18})(?:/|$)"), _comment),
    (re.compile(r"^/measures/([0-9]{1,18})(?:/|$)"), _measure),
    (re.compile(r"^/cost-analyses/([0-9]{1,18})(?:/|$)"), _analysis),
)
_SLUG = re.compile(r"^/m/([^/]+)(?:/|$)")


async def municipality_of_path(path: str) -> Municipality | None:
    """The municipality whose page `path` is, if any."""
    found = _SLUG.match(path)
    if found is not None:
        slug = found.group(1)
        return await municipality_by_slug(slug) if possible_slug(slug) else None
    for pattern, owner in _OWNERS:
        found = pattern.match(path)
        if found is not None:
            municipality_id = await owner(int(found.group(1)))
            if municipality_id is None:
                return None
            return await Municipality.get_or_none(id=municipality_id)
    return None


class FaceMiddleware:
    """Sets `request.state.face` for the pages of a municipality."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(SKIPPED):
            municipality = await municipality_of_path(scope["path"])
            if municipality is not None:
                HTTPConnection(scope).state.face = face_of(municipality)
        await self.app(scope, receive, send)
