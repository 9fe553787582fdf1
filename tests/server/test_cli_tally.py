"""`auftrag tally`: recount a published vote from its file, as anyone can."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from server.cli import main
from tests.participation.votes.reference import reference
from tests.support import AUFTRAG, server_environment

BURLINGTON = "elections/2009-Burlington-Mayor.blt"
WIELICZKA = "pabulib/Poland_Wieliczka_2023_Green_Budget.pb"
WARSZAWA = "pabulib/Poland_Warszawa_2026.pb"

SMALL_PB = """META
key;value
budget;100
vote_type;approval
rule;{rule}
PROJECTS
project_id;cost;name
a;60;"Park; Süd"
b;50;Radweg
c;40;Bänke
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;a,c
"""


def _tally(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["tally", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_winners_with_their_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "small.pb"
    path.write_text(SMALL_PB.format(rule="greedy"), encoding="utf-8")
    code, out, err = _tally(capsys, str(path))
    # a has 3 votes; b and c 2 each, so the cheaper c goes first, takes the 40 left, and b
    # no longer fits.
    assert (code, out, err) == (0, "a\tPark; Süd\nc\tBänke\n", "")


def test_json_is_one_object_with_the_rule_the_winners_and_the_rounds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "small.pb"
    path.write_text(SMALL_PB.format(rule="greedy"), encoding="utf-8")
    code, out, _ = _tally(capsys, str(path), "--json")
    assert code == 0
    published = json.loads(out)
    assert list(published) == ["rule", "winners", "rounds"]
    assert published["rule"] == "greedy"
    assert published["winners"] == ["a", "c"]
    assert [r["decision"] for r in published["rounds"]] == ["funded", "funded", "does not fit"]


def test_follows_the_files_own_rule_unless_told_otherwise(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(reference(WIELICZKA))
    own = json.loads(_tally(capsys, path, "--json")[1])
    assert own["rule"] == "mes-add1-comparison"
    assert len(own["winners"]) == 30
    greedy = json.loads(_tally(capsys, path, "--json", "--rule", "greedy")[1])
    assert greedy["rule"] == "greedy"
    assert greedy["winners"] != own["winners"]


def test_warszawa_winners_are_the_project_ids_of_the_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    published = json.loads(_tally(capsys, str(reference(WARSZAWA)), "--json")[1])
    assert published["rule"] == "greedy-threshold"
    assert len(published["winners"]) == 17
    assert published["winners"][:3] == ["214", "1109", "93"]


def test_a_blt_file_counts_by_instant_runoff_and_names_the_candidates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(reference(BURLINGTON))
    assert _tally(capsys, path) == (0, "Bob Kiss\n", "")
    published = json.loads(_tally(capsys, path, "--json")[1])
    assert published["rule"] == "irv"
    assert published["winners"] == ["Bob Kiss"]
    assert published["rounds"][-1]["counts"] == {"Bob Kiss": 4313, "Kurt Wright": 4061}
    schulze = json.loads(_tally(capsys, path, "--json", "--rule", "schulze")[1])
    assert schulze["winners"][0] == "Andy Montroll"  # the Condorcet winner


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SMALL_PB.format(rule="greedy").replace("a;60", "a;sechzig"), "line 8: cost of a"),
        (SMALL_PB.format(rule="phragmen"), "the file's rule 'phragmen' is not one we count"),
        (SMALL_PB.format(rule="greedy-threshold"), "needs min_project_score_threshold"),
        ("3 1\n1 1 2 0\n", "ballots do not end with a line '0'"),
    ],
)
def test_a_bad_file_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / ("vote.pb" if text.startswith("META") else "vote.blt")
    path.write_text(text, encoding="utf-8")
    code, out, err = _tally(capsys, str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"auftrag: {path}")
    assert message in err


def test_a_rule_that_cannot_count_the_ballots_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _tally(capsys, str(reference(BURLINGTON)), "--rule", "mes")
    assert code == 2
    assert "irv or schulze, not mes" in err
    path = tmp_path / "small.pb"
    path.write_text(SMALL_PB.format(rule="greedy"), encoding="utf-8")
    code, _, err = _tally(capsys, str(path), "--rule", "irv")
    assert code == 2
    assert "irv counts ranked ballots; this file's votes are approval" in err


def test_a_missing_file_or_an_unknown_rule_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _tally(capsys, str(tmp_path / "nowhere.pb"))
    assert code == 2
    assert "cannot read" in err and "No such file" in err
    with pytest.raises(SystemExit) as exit_:
        main(["tally", str(tmp_path / "nowhere.pb"), "--rule", "dhondt"])
    assert exit_.value.code == 2
    assert "invalid choice: 'dhondt'" in capsys.readouterr().err


def test_the_installed_command_needs_no_configuration(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(AUFTRAG), "tally", str(reference(BURLINGTON))],
        cwd=tmp_path,
        env=server_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "Bob Kiss\n", "")
    assert list(tmp_path.iterdir()) == []  # no ./var, no secret key written
