"""Each tally rule on small elections counted by hand, ties included."""

from __future__ import annotations

import json

import pytest

from participation.votes.tally import rules
from participation.votes.tally.rules import Result


def _published(result: Result) -> dict:
    """The result as the JSON download carries it, read back."""
    return json.loads(json.dumps(result.to_json()))


# --- approval and cumulative ---------------------------------------------------------------


def test_approval_ranks_by_approvals_and_keeps_the_ballot_order_on_ties() -> None:
    result = rules.approval(["a", "b", "c", "d"], [{"c", "b"}, {"c"}, {"b", "d"}, set()])
    assert result.rule == "approval"
    assert result.winners == ["b", "c", "d", "a"]
    assert result.details == {"scores": {"a": 0, "b": 2, "c": 2, "d": 1}, "ballots": 4}
    assert _published(result) == result.to_json()


def test_approval_counts_an_option_once_per_ballot_and_refuses_unknown_options() -> None:
    assert rules.approval(["a", "b"], [["a", "a"], ["b"]]).details["scores"] == {"a": 1, "b": 1}
    with pytest.raises(ValueError, match="unknown option 'z'"):
        rules.approval(["a"], [{"z"}])


def test_cumulative_ranks_by_points() -> None:
    result = rules.cumulative(["a", "b", "c"], [{"a": 3, "b": 2}, {"b": 1, "c": 4}, {"a": 2}])
    assert result.winners == ["a", "c", "b"]  # a 5, c 4, b 3
    assert result.details["scores"] == {"a": 5, "b": 3, "c": 4}
    assert result.details["backers"] == {"a": 2, "b": 2, "c": 1}
    tied = rules.cumulative(["x", "y"], [{"y": 2}, {"x": 2}])
    assert tied.winners == ["x", "y"]


@pytest.mark.parametrize("points", [-1, 1.5, True])
def test_cumulative_refuses_points_that_are_not_whole_and_positive(points: object) -> None:
    with pytest.raises(ValueError, match="points"):
        rules.cumulative(["a"], [{"a": points}])  # type: ignore[dict-item]


def test_ordinal_scores_give_k_down_to_one_point() -> None:
    ballots = [["a", "b", "c"], ["c", "a", "b"], ["b"]]
    assert rules.ordinal_scores(ballots, 3) == {"a": 5, "b": 6, "c": 4}
    with pytest.raises(ValueError, match="more than 2"):
        rules.ordinal_scores(ballots, 2)
    with pytest.raises(ValueError, match="twice"):
        rules.ordinal_scores([["a", "a"]], 3)


# --- greedy --------------------------------------------------------------------------------


def test_greedy_skips_a_project_that_does_not_fit_and_goes_on_with_cheaper_ones() -> None:
    costs = {"a": 50, "b": 60, "c": 30, "d": 20}
    result = rules.greedy(costs, 100, {"a": 10, "b": 9, "c": 8, "d": 8})
    assert result.rule == "greedy"
    assert result.winners == ["a", "d", "c"]  # c and d tie at 8: the cheaper d goes first
    assert [(r["project"], r["decision"], r["left"]) for r in result.rounds] == [
        ("a", "funded", 50),
        ("b", "does not fit", 50),
        ("d", "funded", 30),
        ("c", "funded", 0),
    ]
    assert result.details["spent"] == 100
    assert _published(result) == result.to_json()


def test_greedy_breaks_a_tie_of_score_and_cost_by_the_order_of_the_projects() -> None:
    assert rules.greedy({"x": 10, "y": 10}, 10, {"x": 1, "y": 1}).winners == ["x"]
    assert rules.greedy({"y": 10, "x": 10}, 10, {"x": 1, "y": 1}).winners == ["y"]


