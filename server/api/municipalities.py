"""Municipalities (tenants) and their districts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from participation import unit
from participation.accounts.authorization import invitations
from participation.accounts.authorization.invitations import Invitation
from participation.errors import InvalidInput, NotFound
from participation.files import crest
from participation.ids import parse_id
from participation.messages import Message
from participation.municipalities import face
from participation.municipalities.commands import update_municipality
from participation.municipalities.models import (
    LEVEL_FIELDS,
    District,
    LocalHoliday,
    Municipality,
)
from participation.municipalities.queries import levels_of, municipality_by_slug
from participation.permissions import Level
from server.api.endpoint import RawBody, Registry
from server.api.municipality_schemas import (
    InvitationIn,
    InvitationList,
    InvitationOut,
    MunicipalityIn,
    MunicipalitySettingsIn,
)
from server.api.schemas import (
    LevelsView,
    ListQuery,
    LocalHolidayOut,
    MunicipalityDistrictOut,
    MunicipalityList,
    MunicipalityOut,
)
from server.auth import require_actor
from server.body_limit import BodyTooLarge
from server.invitation_mail import operator_inviter, send_invitation

api = Registry(order=50)


async def _views(municipalities: list[Municipality]) -> list[dict]:
    districts: dict[int, list[MunicipalityDistrictOut]] = {m.id: [] for m in municipalities}
    for d in await District.filter(municipality_id__in=list(districts)).order_by("name"):
        districts[d.municipality_id].append(
            MunicipalityDistrictOut(slug=d.slug, name=d.name, retired=d.retired)
        )
    levels = await levels_of(list(districts))
    holidays: dict[int, list[LocalHolidayOut]] = {m.id: [] for m in municipalities}
    for h in await LocalHoliday.filter(municipality_id__in=list(holidays)).order_by("date"):
        holidays[h.municipality_id].append(LocalHolidayOut(date=h.date, name=h.name))
    return [
        MunicipalityOut(
            slug=m.slug,
            name=m.name,
            default_quorum=m.default_quorum,
            signature_period_days=m.signature_period_days,
            service_promise_days=m.service_promise_days,
            state=m.state,
            local_holidays=holidays[m.id],
            population=m.population,
            time_zone=m.time_zone,
            districts=districts[m.id],
            official_key=m.official_key,
            contact_email=m.contact_email,
            contact_phone=m.contact_phone,
            contact_address=m.contact_address,
            open_data_licence=m.open_data_licence,
            verification_levels=LevelsView(
                **{
                    name: levels[m.id].get(action, Level.EMAIL)
                    for name, action in LEVEL_FIELDS.items()
                }
            ),
            primary_color=m.primary_color,
            welcome_text=m.welcome_text,
            coat_of_arms_url=face.crest_url(m),
        ).model_dump(mode="json")
        for m in municipalities
    ]


@api("/municipalities", query=ListQuery, response=MunicipalityList, tag="municipalities")
async def list_municipalities(request: Request, query: ListQuery) -> JSONResponse:
    """All municipalities on this platform, by name."""
    offset = parse_id(query.cursor) if query.cursor is not None else 0
    if offset is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    rows = await Municipality.all().order_by("name", "id").offset(offset).limit(query.limit + 1)
    more = len(rows) > query.limit
    items = await _views(rows[: query.limit])
    return JSONResponse({"items": items, "next": str(offset + query.limit) if more else None})


@api("/municipalities/{slug}", response=MunicipalityOut, tag="municipalities", errors=(404,))
async def get_municipality(request: Request, slug: str) -> JSONResponse:
    """One municipality with its districts."""
    municipality = await municipality_by_slug(slug)
    if municipality is None:
        raise NotFound(Message("This municipality does not exist."))
    return JSONResponse((await _views([municipality]))[0])


@api(
    "/municipalities/{slug}",
    "PATCH",
    body=MunicipalitySettingsIn,
    response=MunicipalityOut,
    auth=True,
    tag="municipalities",
    errors=(403, 404, 422),
)
async def patch_municipality(
    request: Request, slug: str, body: MunicipalitySettingsIn
) -> JSONResponse:
    """Change the settings (administrators): name, quorum, signature period, service
    promise, state, local holidays, population, time zone, contact, the districts (add by
    name, rename by slug, retire and reinstate by slug), and the face: primary colour and
    welcome text. Nothing changes when a field is wrong; each wrong one is named."""
    actor = await require_actor(request)
    # The face's fields are checked before anything is written, so a bad one stores
    # nothing, and named with the settings' own bad fields.
    _, problems = face.clean(body.face_changes())
    async with unit.atomic():
        municipality = await update_municipality(actor, slug, body.changes(), problems)
        if body.face_changes():
            municipality = await face.update_face(actor, slug, body.face_changes())
    return JSONResponse((await _views([municipality]))[0])


@api(
    "/municipalities/{slug}/coat-of-arms",
    "PUT",
    raw_body=RawBody(
        tuple(crest.CONTENT_TYPES.values()),
        f"The image itself, PNG or JPEG, at most {crest.MAX_CREST_BYTES // 2**20} MB, with its "
        "type as Content-Type. It must decode as that type in full; SVG is never taken.",
    ),
    response=MunicipalityOut,
    auth=True,
    tag="municipalities",
    errors=(403, 404, 413, 422),
)
async def put_coat_of_arms(request: Request, slug: str) -> JSONResponse:
    """Put up the coat of arms: the raw PNG or JPEG as the body (Content-Type image/png or
    image/jpeg), at most 2 MB; it is stored re-encoded, at most 512 px (administrators)."""
    actor = await require_actor(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in crest.CONTENT_TYPES.values():
        raise InvalidInput.on(
            crest.CREST_FIELD, Message("Send the image with Content-Type image/png or image/jpeg.")
        )
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > crest.MAX_CREST_BYTES:
                break
    except BodyTooLarge:
        raise crest.too_large() from None
    municipality = await crest.set_coat_of_arms(actor, slug, bytes(body))
    return JSONResponse((await _views([municipality]))[0])


@api(
    "/municipalities/{slug}/coat-of-arms",
    "DELETE",
    response=MunicipalityOut,
    auth=True,
    tag="municipalities",
    errors=(403, 404),
)
async def delete_coat_of_arms(request: Request, slug: str) -> JSONResponse:
    """Take the coat of arms down (administrators)."""
    municipality = await crest.remove_coat_of_arms(await require_actor(request), slug)
    return JSONResponse((await _views([municipality]))[0])


@api(
    "/municipalities",
    "POST",
    body=MunicipalityIn,
    response=MunicipalityOut,
    status=201,
    auth=True,
    tag="municipalities",
    errors=(403, 422),
)
async def post_municipality(request: Request, body: MunicipalityIn) -> JSONResponse:
    """Found a municipality (operators, made with `auftrag operator grant`); with
    `admin_email`, its first administrator. A slug already taken is a 422 naming `slug`."""
    actor = await require_actor(request)
    municipality, invitation = await invitations.found_with_administrator(
        actor, body.slug, body.name, body.state, body.official_key, body.extra(), body.admin_email
    )
    if invitation is not None and invitation.pending:
        inviter = operator_inviter(request.app.state.settings)
        await send_invitation(request, municipality, invitation, inviter)
    return JSONResponse((await _views([municipality]))[0], status_code=201)


def _invitation(invitation: Invitation) -> dict:
    return InvitationOut(**vars(invitation)).model_dump(mode="json")


@api(
    "/municipalities/{slug}/invitations",
    response=InvitationList,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def list_invitations(request: Request, slug: str) -> JSONResponse:
    """Roles waiting on an email address here until its first sign-in (administrators)."""
    found = await invitations.list_invitations(await require_actor(request), slug)
    return JSONResponse({"items": [_invitation(i) for i in found]})


@api(
    "/municipalities/{slug}/invitations",
    "POST",
    body=InvitationIn,
    response=InvitationOut,
    status=201,
    auth=True,
    tag="administration",
    errors=(403, 404, 422),
)
async def post_invitation(request: Request, slug: str, body: InvitationIn) -> JSONResponse:
    """Invite an address to a role here: it waits until the address first signs in (and
    an email tells it so), or is granted at once if the address has an account
    (`pending` false). Recorded in the audit log when granted."""
    actor = await require_actor(request)
    invitation = await invitations.invite(actor, slug, body.email, body.role)
    if invitation.pending:
        municipality = await municipality_by_slug(slug)
        assert municipality is not None
        await send_invitation(request, municipality, invitation)
    return JSONResponse(_invitation(invitation), status_code=201)


@api(
    "/municipalities/{slug}/invitations/{invitation_id:id}",
    "DELETE",
    status=204,
    auth=True,
    tag="administration",
    errors=(403, 404),
)
async def delete_invitation(request: Request, slug: str, invitation_id: int) -> Response:
    """Withdraw a role that still waits on its address."""
    await invitations.withdraw_invitation(await require_actor(request), slug, invitation_id)
    return Response(status_code=204)
