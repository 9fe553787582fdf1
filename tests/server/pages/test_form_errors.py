"""Every page form refused with bad input shows its own page again, not the bare error
page: status 422 (403, 409 for a refusal or a state conflict), the form, an error summary
at its top, the message next to the field (aria-invalid, aria-describedby), the posted
values kept, and a language switch that leads to the form's GET page."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette

from notifications import deadletters
from notifications.visits import commands as visit_commands
from participation import clock
from participation.actors import Actor
from participation.mandates.models import Signature, Status
from participation.municipalities.models import Municipality
from participation.permissions import Role
from participation.votes.models import Rule, VoteStatus
from server.settings import Settings
from tests import factories
from tests.factories import answers as answer_factories
from tests.factories import files
from tests.factories import moderation as moderation_factories
from tests.factories import passkeys as passkey_factories
from tests.factories import plans as plan_factories
from tests.factories import ratings as rating_factories
from tests.factories import visits as visit_factories
from tests.factories import votes as vote_factories
from tests.factories.deliberation import comment, thread_of
from tests.factories.moderation import flagged
from tests.server.pages.test_administration import _browse_as

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LANG = re.compile(r'<li class="lang">\s*<a href="([^"]+)"')


@dataclass
class Posting:
    """Who posts, the form's page, where it posts, and what."""

    actor: Actor | None  # None: signed out
    page: str
    target: str
    data: dict[str, str | list[str]] = field(default_factory=dict)
    field_id: str | None = None  # when the field's id depends on what setup made
    switch: str | None = None  # the GET page the language switch leads to, if not `page`
    files: dict[str, tuple[str, bytes]] | None = None  # an upload, sent as multipart


Setup = Callable[[Municipality], Awaitable[Posting]]


@dataclass
class Case:
    """A form, the bad input its setup posts, and the field id its message belongs to
    (`<form_id>-<field>`), or None when the problem is about the whole form."""

    name: str
    setup: Setup
    field_id: str | None
    status: int = 422
    kept: str | None = None  # a posted value the form shows again
    shown: str | None = None  # the form that shows the page again, if not the posted one


async def _reject_without_reason(town: Municipality) -> Posting:
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_REVIEW)
    council = await factories.council_member(town)
    page = f"/mandates/{mandate.id}"
    return Posting(council, page, f"{page}/transition", {"to": "rejected", "reason": ""})


async def _move_not_allowed(town: Municipality) -> Posting:
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_REVIEW)
    council = await factories.council_member(town)
    page = f"/mandates/{mandate.id}"
    data = {"to": "completed", "reason": "Schon erledigt"}
    return Posting(council, page, f"{page}/transition", data)


async def _admin(town: Municipality) -> Actor:
    return await factories.person(role=Role.ADMIN, municipality=town, name="Ada Admin")


def _admin_form(form: str, data: dict[str, str]) -> Setup:
    async def setup(town: Municipality) -> Posting:
        admin = await _admin(town)
        return Posting(admin, f"/m/{town.slug}/admin", f"/m/{town.slug}/admin/{form}", data)

    return setup


def _people_form(form: str, data: dict[str, str]) -> Setup:
    async def setup(town: Municipality) -> Posting:
        admin = await _admin(town)
        page = f"/m/{town.slug}/admin/people"
        return Posting(admin, page, f"/m/{town.slug}/admin/{form}", data)

    return setup


async def _revoke_the_last_admin(town: Municipality) -> Posting:
    admin = await _admin(town)
    data = {"user_id": str(admin.user_id), "role": "admin"}
    page = f"/m/{town.slug}/admin/people"
    return Posting(admin, page, f"/m/{town.slug}/admin/roles/revoke", data)


async def _close_without_reason(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, VoteStatus.OPEN)
    page = f"/votes/{vote.id}"
    return Posting(council, page, f"{page}/transition", {"to": "closed", "reason": ""})


async def _publish_too_early(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, VoteStatus.DRAFT)
    page = f"/votes/{vote.id}"
    data = {"to": "published", "reason": "Sofort"}
    return Posting(council, page, f"{page}/transition", data)


