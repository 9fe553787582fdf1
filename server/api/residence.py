"""Where the signed-in person says she lives, and every change of it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.accounts.residency import declarations
from server.api.endpoint import Registry
from server.api.schemas import (
    DeclaredResidenceOut,
    ResidenceIn,
    ResidenceMoveOut,
    ResidenceStateOut,
)
from server.auth import require_actor

api = Registry(order=30)


def declared_out(residence: declarations.DeclaredResidence | None) -> DeclaredResidenceOut | None:
    if residence is None:
        return None
    return DeclaredResidenceOut(
        municipality=residence.municipality,
        municipality_name=residence.municipality_name,
        district=residence.district,
        district_name=residence.district_name,
        source=residence.source.value,
        declared_at=residence.declared_at,
    )


async def _state(user_id: int) -> JSONResponse:
    history = await declarations.residence_history(user_id)
    state = ResidenceStateOut(
        residence=declared_out(await declarations.residence_of(user_id)),
        history=[
            ResidenceMoveOut(
                from_municipality=m.from_municipality,
                from_district=m.from_district,
                to_municipality=m.to_municipality,
                to_district=m.to_district,
                source=m.source.value,
                at=m.at,
            )
            for m in history
        ],
    )
    return JSONResponse(state.model_dump(mode="json"))


@api("/me/residence", response=ResidenceStateOut, auth=True, tag="accounts")
async def get_residence(request: Request) -> JSONResponse:
    """Where the signed-in person says she lives, with every change so far."""
    actor = await require_actor(request)
    return await _state(actor.user_id)


@api(
    "/me/residence",
    "PUT",
    body=ResidenceIn,
    response=ResidenceStateOut,
    auth=True,
    tag="accounts",
)
async def put_residence(request: Request, body: ResidenceIn) -> JSONResponse:
    """Declare or change where one lives; at the email level this opens that municipality."""
    actor = await require_actor(request)
    await declarations.declare_residence(actor, body.municipality, body.district)
    return await _state(actor.user_id)
