"""The administrators' page of jobs that failed for good: retry with the same arguments,
or discard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifications import deadletters
from participation.errors import DomainError, NotAuthenticated, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.queries import municipality_by_slug
from server.auth import actor_of
from server.pages.forms import error_page, read_form, sign_in_redirect
from server.templating import render
from server.web import Pages


def _back(request: Request) -> str:
    return f"/m/{request.path_params['slug']}/admin/jobs"


async def dead_letters(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    slug = request.path_params["slug"]
    try:
        letters = await deadletters.list_dead_letters(actor, slug)
        municipality = await municipality_by_slug(slug)
    except DomainError as exc:
        return error_page(request, exc)
    return render(request, "pages/dead_letters.html", municipality=municipality, letters=letters)


Perform = Callable[[Request, int], Awaitable[object]]


def _form_action(perform: Perform) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        if await actor_of(request) is None:
            return sign_in_redirect(request, _back(request))
        try:
            form = await read_form(request)
            letter_id = parse_id(str(form.get("dead_letter_id") or ""))
            if letter_id is None:
                raise NotFound(Message("There is no such failed job."))
            await perform(request, letter_id)
        except NotAuthenticated:
            return sign_in_redirect(request, _back(request))
        except DomainError as exc:
            return error_page(request, exc)
        return RedirectResponse(_back(request), status_code=303)

    return handle


async def _retry(request: Request, letter_id: int) -> None:
    await deadletters.retry_dead_letter(
        await actor_of(request), request.path_params["slug"], letter_id, request.app.state.jobs
    )


async def _discard(request: Request, letter_id: int) -> None:
    await deadletters.discard_dead_letter(
        await actor_of(request), request.path_params["slug"], letter_id
    )


ROUTES = [
    Route("/m/{slug}/admin/jobs", dead_letters, methods=["GET"]),
    Route("/m/{slug}/admin/jobs/retry", _form_action(_retry), methods=["POST"]),
    Route("/m/{slug}/admin/jobs/discard", _form_action(_discard), methods=["POST"]),
]

PAGES = Pages(60, ROUTES)