def _own_form(page: str, target: str, data: dict[str, str]) -> Setup:
    async def setup(town: Municipality) -> Posting:
        return Posting(await factories.person(lives_in=town), page, target, data)

    return setup


def _co_sign_declaring(district: str, confirm: str) -> Setup:
    """Co-signing without a declaration, with the sign form's own statement."""

    async def setup(town: Municipality) -> Posting:
        mandate = await factories.mandate(await factories.person(lives_in=town), town)
        page = f"/mandates/{mandate.id}"
        data = {
            "residence_municipality": town.slug,
            "residence_district": district,
            "residence_confirm": confirm,
        }
        return Posting(await factories.person(lives_in=None), page, f"{page}/sign", data)

    return setup


async def _hide_without_reason(town: Municipality) -> Posting:
    author = await factories.person(lives_in=town)
    row = await comment(author, await thread_of(await factories.mandate(author, town)))
    await flagged(row, 1)
    moderator = await moderation_factories.moderator(town)
    queue = f"/m/{town.slug}/moderation"
    data = {"action": "hide", "reason": "", "next": queue}
    field_id = f"decide-{row.id}-hide-reason"
    return Posting(moderator, queue, f"/comments/{row.id}/moderation", data, field_id)


async def _suspend_for_ever(town: Municipality) -> Posting:
    someone = await factories.person(lives_in=town)
    moderator = await moderation_factories.moderator(town)
    page = f"/m/{town.slug}/moderation/accounts/{someone.user_id}"
    data = {"user_id": str(someone.user_id), "days": "1000", "reason": "Beleidigungen"}
    return Posting(moderator, page, f"/m/{town.slug}/suspensions", data)


async def _retry_twice(town: Municipality) -> Posting:
    admin = await _admin(town)
    letter = await deadletters.record("send_email", {"to": "a@example.org"}, "Boom", 5, town.id)
    letter.retried_at = clock.now()
    await letter.save(update_fields=["retried_at"])
    page = f"/m/{town.slug}/admin/jobs"
    return Posting(admin, page, f"{page}/retry", {"dead_letter_id": str(letter.id)})


async def _empty_comment(town: Municipality) -> Posting:
    citizen = await factories.person(lives_in=town)
    thread = await thread_of(await factories.mandate(citizen, town))
    page = f"/threads/{thread.id}"
    data = {"body": " ", "stance": "for"}
    return Posting(citizen, page, f"{page}/comments", data)


def _on_mandate(status: Status, target: str, data: dict[str, str], who: str = "council") -> Setup:
    """A form on a mandate's page in `status`, posted by the council or a co-signer."""

    async def setup(town: Municipality) -> Posting:
        council = await factories.council_member(town)
        if who == "signer":
            mandate, signers = await rating_factories.finished_mandate(town, status)
            actor = signers[-1]
        else:
            initiator = await factories.person(lives_in=town)
            mandate = await factories.mandate(initiator, town, status, council=council)
            actor = council
        page = f"/mandates/{mandate.id}"
        posting = Posting(actor, page, target.format(id=mandate.id), data)
        if posting.target.endswith("/ratings"):  # shown again on the ratings' own page
            posting.switch = posting.target
        return posting

    return setup


async def _sign_in(town: Municipality) -> Posting:
    return Posting(None, "/sign-in", "/sign-in", {"email": "kein-at", "display_name": "Kim"})


async def _launch(town: Municipality) -> Posting:
    page = f"/m/{town.slug}/launch"
    data = {"title": "", "summary": "Kurz", "body": "", "district": "", "topics": ""}
    return Posting(await factories.person(lives_in=town), page, page, data)


async def _new_vote(town: Municipality) -> Posting:
    page = f"/m/{town.slug}/votes/new"
    data = {"title": "", "rule": "approval", "rows": "2"}
    return Posting(await factories.council_member(town), page, page, data)


