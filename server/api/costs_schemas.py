"""Request and response models of the cost analyses API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from participation.costs import rules
from server.api.schemas import Line, ListQuery, Strict, Text

Category = Literal["personnel", "material", "construction", "services", "operation", "other"]
Kind = Literal["one_off", "per_year"]
assert set(Category.__args__) == set(rules.CATEGORIES)  # type: ignore[attr-defined]


class CostItem(Strict):
    """One line item. Amounts are whole cents; `per_year` items recur every year."""

    description: Line = Field(min_length=1, max_length=rules.DESCRIPTION_MAX)
    category: Category
    kind: Kind
    amount_cents: int = Field(ge=0, le=rules.AMOUNT_MAX)
    funding_source: Line = Field(default="", max_length=rules.FUNDING_SOURCE_MAX)


# The items are checked by the domain's rules, so that a problem names its field as
# `items[3].amount_cents`; the document still states the shape each item must have.
_ITEMS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "maxItems": rules.ITEMS_MAX,
    "items": {k: v for k, v in CostItem.model_json_schema().items() if k not in ("title",)},
}


class CostAnalysisIn(Strict):
    title: Line = Field(min_length=1, max_length=rules.TITLE_MAX)
    items: list[Any] = Field(
        default_factory=list,
        json_schema_extra=_ITEMS_SCHEMA,
    )
    assumptions: Text = Field(default="", max_length=rules.ASSUMPTIONS_MAX, description="Markdown")
    measure_id: int | None = Field(
        default=None,
        ge=0,
        le=2**31 - 1,
        description="A measure of the same mandate; on PUT, left out keeps the current one",
    )


class CostItemOut(BaseModel):
    description: str
    category: Category
    kind: Kind
    amount_cents: int
    funding_source: str


class CostAnalysisOut(BaseModel):
    id: int
    mandate_id: int
    measure_id: int | None
    measure_title: str | None
    title: str
    items: list[CostItemOut]
    assumptions: str
    assumptions_html: str
    revision: int = Field(description="The revision shown: the latest the caller may see")
    latest_revision: int | None = Field(description="The newest revision the caller may see")
    published_revision: int | None = Field(description="The revision the public sees, if any")
    status: Literal["draft", "published"] = Field(description="Of the revision shown")
    one_off_cents: int
    per_year_cents: int
    per_resident_cents: int | None = Field(
        description="One-off costs plus one year of recurring costs, per resident, rounded "
        "half up to the cent; null while the municipality's population is unknown"
    )
    one_off_per_resident_cents: int | None
    per_year_per_resident_cents: int | None
    population: int | None
    currency: Literal["EUR"]
    author_role: Literal["council", "admin"] | None = Field(
        description="The role the revision was saved with (no names, no emails)"
    )
    created_at: datetime
    updated_at: datetime = Field(description="When the revision shown was saved")
    published_at: datetime | None = Field(description="When the revision shown was published")


class CostAnalysisList(BaseModel):
    items: list[CostAnalysisOut]
    next: str | None


class RevisionOut(BaseModel):
    number: int
    title: str
    status: Literal["draft", "published"]
    item_count: int
    one_off_cents: int
    per_year_cents: int
    author_role: Literal["council", "admin"] | None
    created_at: datetime
    published_at: datetime | None


class RevisionList(BaseModel):
    items: list[RevisionOut]
    next: str | None


class PositionedItem(CostItemOut):
    position: int = Field(description="1-based position in its revision")


class FieldChange(BaseModel):
    before: Any
    after: Any


class ChangedItem(BaseModel):
    position_before: int
    position_after: int
    before: CostItemOut
    after: CostItemOut
    changes: dict[str, FieldChange] = Field(description="Only the fields that changed")


class TotalChange(BaseModel):
    before: int
    after: int
    change: int


class Totals(BaseModel):
    one_off_cents: TotalChange
    per_year_cents: TotalChange


class TitleChange(BaseModel):
    before: str
    after: str


class DiffOut(BaseModel):
    """Items are matched by description (case and spacing aside, duplicates in order), then
    the rest by position, so an item renamed in place shows as changed."""

    cost_analysis_id: int
    currency: Literal["EUR"]
    from_: int = Field(alias="from")
    to: int
    added: list[PositionedItem]
    removed: list[PositionedItem]
    changed: list[ChangedItem]
    totals: Totals
    title: TitleChange | None
    assumptions_changed: bool

    model_config = {"populate_by_name": True}


class DiffQuery(BaseModel):
    from_: int = Field(alias="from", ge=1, le=2**31 - 1)
    to: int = Field(ge=1, le=2**31 - 1)


class ExportQuery(BaseModel):
    revision: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="Default: the revision the caller sees"
    )


class RevisionQuery(ListQuery):
    pass
