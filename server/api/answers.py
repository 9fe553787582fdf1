"""Departments, assigning mandates to them, and the council's official answers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.answers import commands, queries
from participation.errors import InvalidInput
from participation.ids import parse_id
from participation.mandates.commands import get_visible
from participation.messages import Message
from participation.municipalities import departments
from server.api.answers_schemas import (
    AssignmentIn,
    AssignmentOut,
    DepartmentIn,
    DepartmentList,
    DepartmentOut,
    DepartmentPatch,
    ResponseIn,
    ResponseList,
    ResponseOut,
)
from server.api.endpoint import Registry
from server.api.schemas import ListQuery
from server.auth import actor_of, require_actor

api = Registry(order=73)


def _department(view: departments.DepartmentView, status: int = 200) -> JSONResponse:
    out = DepartmentOut.model_validate(view.as_dict())
    return JSONResponse(out.model_dump(mode="json"), status_code=status)


@api(
    "/municipalities/{slug}/departments",
    query=ListQuery,
    response=DepartmentList,
    tag="departments",
    errors=(404,),
)
async def list_departments(request: Request, slug: str, query: ListQuery) -> JSONResponse:
    """The municipality's departments by name, retired ones included and marked."""
    offset = parse_id(query.cursor) if query.cursor is not None else 0
    if offset is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    every = await departments.list_departments(slug)
    page = every[offset : offset + query.limit]
    more = offset + query.limit < len(every)
    body = DepartmentList.model_validate(
        {
            "items": [d.as_dict() for d in page],
            "next": str(offset + query.limit) if more else None,
        }
    )
    return JSONResponse(body.model_dump(mode="json"))


@api(
    "/municipalities/{slug}/departments",
    "POST",
    body=DepartmentIn,
    response=DepartmentOut,
    status=201,
    auth=True,
    tag="departments",
    errors=(403, 404),
)
async def create_department(request: Request, slug: str, body: DepartmentIn) -> JSONResponse:
    """Add a department (administrators of the municipality)."""
    actor = await require_actor(request)
    return _department(await departments.create_department(actor, slug, body.name), 201)


@api(
    "/departments/{department_id:id}",
    "PATCH",
    body=DepartmentPatch,
    response=DepartmentOut,
    auth=True,
    tag="departments",
    errors=(403, 404),
)
async def update_department(
    request: Request, department_id: int, body: DepartmentPatch
) -> JSONResponse:
    """Rename a department, retire it or take it back (administrators)."""
    actor = await require_actor(request)
    view = await departments.change_department(
        actor, department_id, name=body.name, retired=body.retired
    )
    return _department(view)


@api(
    "/mandates/{mandate_id:id}/assignment",
    "PUT",
    body=AssignmentIn,
    response=AssignmentOut,
    auth=True,
    tag="answers",
    errors=(403, 404, 409),
)
async def put_assignment(request: Request, mandate_id: int, body: AssignmentIn) -> JSONResponse:
    """Assign the mandate to a department and, optionally, a responsible council member."""
    actor = await require_actor(request)
    assignment = await commands.assign_mandate(
        actor, mandate_id, body.department_id, body.responsible_user_id
    )
    responsible = assignment.responsible
    out = AssignmentOut.model_validate(
        {
            "mandate_id": mandate_id,
            "department": {"id": assignment.department.id, "name": assignment.department.name},
            "responsible": (
                {"display_name": responsible["display_name"], "role": responsible["role"]}
                if responsible
                else None
            ),
        }
    )
    return JSONResponse(out.model_dump(mode="json"))


@api(
    "/mandates/{mandate_id:id}/responses",
    query=ListQuery,
    response=ResponseList,
    tag="answers",
    errors=(404,),
)
async def list_responses(request: Request, mandate_id: int, query: ListQuery) -> JSONResponse:
    """The mandate's official answers, oldest first."""
    mandate = await get_visible(await actor_of(request), mandate_id)
    items, cursor = await queries.responses_of(mandate.id, query.limit, query.cursor)
    body = ResponseList.model_validate({"items": items, "next": cursor})
    return JSONResponse(body.model_dump(mode="json"))


@api(
    "/mandates/{mandate_id:id}/responses",
    "POST",
    body=ResponseIn,
    response=ResponseOut,
    status=201,
    auth=True,
    tag="answers",
    errors=(403, 404, 409),
)
async def create_response(request: Request, mandate_id: int, body: ResponseIn) -> JSONResponse:
    """Answer the mandate officially (council and administrators of its municipality)."""
    actor = await require_actor(request)
    response = await commands.respond_to_mandate(
        actor,
        mandate_id,
        body.kind,
        body.body,
        body.council_paper_reference,
        body.council_paper_url,
    )
    view = queries.response_view(response, actor.display_name)
    return JSONResponse(ResponseOut.model_validate(view).model_dump(mode="json"), status_code=201)
