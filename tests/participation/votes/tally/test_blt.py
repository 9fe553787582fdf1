"""Reading ranked ballots in the BLT format."""

from __future__ import annotations

import pytest

from participation.votes.tally import blt, rules
from tests.participation.votes.reference import reference

SMALL = """# exported by hand
# a second comment line
4 1
-3
3 1 2 0
2 2=4 1 0
1 3 4 0

0
"Anna Adler"
"Bernd Bauer"
"Carla Cramer"
"Dora \\"Dodo\\" Dietz"
"Wahl zum Ortsbeirat"
"""


def test_reads_weights_tied_ranks_withdrawn_candidates_and_names() -> None:
    election = blt.parse(SMALL)
    anna, bernd, carla, dora = election.candidates
    assert dora == 'Dora "Dodo" Dietz'
    assert (election.seats, election.title) == (1, "Wahl zum Ortsbeirat")
    assert election.withdrawn == {carla}
    assert election.ballots == [
        ((anna, bernd), 3),
        ((frozenset({bernd, dora}), anna), 2),
        ((carla, dora), 1),
    ]
    assert election.standing == [anna, bernd, dora]
    assert election.standing_ballots() == [
        ((anna, bernd), 3),
        ((frozenset({bernd, dora}), anna), 2),
        ((dora,), 1),
    ]
    result = rules.irv(election.standing, election.standing_ballots())
    assert result.rounds[0]["counts"] == {anna: 3, bernd: 0, dora: 1}
    assert result.rounds[0]["exhausted"] == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("4 1\n", "vier 1\n"), "line 3: expected 'candidates seats'"),
        (("4 1\n", "4 5\n"), "line 3: 4 candidates and 5 seats make no election"),
        (("-3\n", "-7\n"), "line 4: withdrawn candidate 7 is not between 1 and 4"),
        (("3 1 2 0", "3 1 2"), "line 5: a ballot ends with 0"),
        (("3 1 2 0", "3 1 9 0"), "line 5: candidate 9 is not between 1 and 4"),
        (("3 1 2 0", "x 1 2 0"), "line 5: expected 'weight preferences… 0'"),
        (("3 1 2 0", "-3 1 2 0"), "line 5: negative weight -3"),
        (('"Dora', "Dora"), "line 13: expected a quoted name"),
        (('"Wahl zum Ortsbeirat"\n', ""), "4 candidate names and a title expected, found 4"),
        (("\n0\n", "\n"), "line 9: a line '0' must end the ballots before the names"),
    ],
)
def test_a_bad_file_names_the_line_and_the_problem(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        blt.parse(SMALL.replace(*change, 1), source="small.blt")
    assert str(caught.value).startswith("small.blt")
    assert message in str(caught.value)


def test_burlington_2009_as_published() -> None:
    election = blt.load(reference("elections/2009-Burlington-Mayor.blt"))
    assert election.title == "2009 Burlington Mayor Election"
    assert election.candidates == [
        "Bob Kiss",
        "Andy Montroll",
        "James Simpson",
        "Dan Smith",
        "Kurt Wright",
        "Write-in",
    ]
    assert (election.seats, election.withdrawn) == (1, frozenset())
    assert sum(weight for _, weight in election.ballots) == 8984
    tied = [ranks for ranks, _ in election.ballots if any(isinstance(r, frozenset) for r in ranks)]
    assert len(tied) == 6


def test_a_file_cut_off_among_the_ballots_says_so() -> None:
    with pytest.raises(ValueError, match="line 7: ballots do not end with a line '0'"):
        blt.parse(SMALL[: SMALL.index("\n0\n")], source="small.blt")
