"""A/B: the same benchmarks against two checkouts, one after the other, A, B, A, B, …

Each checkout runs its own copy of bench/ with its own virtualenv (`DIR/.venv`, whose
`auftrag` serves that checkout's code), so A can be today's code with only the
corrected bench/ files copied in, and B the changed code. A run is one round of
bench/cosign.py or bench/ballots.py at N = 64 (`--repeat 1`); the pairs alternate so
both sides see the same stretch of the machine's background load — A first in odd
pairs, B first in even ones (A,B,B,A,A,B, …), so a load that rises or falls through the
run favours neither — and every B/A ratio is taken between the two runs of one pair,
then summarised as the median with the spread (min–max) of the pairs.

    .venv/bin/python bench/ab.py --a /path/to/baseline [--b .] [--pairs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import rounds  # noqa: E402
from harness import log  # noqa: E402

BENCH_FILES = (
    "ab.py", "ballots.lua", "ballots.py", "ballots.sql", "cosign.lua", "cosign.py",
    "cosign.sql", "cpu.py", "harness.py", "pgbench.py", "read.lua", "rounds.py", "tokens.py",
)  # fmt: skip
# (label, JSON key, digits; whether a higher value is better is for the reader).
METRICS = {
    "cosign": [
        ("co-signatures/s", "full_rate", 0),
        ("server CPU ms per co-signature", "server_ms", 3),
        ("server CPU ms per health GET", "health_server_ms", 3),
        ("co-signature / health CPU", "cpu_ratio", 2),
        ("PostgreSQL CPU ms per co-signature", "pg_ms", 3),
        ("pgbench reference sig/s", "raw_rate", 0),
        ("full / reference", "full_raw", 3),
        ("noise, % of one core", "noise", 0),
    ],
    "ballots": [
        ("ballots/s", "rate", 0),
        ("replaced ballots/s", "replace_rate", 0),
        ("server CPU ms per ballot", "server_ms", 3),
        ("server CPU ms per health GET", "health_server_ms", 3),
        ("ballot / health CPU", "cpu_ratio", 2),
        ("PostgreSQL CPU ms per ballot", "pg_ms", 3),
        ("pgbench reference ballots/s", "raw_rate", 0),
        ("full / reference", "full_raw", 3),
        ("noise, % of one core", "noise", 0),
    ],
}
# What the comparison is judged on: the rate and the server's CPU per request, and the
# latter in health requests of the same run, which moves least with the machine's noise.
JUDGED = {
    "cosign": ("full_rate", "server_ms", "cpu_ratio"),
    "ballots": ("rate", "server_ms", "cpu_ratio"),
}
TOLERANCE = 0.10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Alternating A/B runs of bench/cosign.py and bench/ballots.py.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--a", type=Path, required=True, help="checkout A, with DIR/.venv")
    p.add_argument("--b", type=Path, default=harness.REPO, help="checkout B, with DIR/.venv")
    p.add_argument("--pairs", type=int, default=3, help="A,B pairs per benchmark")
    p.add_argument("--benchmarks", default="cosign,ballots", help="comma list")
    p.add_argument("--connections", type=int, default=64, help="N")
    p.add_argument("--duration", type=float, default=4.0, help="seconds per measured run")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per run")
    p.add_argument("--json", type=Path, default=None, help="also write every run here")
    args = p.parse_args(argv)
    args.benchmark_list = [b for b in args.benchmarks.split(",") if b.strip()]
    unknown = set(args.benchmark_list) - set(METRICS)
    if unknown:
        p.error(f"unknown benchmarks {sorted(unknown)}; known: {sorted(METRICS)}")
    for side in (args.a, args.b):
        if not (side / ".venv" / "bin" / "python").exists():
            p.error(f"{side} has no .venv/bin/python (python3 -m venv .venv && "
                    f".venv/bin/pip install -e '.[test]')")  # fmt: skip
    return args


def describe(checkout: Path) -> str:
    """The checkout's commit, and whether its app files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(checkout), "status", "--porcelain", "--", "server",
             "participation", "notifications", "migrations"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return str(checkout)
    return f"{checkout} at {commit}" + (" with uncommitted changes" if dirty else "")