async def _acknowledge_twice(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    started = await factories.mandate(await factories.person(lives_in=town), town, Status.IN_REVIEW)
    page = f"/m/{town.slug}/council"
    data = {"mandate_id": str(started.id), "back": f"{page}?sort=due"}
    return Posting(council, f"{page}?sort=due", f"{page}/acknowledge", data)


async def _costs_without_title(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_REVIEW, council=council)
    page = f"/mandates/{mandate.id}/costs/new"
    row = {
        "items-0-description": "Bänke",
        "items-0-category": "material",
        "items-0-kind": "one_off",
        "items-0-amount": "100",
        "items-0-funding_source": "",
    }
    data = {"rows": "1", "title": " ", "assumptions": "Preise 2026", **row, "save": "1"}
    return Posting(council, page, page, data)


async def _catalogue(town: Municipality) -> Posting:
    admin = await visit_factories.services(town)
    page = f"/m/{town.slug}/service-visits"
    data = {"rows": "1", "services.0.code": "Kein Code", "services.0.name_de": "Etwas"}
    return Posting(admin, f"{page}/settings", f"{page}/catalogue", data)


async def _rename_passkey(town: Municipality) -> Posting:
    person = await factories.person(lives_in=town)
    key, _ = await passkey_factories.passkey(person, name="Laptop")
    page = "/account/security"
    data = {"name": "x" * 81}
    return Posting(person, page, f"{page}/passkeys/{key.id}/rename", data, f"rename-{key.id}")


async def _over_budget(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, VoteStatus.OPEN, rule=Rule.GREEDY)
    ids = await vote_factories.option_ids(vote.id)
    page = f"/votes/{vote.id}/ballot"
    voter = await factories.person(lives_in=town)
    return Posting(voter, page, page, {"choice": [str(i) for i in ids]})  # over budget


async def _edit_vote(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, VoteStatus.DRAFT)
    page = f"/votes/{vote.id}/edit"
    return Posting(council, page, page, {"title": "", "rule": "approval", "rows": "2"})


async def _measure_update(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_PROGRESS, council=council)
    measure = await plan_factories.measure(council, mandate, title="Bänke")
    data = {"status": "in_progress", "progress": "150", "reason": "Weiter"}
    field_id = f"measure-{measure.id}-update-progress"
    return Posting(
        council, f"/mandates/{mandate.id}", f"/measures/{measure.id}/update", data, field_id
    )


async def _upload_html(town: Municipality) -> Posting:
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.COLLECTING)
    page = f"/mandates/{mandate.id}"
    posting = Posting(initiator, page, f"{page}/attachments", switch=f"{page}/attachments/new")
    posting.files = {"file": ("Bericht.pdf", files.HTML)}
    return posting


async def _milestone_too_early(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_PROGRESS, council=council)
    measure = await plan_factories.measure(council, mandate, title="Bänke")
    data = {"title": "Zu früh", "date": "2000-02-01", "description": ""}
    return Posting(
        council,
        f"/mandates/{mandate.id}",
        f"/measures/{measure.id}/milestones",
        data,
        f"measure-{measure.id}-milestone-date",
    )


async def _assign_elsewhere(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.SUBMITTED, council=council)
    await answer_factories.department(town, "Tiefbauamt")
    foreign = await answer_factories.department(await factories.municipality(), "Anderswo")
    page = f"/mandates/{mandate.id}"
    data = {"department_id": str(foreign.id), "responsible_user_id": ""}
    return Posting(council, page, f"{page}/assignment", data)


async def _empty_service_comment(town: Municipality) -> Posting:
    invitation = await visit_factories.invitation(town)
    await visit_commands.give_satisfaction(invitation.token, 3)
    page = f"/invitations/{invitation.token}/satisfaction/3"
    target = f"/invitations/{invitation.token}/comment"
    return Posting(None, page, target, {"comment": " "})


async def _flag_without_details(town: Municipality) -> Posting:
    author = await factories.person(lives_in=town)
    thread = await thread_of(await factories.mandate(author, town))
    row = await comment(author, thread)
    reader = await factories.person(lives_in=town)
    page = f"/threads/{thread.id}"
    data = {"reason": "other", "text": "", "next": page}
    return Posting(reader, page, f"/comments/{row.id}/flags", data, f"flag-{row.id}-text")


async def _hide_from_the_discussion(town: Municipality) -> Posting:
    author = await factories.person(lives_in=town)
    thread = await thread_of(await factories.mandate(author, town))
    row = await comment(author, thread)
    moderator = await moderation_factories.moderator(town)
    page = f"/threads/{thread.id}"
    data = {"action": "hide", "reason": "", "next": page}
    field_id = f"decide-{row.id}-hide-reason"
    return Posting(moderator, page, f"/comments/{row.id}/moderation", data, field_id)


