"""Our tallies reproduce the official results of real elections (../shared/data), and
agree with pabutools, the reference implementation of Pabulib's rules, where no
official result is marked."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from pabutools.election import (
    AbstractBallot,
    AbstractProfile,
    AdditiveSatisfaction,
    Cost_Sat,
    Instance,
    OrdinalBallot,
    Project,
    parse_pabulib,
)
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from participation.votes.tally import blt, pabulib, recount, rules
from tests.participation.votes.reference import reference

WIELICZKA = "Poland_Wieliczka_2023_Green_Budget.pb"
WARSZAWA = "Poland_Warszawa_2026.pb"
KRAKOW = "Poland_Krakow_2024.pb"
UNMARKED = [  # compared with pabutools
    "Poland_Warszawa_2026_Mokotow.pb",
    "Poland_Krakow_2024_Debniki.pb",
    "Netherlands_Amsterdam_621.pb",
    "Poland_Czestochowa_2020_Grabowka.pb",
]
WITH_POINTS = ["Poland_Krakow_2024_Debniki.pb", "Poland_Czestochowa_2020_Grabowka.pb"]


@cache
def _election(name: str) -> pabulib.Election:
    return pabulib.load(reference(f"pabulib/{name}"))


@cache
def _pabutools(name: str) -> tuple[Instance, AbstractProfile]:
    return parse_pabulib(str(reference(f"pabulib/{name}")))


def _costs(election: pabulib.Election) -> dict[str, pabulib.Number]:
    return {p.id: p.cost for p in election.projects.values()}


def _ballots(election: pabulib.Election) -> list[tuple[str, ...]]:
    return [vote.choices for vote in election.votes]


def _officially_selected(election: pabulib.Election) -> set[str]:
    return {p.id for p in election.projects.values() if p.fields["selected"] == "1"}


def _approvals(election: pabulib.Election) -> dict[str, int]:
    return rules.approval(list(election.projects), _ballots(election)).details["scores"]


def test_wieliczka_2023_equal_shares_funds_the_30_projects_the_town_funded() -> None:
    election = _election(WIELICZKA)
    assert election.rule == "equalshares/add1-comparison"
    result = rules.equal_shares(_costs(election), election.budget, _ballots(election))
    assert len(result.winners) == 30
    assert set(result.winners) == _officially_selected(election)
    assert result.details["comparison"]["chosen"] == "mes"
    assert result.details["spent"] <= election.budget
    # Raising the shares only until no further project fits would fund 31 others.
    assert result.details["raises"] == 164


def test_warszawa_2026_greedy_threshold_funds_the_17_projects_the_city_funded() -> None:
    election = _election(WARSZAWA)
    approvals = _approvals(election)
    assert approvals == {p.id: int(p.fields["votes"]) for p in election.projects.values()}
    threshold = int(election.meta["min_project_score_threshold"])
    result = rules.greedy(_costs(election), election.budget, approvals, threshold)
    assert len(result.winners) == 17
    assert set(result.winners) == _officially_selected(election)


def test_krakow_2024_greedy_on_3_2_1_points_funds_the_10_projects_the_city_funded() -> None:
    election = _election(KRAKOW)
    scores = rules.ordinal_scores(_ballots(election), 3)
    assert scores == {p.id: int(p.fields["score"]) for p in election.projects.values()}
    result = rules.greedy(_costs(election), election.budget, scores)
    assert len(result.winners) == 10
    assert set(result.winners) == _officially_selected(election)


@pytest.mark.parametrize("name", [WIELICZKA, WARSZAWA, KRAKOW])
def test_recounting_a_file_by_its_own_rule_gives_the_official_result(name: str) -> None:
    counted = recount.recount(reference(f"pabulib/{name}"))
    assert set(counted.result.winners) == _officially_selected(_election(name))


def test_burlington_2009_instant_runoff_elects_bob_kiss_with_the_official_counts() -> None:
    election = blt.load(reference("elections/2009-Burlington-Mayor.blt"))
    result = rules.irv(election.standing, election.standing_ballots())
    assert result.winners == ["Bob Kiss"]
    assert result.rounds[0]["counts"] == {
        "Bob Kiss": 2585,
        "Andy Montroll": 2063,
        "James Simpson": 35,
        "Dan Smith": 1306,
        "Kurt Wright": 2951,
        "Write-in": 36,
    }
    # The official count eliminated Simpson, the write-ins and Smith at once; ours
    # eliminates one at a time and arrives at the same last two rounds.
    assert [r["eliminated"] for r in result.rounds] == [
        "James Simpson",
        "Write-in",
        "Dan Smith",
        "Andy Montroll",
        None,
    ]
    assert result.rounds[-2]["counts"] == {
        "Bob Kiss": 2981,
        "Andy Montroll": 2554,
        "Kurt Wright": 3294,
    }
    assert result.rounds[-1]["counts"] == {"Bob Kiss": 4313, "Kurt Wright": 4061}
    assert result.rounds[-1]["elected"] == "Bob Kiss"


# --- the same outcomes as pabutools --------------------------------------------------------


@pytest.mark.parametrize("name", [*UNMARKED, WIELICZKA])
def test_equal_shares_without_completion_agrees_with_pabutools(name: str) -> None:
    election = _election(name)
    instance, profile = _pabutools(name)
    theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    # On ordinal and cumulative votes both count who listed a project: cost utilities.
    ours = rules.equal_shares(
        _costs(election), election.budget, _ballots(election), completion=None, comparison=False
    )
    assert ours.winners == [project.name for project in theirs]


@pytest.mark.parametrize("name", UNMARKED)
def test_greedy_by_votes_agrees_with_pabutools(name: str) -> None:
    election = _election(name)
    instance, profile = _pabutools(name)
    # Greedy by cost satisfaction orders projects by satisfaction per cost: by votes.
    theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    ours = rules.greedy(_costs(election), election.budget, _approvals(election))
    assert ours.winners == [project.name for project in theirs]


class PointsTimesCost(AdditiveSatisfaction):
    """A satisfaction whose total per cost is a project's points, so that pabutools'
    greedy orders projects by points: 3-2-1 by rank for ordinal ballots."""

    def __init__(self, instance: Instance, profile: AbstractProfile, ballot: AbstractBallot):
        super().__init__(instance, profile, ballot, _points_times_cost)


def _points_times_cost(
    instance: Instance, profile: AbstractProfile, ballot: Any, project: Project, _: dict
) -> int:
    if project not in ballot:
        return 0
    if isinstance(ballot, OrdinalBallot):
        return (3 - ballot.index(project)) * project.cost
    return ballot[project] * project.cost


@pytest.mark.parametrize("name", WITH_POINTS)
def test_greedy_by_points_agrees_with_pabutools(name: str) -> None:
    election = _election(name)
    instance, profile = _pabutools(name)
    theirs = greedy_utilitarian_welfare(instance, profile, sat_class=PointsTimesCost)
    ours = recount.recount(reference(f"pabulib/{name}"), "greedy").result
    assert ours.winners == [project.name for project in theirs]
    assert ours.details["scores"] == {
        p.id: int(p.fields["score"]) for p in election.projects.values()
    }
