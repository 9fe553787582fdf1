"""Cost analysis rules: what a line item may hold, totals, per-resident figures, diffs. No I/O.

Amounts are integer cents. A line item is one-off or recurs once per year; the totals add
each kind up. The figure per resident is what the measure costs each resident in its
first year: the one-off costs plus one year of the recurring ones, divided by the
municipality's population and rounded half up to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from participation import single_line
from participation.mandates.models import Status
from participation.messages import Message

CATEGORIES = ("personnel", "material", "construction", "services", "operation", "other")
KINDS = ("one_off", "per_year")
ITEM_FIELDS = ("description", "category", "kind", "amount_cents", "funding_source")

TITLE_MAX = 200
DESCRIPTION_MAX = 300
FUNDING_SOURCE_MAX = 200
ASSUMPTIONS_MAX = 20_000
ITEMS_MAX = 200
AMOUNT_MAX = 10**12
CURRENCY = "EUR"

# The mandate has reached the council: it was submitted, and neither withdrawn nor expired.
ANALYSABLE = frozenset(
    {
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.REJECTED,
    }
)

Item = dict[str, Any]


def item_field(index: int, name: str) -> str:
    """The field name that problems with item `index` (0-based) carry: `items[3].amount_cents`."""
    return f"items[{index}].{name}"


def check_title(title: Any) -> str | None:
    if not isinstance(title, str) or not title.strip():
        return Message("A cost analysis needs a title.")
    if len(title.strip()) > TITLE_MAX:
        return Message("At most %(max)s characters.", max=TITLE_MAX)
    return single_line.problem(title)


def check_assumptions(assumptions: Any) -> Message | None:
    if not isinstance(assumptions, str):
        return Message("The assumptions must be text.")
    if len(assumptions) > ASSUMPTIONS_MAX:
        return Message("At most %(max)s characters.", max=ASSUMPTIONS_MAX)
    if "\x00" in assumptions:
        return Message("The text holds a NUL character.")
    return None


def _check_amount(value: Any) -> Message | None:
    # bool is an int in Python, and 2.0 is a float: neither is an amount in cents.
    if isinstance(value, bool) or not isinstance(value, int):
        return Message("Enter the amount as a whole number of cents.")
    if value < 0:
        return Message("An amount cannot be negative.")
    if value > AMOUNT_MAX:
        return Message("An amount can be at most %(max)s cents.", max=AMOUNT_MAX)
    return None


def _check_line(value: Any, maximum: int, required: bool) -> str | None:
    if not isinstance(value, str):
        return Message("This must be text.")
    if required and not value.strip():
        return Message("Describe the item.")
    if len(value.strip()) > maximum:
        return Message("At most %(max)s characters.", max=maximum)
    return single_line.problem(value)


def check_items(items: Any) -> tuple[list[Item], dict[str, str]]:
    """The items cleaned (text trimmed, funding source "" when absent) and the problems by
    field, such as `items[3].amount_cents`; nothing is cleaned past a problem."""
    problems: dict[str, str] = {}
    if not isinstance(items, list):
        return [], {"items": Message("The items must be a list.")}
    if len(items) > ITEMS_MAX:
        return [], {"items": Message("At most %(max)s items.", max=ITEMS_MAX)}
    cleaned: list[Item] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems[f"items[{index}]"] = Message("Each item must be an object.")
            continue
        for unknown in sorted(set(item) - set(ITEM_FIELDS)):
            problems[item_field(index, str(unknown))] = Message("Unknown field.")
        checks = {
            "description": _check_line(item.get("description"), DESCRIPTION_MAX, True),
            "category": None
            if item.get("category") in CATEGORIES
            else Message(
                "Choose one of the categories: %(choices)s.", choices=", ".join(CATEGORIES)
            ),
            "kind": None if item.get("kind") in KINDS else Message("Choose one_off or per_year."),
            "amount_cents": _check_amount(item.get("amount_cents")),
            "funding_source": _check_line(
                item.get("funding_source", ""), FUNDING_SOURCE_MAX, False
            ),
        }
        for name, problem in checks.items():
            if problem is not None:
                problems[item_field(index, name)] = problem
        if not any(k.startswith(f"items[{index}]") for k in problems):
            cleaned.append(
                {
                    "description": item["description"].strip(),
                    "category": item["category"],
                    "kind": item["kind"],
                    "amount_cents": item["amount_cents"],
                    "funding_source": item.get("funding_source", "").strip(),
                }
            )
    return cleaned, problems


@dataclass(frozen=True)
class Totals:
    one_off_cents: int
    per_year_cents: int


def totals(items: Sequence[Item]) -> Totals:
    one_off = sum(i["amount_cents"] for i in items if i["kind"] == "one_off")
    per_year = sum(i["amount_cents"] for i in items if i["kind"] == "per_year")
    return Totals(one_off, per_year)


def _per_head(cents: int, population: int) -> int:
    """`cents / population`, rounded half up; exact on integers, as money must be."""
    return (2 * cents + population) // (2 * population)


def per_resident(
    one_off_cents: int, per_year_cents: int, population: int | None
) -> dict[str, int | None]:
    """The first year's cost per resident (one-off plus one year of recurring costs) and
    each kind alone; all None without a known population."""
    if not population or population <= 0:
        return {
            "per_resident_cents": None,
            "one_off_per_resident_cents": None,
            "per_year_per_resident_cents": None,
        }
    return {
        "per_resident_cents": _per_head(one_off_cents + per_year_cents, population),
        "one_off_per_resident_cents": _per_head(one_off_cents, population),
        "per_year_per_resident_cents": _per_head(per_year_cents, population),
    }


# -- amounts typed in a form ------------------------------------------------------------

_EURO_TEXT = re.compile(r"^\d{1,3}(?:[.\u00a0 ]\d{3})+(?:,\d{1,2})?$|^\d+(?:[,.]\d{1,2})?$")


def cents_from_euros(text: str) -> int | None:
    """Cents for an amount in euros as people type it in German or English ("1.234,56",
    "1234.56", "1 234", "12 €"); None if it is no such amount. A dot followed by exactly
    three digits groups thousands, as in German."""
    cleaned = text.strip().removesuffix("€").removesuffix("EUR").strip()
    if not cleaned or not _EURO_TEXT.match(cleaned):
        return None
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", cleaned) or "," in cleaned:
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned) * 100
    except InvalidOperation:
        return None
    return int(value)


def euros_from_cents(cents: int) -> str:
    """The amount as a form shows it again: German decimal comma, no grouping."""
    return f"{cents // 100},{cents % 100:02d}"


# -- diffs between revisions -------------------------------------------------------------


def _key(item: Item) -> str:
    return " ".join(item["description"].split()).casefold()


def diff_items(before: Sequence[Item], after: Sequence[Item]) -> dict[str, list[dict[str, Any]]]:
    """Items added, removed and changed from `before` to `after`.

    Items are matched by description first (ignoring case and spacing; several items of
    the same description pair up in order), then, among those still unmatched, by
    position: an item whose description was edited in place counts as changed, not as
    one removed and one added. Positions are 1-based, as people count rows.
    """
    pairs: list[tuple[int, int]] = []
    free_after = list(range(len(after)))
    unmatched_before: list[int] = []
    for i, item in enumerate(before):
        match = next((j for j in free_after if _key(after[j]) == _key(item)), None)
        if match is None:
            unmatched_before.append(i)
        else:
            free_after.remove(match)
            pairs.append((i, match))
    removed_idx: list[int] = []
    for i in unmatched_before:
        if i in free_after:
            free_after.remove(i)
            pairs.append((i, i))
        else:
            removed_idx.append(i)
    changed = []
    for i, j in sorted(pairs, key=lambda p: p[1]):
        changes = {
            name: {"before": before[i][name], "after": after[j][name]}
            for name in ITEM_FIELDS
            if before[i][name] != after[j][name]
        }
        if changes:
            changed.append(
                {
                    "position_before": i + 1,
                    "position_after": j + 1,
                    "before": dict(before[i]),
                    "after": dict(after[j]),
                    "changes": changes,
                }
            )
    return {
        "added": [{"position": j + 1, **after[j]} for j in sorted(free_after)],
        "removed": [{"position": i + 1, **before[i]} for i in sorted(removed_idx)],
        "changed": changed,
    }


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two revisions (mappings with number, title, items,
    assumptions, one_off_cents and per_year_cents)."""
    figures = {
        name: {
            "before": before[name],
            "after": after[name],
            "change": after[name] - before[name],
        }
        for name in ("one_off_cents", "per_year_cents")
    }
    return {
        "from": before["number"],
        "to": after["number"],
        **diff_items(before["items"], after["items"]),
        "totals": figures,
        "title": {"before": before["title"], "after": after["title"]}
        if before["title"] != after["title"]
        else None,
        "assumptions_changed": before["assumptions"] != after["assumptions"],
    }
