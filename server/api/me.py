"""The signed-in account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from participation.accounts.models import Membership, Residency, User
from participation.accounts.residency import declarations
from server.api.endpoint import Registry
from server.api.residence import declared_out
from server.api.schemas import MembershipOut, MeOut, ResidenceOut, VerificationOut
from server.auth import require_actor

api = Registry(order=10)


@api("/me", response=MeOut, auth=True, tag="accounts")
async def me(request: Request) -> JSONResponse:
    """Who the bearer token belongs to, with roles per municipality and declared residence."""
    actor = await require_actor(request)
    user = await User.get(id=actor.user_id)
    memberships = (
        await Membership.filter(user_id=user.id)
        .order_by("id")
        .values_list("municipality__slug", "role")
    )
    residences = (
        await Residency.filter(user_id=user.id)
        .order_by("id")
        .values_list("municipality__slug", "district__slug")
    )
    return JSONResponse(
        MeOut(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            account_ref=user.account_ref,
            roles=[MembershipOut(municipality=slug, role=role) for slug, role in memberships],
            verification=VerificationOut(
                email_verified=user.email_verified,
                resident_verified=[ResidenceOut(municipality=m, district=d) for m, d in residences],
            ),
            residence=declared_out(await declarations.residence_of(user.id)),
            operator=user.operator_since is not None,
        ).model_dump(mode="json")
    )
