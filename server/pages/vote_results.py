"""A published result shaped for its page: named rows for the tables and bars for the charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from participation.votes.models import Rule, VoteOption


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False


@dataclass
class ResultPage:
    """What the result template shows; sections absent for a rule stay empty."""

    winners: list[str]
    bars: list[Bar] = field(default_factory=list)
    bar_caption: str = ""
    ranking: list[dict[str, Any]] = field(default_factory=list)
    greedy: list[dict[str, Any]] = field(default_factory=list)
    irv_rounds: list[dict[str, Any]] = field(default_factory=list)
    irv_candidates: list[str] = field(default_factory=list)
    mes_rounds: list[dict[str, Any]] = field(default_factory=list)
    pairwise: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    lead: dict[str, Any] = field(default_factory=dict)


def shape(rule: Rule, result: dict[str, Any], options: list[VoteOption]) -> ResultPage:
    names = {str(o.id): o.title for o in options}
    winners = [names.get(w, w) for w in result["winners"]]
    page = ResultPage(winners=winners, details=dict(result["details"]))
    if not result["quorum_met"]:
        return page
    details = result["details"]
    won = set(result["winners"])
    if rule in (Rule.APPROVAL, Rule.CUMULATIVE):
        scores = details["scores"]
        ballots = details.get("ballots") or 0
        page.ranking = [
            {
                "place": n,
                "title": names[o],
                "score": scores[o],
                "share": scores[o] / ballots if ballots else 0,
                "backers": details.get("backers", {}).get(o),
            }
            for n, o in enumerate(result["winners"], 1)
        ]
        page.bars = [Bar(names[o], scores[o]) for o in result["winners"]]
    elif rule == Rule.SCHULZE:
        paths = details["strongest_paths"]
        beats = {a: sum(paths[a][b] > paths[b][a] for b in paths[a]) for a in paths}
        page.ranking = [
            {"place": n, "title": names[o], "score": beats[o]}
            for n, o in enumerate(result["winners"], 1)
        ]
        page.pairwise = [
            {"title": names[a], "cells": [details["pairwise"][a].get(b) for b in result["winners"]]}
            for a in result["winners"]
        ]
        page.bars = [Bar(names[o], beats[o], o == details.get("condorcet_winner")) for o in beats]
    elif rule == Rule.IRV:
        rounds = result["rounds"]
        candidates = list(rounds[0]["counts"]) if rounds else []
        page.irv_candidates = [names[c] for c in candidates]
        page.irv_rounds = [
            {
                "round": r["round"],
                "counts": [r["counts"].get(c) for c in candidates],
                "exhausted": r["exhausted"],
                "eliminated": names.get(r["eliminated"] or "", ""),
                "elected": names.get(r["elected"] or "", ""),
            }
            for r in rounds
        ]
        if rounds:
            final = rounds[-1]["counts"]
            page.bars = [Bar(names[c], n, c in won) for c, n in final.items()]
    else:
        rounds = [dict(r, title=names[r["project"]]) for r in result["rounds"]]
        # When the comparison picks greedy's outcome, the rounds are greedy's too.
        if rule == Rule.MES and details.get("comparison", {}).get("chosen") != "greedy":
            page.mes_rounds = rounds
        else:
            page.greedy = rounds
        scores = details["approvals"] if rule == Rule.MES else details["scores"]
        order = sorted(scores, key=lambda o: -scores[o])
        page.bars = [Bar(names[o], scores[o], o in won) for o in order]
        comparison = details.get("comparison")
        if comparison:
            page.details["comparison"] = dict(
                comparison,
                mes_titles=[names[o] for o in comparison["mes"]],
                greedy_titles=[names[o] for o in comparison["greedy"]],
            )
    page.lead = _lead(rule, page)
    return page


def _lead(rule: Rule, page: ResultPage) -> dict[str, Any]:
    """The figures of the outcome's first sentence: who won, and by how much."""
    if not page.winners:
        return {}
    if rule in (Rule.APPROVAL, Rule.CUMULATIVE) and page.ranking:
        first = page.ranking[0]
        second = page.ranking[1] if len(page.ranking) > 1 else None
        return {
            "winner": first["title"],
            "score": first["score"],
            "runner_up": second["title"] if second else None,
            "margin": first["score"] - second["score"] if second else None,
        }
    if rule == Rule.SCHULZE and page.ranking:
        first = page.ranking[0]
        return {"winner": first["title"], "beaten": first["score"], "others": len(page.ranking) - 1}
    if rule == Rule.IRV and page.irv_rounds:
        final = page.irv_rounds[-1]
        counts = dict(zip(page.irv_candidates, final["counts"], strict=True))
        winner = page.winners[0]
        return {
            "winner": winner,
            "round": final["round"],
            "votes": counts.get(winner) or 0,
            "counted": sum(c or 0 for c in counts.values()),
        }
    return {"winner": page.winners[0]}
