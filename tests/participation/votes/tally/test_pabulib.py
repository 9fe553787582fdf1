"""Reading and writing Pabulib `.pb` files."""

from __future__ import annotations

from pathlib import Path

import pytest

from participation.votes.tally import pabulib
from tests.participation.votes.reference import DATA, reference

SMALL = """\ufeffMETA
key;value
description;"Bürgerhaushalt; Musterstadt"
num_projects;3
budget;1000,50
vote_type;cumulative
rule;greedy

PROJECTS
project_id;cost;name;selected
p1;600;"Park; mit Bänken";1
p2;399.5;Radweg;0
p3;300;"Der ""beste"" Platz";1
VOTES
voter_id;vote;points;age
v1;p1,p3;3,2;34
v2;p2;5;
v3;;;
"""


def test_reads_sections_quoted_fields_and_numbers() -> None:
    election = pabulib.parse(SMALL)
    assert election.meta["description"] == "Bürgerhaushalt; Musterstadt"
    assert election.budget == 1000.5
    assert election.vote_type == "cumulative"
    assert election.rule == "greedy"
    assert list(election.projects) == ["p1", "p2", "p3"]
    p1 = election.projects["p1"]
    assert (p1.cost, p1.name, p1.fields["selected"]) == (600, "Park; mit Bänken", "1")
    assert election.projects["p2"].cost == 399.5
    assert election.projects["p3"].name == 'Der "beste" Platz'
    first, second, empty = election.votes
    assert (first.voter_id, first.choices, first.points) == ("v1", ("p1", "p3"), (3, 2))
    assert first.fields == {"age": "34"}
    assert (second.choices, second.points) == (("p2",), (5,))
    assert (empty.choices, empty.points) == ((), None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("v1;p1,p3;3,2;34", "v1;p1,p9;3,2;34"), "line 16: vote of v1 names unknown project 'p9'"),
        (("v1;p1,p3;3,2;34", "v1;p1,p1;3,2;34"), "line 16: vote of v1 names a project twice"),
        (("v1;p1,p3;3,2;34", "v1;p1,p3;3;34"), "line 16: vote of v1 has 2 projects but 1 points"),
        (("v1;p1,p3;3,2;34", "v1;p1,p3;3,x;34"), "line 16: points of v1: 'x' is not a number"),
        (("v1;p1,p3;3,2;34", "v1;p1,p3;;34"), "line 16: cumulative vote of v1 needs points"),
        (("v2;p2;5;", "v1;p2;5;"), "line 17: voter 'v1' votes twice"),
        (("p2;399.5;Radweg;0", "p1;399.5;Radweg;0"), "line 12: project 'p1' appears twice"),
        (("p2;399.5;Radweg;0", "p2;viel;Radweg;0"), "line 12: cost of p2: 'viel' is not a number"),
        (("p2;399.5;Radweg;0", "p2;-5;Radweg;0"), "line 12: cost of p2 is negative"),
        (("p2;399.5;Radweg;0", "p2;399.5;Radweg;0;x"), "line 12: 5 fields where the header has 4"),
        (("rule;greedy", "rule"), "line 7: a META line needs a key and a value"),
        (("project_id;cost;name", "id;cost;name"), "line 10: PROJECTS header lacks project_id"),
        (("vote_type;cumulative", "vote_type;secret"), "line 6: unknown vote_type 'secret'"),
        (("budget;1000,50", "budget;viel"), "line 5: budget: 'viel' is not a number"),
        (("budget;1000,50\n", ""), "line 14: META must give budget and vote_type"),
        (("VOTES\n", "VOTES\nVOTES\n"), "line 15: VOTES header lacks voter_id, vote"),
        (("\ufeffMETA\n", ""), "line 1: expected META, PROJECTS or VOTES before any data"),
    ],
)
def test_a_bad_file_names_the_line_and_the_problem(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        pabulib.parse(SMALL.replace(*change, 1), source="small.pb")
    assert str(caught.value).startswith("small.pb, ")
    assert message in str(caught.value)


def test_takes_what_real_files_do_with_semicolons_and_trailing_fields() -> None:
    text = (
        SMALL.replace("rule;greedy", "comment;#1: counted twice; see the report")
        .replace("p2;399.5;Radweg;0", "p2;399.5;Radweg")
        .replace("v2;p2;5;", "v2;p2;5;;;")
    )
    election = pabulib.parse(text)
    assert election.meta["comment"] == "#1: counted twice; see the report"
    assert election.projects["p2"].fields == {"name": "Radweg", "selected": ""}
    assert election.votes[1].fields == {"age": ""}


def test_a_file_without_votes_says_which_sections_are_missing() -> None:
    with pytest.raises(ValueError, match="small.pb: no VOTES section"):
        pabulib.parse(SMALL[: SMALL.index("VOTES")], source="small.pb")


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "binary.pb"
    path.write_bytes(b"META\nkey;value\n\xff\xfe")
    with pytest.raises(ValueError, match="not UTF-8 text"):
        pabulib.load(path)


def test_writes_a_file_that_reads_back_the_same(tmp_path: Path) -> None:
    meta = {"description": "Stadtteilbudget; Nord", "budget": 1000, "vote_type": "cumulative"}
    projects = [
        {"project_id": "p1", "cost": 600, "name": 'Park "Süd"; mit Bänken'},
        {"project_id": "p2", "cost": 399.5, "name": "Radweg", "category": "Verkehr"},
    ]
    votes = [
        {"voter_id": "1", "vote": ["p2", "p1"], "points": [4, 1]},
        {"voter_id": "2", "vote": [], "points": []},
    ]
    path = tmp_path / "ours.pb"
    pabulib.write(path, meta, projects, votes)
    election = pabulib.load(path)
    assert election.meta == {
        "description": "Stadtteilbudget; Nord",
        "budget": "1000",
        "vote_type": "cumulative",
    }
    assert [(p.id, p.cost, p.fields) for p in election.projects.values()] == [
        ("p1", 600, {"name": 'Park "Süd"; mit Bänken', "category": ""}),
        ("p2", 399.5, {"name": "Radweg", "category": "Verkehr"}),
    ]
    assert [(v.voter_id, v.choices, v.points) for v in election.votes] == [
        ("1", ("p2", "p1"), (4, 1)),
        ("2", (), None),
    ]
    assert pabulib.dumps(meta, projects, votes).splitlines()[:3] == [
        "META",
        "key;value",
        'description;"Stadtteilbudget; Nord"',
    ]


def test_refuses_to_write_what_could_not_be_read_back() -> None:
    with pytest.raises(ValueError, match="comma"):
        pabulib.dumps({}, [{"project_id": "a,b", "cost": 1}], [])
    with pytest.raises(ValueError, match="VOTES row without vote"):
        pabulib.dumps({}, [{"project_id": "a", "cost": 1}], [{"voter_id": "1"}])


@pytest.mark.parametrize("path", sorted(p.name for p in (DATA / "pabulib").glob("*.pb")) or ["-"])
def test_reads_every_reference_file_as_its_meta_describes_it(path: str) -> None:
    election = pabulib.load(reference(f"pabulib/{path}"))
    assert len(election.projects) == int(election.meta["num_projects"])
    assert len(election.votes) == int(election.meta["num_votes"])
