"""BLT files: ranked ballots in the format of OpenSTV, Droop and most STV counters.

    # optional comment lines
    4 1                 candidates, seats
    -2                  optional: withdrawn candidates, as negative numbers
    3 1 3 4 0           weight, preferences by candidate number, 0
    1 2 1=3 0           `1=3`: candidates 1 and 3 tied at that rank
    0                   end of ballots
    "Alice"             one quoted name per candidate, in number order
    …
    "Election title"

Ballots come out as `rules.irv` takes them: `(ranks, weight)`, a rank being a name or a
frozenset of names tied there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from participation.votes.tally.ranked import Rank

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Election:
    candidates: list[str]
    seats: int
    withdrawn: frozenset[str]
    ballots: list[tuple[tuple[Rank, ...], int]]
    title: str

    @property
    def standing(self) -> list[str]:
        """The candidates in the count: all but the withdrawn ones."""
        return [c for c in self.candidates if c not in self.withdrawn]

    def standing_ballots(self) -> list[tuple[tuple[Rank, ...], int]]:
        """The ballots with withdrawn candidates struck out, as if never ranked."""
        if not self.withdrawn:
            return self.ballots
        return [(_strike(ranks, self.withdrawn), weight) for ranks, weight in self.ballots]


def _strike(ranks: tuple[Rank, ...], withdrawn: frozenset[str]) -> tuple[Rank, ...]:
    kept: list[Rank] = []
    for rank in ranks:
        left = (frozenset({rank}) if isinstance(rank, str) else frozenset(rank)) - withdrawn
        if len(left) == 1:
            kept.append(next(iter(left)))
        elif left:
            kept.append(left)
    return tuple(kept)


def load(path: str | Path) -> Election:
    """Read a BLT file; a bad file raises ValueError naming the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse(text, source=str(path))


def parse(text: str, source: str = "<blt>") -> Election:
    """Parse the text of a BLT file; a bad file raises ValueError naming the line."""
    lines = [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]

    def error(number: int, message: str) -> ValueError:
        return _error(source, number, message)

    if not lines:
        raise ValueError(f"{source}: empty file")
    at, first = lines[0]
    try:
        size, seats = (int(field) for field in first.split())
    except ValueError:
        raise error(at, f"expected 'candidates seats', found {first!r}") from None
    if size < 1 or not 1 <= seats <= size:
        raise error(at, f"{size} candidates and {seats} seats make no election")
    cursor = 1
    withdrawn_numbers: list[int] = []
    if cursor < len(lines) and lines[cursor][1].startswith("-"):
        at, line = lines[cursor]
        try:
            withdrawn_numbers = [-int(field) for field in line.split()]
        except ValueError:
            raise error(at, f"expected withdrawn candidates like '-2 -5', found {line!r}") from None
        for number in withdrawn_numbers:
            if not 1 <= number <= size:
                raise error(at, f"withdrawn candidate {number} is not between 1 and {size}")
        cursor += 1
    numbered: list[tuple[tuple[tuple[int, ...], ...], int]] = []
    while True:
        if cursor >= len(lines):
            raise error(lines[-1][0], "ballots do not end with a line '0'")
        at, line = lines[cursor]
        cursor += 1
        if line == "0":
            break
        if line.startswith('"'):
            raise error(at, "a line '0' must end the ballots before the names")
        numbered.append(_ballot(line, size, source, at))
    names: list[str] = []
    for at, line in lines[cursor:]:
        found = _QUOTED.findall(line)
        if not found or _QUOTED.sub("", line).strip():
            raise error(at, f"expected a quoted name, found {line!r}")
        names.extend(name.replace('\\"', '"') for name in found)
    if len(names) < size + 1:
        raise ValueError(
            f"{source}: {size} candidate names and a title expected, found {len(names)}"
        )
    if len(names) > size + 1:
        raise error(lines[-1][0], "more names than candidates and a title")
    candidates, title = names[:size], names[size]
    if len(set(candidates)) != size:
        raise ValueError(f"{source}: two candidates share a name")
    ballots = [
        (tuple(_named(rank, candidates) for rank in ranks), weight) for ranks, weight in numbered
    ]
    withdrawn = frozenset(candidates[n - 1] for n in withdrawn_numbers)
    return Election(candidates, seats, withdrawn, ballots, title)


def _error(source: str, number: int, message: str) -> ValueError:
    return ValueError(f"{source}, line {number}: {message}")


def _ballot(line: str, size: int, source: str, at: int) -> tuple[tuple[tuple[int, ...], ...], int]:
    def error(message: str) -> ValueError:
        return _error(source, at, message)

    fields = line.split()
    if fields[-1] != "0":
        raise error(f"a ballot ends with 0: {line!r}")
    try:
        weight = int(fields[0])
        ranks = tuple(tuple(int(n) for n in field.split("=")) for field in fields[1:-1])
    except ValueError:
        raise error(f"expected 'weight preferences… 0' in whole numbers, found {line!r}") from None
    if weight < 0:
        raise error(f"negative weight {weight}")
    for rank in ranks:
        for number in rank:
            if not 1 <= number <= size:
                raise error(f"candidate {number} is not between 1 and {size}")
    return ranks, weight


def _named(rank: tuple[int, ...], candidates: list[str]) -> Rank:
    if len(rank) == 1:
        return candidates[rank[0] - 1]
    return frozenset(candidates[n - 1] for n in rank)
