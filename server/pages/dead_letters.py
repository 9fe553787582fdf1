"""The administrators' page of jobs that failed for good: retry with the same arguments,
or discard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from notifications import deadletters
from participation.actors import Actor
from participation.errors import DomainError, NotFound
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities.queries import municipality_by_slug
from server.auth import actor_of
from server.pages.forms import NO_FORM, FormState, action, error_page, sign_in_redirect
from server.templating import render
from server.web import Pages


def _back(request: Request) -> str:
    return f"/m/{request.path_params['slug']}/admin/jobs"


async def dead_letters(request: Request) -> Response:
    actor = await actor_of(request)
    if actor is None:
        return sign_in_redirect(request)
    try:
        return await _page(request, actor)
    except DomainError as exc:
        return error_page(request, exc)


async def _page(
    request: Request, actor: Actor, status: int = 200, state: FormState = NO_FORM
) -> Response:
    """The failed jobs; `state` a refused retry or discard, its message in the summary."""
    slug = request.path_params["slug"]
    letters = await deadletters.list_dead_letters(actor, slug)
    municipality = await municipality_by_slug(slug)
    return render(
        request,
        "pages/dead_letters.html",
        status=status,
        municipality=municipality,
        letters=letters,
        errors=state.of("jobs"),
    )


Perform = Callable[[Request, int], Awaitable[object]]


def _form_action(perform: Perform) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        async def run(actor: Actor, form: FormData) -> Response:
            letter_id = parse_id(str(form.get("dead_letter_id") or ""))
            if letter_id is None:
                raise NotFound(Message("There is no such failed job."))
            await perform(request, letter_id)
            return RedirectResponse(_back(request), status_code=303)

        async def again(actor: Actor, state: FormState, status: int) -> Response:
            return await _page(request, actor, status, state)

        return await action(request, run, _back(request), form_id="jobs", rerender=again)

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