async def _bad_receipt(town: Municipality) -> Posting:
    council = await factories.council_member(town)
    vote = await vote_factories.vote(council, town, VoteStatus.CLOSED)
    page = f"/votes/{vote.id}/receipts"
    return Posting(await factories.person(lives_in=town), page, page, {"receipt": "hallo"})


async def _empty_edit(town: Municipality) -> Posting:
    author = await factories.person(lives_in=town)
    thread = await thread_of(await factories.mandate(author, town))
    row = await comment(author, thread, "Erster Entwurf")
    page = f"/threads/{thread.id}"
    return Posting(
        author,
        page,
        f"/comments/{row.id}/edit",
        {"body": " ", "stance": "for"},
        f"edit-{row.id}-body",
    )


CASES = [
    # A receipt code is not echoed back: it is the voter's own proof.
    Case("receipt check", _bad_receipt, "receipt"),
    Case("comment edit", _empty_edit, "edit-"),
    Case("report a comment", _flag_without_details, "flag-"),
    Case("moderation decision in a discussion", _hide_from_the_discussion, "decide-"),
    Case("attachment", _upload_html, "attachment-file"),
    Case("milestone", _milestone_too_early, "milestone", kept="Zu früh"),
    Case("assignment", _assign_elsewhere, "assign-department_id"),
    Case("service feedback", _empty_service_comment, "comment"),
    Case("service catalogue", _catalogue, "services.0.code", kept="Etwas"),
    Case("passkey rename", _rename_passkey, "REPLACED"),
    Case("ballot", _over_budget, "choices"),
    Case("vote edit", _edit_vote, "title"),
    Case("measure update", _measure_update, "REPLACED", kept="Weiter"),
    Case("cost analysis", _costs_without_title, "title", kept="Preise 2026"),
    Case("council review", _acknowledge_twice, None, 409, shown="/m/{slug}/council"),
    Case("sign in", _sign_in, "email", kept="Kim"),
    Case("launch", _launch, "title", kept="Kurz"),
    Case("new vote", _new_vote, "title"),
    Case(
        "rating",
        _on_mandate(
            Status.COMPLETED,
            "/mandates/{id}/ratings",
            {"comment": "Vergessen", "show_name": "1"},
            who="signer",
        ),
        "score",
        kept="Vergessen",
    ),
    Case(
        "new measure",
        _on_mandate(
            Status.IN_PROGRESS,
            "/mandates/{id}/measures",
            {"title": "Zehn Bänke", "planned_start": "2027-05-01", "planned_end": "2027-04-30"},
        ),
        "new-measure-planned_end",
        kept="Zehn Bänke",
    ),
    Case(
        "council answer",
        _on_mandate(
            Status.SUBMITTED,
            "/mandates/{id}/responses",
            {"kind": "first_answer", "body": " ", "council_paper_reference": "DS 9"},
        ),
        "answer-body",
        kept="DS 9",
    ),
    Case("comment", _empty_comment, "new-body"),
    Case("failed job retried twice", _retry_twice, None, 409, shown="/m/{slug}/admin/jobs/discard"),
    Case(
        "notification settings",
        _own_form(
            "/me/notifications/settings",
            "/me/notifications/settings",
            {"quiet_hours": "yes", "quiet_from": "x", "quiet_until": "7", "language": "de"},
        ),
        "quiet_from",
    ),
    Case("moderation decision", _hide_without_reason, "decide-"),
    Case("suspension", _suspend_for_ever, "suspend-days", kept="Beleidigungen"),
    Case(
        "display name",
        _own_form("/account", "/account/name", {"display_name": " "}),
        "display_name",
    ),
    Case(
        "residence",
        _own_form(
            "/account",
            "/account/residence",
            {"residence_municipality": "musterdorf", "residence_district": ""},
        ),
        "residence_confirm",
    ),
    Case("co-sign declaration", _co_sign_declaring("nord", ""), "signature-residence_confirm"),
    Case("co-sign district", _co_sign_declaring("atlantis", "1"), "signature-residence_district"),
    Case(
        "residence district",
        _own_form(
            "/account",
            "/account/residence",
            {
                "residence_municipality": "musterdorf",
                "residence_district": "atlantis",
                "residence_confirm": "1",
            },
        ),
        "residence_district",
    ),
    Case(
        "consents",
        _own_form(
            "/account",
            "/account/consents",
            {"email_notifications": "yes", "email_notifications_version": "0"},
        ),
        None,
    ),
    Case(
        "account delete",
        _own_form("/account/delete", "/account/delete", {"confirm_email": "falsch@example.org"}),
        "confirm_email",
        kept="falsch@example.org",
    ),
    Case(
        "admin roles",
        _people_form("roles", {"email": "keine-adresse", "role": "council"}),
        "roles-email",
        kept="keine-adresse",
    ),
    Case("admin last admin", _revoke_the_last_admin, None, 409),
    Case(
        "admin levels",
        _admin_form("levels", {"launch_level": "x", "sign_level": "x", "vote_level": "x"}),
        "levels-launch_level",
    ),
    Case(
        "admin promise",
        _admin_form(
            "promise",
            {
                "service_promise_days": "0",
                "state": "",
            },
        ),
        "promise-service_promise_days",
    ),
    Case(
        "admin holidays",
        _admin_form("holidays", {"date": "kein Datum", "name": "Kirchweih"}),
        "holidays-date",
        kept="Kirchweih",
    ),
    Case(
        "admin residents",
        _admin_form("residents", {"email": "niemand@example.org", "district": "nord"}),
        "residents-email",
    ),
    Case(
        "admin portal keys",
        _admin_form("portal-keys", {"name": "Portal", "public_key": "kein Schlüssel"}),
        "keys-public_key",
        kept="Portal",
    ),
    Case("admin departments", _admin_form("departments", {"name": ""}), "departments-name"),
    Case("vote close", _close_without_reason, "step-reason"),
    Case("vote step conflict", _publish_too_early, None, 409, kept="Sofort"),
    Case("mandate decision", _reject_without_reason, "decision-reason"),
    Case("mandate decision conflict", _move_not_allowed, None, 409, kept="Schon erledigt"),
]


