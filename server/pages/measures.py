"""A measure's own page: what it is, how far it got, and its discussion.

The mandate's page shows the whole action plan; this page is where one measure is
discussed, as its thread belongs to it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from participation.deliberation.models import SubjectType
from participation.errors import DomainError, NotFound
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate
from participation.messages import Message
from participation.plans import queries
from participation.plans.models import Measure
from server.auth import actor_of
from server.pages import deliberation as discussion
from server.pages.forms import error_page
from server.templating import render
from server.web import Pages


async def measure_page(request: Request) -> Response:
    actor = await actor_of(request)
    measure = await Measure.get_or_none(id=request.path_params["measure_id"])
    try:
        if measure is None:
            raise NotFound(Message("This measure does not exist."))
        mandate: Mandate = await get_visible(actor, measure.mandate_id)
    except DomainError as exc:
        return error_page(request, exc)
    return render(
        request,
        "pages/measure.html",
        measure=await queries.measure_view(measure),
        mandate=mandate,
        discussion=await discussion.subject_section(
            request, actor, SubjectType.MEASURE, measure.id
        ),
    )


ROUTES = [Route("/measures/{measure_id:id}", measure_page)]

PAGES = Pages(76, ROUTES)
