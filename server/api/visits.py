"""Service visits: the portal's call, the catalogue and rules administrators keep, and the
funnel and service figures for everyone."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import JSONResponse

from notifications.visits import commands, offer, rules
from notifications.visits.funnel import funnel
from server.api.endpoint import Registry
from server.api.visits_schemas import (
    DurationOut,
    FunnelOut,
    FunnelQuery,
    FunnelStepsOut,
    InvitationRuleItem,
    InvitationRulesDoc,
    SatisfactionOut,
    ServiceCatalogueDoc,
    ServiceMonthOut,
    ServiceTypeItem,
    ServiceVisitIn,
    ServiceVisitOut,
)
from server.auth import require_actor

api = Registry(order=79)


@api(
    "/municipalities/{slug}/service-visits",
    "POST",
    body=ServiceVisitIn,
    response=ServiceVisitOut,
    status=202,
    tag="service visits",
    errors=(401, 404, 409, 422),
)
async def record_service_visit(request: Request, slug: str, body: ServiceVisitIn) -> JSONResponse:
    """For the municipal service portal: someone just used a service; invite her if fit.

    The signature is the credential; no bearer token is needed.
    """
    outcome = await commands.record_visit(slug, body.visit)
    return JSONResponse(ServiceVisitOut(outcome=outcome).model_dump(mode="json"), status_code=202)


def _catalogue(services: list[offer.Service]) -> JSONResponse:
    doc = ServiceCatalogueDoc(services=[ServiceTypeItem(**asdict(s)) for s in services])
    return JSONResponse(doc.model_dump(mode="json"))


@api(
    "/municipalities/{slug}/service-catalogue",
    response=ServiceCatalogueDoc,
    auth=True,
    tag="service visits",
    errors=(404,),
)
async def get_service_catalogue(request: Request, slug: str) -> JSONResponse:
    """The municipality's services that portals may report visits of (administrators)."""
    return _catalogue(await offer.service_catalogue(await require_actor(request), slug))


@api(
    "/municipalities/{slug}/service-catalogue",
    "PUT",
    body=ServiceCatalogueDoc,
    response=ServiceCatalogueDoc,
    auth=True,
    tag="service visits",
    errors=(404, 422),
)
async def put_service_catalogue(
    request: Request, slug: str, body: ServiceCatalogueDoc
) -> JSONResponse:
    """Replace the catalogue; services left out are retired (administrators)."""
    given = [offer.Service(s.code, s.name_de, s.name_en) for s in body.services]
    actor = await require_actor(request)
    return _catalogue(await offer.replace_catalogue(actor, slug, given))


def _rules(current: offer.Rules) -> JSONResponse:
    doc = InvitationRulesDoc(
        cap_days=current.cap_days,
        rules=[
            InvitationRuleItem(
                service_type=r.service_type, topics=list(r.topics), own_district=r.own_district
            )
            for r in current.rules
        ],
    )
    return JSONResponse(doc.model_dump(mode="json"))


@api(
    "/municipalities/{slug}/invitation-rules",
    response=InvitationRulesDoc,
    auth=True,
    tag="service visits",
    errors=(404,),
)
async def get_invitation_rules(request: Request, slug: str) -> JSONResponse:
    """Which open consultations each service's visits are invited to (administrators)."""
    return _rules(await offer.invitation_rules(await require_actor(request), slug))


@api(
    "/municipalities/{slug}/invitation-rules",
    "PUT",
    body=InvitationRulesDoc,
    response=InvitationRulesDoc,
    auth=True,
    tag="service visits",
    errors=(404, 422),
)
async def put_invitation_rules(
    request: Request, slug: str, body: InvitationRulesDoc
) -> JSONResponse:
    """Replace the rules and the frequency cap (administrators)."""
    given = offer.Rules(
        body.cap_days,
        tuple(offer.Rule(r.service_type, tuple(r.topics), r.own_district) for r in body.rules),
    )
    actor = await require_actor(request)
    return _rules(await offer.replace_invitation_rules(actor, slug, given))


@api(
    "/municipalities/{slug}/service-visits/funnel",
    query=FunnelQuery,
    response=FunnelOut,
    tag="service visits",
    errors=(404, 422),
)
async def service_visit_funnel(request: Request, slug: str, query: FunnelQuery) -> JSONResponse:
    """Visits → invitations → opened → took part, and satisfaction and duration, per
    service type and month."""
    found = await funnel(slug, query.period)
    services = []
    for row in found.rows:
        satisfaction = rules.satisfaction(row.scores)
        services.append(
            ServiceMonthOut(
                service_type=row.service_type,
                name_de=row.name_de,
                name_en=row.name_en,
                month=row.month,
                visits=row.visits,
                invitations=row.invitations,
                opened=row.opened,
                took_part=row.took_part,
                outcomes=row.outcomes,
                satisfaction=SatisfactionOut(**asdict(satisfaction)),
                duration=DurationOut(**asdict(rules.duration(row.minutes))),
            )
        )
    out = FunnelOut(
        municipality=slug,
        period=found.period.name,
        start=found.period.start.isoformat(),
        end=found.period.end.isoformat(),
        total=FunnelStepsOut(
            visits=found.total("visits"),
            invitations=found.total("invitations"),
            opened=found.total("opened"),
            took_part=found.total("took_part"),
        ),
        services=services,
    )
    return JSONResponse(out.model_dump(mode="json"))
