"""Reading vote and ballot forms: what people type (euros, local times, ranks) into what
the commands take, with messages per field for what cannot be read at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from participation.errors import FieldError, InvalidInput
from participation.messages import Message
from participation.votes.ballots import OPTIONS_MAX, RANKING
from participation.votes.drafts import OptionDraft, VoteDraft
from participation.votes.models import Rule
from server.pages import forms
from server.templating import BERLIN

# A ballot has a field per option; a vote form three per option row.
MAX_FIELDS = 3 * OPTIONS_MAX + 50
EXTRA_ROWS = 3
MIN_ROWS = 4

# Form fields named differently from the command's, because people type euros.
_FORM_NAMES = {"budget_cents": "budget"}
_OPTION_FIELD = re.compile(r"^options\.(\d+)\.(title|description|cost_cents)$")


async def read_form(request: Request) -> FormData:
    """The posted form after the CSRF check, allowing the many fields a ballot has."""
    return await forms.read_form(request, max_fields=MAX_FIELDS)


def form_field(field: str, rows: list[int]) -> str:
    """The form field that shows a command's error about `field`; `rows` are the form
    rows the command's options came from, in order."""
    match = _OPTION_FIELD.match(field)
    if match:
        name = {"cost_cents": "cost"}.get(match[2], match[2])
        index = int(match[1])
        return f"option_{name}_{rows[index] if index < len(rows) else index}"
    return _FORM_NAMES.get(field, field)


def euros_to_cents(text: str) -> int:
    """'1.234,56', '1234.56', '1 234' → cents; raises ValueError."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").replace("€", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(text)
    return int(amount * 100)


def cents_to_euros(cents: int | None) -> str:
    if cents is None:
        return ""
    whole, rest = divmod(cents, 100)
    return str(whole) if not rest else f"{whole}.{rest:02d}"


def local_input(moment: datetime | None) -> str:
    """A time as a datetime-local field shows it, in Berlin."""
    return moment.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class _Reader:
    def __init__(self, form: FormData) -> None:
        self.form = form
        self.problems: dict[str, str] = {}

    def text(self, name: str) -> str:
        return _text(self.form, name)

    def whole(self, name: str) -> int | None:
        raw = self.text(name).strip()
        if not raw:
            return None
        if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
            self.problems[name] = Message("Enter a whole number.")
            return None
        return int(raw)

    def euros(self, name: str) -> int | None:
        raw = self.text(name).strip()
        if not raw:
            return None
        try:
            return euros_to_cents(raw)
        except ValueError:
            self.problems[name] = Message("Enter an amount in euros, such as 1500 or 1500,50.")
            return None

    def moment(self, name: str) -> datetime | None:
        raw = self.text(name).strip()
        if not raw:
            return None
        try:
            return datetime.strptime(raw, "%Y-%m-%dT%H:%M").replace(tzinfo=BERLIN)
        except ValueError:
            self.problems[name] = Message("Enter a date and time.")
            return None


@dataclass(frozen=True)
class VoteForm:
    draft: VoteDraft
    options: list[OptionDraft]
    rows: list[int]
    """The form row each option came from: empty rows are skipped."""
    problems: dict[str, str]


def read_vote(form: FormData) -> VoteForm:
    """The draft and options a vote form describes, and field → message for what could
    not be read (the command checks the rest)."""
    reader = _Reader(form)
    draft = VoteDraft(
        title=reader.text("title"),
        description=reader.text("description"),
        rule=reader.text("rule"),
        max_choices=reader.whole("max_choices"),
        points_total=reader.whole("points_total"),
        points_max_per_option=reader.whole("points_max_per_option"),
        budget_cents=reader.euros("budget"),
        limit_ballot_cost=bool(reader.text("limit_ballot_cost")),
        min_votes=reader.whole("min_votes"),
        district=reader.text("district") or None,
        eligibility_level=reader.text("eligibility_level") or None,
        opens_at=reader.moment("opens_at"),
        closes_at=reader.moment("closes_at"),
        min_turnout=reader.whole("min_turnout") or 0,
    )
    options = []
    rows = []
    for n in range(OPTIONS_MAX):
        title = reader.text(f"option_title_{n}")
        description = reader.text(f"option_description_{n}")
        cost = reader.euros(f"option_cost_{n}")
        if title.strip() or description.strip() or cost is not None:
            options.append(OptionDraft(title, description, cost))
            rows.append(n)
    return VoteForm(draft, options, rows, reader.problems)


def vote_values(form: FormData) -> dict[str, str]:
    """What the person typed, to show again next to the errors."""
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def read_ballot(rule: Rule, form: FormData) -> Any:
    """The choices a ballot form describes, in the shapes `ballots.normalise` reads."""
    if rule == Rule.CUMULATIVE:
        return _numbers(form, "points_", Message("Points must be whole numbers."))
    if rule in RANKING:
        return _numbers(form, "rank_", Message("Ranks must be whole numbers."))
    return [value for value in form.getlist("choice") if isinstance(value, str)]


def _numbers(form: FormData, prefix: str, message: str) -> dict[str, int]:
    given: dict[str, int] = {}
    for key, value in form.multi_items():
        if not key.startswith(prefix) or not isinstance(value, str) or not value.strip():
            continue
        raw = value.strip()
        if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 9:
            raise InvalidInput(
                Message("The ballot has invalid fields."), [FieldError("choices", message)]
            )
        given[key.removeprefix(prefix)] = int(raw)
    return given
