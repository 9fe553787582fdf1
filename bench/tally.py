"""Tally speed: our counting against the reference libraries, in the same run.

Budget rules — greedy by approvals and the Method of Equal Shares (cost utilities, no
completion) — ours (`participation.votes.tally.rules`) against pabutools
(`greedy_utilitarian_welfare`, `method_of_equal_shares`, both with `Cost_Sat` and
pabutools' defaults: exact fractions, lexicographic tie-breaking), on

* a synthetic vote, seeded: 100,000 voters × 100 projects. Project j's popularity q_j is
  drawn from Beta(2, 12) (mean 1/7); every voter approves every project j independently
  with probability q_j (about 14 approvals each, every ballot different). Costs are
  log-uniform from 10,000 to 1,000,000, rounded down to thousands; the budget is a
  quarter of all costs;
* Warsaw's 2026 municipal vote (`Poland_Warszawa_2026.pb`: 61,668 ballots, 83 projects).

Both sides start from ballots already in memory in their own types (our list of
frozensets or tuples, pabutools' parsed profile); our time includes turning the list
into our arrays and, for greedy, counting the approvals. It asserts identical winners,
in the same order, and prints both times and the ratio (target: ours ≥ 10× faster).
Our MES with add-one completion and the comparison step is timed too; pabutools has no
reference for it (its add-one stops at the first outcome to which nothing fits).

Instant-runoff: 1,000,000 ranked ballots × 10 candidates, seeded. Candidate strengths
come from Dirichlet(2, …, 2); each ballot ranks the candidates by Plackett–Luce with
those strengths and keeps a uniformly drawn length from 1 to 10. Ours (`rules.irv`)
against `pyrankvote.instant_runoff_voting` on the same ballots (its Ballot objects are
built beforehand and not timed). Target: under 2 s, identical winner.

Ours is the best of --repeat runs; each reference runs once (they take tens of seconds).

    /work/venv/bin/python bench/tally.py [--voters 100000] [--projects 100]
        [--ballots 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyrankvote
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
    Project,
    parse_pabulib,
)
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from participation.votes.tally import pabulib, rules

REPO = Path(__file__).resolve().parent.parent
WARSZAWA = REPO.parent / "shared" / "data" / "pabulib" / "Poland_Warszawa_2026.pb"
SEED = 2026
TARGET_RATIO = 10.0
TARGET_IRV_SECONDS = 2.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Greedy, MES and IRV: ours against pabutools and pyrankvote.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--voters", type=int, default=100_000, help="synthetic approval voters")
    p.add_argument("--projects", type=int, default=100, help="synthetic projects")
    p.add_argument("--ballots", type=int, default=1_000_000, help="ranked ballots for IRV")
    p.add_argument("--repeat", type=int, default=3, help="runs of ours; the best counts")
    p.add_argument("--warszawa", type=Path, default=WARSZAWA, help="the Warsaw .pb file")
    return p.parse_args(argv)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(work: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of `repeat` runs, and the last run's value. The garbage collector
    is off while the clock runs, as in timeit: otherwise its passes over the millions of
    objects the other library holds would be billed to whichever side runs."""
    best, value = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            value = work()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best, value


def synthetic_approval(
    voters: int, projects: int
) -> tuple[dict[str, int], int, list[frozenset[str]]]:
    rng = np.random.default_rng(SEED)
    names = [f"p{j:03d}" for j in range(projects)]
    popularity = rng.beta(2, 12, projects)
    costs = np.exp(rng.uniform(np.log(10_000), np.log(1_000_000), projects)) // 1000 * 1000
    approves = rng.random((voters, projects)) < popularity
    ballots = [frozenset(names[j] for j in np.flatnonzero(row)) for row in approves]
    as_ints = [int(c) for c in costs]
    return dict(zip(names, as_ints, strict=True)), sum(as_ints) // 4, ballots


def synthetic_ranked(ballots: int, candidates: int) -> tuple[list[str], list[tuple[str, ...]]]:
    rng = np.random.default_rng(SEED)
    names = [f"C{i}" for i in range(candidates)]
    strength = rng.dirichlet(np.full(candidates, 2.0))
    # Plackett-Luce: sort by exponential arrival times with rates `strength`.
    order = np.argsort(rng.exponential(size=(ballots, candidates)) / strength, axis=1)
    lengths = rng.integers(1, candidates + 1, ballots)
    return names, [
        tuple(names[j] for j in row[:k])
        for row, k in zip(order.tolist(), lengths.tolist(), strict=True)
    ]


