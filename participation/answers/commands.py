"""The council's work on a mandate: assigning it, and answering it officially."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from participation import clock, text, unit
from participation.accounts.models import Membership, User
from participation.actors import Actor
from participation.answers import rules
from participation.answers.actions import ASSIGN_MANDATE, RESPOND_TO_MANDATE
from participation.answers.models import OfficialResponse, ResponseKind
from participation.errors import Conflict, FieldError, InvalidInput
from participation.ids import parse_id
from participation.mandates import lifecycle
from participation.mandates.commands import get_visible
from participation.mandates.models import Mandate, Status
from participation.messages import Message
from participation.municipalities.models import Department
from participation.municipalities.queries import place_of
from participation.permissions import COUNCIL, Role, require, signing_role
from participation.timeline import entries as timeline


@dataclass(frozen=True)
class Assignment:
    mandate_id: int
    department: Department
    responsible: dict[str, Any] | None
    changed: bool


async def council_role_of(user_id: int, municipality_id: int) -> Role | None:
    """Council if she is a council member here, admin if only an administrator, else None."""
    held = set(
        await Membership.filter(
            user_id=user_id, municipality_id=municipality_id, role__in=list(COUNCIL)
        ).values_list("role", flat=True)
    )
    if Role.COUNCIL in held:
        return Role.COUNCIL
    return Role.ADMIN if Role.ADMIN in held else None


async def assign_mandate(
    actor: Actor | None,
    mandate_id: int,
    department_id: int,
    responsible_user_id: int | None = None,
) -> Assignment:
    """Assign a mandate to one of its municipality's departments and, optionally, a
    responsible council member; the timeline shows the department's name and the
    person's display name and role. Assigning what is already assigned records nothing.

    Raises NotFound, NotAuthenticated, PermissionDenied (not council or administrator of
    the mandate's municipality), Conflict (the mandate is not with the council: draft,
    collecting, decided or closed) and InvalidInput naming `department_id` (unknown
    here, or retired) and `responsible_user_id` (nobody with the council or
    administrator role here); nothing is stored when any check fails.
    """
    mandate = await get_visible(actor, mandate_id)
    actor = require(actor, ASSIGN_MANDATE, await place_of(mandate.municipality_id))
    if Status(mandate.status) not in rules.ASSIGNABLE:
        raise Conflict(
            Message("A mandate in status %(status)s cannot be assigned.", status=mandate.status),
            status_now=mandate.status,
        )
    problems: list[FieldError] = []
    department = None
    if parse_id(str(department_id)) is not None:
        department = await Department.get_or_none(
            id=department_id, municipality_id=mandate.municipality_id
        )
    if department is None:
        problems.append(
            FieldError(
                "department_id", Message("This department does not exist in this municipality.")
            )
        )
    elif department.retired_at is not None:
        problems.append(
            FieldError(
                "department_id",
                Message(
                    "The department %(name)s is retired; choose another.", name=department.name
                ),
            )
        )
    responsible: dict[str, Any] | None = None
    if responsible_user_id is not None:
        role = None
        user = None
        if parse_id(str(responsible_user_id)) is not None:
            role = await council_role_of(responsible_user_id, mandate.municipality_id)
            user = await User.get_or_none(id=responsible_user_id) if role else None
        if role is None or user is None:
            problems.append(
                FieldError(
                    "responsible_user_id",
                    Message("Choose a council member or administrator of this municipality."),
                )
            )
        else:
            responsible = {"user_id": user.id, "display_name": user.display_name, "role": role}
    if problems:
        raise InvalidInput(Message("The assignment has invalid fields."), problems)
    assert department is not None
    if mandate.department_id == department.id and mandate.responsible_id == responsible_user_id:
        return Assignment(mandate.id, department, responsible, changed=False)
    async with unit.atomic() as u:
        await (
            Mandate.filter(id=mandate.id)
            .using_db(u.conn)
            .update(department_id=department.id, responsible_id=responsible_user_id)
        )
        await timeline.record(
            u,
            mandate.id,
            "assignment",
            "answers:mandate:assigned",
            {
                "department_id": department.id,
                "department": department.name,
                "responsible": (
                    {"display_name": responsible["display_name"], "role": responsible["role"]}
                    if responsible
                    else None
                ),
            },
            municipality_id=mandate.municipality_id,
            actor_id=actor.user_id,
        )
    return Assignment(mandate.id, department, responsible, changed=True)


async def respond_to_mandate(
    actor: Actor | None,
    mandate_id: int,
    kind: str,
    body: str,
    council_paper_reference: str | None = None,
    council_paper_url: str | None = None,
) -> OfficialResponse:
    """Give an official answer, signed with the responder's role and the mandate's
    department, shown on the mandate's page and timeline.

    The first answer of any kind sets the mandate's `first_answer_at` and whether the
    service promise was kept (answered by `answer_due_at`), once: a conditional update
    that only one of two racing answers wins and no later answer repeats. A first answer
    to a `submitted` mandate also acknowledges it (`in_review`), as answering it means
    the council has taken it up.

    Raises NotFound, NotAuthenticated, PermissionDenied (not council or administrator
    of the mandate's municipality), Conflict (the mandate has not reached the council:
    draft, collecting, withdrawn or expired) and InvalidInput naming each bad field:
    `kind` (unknown, or a second first answer), `body` (empty, over 20,000 characters,
    too complex to display), `council_paper_reference` (over 64 characters, not one line)
    and `council_paper_url` (not an http(s) address, over 500 characters). Nothing is
    stored when any check fails.
    """
    mandate = await get_visible(actor, mandate_id)
    actor = require(actor, RESPOND_TO_MANDATE, await place_of(mandate.municipality_id))
    if Status(mandate.status) not in rules.ANSWERABLE:
        raise Conflict(
            Message(
                "A mandate in status %(status)s has not reached the council and cannot be "
                "answered.",
                status=mandate.status,
            ),
            status_now=mandate.status,
        )
    problems: dict[str, str] = {}
    chosen, kind_problem = rules.check_kind(kind)
    if kind_problem:
        problems["kind"] = kind_problem
    elif chosen == ResponseKind.FIRST_ANSWER and mandate.first_answer_at is not None:
        problems["kind"] = Message(
            "This mandate has had its first answer; give an update or a decision."
        )
    body_problem = rules.check_body(body)
    if body_problem:
        problems["body"] = body_problem
    reference = rules.blank_to_none(council_paper_reference)
    url = rules.blank_to_none(council_paper_url)
    if problem := rules.check_reference(reference):
        problems["council_paper_reference"] = problem
    if problem := rules.check_url(url):
        problems["council_paper_url"] = problem
    body_html = ""
    if "body" not in problems:
        try:
            body_html = await text.render(body, "body")
        except InvalidInput as exc:
            problems["body"] = exc.detail
    if problems:
        raise InvalidInput(
            Message("The answer has invalid fields."),
            [FieldError(field, message) for field, message in problems.items()],
        )
    assert chosen is not None
    department = (
        await Department.get_or_none(id=mandate.department_id) if mandate.department_id else None
    )
    role = signing_role(actor, mandate.municipality_id)
    now = clock.now()
    kept = None if mandate.answer_due_at is None else now <= mandate.answer_due_at
    async with unit.atomic() as u:
        if mandate.status == Status.SUBMITTED:
            try:
                # A savepoint: if someone acknowledged it a moment ago, the answer still goes.
                async with unit.atomic() as acknowledging:
                    await lifecycle.move(acknowledging, mandate, Status.IN_REVIEW, actor)
            except Conflict:
                pass
        response = await OfficialResponse.create(
            mandate_id=mandate.id,
            kind=chosen,
            body=body,
            body_html=body_html,
            author_id=actor.user_id,
            role=role,
            department_id=department.id if department else None,
            department_name=department.name if department else None,
            council_paper_reference=reference,
            council_paper_url=url,
            using_db=u.conn,
        )
        first = bool(
            await Mandate.filter(id=mandate.id, first_answer_at__isnull=True)
            .using_db(u.conn)
            .update(first_answer_at=now, promise_kept=kept)
        )
        data: dict[str, Any] = {
            "response_id": response.id,
            "kind": chosen.value,
            "body_html": body_html,
            "role": role.value,
            "department": department.name if department else None,
            "department_id": department.id if department else None,
            "council_paper_reference": reference,
            "council_paper_url": url,
            "first": first,
        }
        if first:
            data["promise_kept"] = kept
        await timeline.record(
            u,
            mandate.id,
            "response",
            "answers:response:published",
            data,
            municipality_id=mandate.municipality_id,
            actor_id=actor.user_id,
        )
    return response
