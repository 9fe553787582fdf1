"""Read side of answers: a mandate's official answers, its assignment, and who may be
made responsible."""

from __future__ import annotations

from typing import Any

from participation.accounts.models import Membership, User
from participation.actors import Actor
from participation.answers import rules
from participation.answers.actions import ASSIGN_MANDATE, RESPOND_TO_MANDATE
from participation.answers.models import OfficialResponse
from participation.errors import InvalidInput
from participation.ids import parse_id
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Department
from participation.permissions import COUNCIL, Place, Role, may


def _cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    after = parse_id(cursor)
    if after is None:
        raise InvalidInput.on(
            "cursor", Message("Malformed cursor; use the `next` value of a list.")
        )
    return after


def response_view(response: OfficialResponse, author: str | None) -> dict[str, Any]:
    return {
        "id": response.id,
        "mandate_id": response.mandate_id,
        "kind": response.kind,
        "body": response.body,
        "body_html": response.body_html,
        "role": response.role,
        "department": (
            {"id": response.department_id, "name": response.department_name}
            if response.department_name is not None
            else None
        ),
        "author": {"display_name": author} if author else None,
        "council_paper_reference": response.council_paper_reference,
        "council_paper_url": response.council_paper_url,
        "created_at": response.created_at,
    }


async def responses_of(
    mandate_id: int, limit: int = 100, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The mandate's official answers, oldest first, with the next page's cursor."""
    rows = (
        await OfficialResponse.filter(mandate_id=mandate_id, id__gt=_cursor(cursor))
        .order_by("id")
        .limit(limit + 1)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    author_ids = {r.author_id for r in rows if r.author_id}
    names = (
        dict(await User.filter(id__in=author_ids).values_list("id", "display_name"))
        if author_ids
        else {}
    )
    views = [response_view(r, names.get(r.author_id)) for r in rows]
    return views, str(rows[-1].id) if more and rows else None


async def council_members(municipality_id: int) -> list[dict[str, Any]]:
    """Who may be made responsible: council members and administrators, by name."""
    rows = await Membership.filter(
        municipality_id=municipality_id, role__in=list(COUNCIL)
    ).values_list("user_id", "role", "user__display_name")
    people: dict[int, dict[str, Any]] = {}
    for user_id, role, name in rows:
        person = people.setdefault(
            user_id, {"user_id": user_id, "display_name": name, "role": Role(role)}
        )
        if role == Role.COUNCIL:
            person["role"] = Role.COUNCIL
    return sorted(people.values(), key=lambda p: (p["display_name"].casefold(), p["user_id"]))


async def answer_section(actor: Actor | None, mandate: Mandate) -> dict[str, Any]:
    """What the mandate page's answers section needs: the answers, and for the council
    the departments and members to assign to."""
    answers, _ = await responses_of(mandate.id)
    place = Place(mandate.municipality_id)
    may_assign = may(actor, ASSIGN_MANDATE, place)
    status = Status(mandate.status)
    return {
        "answers": answers,
        "answerable": status in rules.ANSWERABLE,
        "assignable": status in rules.ASSIGNABLE,
        "first_answered": mandate.first_answer_at is not None,
        "may_answer": may(actor, RESPOND_TO_MANDATE, place),
        "may_assign": may_assign,
        "departments": (
            await Department.filter(
                municipality_id=mandate.municipality_id, retired_at__isnull=True
            ).order_by("name")
            if may_assign
            else []
        ),
        "council_members": await council_members(mandate.municipality_id) if may_assign else [],
    }
