"""The signed-in person's notification preferences and what she follows."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from notifications import follows, preferences
from notifications.follows import Followed
from notifications.preferences import KindChange, Preferences, SettingsChange
from server.api.endpoint import Registry
from server.api.preferences_schemas import (
    EmailConsentOut,
    FollowList,
    FollowOut,
    FollowParams,
    FollowQuery,
    KindPreferenceOut,
    PreferencesIn,
    PreferencesOut,
    QuietHours,
)
from server.api.schemas import ListQuery
from server.auth import require_actor

api = Registry(order=25)


def _out(found: Preferences) -> JSONResponse:
    consent = found.email_consent
    body = PreferencesOut(
        kinds=[
            KindPreferenceOut(
                event=choice.kind.event,
                category=choice.kind.category,
                optional=choice.kind.optional,
                inbox=choice.inbox.value,  # type: ignore[arg-type]
                email=choice.email,
                inbox_default=choice.kind.inbox.value,  # type: ignore[arg-type]
                email_default=choice.kind.email,
            )
            for choice in found.kinds
        ],
        quiet_hours=QuietHours(
            enabled=found.quiet_hours, quiet_from=found.quiet_from, quiet_until=found.quiet_until
        ),
        language=found.language,  # type: ignore[arg-type]
        email_consent=EmailConsentOut(
            granted=consent.granted,
            wording_version=consent.wording_version,
            current_version=consent.topic.current,
        ),
    )
    return JSONResponse(body.model_dump(mode="json"))


@api("/me/notification-preferences", response=PreferencesOut, auth=True, tag="notifications")
async def get_preferences(request: Request) -> JSONResponse:
    """How she hears of each kind of notification, her quiet hours, email language and
    consent; kinds she chose nothing for show their defaults."""
    return _out(await preferences.preferences_of(await require_actor(request)))


@api(
    "/me/notification-preferences",
    "PUT",
    body=PreferencesIn,
    response=PreferencesOut,
    auth=True,
    tag="notifications",
)
async def put_preferences(request: Request, body: PreferencesIn) -> JSONResponse:
    """Change choices per kind and channel (inbox: immediate or off; email: immediate,
    daily, weekly or off), quiet hours and email language; all or nothing."""
    actor = await require_actor(request)
    quiet = body.quiet_hours
    found = await preferences.change_preferences(
        actor,
        [KindChange(k.event, k.inbox, k.email) for k in body.kinds],
        SettingsChange(
            quiet_hours=quiet.enabled if quiet else None,
            quiet_from=quiet.quiet_from if quiet else None,
            quiet_until=quiet.quiet_until if quiet else None,
            language=body.language,
        ),
    )
    return _out(found)


def _follow_out(found: Followed) -> FollowOut:
    subject = found.subject
    return FollowOut(
        subject_type=subject.type,
        subject_id=subject.key,
        municipality=subject.municipality_slug,
        title=subject.title,
        url=subject.url,
        reason=found.reason,  # type: ignore[arg-type]
        since=found.since,
    )


@api("/me/follows", query=ListQuery, response=FollowList, auth=True, tag="notifications")
async def list_follows(request: Request, query: ListQuery) -> JSONResponse:
    """What she follows, explicitly or by launching and co-signing mandates, newest first."""
    found = await follows.follows_of(await require_actor(request))
    start = int(query.cursor or 0)
    page = found[start : start + query.limit]
    more = start + query.limit < len(found)
    body = FollowList(
        items=[_follow_out(f) for f in page], next=str(start + query.limit) if more else None
    )
    return JSONResponse(body.model_dump(mode="json"))


FOLLOWING = {
    "params": FollowParams,
    "query": FollowQuery,
    "auth": True,
    "tag": "notifications",
    "errors": (404,),
}


@api("/follows/{subject_type}/{subject_id}", "PUT", status=204, **FOLLOWING)
async def follow(
    request: Request, subject_type: str, subject_id: str, query: FollowQuery
) -> Response:
    """Follow a mandate, district, topic (named with `?municipality=`) or vote; again is a
    no-op. A subject that does not exist, or that she may not see, is a 404."""
    actor = await require_actor(request)
    await follows.follow(actor, subject_type, subject_id, query.municipality)
    return Response(status_code=204)


@api("/follows/{subject_type}/{subject_id}", "DELETE", status=204, **FOLLOWING)
async def unfollow(
    request: Request, subject_type: str, subject_id: str, query: FollowQuery
) -> Response:
    """Stop following it, also a mandate she launched or co-signed; again is a no-op."""
    actor = await require_actor(request)
    await follows.unfollow(actor, subject_type, subject_id, query.municipality)
    return Response(status_code=204)
