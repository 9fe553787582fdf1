"""The ratings of a finished mandate as a page of their own, and the rating form's post.

The mandate page shows the same section with the latest comments; this page lists them
all, page by page, and is where a refused form comes back with its errors in place.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from participation.actors import Actor
from participation.errors import DomainError, InvalidInput, NotAuthenticated
from participation.mandates import commands, queries, rating, rating_views
from participation.mandates.models import Mandate
from server.auth import actor_of
from server.pages.forms import error_page, field_errors, read_form, sign_in_redirect
from server.templating import render
from server.web import Pages

PAGE_SIZE = 20
# What the mandate page's section shows; the rest is on the ratings page.
LATEST = 5


async def section(actor: Actor | None, mandate: Mandate) -> dict[str, Any]:
    """The context of `partials/mandate_ratings.html` on the mandate page."""
    return await rating_views.ratings_view(actor, mandate, LATEST)


async def _render(
    request: Request,
    actor: Actor | None,
    mandate: Mandate,
    cursor: str | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "pages/mandate_ratings.html",
        status=status,
        mandate=await queries.mandate_view(actor, mandate),
        ratings=await rating_views.ratings_view(actor, mandate, PAGE_SIZE, cursor),
        rating_form=form,
        full=True,
    )


async def ratings_page(request: Request) -> Response:
    actor = await actor_of(request)
    try:
        mandate = await commands.get_visible(actor, request.path_params["mandate_id"])
        return await _render(request, actor, mandate, request.query_params.get("cursor"))
    except DomainError as exc:
        return error_page(request, exc)


def _score(raw: str) -> object:
    """The number a radio button sent; anything else goes to the command to be named."""
    return int(raw) if raw in {"1", "2", "3", "4", "5"} else (raw or None)


async def rate(request: Request) -> Response:
    back = f"/mandates/{request.path_params['mandate_id']}"
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request, back)
    try:
        mandate = await commands.get_visible(actor, request.path_params["mandate_id"])
        form = await read_form(request)
    except DomainError as exc:
        return error_page(request, exc)
    score = str(form.get("score") or "")
    comment = str(form.get("comment") or "")
    show_name = bool(form.get("show_name"))
    values = {"score": score, "comment": comment, "show_name": show_name}
    try:
        await rating.rate_outcome(actor, mandate.id, _score(score), comment, show_name=show_name)
    except InvalidInput as exc:
        errors = field_errors(exc)
        return await _render(
            request, actor, mandate, form={"values": values, "errors": errors}, status=422
        )
    except NotAuthenticated:
        return sign_in_redirect(request, back)
    except DomainError as exc:
        return error_page(request, exc)
    return RedirectResponse(back + "#ratings", status_code=303)


ROUTES = [
    Route("/mandates/{mandate_id:id}/ratings", ratings_page, methods=["GET"]),
    Route("/mandates/{mandate_id:id}/ratings", rate, methods=["POST"]),
]

PAGES = Pages(5, ROUTES)