def test_greedy_threshold_funds_only_projects_with_enough_votes() -> None:
    costs = {"a": 50, "b": 60, "c": 30, "d": 20}
    result = rules.greedy(costs, 100, {"a": 10, "b": 9, "c": 8, "d": 8}, threshold=9)
    assert result.rule == "greedy-threshold"
    assert result.winners == ["a"]
    decisions = {r["project"]: r["decision"] for r in result.rounds}
    assert decisions == {
        "a": "funded",
        "b": "does not fit",
        "c": "below threshold",
        "d": "below threshold",
    }


def test_greedy_never_funds_a_project_nobody_voted_for() -> None:
    assert rules.greedy({"a": 10, "b": 10}, 100, {"a": 3}).winners == ["a"]


def test_greedy_refuses_scores_of_unknown_projects_and_negative_money() -> None:
    with pytest.raises(ValueError, match="unknown project 'z'"):
        rules.greedy({"a": 1}, 10, {"z": 1})
    with pytest.raises(ValueError, match="cost of 'a'"):
        rules.greedy({"a": -1}, 10, {"a": 1})
    with pytest.raises(ValueError, match="budget"):
        rules.greedy({"a": 1}, -10, {"a": 1})


# --- Method of Equal Shares ----------------------------------------------------------------

# Six voters want the A projects, four the B projects; each project costs 20, the budget
# is 60, so every voter's share is 6.
MAJORITY_AND_MINORITY = (
    {"A1": 20, "A2": 20, "A3": 20, "B1": 20, "B2": 20},
    60,
    [{"A1", "A2", "A3"}] * 6 + [{"B1", "B2"}] * 4,
)


def test_mes_gives_the_minority_its_share_where_greedy_gives_it_nothing() -> None:
    costs, budget, ballots = MAJORITY_AND_MINORITY
    result = rules.equal_shares(costs, budget, ballots, completion=None, comparison=False)
    assert result.rule == "mes"
    # A1: six voters pay 20/6 each (price 1/6); B1: four pay 5 each (1/4). Then the A
    # voters hold 6 × 8/3 = 16 < 20 and the B voters 4 × 1 < 20: nothing else is affordable.
    assert result.winners == ["A1", "B1"]
    assert [(r["project"], r["payment"], r["effective_votes"]) for r in result.rounds] == [
        ("A1", pytest.approx(20 / 6), pytest.approx(6)),
        ("B1", 5, 4),
    ]
    assert result.details["share"] == 6
    assert result.details["spent"] == 40
    assert rules.greedy(costs, budget, {"A1": 6, "A2": 6, "A3": 6, "B1": 4, "B2": 4}).winners == [
        "A1",
        "A2",
        "A3",
    ]
    assert _published(result) == result.to_json()


def test_add_one_raises_the_shares_while_the_outcome_fits_the_budget() -> None:
    costs, budget, ballots = MAJORITY_AND_MINORITY
    result = rules.equal_shares(costs, budget, ballots, comparison=False)
    assert result.rule == "mes-add1"
    # With shares of 7, 8 and 9 the A voters can also buy A2 (60 in all); with 10 both
    # A3 and B2 become affordable and the outcome would cost 100.
    assert result.winners == ["A1", "A2", "B1"]
    assert result.details["raises"] == 3
    assert result.details["share"] == 9
    assert result.details["spent"] == 60


def test_the_comparison_takes_greedy_when_more_voters_prefer_its_spending() -> None:
    costs, budget, ballots = MAJORITY_AND_MINORITY
    result = rules.equal_shares(costs, budget, ballots)
    assert result.rule == "mes-add1-comparison"
    # Each A voter sees 60 spent on her projects under greedy, 40 under MES: six prefer
    # greedy; each B voter sees 20 under MES and nothing under greedy: four prefer MES.
    assert result.details["comparison"] == {
        "mes": ["A1", "A2", "B1"],
        "greedy": ["A1", "A2", "A3"],
        "prefer_mes": 4,
        "prefer_greedy": 6,
        "chosen": "greedy",
    }
    assert result.winners == ["A1", "A2", "A3"]
    assert [r["project"] for r in result.rounds if r["decision"] == "funded"] == result.winners


