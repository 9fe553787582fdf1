"""`auftrag events`: the event catalogue as a Markdown table, without configuration."""

from __future__ import annotations

import pytest

from server.cli import main


def test_events_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| event | subject | payload | consumers | what happened |\n")
    assert "| `votes:ballot:cast` | vote | `vote_id` |" in out
