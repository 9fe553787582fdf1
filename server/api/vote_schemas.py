"""Request and response models of the votes API; they validate input and document it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationInfo, field_validator

from participation.permissions import Level
from participation.votes import ballots, lifecycle
from participation.votes.models import Rule, VoteStatus
from server.api.schemas import (
    DistrictOut,
    Line,
    ListQuery,
    ParticipationOut,
    Strict,
    Text,
    check_reason,
    needs_reason,
)

_RULES = (
    "approval: choose up to `max_choices`, ranked by approvals · irv: instant-runoff, one "
    "winner · schulze: full ranking · cumulative: spread `points_total` points, at most "
    "`points_max_per_option` on one · greedy / greedy-threshold / mes: budget ballots "
    "counted greedily (with `min_votes`) or by the Method of Equal Shares with add-one and "
    "the comparison with greedy · ordinal-greedy: rank exactly `max_choices`, scored k…1"
)


class OptionIn(Strict):
    title: Line = Field(min_length=1, max_length=ballots.TITLE_MAX)
    description: Line = Field(default="", max_length=ballots.OPTION_DESCRIPTION_MAX)
    cost_cents: int | None = Field(
        default=None, ge=0, le=ballots.MONEY_MAX, description="Needed by budget rules"
    )


class OptionsIn(Strict):
    options: list[OptionIn] = Field(max_length=ballots.OPTIONS_MAX)


class _Settings(Strict):
    max_choices: int | None = Field(
        default=None,
        ge=1,
        le=ballots.CHOICES_MAX,
        description="approval: choose up to k · budget rules: count cap · "
        "ordinal-greedy: rank exactly k",
    )
    points_total: int | None = Field(default=None, ge=1, le=ballots.POINTS_MAX)
    points_max_per_option: int | None = Field(default=None, ge=1, le=ballots.POINTS_MAX)
    budget_cents: int | None = Field(default=None, ge=1, le=ballots.MONEY_MAX)
    min_votes: int | None = Field(default=None, ge=1, le=ballots.COUNT_MAX)
    district: Text | None = Field(default=None, max_length=64, description="District slug")
    eligibility_level: Level | None = Field(
        default=None, description="Default: the municipality's level for votes"
    )
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None


class VoteIn(_Settings):
    """Parameters another rule needs are dropped."""

    title: Line = Field(min_length=1, max_length=ballots.TITLE_MAX)
    description: Text = Field(
        default="", max_length=ballots.DESCRIPTION_MAX, description="Markdown"
    )
    rule: Rule = Field(description=_RULES)
    limit_ballot_cost: bool = Field(
        default=True, description="Budget rules: a ballot's projects cost at most the budget"
    )
    min_turnout: int = Field(default=0, ge=0, le=ballots.COUNT_MAX, description="Ballots")
    options: list[OptionIn] = Field(default_factory=list, max_length=ballots.OPTIONS_MAX)


def _not_nullable(schema: dict[str, Any]) -> None:
    """Unset fields keep their value; these have no empty value to clear to, so the
    document does not offer null for them, and the validator below refuses it."""
    branches = schema.pop("anyOf")
    schema.update(next(b for b in branches if b.get("type") != "null"))


class VotePatch(_Settings):
    """Only the fields sent change; send null to clear an optional one."""

    title: Line | None = Field(
        default=None, min_length=1, max_length=ballots.TITLE_MAX, json_schema_extra=_not_nullable
    )
    description: Text | None = Field(
        default=None, max_length=ballots.DESCRIPTION_MAX, json_schema_extra=_not_nullable
    )
    rule: Rule | None = Field(default=None, json_schema_extra=_not_nullable)
    limit_ballot_cost: bool | None = Field(default=None, json_schema_extra=_not_nullable)
    min_turnout: int | None = Field(
        default=None, ge=0, le=ballots.COUNT_MAX, json_schema_extra=_not_nullable
    )

    @field_validator("title", "description", "rule", "limit_ballot_cost", "min_turnout")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null")
        return value


_REASONED = frozenset(t.target.value for t in lifecycle.TRANSITIONS if t.needs_reason)


class VoteTransitionIn(Strict):
    model_config = needs_reason(_REASONED)

    to: VoteStatus
    reason: Text | None = Field(
        default=None, max_length=lifecycle.REASON_MAX, validate_default=True
    )

    @field_validator("reason")
    @classmethod
    def _reasoned(cls, reason: str | None, info: ValidationInfo) -> str | None:
        return check_reason(reason, info.data.get("to"), _REASONED)


class BallotIn(Strict):
    choices: Any = Field(
        description="approval and budget rules: option ids · irv, schulze, ordinal-greedy: "
        "option ids best first, or {option id: rank} · cumulative: {option id: points}",
        json_schema_extra={
            "oneOf": [
                {
                    "type": "array",
                    "items": {"type": "integer"},
                    "minItems": 1,
                    "maxItems": ballots.CHOICES_MAX,
                },
                {
                    "type": "object",
                    "propertyNames": {"pattern": r"^[0-9]{1,10}$"},
                    "additionalProperties": {"type": "integer"},
                    "minProperties": 1,
                    "maxProperties": ballots.CHOICES_MAX,
                },
            ]
        },
    )

    @field_validator("choices")
    @classmethod
    def _numbers(cls, choices: Any) -> Any:
        # The rule decides the rest; a list of "3"s is not a list of option ids.
        values = list(choices.values()) if isinstance(choices, dict) else choices
        if isinstance(values, list) and not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise ValueError("option ids, ranks and points are whole numbers")
        return choices


class VoteQuery(ListQuery):
    status: VoteStatus | None = None


DIGEST = r"^[0-9a-f]{64}$"


class ReceiptQuery(ListQuery):
    limit: int = Field(default=100, ge=1, le=100)
    cursor: str | None = Field(default=None, pattern=DIGEST, description="`next` of a list")
    digest: str | None = Field(
        default=None, pattern=DIGEST, description="Only this digest, if it was counted"
    )


class OptionOut(BaseModel):
    id: int
    position: int
    title: str
    description: str
    cost_cents: int | None


class ParametersOut(BaseModel):
    max_choices: int | None
    points_total: int | None
    points_max_per_option: int | None
    budget_cents: int | None
    limit_ballot_cost: bool
    min_votes: int | None


class ResultOut(BaseModel):
    vote_id: int
    rule: str = Field(description="The rule as counted, e.g. mes-add1-comparison")
    vote_rule: Rule
    winners: list[str] = Field(
        description="Option ids as text, as in the Pabulib file: the funded projects in "
        "order of selection, the single IRV winner, or the full ranking"
    )
    rounds: list[dict[str, Any]]
    details: dict[str, Any]
    turnout: int
    min_turnout: int
    quorum_met: bool
    tie_break: str


class VoteOut(BaseModel):
    id: int
    municipality: str
    mandate_id: int | None
    thread_id: int | None = Field(description="Its discussion: GET /threads/{thread_id}")
    district: DistrictOut | None
    title: str
    description: str
    description_html: str
    rule: Rule
    parameters: ParametersOut
    currency: str
    eligibility_level: Level
    opens_at: datetime | None
    closes_at: datetime | None
    min_turnout: int
    status: VoteStatus
    cancel_reason: str | None
    turnout: int = Field(description="Ballots cast so far; live while open")
    options: list[OptionOut]
    created_at: datetime
    published_at: datetime | None
    allowed_transitions: list[VoteStatus] = Field(
        description="Moves the caller may make now (empty when anonymous)"
    )
    voted: bool | None = Field(description="Whether the caller took part; null when anonymous")
    participation: ParticipationOut = Field(description="Who may vote")
    result: ResultOut | None = Field(default=None, description="Once published")


class VoteList(BaseModel):
    items: list[VoteOut]
    next: str | None


class BallotOut(BaseModel):
    vote_id: int
    receipt: str = Field(description="Shown once: only its SHA-256 is kept")
    replaced: bool = Field(description="True when this ballot replaced one's earlier ballot")
    choices: Any


class MyBallotOut(BaseModel):
    vote_id: int
    choices: Any


class ReceiptList(BaseModel):
    items: list[str] = Field(description="SHA-256 (hex) of the receipt codes, in order")
    next: str | None