def test_the_comparison_keeps_mes_when_the_voters_are_split_evenly() -> None:
    costs = {"A1": 20, "A2": 20, "A3": 20, "B1": 20, "B2": 20}
    ballots = [{"A1", "A2", "A3"}] * 5 + [{"B1", "B2"}] * 5
    result = rules.equal_shares(costs, 60, ballots)
    assert result.details["comparison"]["prefer_mes"] == 5
    assert result.details["comparison"]["prefer_greedy"] == 5
    assert result.winners == ["A1", "B1"]


def test_a_supporter_short_of_money_pays_all_she_has_and_the_others_the_rest() -> None:
    # Shares of 12. Q (30) is bought first by v1, v2, v3 at 10 each, leaving v1 with 2.
    # P (12) is then shared by v1 and v4: v1 pays her 2, v4 pays 10.
    ballots = [{"Q", "P"}, {"Q"}, {"Q"}, {"P"}]
    result = rules.equal_shares({"Q": 30, "P": 12}, 48, ballots, completion=None, comparison=False)
    assert result.winners == ["Q", "P"]
    assert result.rounds[1] == {
        "project": "P",
        "cost": 12,
        "supporters": 2,
        "effective_votes": 1.2,
        "payment": 10,
        "paid_all_they_had": 1,
        "spent": 42,
    }
    assert result.details["shares"] == {"spent_mean": 10.5, "spent_all": 1, "spent_nothing": 0}


def test_mes_ties_go_to_the_cheaper_project_then_to_the_order_of_the_projects() -> None:
    # Both at the price 1/2: two supporters, each paying half the cost.
    ballots = [{"X"}, {"X"}, {"Y"}, {"Y"}]
    plain = {"completion": None, "comparison": False}
    assert rules.equal_shares({"X": 10, "Y": 4}, 28, ballots, **plain).winners == ["Y", "X"]
    assert rules.equal_shares({"X": 4, "Y": 4}, 28, ballots, **plain).winners == ["X", "Y"]
    assert rules.equal_shares({"Y": 4, "X": 4}, 28, ballots, **plain).winners == ["Y", "X"]


def test_equal_shares_without_ballots_funds_nothing() -> None:
    result = rules.equal_shares({"a": 1}, 10, [])
    assert result.winners == []
    assert result.details["spent"] == 0


def test_equal_shares_refuses_unknown_options_and_completions() -> None:
    with pytest.raises(ValueError, match="unknown option 'z'"):
        rules.equal_shares({"a": 1}, 10, [{"z"}])
    with pytest.raises(ValueError, match="completion"):
        rules.equal_shares({"a": 1}, 10, [{"a"}], completion="utilitarian")  # type: ignore[arg-type]


# --- instant-runoff ------------------------------------------------------------------------


def test_irv_round_table_with_transfers_and_ties_for_elimination() -> None:
    ballots = [["A"]] * 4 + [["B", "C"]] * 3 + [["C", "B"]] * 2 + [["C", "A"]]
    result = rules.irv(["A", "B", "C"], ballots)
    assert result.winners == ["A"]
    assert result.rounds == [
        # B and C tie at 3 with no earlier round: C, listed last, is eliminated.
        {
            "round": 1,
            "counts": {"A": 4, "B": 3, "C": 3},
            "exhausted": 0,
            "eliminated": "C",
            "elected": None,
        },
        # A and B tie at 5: B had fewer votes in round 1, so B is eliminated.
        {
            "round": 2,
            "counts": {"A": 5, "B": 5},
            "exhausted": 0,
            "eliminated": "B",
            "elected": None,
        },
        {"round": 3, "counts": {"A": 5}, "exhausted": 5, "eliminated": None, "elected": "A"},
    ]
    weighted = [(["A"], 4), (["B", "C"], 3), (["C", "B"], 2), (["C", "A"], 1)]
    assert rules.irv(["A", "B", "C"], weighted) == result
    assert _published(result) == result.to_json()