def budget_rows(
    label: str,
    costs: dict[str, Any],
    budget: Any,
    ballots: list[Any],
    reference: tuple[Instance, ApprovalProfile],
    repeat: int,
) -> list[tuple[str, str, float, float, bool]]:
    instance, profile = reference
    options = list(costs)

    def our_greedy() -> list[str]:
        approvals = rules.approval(options, ballots).details["scores"]
        return rules.greedy(costs, budget, approvals).winners

    def our_mes() -> list[str]:
        return rules.equal_shares(costs, budget, ballots, completion=None, comparison=False).winners

    rows = []
    for rule, ours, theirs in [
        ("greedy", our_greedy, lambda: greedy_utilitarian_welfare(instance, profile, Cost_Sat)),
        ("mes", our_mes, lambda: method_of_equal_shares(instance, profile, Cost_Sat)),
    ]:
        log(f"{label}: {rule}, ours ×{repeat}")
        ours_s, our_winners = timed(ours, repeat)
        log(f"{label}: {rule}, pabutools")
        theirs_s, their_outcome = timed(theirs)
        same = our_winners == [p.name for p in their_outcome]
        rows.append((label, rule, ours_s, theirs_s, same))
    log(f"{label}: mes-add1-comparison, ours ×{repeat}")
    full_s, _ = timed(lambda: rules.equal_shares(costs, budget, ballots), repeat)
    rows.append((label, "mes-add1-comparison", full_s, float("nan"), True))
    return rows


def main(args: argparse.Namespace) -> int:
    log(f"synthetic approval vote: {args.voters:,} voters × {args.projects} projects")
    costs, budget, ballots = synthetic_approval(args.voters, args.projects)
    instance = Instance((Project(name, cost) for name, cost in costs.items()), budget_limit=budget)
    profile = ApprovalProfile(
        [ApprovalBallot(instance.get_project(name) for name in ballot) for ballot in ballots]
    )
    rows = budget_rows("synthetic", costs, budget, ballots, (instance, profile), args.repeat)
    del instance, profile, ballots

    log(f"reading {args.warszawa.name}")
    warszawa = pabulib.load(args.warszawa)
    their_warszawa = parse_pabulib(str(args.warszawa))
    rows += budget_rows(
        "Warszawa 2026",
        {p.id: p.cost for p in warszawa.projects.values()},
        warszawa.budget,
        [vote.choices for vote in warszawa.votes],
        their_warszawa,
        args.repeat,
    )

    log(f"instant-runoff: {args.ballots:,} ranked ballots × 10 candidates")
    candidates, ranked = synthetic_ranked(args.ballots, 10)
    theirs_candidates = {name: pyrankvote.Candidate(name) for name in candidates}
    their_ballots = [
        pyrankvote.Ballot(ranked_candidates=[theirs_candidates[c] for c in ballot])
        for ballot in ranked
    ]
    log(f"instant-runoff: ours ×{args.repeat}")
    irv_s, ours_irv = timed(lambda: rules.irv(candidates, ranked), args.repeat)
    log("instant-runoff: pyrankvote")
    prv_s, theirs_irv = timed(
        lambda: pyrankvote.instant_runoff_voting(list(theirs_candidates.values()), their_ballots)
    )
    irv_same = ours_irv.winners == [c.name for c in theirs_irv.get_winners()]

    print()
    print("| instance | rule | ours s | reference s | reference/ours | identical winners |")
    print("|---|---|---:|---:|---:|---|")
    for label, rule, ours_s, theirs_s, same in rows:
        if np.isnan(theirs_s):
            print(f"| {label} | {rule} | {ours_s:.3f} | – | – | (no reference) |")
        else:
            ratio = theirs_s / ours_s
            yes = "yes" if same else "**NO**"
            print(f"| {label} | {rule} | {ours_s:.3f} | {theirs_s:.2f} | {ratio:.0f}× | {yes} |")
    print(
        f"| {args.ballots:,} ranked ballots | irv | {irv_s:.3f} | {prv_s:.2f} "
        f"| {prv_s / irv_s:.1f}× | {'yes' if irv_same else '**NO**'} "
        f"({ours_irv.winners[0]}, {len(ours_irv.rounds)} rounds) |"
    )
    print()
    budget_ok = all(same for *_, same in rows)
    ratios = [t / o for _, _, o, t, _ in rows if not np.isnan(t)]
    print(
        f"budget rules ≥ {TARGET_RATIO:.0f}× faster than pabutools: "
        f"{'MET' if min(ratios) >= TARGET_RATIO else 'NOT MET'} (slowest ratio {min(ratios):.0f}×)"
    )
    print(
        f"IRV under {TARGET_IRV_SECONDS:.0f} s on {args.ballots:,} ballots: "
        f"{'MET' if irv_s < TARGET_IRV_SECONDS else 'NOT MET'} ({irv_s:.2f} s)"
    )
    if not (budget_ok and irv_same):
        print("INCONSISTENT: a winner differs from the reference library's")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(parse_args()))
