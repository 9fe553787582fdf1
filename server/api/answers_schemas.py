"""Request and response models of departments, assignments and official answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from participation.answers import rules
from participation.answers.models import ResponseKind
from participation.municipalities.departments import NAME_MAX
from participation.permissions import Role
from server.api.schemas import NOT_BLANK, Line, ResponsibleOut, Strict, Text

# What the server takes for a council paper's address: http(s), a host, no user or password.
URL_PATTERN = r"^https?://[^\s/?#@:]+(:[0-9]{1,5})?([/?#]\S*)?$"


def _not_nullable(schema: dict[str, Any]) -> None:
    """Unset fields keep their value and null is refused, so the document offers no null."""
    branches = schema.pop("anyOf")
    schema.update(next(b for b in branches if b.get("type") != "null"))


def _not_nullable_nor_blank(schema: dict[str, Any]) -> None:
    _not_nullable(schema)
    schema.update(NOT_BLANK)


class DepartmentIn(Strict):
    name: Line = Field(min_length=1, max_length=NAME_MAX, json_schema_extra=NOT_BLANK)


class DepartmentPatch(Strict):
    """Only the fields sent change."""

    name: Line | None = Field(
        default=None,
        min_length=1,
        max_length=NAME_MAX,
        json_schema_extra=_not_nullable_nor_blank,
    )
    retired: bool | None = Field(
        default=None,
        description="true retires the department (it takes no new mandates), false "
        "takes it back into service",
        json_schema_extra=_not_nullable,
    )

    @field_validator("name", "retired")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null")
        return value


class DepartmentOut(BaseModel):
    id: int
    name: str
    retired: bool
    created_at: datetime
    retired_at: datetime | None


class DepartmentList(BaseModel):
    items: list[DepartmentOut]
    next: str | None


class DepartmentRef(BaseModel):
    id: int | None = Field(description="null once the department was deleted")
    name: str


class AssignmentIn(Strict):
    department_id: int = Field(ge=1, le=2**31 - 1)
    responsible_user_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="a council member or administrator here"
    )


class AssignmentOut(BaseModel):
    mandate_id: int
    department: DepartmentRef
    responsible: ResponsibleOut | None


class ResponseIn(Strict):
    kind: ResponseKind
    body: Text = Field(
        min_length=1, max_length=rules.BODY_MAX, description="Markdown", json_schema_extra=NOT_BLANK
    )
    council_paper_reference: Line | None = Field(
        default=None,
        max_length=rules.REFERENCE_MAX,
        description="Drucksache or Vorlage number in the council information system",
    )
    council_paper_url: Text | None = Field(
        default=None,
        max_length=rules.URL_MAX,
        pattern=URL_PATTERN,
        description="The paper's page (an OParl Paper's web address), http or https",
    )


class AuthorOut(BaseModel):
    display_name: str


class ResponseOut(BaseModel):
    id: int
    mandate_id: int
    kind: ResponseKind
    body: str
    body_html: str
    role: Role = Field(description="the role it was signed with: council or admin")
    department: DepartmentRef | None = Field(
        description="the mandate's department when it was signed, by the name it had then"
    )
    author: AuthorOut | None = Field(description="null once the account is deleted")
    council_paper_reference: str | None
    council_paper_url: str | None
    created_at: datetime


class ResponseList(BaseModel):
    items: list[ResponseOut]
    next: str | None