def test_irv_elects_a_majority_of_first_preferences_at_once() -> None:
    result = rules.irv(["A", "B"], [["A", "B"]] * 3 + [["B"]] * 2)
    assert result.winners == ["A"]
    assert len(result.rounds) == 1


def test_a_tied_rank_counts_for_its_one_standing_candidate() -> None:
    ballots = [["A"]] * 3 + [["B"]] * 2 + [["C", {"B", "C"}]] * 2
    result = rules.irv(["A", "B", "C"], ballots)
    assert result.rounds[1]["counts"] == {"A": 3, "B": 4}
    assert result.winners == ["B"]


def test_a_tied_rank_of_two_standing_candidates_exhausts_the_ballot_for_good() -> None:
    ballots = [["A"]] * 4 + [["B"]] * 3 + [["D"]] * 2 + [[frozenset({"C", "D"}), "B"]]
    result = rules.irv(["A", "B", "C", "D"], ballots)
    assert [r["exhausted"] for r in result.rounds] == [1, 1, 3]
    # After C is out only D of the tied rank is standing, yet the ballot stays exhausted.
    assert result.rounds[1]["counts"] == {"A": 4, "B": 3, "D": 2}
    assert result.winners == ["A"]


def test_irv_refuses_unknown_candidates_text_ballots_and_negative_weights() -> None:
    with pytest.raises(ValueError, match="unknown candidate 'Z'"):
        rules.irv(["A"], [["Z"]])
    with pytest.raises(ValueError, match="not the text"):
        rules.irv(["A"], ["A"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="negative"):
        rules.irv(["A"], [(["A"], -1)])


# --- Schulze -------------------------------------------------------------------------------

# The example of Schulze's paper and Wikipedia: 45 voters, five candidates.
SCHULZE_EXAMPLE = [
    (list("ACBED"), 5),
    (list("ADECB"), 5),
    (list("BEDAC"), 8),
    (list("CABED"), 3),
] + [(list("CAEBD"), 7), (list("CBADE"), 2), (list("DCEBA"), 7), (list("EBADC"), 8)]


def test_schulze_on_the_example_of_the_method() -> None:
    result = rules.schulze(list("ABCDE"), SCHULZE_EXAMPLE)
    assert result.winners == ["E", "A", "C", "B", "D"]
    assert result.details["condorcet_winner"] is None
    assert result.details["pairwise"]["A"] == {"B": 20, "C": 26, "D": 30, "E": 22}
    assert result.details["pairwise"]["E"] == {"A": 23, "B": 27, "C": 21, "D": 31}
    assert result.details["strongest_paths"]["E"] == {"A": 25, "B": 28, "C": 28, "D": 31}
    assert result.details["strongest_paths"]["A"] == {"B": 28, "C": 28, "D": 30, "E": 24}
    assert _published(result) == result.to_json()


def test_schulze_puts_the_condorcet_winner_first() -> None:
    ballots = [(["B", "A", "C"], 3), (["A", "C", "B"], 2), (["C", "A", "B"], 2)]
    result = rules.schulze(["A", "B", "C"], ballots)
    # A beats B 4:3 and C 5:2; B wins the most first preferences but is not first.
    assert result.details["condorcet_winner"] == "A"
    assert result.winners[0] == "A"


def test_schulze_prefers_ranked_to_unranked_and_breaks_ties_by_the_list_order() -> None:
    assert rules.schulze(["A", "B", "C"], [["B"]]).winners == ["B", "A", "C"]
    assert rules.schulze(["A", "B"], [["A", "B"], ["B", "A"]]).winners == ["A", "B"]
    assert rules.schulze(["B", "A"], [["A", "B"], ["B", "A"]]).winners == ["B", "A"]


def test_schulze_treats_candidates_at_a_tied_rank_as_equal() -> None:
    result = rules.schulze(["A", "B", "C"], [[{"A", "B"}, "C"]] * 2 + [["C"]])
    assert result.details["pairwise"]["A"] == {"B": 0, "C": 2}
    assert result.details["pairwise"]["C"] == {"A": 1, "B": 1}
