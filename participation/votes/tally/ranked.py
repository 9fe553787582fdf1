"""Ranked ballots on numpy arrays, for instant-runoff and Schulze.

`rules.irv` and `rules.schulze` are the documented entry points; this module holds the
counting. Identical ballots are counted once with their summed weight. All sums are of
whole numbers, so the order in which ballots arrive cannot change a result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

Rank = str | Collection[str]
"""One rank of a ballot: a candidate, or several tied at that rank (BLT's `5=6`)."""
RankedBallot = Sequence[Rank] | tuple[Sequence[Rank], int]

# Codes in the first-choice matrix: END after the last rank, candidates from OFFSET on.
END, OFFSET = 0, 1
# What the count does with a ballot at a rank: count it there, move on, or exhaust it.
STAY, NEXT, EXHAUST = 0, 1, 2


@dataclass(frozen=True)
class RankedProfile:
    """Distinct ballots with their weights, one entry per ranked candidate.

    Entry e says: ballot `rows[e]` ranks candidate `choices[e]` at rank `levels[e]`
    (candidates tied at a rank share its level); `tied[e]` marks a tied rank.
    """

    candidates: tuple[str, ...]
    weights: IntArray
    rows: IntArray
    choices: IntArray
    levels: IntArray
    tied: npt.NDArray[np.bool_]

    @classmethod
    def build(cls, candidates: Sequence[str], ballots: Iterable[RankedBallot]) -> RankedProfile:
        index = {name: j for j, name in enumerate(candidates)}
        if len(index) != len(candidates):
            raise ValueError("a candidate appears twice in the list of candidates")
        counted = _identical(ballots)
        distinct = [key for key in counted if type(key) is tuple]
        if len(distinct) == len(counted):
            try:  # plain ballots of single candidates, the common case: one pass, no checks
                flat = [index[name] for key in distinct for name in key]
            except (KeyError, TypeError):
                pass  # weights, tied ranks or unknown names: the careful way below
            else:
                weights = np.fromiter(counted.values(), dtype=np.int64, count=len(distinct))
                return cls._encoded(tuple(candidates), distinct, weights, flat)
        counts: dict[tuple[Rank, ...], int] = {}
        for ballot, times in counted.items():
            if type(ballot) is tuple and len(ballot) == 2 and type(ballot[1]) is int:
                ranks, weight = cast(tuple[Sequence[Rank], int], ballot)
                if weight < 0:
                    raise ValueError(f"a ballot's weight must not be negative: {weight}")
            else:
                ranks, weight = cast(Sequence[Rank], ballot), 1
            if isinstance(ranks, str):
                raise ValueError(f"a ballot is a sequence of candidates, not the text {ranks!r}")
            key = cast(tuple[Rank, ...], ranks)
            counts[key] = counts.get(key, 0) + weight * times
        keys = list(counts)
        weights = np.fromiter(counts.values(), dtype=np.int64, count=len(keys))
        try:
            flat = [index[name] for key in keys for name in key]  # type: ignore[index]
        except (KeyError, TypeError):
            return cls._build_slowly(tuple(candidates), index, keys, weights)
        return cls._encoded(tuple(candidates), keys, weights, flat)

    @classmethod
    def _encoded(
        cls,
        candidates: tuple[str, ...],
        keys: Sequence[tuple[object, ...]],
        weights: IntArray,
        flat: list[int],
    ) -> RankedProfile:
        """The profile of ballots `keys` that rank single candidates, `flat` their codes."""
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        rows = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        levels = np.arange(len(flat), dtype=np.int64) - starts
        choices = np.asarray(flat, dtype=np.int64)
        return cls(candidates, weights, rows, choices, levels, np.zeros(len(flat), bool))

    @classmethod
    def _build_slowly(
        cls,
        candidates: tuple[str, ...],
        index: dict[str, int],
        keys: list[tuple[Rank, ...]],
        weights: IntArray,
    ) -> RankedProfile:
        rows: list[int] = []
        choices: list[int] = []
        levels: list[int] = []
        tied: list[bool] = []
        for row, key in enumerate(keys):
            for level, rank in enumerate(key):
                if not isinstance(rank, str | Collection):
                    raise ValueError(f"a ballot ranks {rank!r}, which is not a candidate")
                names = [rank] if isinstance(rank, str) else sorted(rank)
                for name in names:
                    if name not in index:
                        raise ValueError(f"a ballot ranks unknown candidate {name!r}")
                    rows.append(row)
                    choices.append(index[name])
                    levels.append(level)
                    tied.append(len(names) > 1)
        return cls(
            candidates,
            weights,
            np.asarray(rows, dtype=np.int64),
            np.asarray(choices, dtype=np.int64),
            np.asarray(levels, dtype=np.int64),
            np.asarray(tied, dtype=bool),
        )

    def first_choice_matrix(self) -> tuple[IntArray, list[IntArray]]:
        """One row per ballot, one column per rank, END after the last: candidate j is
        written OFFSET + j, and the t-th distinct tied rank OFFSET + len(candidates) + t.
        Returns the matrix and the candidates of each tied rank."""
        width = int(self.levels.max()) + 2 if len(self.levels) else 1
        matrix = np.full((len(self.weights), width), END, dtype=np.int64)
        single = ~self.tied
        matrix[self.rows[single], self.levels[single]] = self.choices[single] + OFFSET
        members: dict[tuple[int, int], list[int]] = {}
        for row, level, choice in zip(
            self.rows[self.tied].tolist(),
            self.levels[self.tied].tolist(),
            self.choices[self.tied].tolist(),
            strict=True,
        ):
            members.setdefault((row, level), []).append(choice)
        codes: dict[tuple[int, ...], int] = {}
        for (row, level), group in members.items():
            key = tuple(sorted(group))
            code = codes.setdefault(key, OFFSET + len(self.candidates) + len(codes))
            matrix[row, level] = code
        return matrix, [np.asarray(key, dtype=np.int64) for key in codes]

    def positions(self) -> IntArray:
        """Rank level of each candidate on each ballot; unranked candidates come after
        every ranked one, tied with each other. A repeated candidate keeps its first rank."""
        unranked = int(self.levels.max()) + 1 if len(self.levels) else 0
        positions = np.full((len(self.weights), len(self.candidates)), unranked, np.int64)
        np.minimum.at(positions, (self.rows, self.choices), self.levels)
        return positions


def _identical(ballots: Iterable[RankedBallot]) -> Counter[Hashable]:
    """The ballots counted by value. Counting tuples runs in C, which matters at a
    million ballots; ballots written with lists are made into tuples first, a tied rank
    into a frozenset."""
    every = ballots if isinstance(ballots, Sequence) else list(ballots)
    try:
        return Counter(cast(Iterable[Hashable], every))
    except TypeError:
        return Counter(_frozen(ballot) for ballot in every)


def _frozen(ballot: object) -> Hashable:
    if isinstance(ballot, tuple) and len(ballot) == 2 and type(ballot[1]) is int:
        return (_frozen(ballot[0]), ballot[1])
    if isinstance(ballot, str):
        return ballot
    if not isinstance(ballot, Sequence):
        raise ValueError(f"a ballot is a sequence of candidates in order, not {ballot!r}")
    return tuple(
        frozenset(r) if isinstance(r, Collection) and not isinstance(r, str) else r for r in ballot
    )


def instant_runoff(
    profile: RankedProfile,
) -> tuple[int | None, list[dict[str, object]]]:
    """The winner's index (None without candidates) and the round table.

    Each ballot has a pointer to the rank it counts at. A rank of one candidate counts
    while she is standing; a tied rank counts for its one standing candidate, is passed
    over when none of them is standing, and exhausts the ballot for good when two or
    more are (the ballot cannot tell them apart).
    """
    names = profile.candidates
    size = len(names)
    matrix, groups = profile.first_choice_matrix()
    end = matrix.shape[1] - 1
    weights = profile.weights.astype(np.float64)
    pointer = np.zeros(len(weights), dtype=np.int64)
    standing = np.ones(size, dtype=bool)
    history: list[IntArray] = []
    rounds: list[dict[str, object]] = []
    moving = np.arange(len(weights))
    while standing.any():
        action, counted_as = _codes(standing, groups)
        while len(moving):
            step = action[matrix[moving, pointer[moving]]]
            pointer[moving[step == EXHAUST]] = end
            moving = moving[step == NEXT]
            pointer[moving] += 1
        current = counted_as[matrix[np.arange(len(weights)), pointer]]
        tally = np.bincount(current, weights=weights, minlength=size + OFFSET)
        counts = np.rint(tally[OFFSET:]).astype(np.int64)
        history.append(counts)
        alive = np.flatnonzero(standing)
        top = alive[np.argmax(counts[alive])]
        record: dict[str, object] = {
            "round": len(rounds) + 1,
            "counts": {names[j]: int(counts[j]) for j in alive},
            "exhausted": int(round(tally[END])),
            "eliminated": None,
            "elected": None,
        }
        rounds.append(record)
        if 2 * counts[top] > counts[alive].sum() or len(alive) == 1:
            record["elected"] = names[top]
            return int(top), rounds
        loser = _last(alive, history)
        record["eliminated"] = names[loser]
        standing[loser] = False
        moving = np.flatnonzero(current == loser + OFFSET)
    return None, rounds


def _codes(standing: npt.NDArray[np.bool_], groups: list[IntArray]) -> tuple[IntArray, IntArray]:
    """For every matrix code: what the count does with a ballot there, and which
    tally slot (END or a candidate's code) it counts in."""
    size = len(standing)
    action = np.full(OFFSET + size + len(groups), STAY, dtype=np.int64)
    counted_as = np.arange(len(action), dtype=np.int64)
    action[OFFSET : OFFSET + size][~standing] = NEXT
    for t, group in enumerate(groups):
        code = OFFSET + size + t
        left = group[standing[group]]
        if len(left) == 1:
            counted_as[code] = OFFSET + left[0]
        else:
            action[code] = NEXT if len(left) == 0 else EXHAUST
    return action, counted_as


def _last(alive: IntArray, history: list[IntArray]) -> int:
    """The candidate to eliminate: fewest votes now; among equals, fewest in the latest
    earlier round where they differ; among those still equal, the one listed last."""
    tied = alive
    for counts in reversed(history):
        tied = tied[counts[tied] == counts[tied].min()]
        if len(tied) == 1:
            break
    return int(tied.max())


def pairwise(profile: RankedProfile) -> IntArray:
    """d[i, j]: the weight of ballots that rank candidate i above candidate j."""
    positions = profile.positions()
    size = len(profile.candidates)
    matrix = np.zeros((size, size), dtype=np.int64)
    for i in range(size):
        matrix[i] = profile.weights @ (positions[:, i : i + 1] < positions)
    return matrix


def strongest_paths(d: IntArray) -> IntArray:
    """Schulze's widest paths, each link's strength its winning votes d[i, j] (zero
    where i does not beat j)."""
    p = np.where(d > d.T, d, 0)
    for k in range(len(d)):
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
    np.fill_diagonal(p, 0)
    return p