@pytest.fixture
async def town(app: Starlette) -> Municipality:
    return await factories.municipality("musterdorf", name="Musterdorf", quorum=2)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_a_refused_form_is_shown_again_in_place(
    client: httpx.AsyncClient, town: Municipality, settings: Settings, case: Case
) -> None:
    posting = await case.setup(town)
    if posting.actor is not None:
        await _browse_as(client, settings, posting.actor.user_id)
    page = await client.get(posting.page)
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text)
    assert token, page.text
    data = {"csrf_token": token[1], **posting.data}
    answer = await client.post(posting.target, data=data, files=posting.files)
    text = answer.text
    assert answer.status_code == case.status, text
    shown = case.shown.format(slug=town.slug) if case.shown else posting.target
    assert f'action="{shown}"' in text, "the form's page, not the error page"
    assert 'class="error-summary" role="alert"' in text
    field_id = posting.field_id or case.field_id
    if field_id is None:
        assert re.search(r'class="error-summary".*?<li>[^<]+</li>', text, re.S), text
    else:
        assert f'href="#{field_id}"' in text, "the summary links to the field"
        tag = re.search(rf'<[^>]* id="{field_id}"[^>]*>', text)
        assert tag, text
        assert 'aria-invalid="true"' in tag[0]
        assert re.search(rf'aria-describedby="[^"]*{field_id}-error', tag[0]), tag[0]
        assert f'<p class="field-error" id="{field_id}-error">' in text
    if case.kept is not None:
        assert html.escape(case.kept) in text
    switch = LANG.search(text)
    assert switch, "the language switch"
    expected = posting.switch or posting.page
    assert html.unescape(switch[1]).split("?")[0] == expected.split("?")[0]