def differing_bench_files(a: Path, b: Path) -> list[str]:
    def digest(path: Path) -> str | None:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None

    return [f for f in BENCH_FILES if digest(a / "bench" / f) != digest(b / "bench" / f)]


def run_once(
    checkout: Path, benchmark: str, args: argparse.Namespace, out: Path
) -> dict[str, object]:
    """One round of one benchmark from `checkout`'s bench/ with its own interpreter."""
    command = [
        str(checkout / ".venv" / "bin" / "python"), str(checkout / "bench" / f"{benchmark}.py"),
        "--connections", str(args.connections), "--repeat", "1",
        "--duration", f"{args.duration:g}", "--warmup", f"{args.warmup:g}", "--json", str(out),
    ]  # fmt: skip
    log_path = out.with_suffix(".log")
    with log_path.open("wb") as output:
        proc = subprocess.Popen(command, cwd=checkout, stdout=output, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                # It cleans up its server and database on SIGTERM.
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)
    if code != 0:
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
        raise SystemExit(f"{benchmark} in {checkout} failed ({code}):\n{tail}")
    found = json.loads(out.read_text())["rounds"]
    return found[0]


def report(
    benchmark: str, results: dict[str, list[dict[str, object]]], args: argparse.Namespace
) -> list[str]:
    def values(side: str, key: str) -> list[float]:
        return [float("nan") if r[key] is None else float(r[key]) for r in results[side]]

    cells = []
    for label, key, digits in METRICS[benchmark]:
        a, b = values("A", key), values("B", key)
        ratios = [y / x if x else float("nan") for x, y in zip(a, b, strict=True)]
        cells.append(
            [label, rounds.spread(a, digits), rounds.spread(b, digits), rounds.spread(ratios, 3)]
        )
    lines = [
        "",
        f"== {benchmark}, N = {args.connections}, {len(results['A'])} pairs one after the other "
        f"(A,B,B,A, …), {args.duration:g}s per run ==",
        harness.table(["median (min–max)", "A", "B", "B/A per pair"], cells),
    ]
    for key in JUDGED[benchmark]:
        a, b = values("A", key), values("B", key)
        ratio = rounds.median(y / x for x, y in zip(a, b, strict=True) if x)
        within = abs(ratio - 1) <= TOLERANCE
        label = next(label for label, k, _ in METRICS[benchmark] if k == key)
        lines.append(
            f"{label}: B/A {ratio:.3f} (median of pairs): "
            f"{'within' if within else 'NOT within'} {TOLERANCE:.0%}"
        )
    return lines


def main(args: argparse.Namespace) -> int:
    harness.exit_on_signals()
    sides = {"A": args.a.resolve(), "B": args.b.resolve()}
    lines = [f"A = {describe(sides['A'])}", f"B = {describe(sides['B'])}"]
    differing = differing_bench_files(sides["A"], sides["B"])
    lines.append(
        "bench/ files: identical"
        if not differing
        else f"bench/ files that differ between A and B: {', '.join(differing)}"
    )
    print("\n".join(lines), flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="auftrag-ab-"))
    every: dict[str, dict[str, list[dict[str, object]]]] = {}
    try:
        for benchmark in args.benchmark_list:
            results: dict[str, list[dict[str, object]]] = {"A": [], "B": []}
            for pair in range(args.pairs):
                order = ["A", "B"] if pair % 2 == 0 else ["B", "A"]
                for side in order:
                    checkout = sides[side]
                    log(f"{benchmark} pair {pair + 1}/{args.pairs}: {side}")
                    out = scratch / f"{benchmark}-{pair}-{side}.json"
                    found = run_once(checkout, benchmark, args, out)
                    results[side].append(found)
                    key, cost, _ = JUDGED[benchmark]
                    log(
                        f"{benchmark} {side}: {found[key]:,.0f}/s, server "
                        f"{found[cost]:.3f} ms CPU each, noise {found['noise']:.0f}%"
                    )
            every[benchmark] = results
            print("\n".join(report(benchmark, results, args)), flush=True)
    finally:
        harness.remove_tree(scratch)
    if args.json:
        rounds.write_json(
            args.json, {"a": describe(sides["A"]), "b": describe(sides["B"]), "runs": every}
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(parse_args()))
