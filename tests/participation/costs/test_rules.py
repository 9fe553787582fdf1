"""Cost rules: line items refused by field, totals, the figure per resident, diffs."""

from __future__ import annotations

from typing import Any

import pytest

from participation.costs import rules


def _item(**changes: Any) -> dict[str, Any]:
    return {
        "description": "Bänke",
        "category": "material",
        "kind": "one_off",
        "amount_cents": 50_000,
        "funding_source": "Haushalt",
        **changes,
    }


def test_valid_items_are_trimmed_and_funding_source_defaults_to_empty() -> None:
    item = _item(description="  Bänke  ")
    del item["funding_source"]
    cleaned, problems = rules.check_items([item])
    assert problems == {}
    assert cleaned == [
        {
            "description": "Bänke",
            "category": "material",
            "kind": "one_off",
            "amount_cents": 50_000,
            "funding_source": "",
        }
    ]


@pytest.mark.parametrize(
    "amount",
    [-1, 1.5, 10**12 + 1, True, False, "100", None, 10**30, float("nan")],
)
def test_bad_amounts_are_refused_naming_the_item(amount: Any) -> None:
    items = [_item(), _item(), _item(), _item(amount_cents=amount)]
    _, problems = rules.check_items(items)
    assert list(problems) == ["items[3].amount_cents"]


def test_the_largest_amount_and_zero_are_accepted() -> None:
    _, problems = rules.check_items([_item(amount_cents=10**12), _item(amount_cents=0)])
    assert problems == {}


def test_every_bad_field_of_every_item_is_named() -> None:
    items = [
        _item(category="bribes"),
        _item(kind="monthly", description=""),
        _item(description="x" * 301, funding_source="y" * 201),
        _item(extra="?"),
        "not an item",
        _item(description="zwei\nZeilen"),
        _item(funding_source=None),
    ]
    _, problems = rules.check_items(items)
    assert set(problems) == {
        "items[0].category",
        "items[1].kind",
        "items[1].description",
        "items[2].description",
        "items[2].funding_source",
        "items[3].extra",
        "items[4]",
        "items[5].description",
        "items[6].funding_source",
    }
    assert (
        "personnel, material, construction, services, operation, other"
        in problems["items[0].category"]
    )


def test_at_most_200_items() -> None:
    assert rules.check_items([_item()] * 200)[1] == {}
    assert list(rules.check_items([_item()] * 201)[1]) == ["items"]


def test_totals_add_up_each_kind() -> None:
    items = [
        _item(amount_cents=100),
        _item(amount_cents=250, kind="per_year"),
        _item(amount_cents=1_000),
        _item(amount_cents=5, kind="per_year"),
    ]
    assert rules.totals(items) == rules.Totals(one_off_cents=1_100, per_year_cents=255)
    assert rules.totals([]) == rules.Totals(0, 0)


def test_per_resident_is_the_first_year_rounded_half_up() -> None:
    # 100 € one-off and 50 € a year among 400 residents: 37.5 cents, rounded up to 38.
    figures = rules.per_resident(10_000, 5_000, 400)
    assert figures == {
        "per_resident_cents": 38,
        "one_off_per_resident_cents": 25,
        "per_year_per_resident_cents": 13,
    }
    assert rules.per_resident(10_000, 5_000, 3)["per_resident_cents"] == 5_000
    # Exact on amounts no float holds exactly.
    assert (
        rules.per_resident(10**12 * 200, 1, 7)["per_resident_cents"]
        == (2 * (2 * 10**14 + 1) + 7) // 14
    )


@pytest.mark.parametrize("population", [None, 0])
def test_no_per_resident_figure_without_a_population(population: int | None) -> None:
    assert set(rules.per_resident(1, 1, population).values()) == {None}


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("1.234,56", 123_456),
        ("1234,5", 123_450),
        ("1234.56", 123_456),
        ("1 234", 123_400),
        ("12 €", 1_200),
        ("0", 0),
        ("1.000.000", 100_000_000),
    ],
)
def test_euros_as_people_type_them(typed: str, cents: int) -> None:
    assert rules.cents_from_euros(typed) == cents


@pytest.mark.parametrize("typed", ["", "-5", "1,234.56", "12,345", "abc", "1e5", "1.2.3"])
def test_text_that_is_no_amount(typed: str) -> None:
    assert rules.cents_from_euros(typed) is None


def _revision(number: int, items: list[dict[str, Any]], **rest: Any) -> dict[str, Any]:
    sums = rules.totals(items)
    return {
        "number": number,
        "title": "Kosten",
        "items": items,
        "assumptions": "",
        "one_off_cents": sums.one_off_cents,
        "per_year_cents": sums.per_year_cents,
        **rest,
    }


def test_diff_names_items_added_removed_and_changed() -> None:
    bench = _item(description="Bänke", amount_cents=50_000)
    trees = _item(description="Bäume", category="construction", amount_cents=200_000)
    care = _item(description="Pflege", kind="per_year", amount_cents=10_000)
    before = _revision(1, [bench, trees, care])
    after = _revision(
        2,
        [
            _item(description="bäume", category="construction", amount_cents=250_000),
            care,
            _item(description="Beleuchtung", amount_cents=80_000),
        ],
        assumptions="Neu",
        title="Kosten, überarbeitet",
    )
    d = rules.diff(before, after)
    assert d["from"] == 1 and d["to"] == 2
    assert [a["description"] for a in d["added"]] == ["Beleuchtung"]
    assert d["added"][0]["position"] == 3
    assert [r["description"] for r in d["removed"]] == ["Bänke"]
    assert len(d["changed"]) == 1
    changed = d["changed"][0]
    assert (changed["position_before"], changed["position_after"]) == (2, 1)
    assert changed["changes"] == {
        "description": {"before": "Bäume", "after": "bäume"},
        "amount_cents": {"before": 200_000, "after": 250_000},
    }
    assert d["totals"]["one_off_cents"] == {"before": 250_000, "after": 330_000, "change": 80_000}
    assert d["totals"]["per_year_cents"] == {"before": 10_000, "after": 10_000, "change": 0}
    assert d["assumptions_changed"] is True
    assert d["title"] == {"before": "Kosten", "after": "Kosten, überarbeitet"}


def test_an_item_renamed_in_place_is_changed_not_removed_and_added() -> None:
    before = _revision(1, [_item(description="Bänke"), _item(description="Mülleimer")])
    after = _revision(2, [_item(description="Sitzbänke"), _item(description="Mülleimer")])
    d = rules.diff(before, after)
    assert d["added"] == [] and d["removed"] == []
    assert d["changed"][0]["changes"] == {"description": {"before": "Bänke", "after": "Sitzbänke"}}


def test_items_of_the_same_description_pair_in_order() -> None:
    before = _revision(1, [_item(amount_cents=1), _item(amount_cents=2)])
    after = _revision(2, [_item(amount_cents=1), _item(amount_cents=3), _item(amount_cents=4)])
    d = rules.diff(before, after)
    assert [c["changes"]["amount_cents"] for c in d["changed"]] == [{"before": 2, "after": 3}]
    assert [a["amount_cents"] for a in d["added"]] == [4]
    assert d["removed"] == []


def test_identical_revisions_differ_in_nothing() -> None:
    items = [_item()]
    d = rules.diff(_revision(1, items), _revision(2, list(items)))
    assert d["added"] == d["removed"] == d["changed"] == []
    assert d["title"] is None and d["assumptions_changed"] is False