async def test_the_language_switch_after_a_post_without_a_page_of_its_own_leads_back(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    """A POST answered by the error page: its switch leads to the page the form was on
    (the Referer's path on this site), never to the POST's address or another host."""
    person = await factories.person(lives_in=town)
    await _browse_as(client, settings, person.user_id)
    page = await client.get(f"/m/{town.slug}?topic=rad&lang=de")
    switch = LANG.search(page.text)
    assert switch and html.unescape(switch[1]) == f"/m/{town.slug}?topic=rad&lang=en"
    token = CSRF.search(page.text)
    assert token
    data = {"csrf_token": token[1], "subject_type": "planet", "subject_id": "1"}
    for referer, expected in [
        (f"http://testserver/m/{town.slug}?topic=rad", f"/m/{town.slug}?topic=rad&lang=en"),
        ("https://evil.example//evil.example/x", "/?lang=en"),
        (None, "/?lang=en"),
    ]:
        headers = {"referer": referer} if referer else {}
        refused = await client.post("/me/follows", data=data, headers=headers)
        assert refused.status_code == 404, refused.text  # no such kind of subject
        switch = LANG.search(refused.text)
        assert switch and html.unescape(switch[1]) == expected, referer


async def test_a_signature_refused_shows_the_mandate_with_the_reason(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    """Co-signing without confirming where she lives: the mandate's page again (422), the
    summary linking to the box, the message next to it, and the form as it was posted."""
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town)
    person = await factories.person(lives_in=None)
    await _browse_as(client, settings, person.user_id)
    page = await client.get(f"/mandates/{mandate.id}?lang=en")
    token = CSRF.search(page.text)
    assert token, page.text
    data = {
        "csrf_token": token[1],
        "residence_municipality": town.slug,
        "residence_district": "nord",
        "email_notifications": "yes",
        "email_notifications_version": "1",
    }
    answer = await client.post(f"/mandates/{mandate.id}/sign", data=data)
    text = answer.text
    assert answer.status_code == 422, text
    assert not await Signature.filter(mandate_id=mandate.id, user_id=person.user_id).exists()
    summary = re.search(
        r'<div class="error-summary"[^>]* id="signature-error-summary">.*?</div>', text, re.S
    )
    assert summary, text
    assert 'href="#signature-residence_confirm"' in summary[0]
    assert "Confirm that you live there." in summary[0]
    box = re.search(r'<input type="checkbox" id="signature-residence_confirm"[^>]*>', text)
    assert box, text
    assert 'aria-invalid="true"' in box[0]
    assert 'aria-describedby="signature-residence_confirm-error"' in box[0]
    assert 'name="residence_confirm"' in box[0] and "checked" not in box[0]
    message = '<p class="field-error" id="signature-residence_confirm-error">'
    assert f"{message}Confirm that you live there.</p>" in text
    assert 'for="signature-residence_confirm"' in text
    # What was posted is kept: the district chosen, the email box ticked.
    assert re.search(r'<select id="signature-residence_district"[^>]*>', text)
    assert '<option value="nord" selected>' in text
    assert re.search(r'<input type="checkbox" id="also-by-email"[^>]* checked', text)
    # The form posts to the sign handler again, from the mandate's page.
    assert f'action="/mandates/{mandate.id}/sign"' in text
    switch = LANG.search(text)
    assert switch and html.unescape(switch[1]).split("?")[0] == f"/mandates/{mandate.id}"


async def test_a_signature_on_a_mandate_that_closed_shows_the_reason(
    client: httpx.AsyncClient, town: Municipality, settings: Settings
) -> None:
    """Signing a mandate whose collection closed while its page was open: the mandate's
    page again (409), the reason in the summary above the signatures, no error page."""
    initiator = await factories.person(lives_in=town)
    mandate = await factories.mandate(initiator, town, Status.IN_REVIEW)
    person = await factories.person(lives_in=town)
    await _browse_as(client, settings, person.user_id)
    page = await client.get(f"/mandates/{mandate.id}")
    token = CSRF.search(page.text)
    assert token, page.text
    answer = await client.post(f"/mandates/{mandate.id}/sign", data={"csrf_token": token[1]})
    assert answer.status_code == 409, answer.text
    assert 'id="signature-error-summary"' in answer.text
    assert 'id="signatures"' in answer.text
    assert re.search(r'class="error-summary".*?<li>[^<]+</li>', answer.text, re.S)
