"""Pabulib `.pb` files: participatory-budgeting elections as META, PROJECTS and VOTES.

The format (pabulib.org, Faliszewski et al. 2023) is `;`-separated text in three sections,
each opened by its name on a line of its own and a header line: META (`key;value`),
PROJECTS (`project_id;cost;…`), VOTES (`voter_id;vote;…`). A vote lists project ids
separated by commas, in rank order for ordinal votes; cumulative and scoring votes carry
a `points` field with one number per listed project. Fields may be quoted.

We read anyone's files to recount them and write our own votes' anonymised ballots in
the same format, so that anyone can recount ours with their own tools.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

Number = int | float

VOTE_TYPES = frozenset({"approval", "choose-1", "ordinal", "cumulative", "scoring"})
POINTS_REQUIRED = frozenset({"cumulative", "scoring"})
SECTIONS = ("meta", "projects", "votes")


@dataclass(frozen=True)
class Project:
    id: str
    cost: Number
    fields: dict[str, str]
    """Every other column as written: name, votes, score, selected, category, …"""

    @property
    def name(self) -> str:
        return self.fields.get("name", "")


@dataclass(frozen=True)
class Vote:
    voter_id: str
    choices: tuple[str, ...]
    """Project ids in the order written: rank order for ordinal votes."""
    points: tuple[Number, ...] | None
    fields: dict[str, str]


@dataclass(frozen=True)
class Election:
    meta: dict[str, str]
    projects: dict[str, Project]
    votes: list[Vote]

    @property
    def budget(self) -> Number:
        return number(self.meta["budget"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "")


class _Reader:
    """Rows of one file with the line each came from, for messages that name it."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self._csv = csv.reader(io.StringIO(text), delimiter=";", quotechar='"')
        self.raw: list[str] = []
        """The last row as read, before its fields are stripped."""

    def error(self, message: str) -> ValueError:
        return ValueError(f"{self.source}, line {self.line}: {message}")

    @property
    def line(self) -> int:
        return self._csv.line_num

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        while True:
            try:
                row = next(self._csv)
            except csv.Error as exc:
                raise self.error(f"unreadable field ({exc})") from None
            if any(cell.strip() for cell in row):
                self.raw = row
                return [cell.strip() for cell in row]


def number(text: str) -> Number:
    """A cost, budget or point count as written; a decimal comma is read as a point."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return int(value) if value == value.to_integral_value() else float(value)


def load(path: str | Path) -> Election:
    """Read a `.pb` file; a bad file raises ValueError naming the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse(text, source=str(path))


def parse(text: str, source: str = "<pabulib>") -> Election:
    """Parse the text of a `.pb` file; a bad file raises ValueError naming the line."""
    reader = _Reader(text.lstrip("\ufeff"), source)
    meta: dict[str, str] = {}
    projects: dict[str, Project] = {}
    votes: list[Vote] = []
    voters: set[str] = set()
    seen: list[str] = []
    section = ""
    header: list[str] = []
    for row in reader:
        name = row[0].lower() if len(row) == 1 else ""
        if name in SECTIONS:
            if name in seen:
                raise reader.error(f"second {name.upper()} section")
            seen.append(name)
            section = name
            header = next(reader, [])
            _check_header(reader, section, header)
            if section == "votes":
                _check_meta(reader, meta)
            continue
        if not section:
            raise reader.error("expected META, PROJECTS or VOTES before any data")
        if section == "meta":
            if len(row) < 2:
                raise reader.error("a META line needs a key and a value")
            # A comment with an unquoted ";" is still one value.
            meta[row[0]] = ";".join(reader.raw[1:]).strip()
            _check_meta_row(reader, row[0], meta[row[0]])
            continue
        if len(row) > len(header) and any(row[len(header) :]):
            raise reader.error(f"{len(row)} fields where the header has {len(header)}")
        # Trailing empty fields may be left out, or added.
        row = (row + [""] * len(header))[: len(header)]
        if section == "projects":
            project = _project(reader, header, row)
            if project.id in projects:
                raise reader.error(f"project {project.id!r} appears twice")
            projects[project.id] = project
        else:
            vote = _vote(reader, header, row, projects, meta["vote_type"])
            if vote.voter_id in voters:
                raise reader.error(f"voter {vote.voter_id!r} votes twice")
            voters.add(vote.voter_id)
            votes.append(vote)
    missing = [s.upper() for s in SECTIONS if s not in seen]
    if missing:
        raise ValueError(f"{source}: no {', '.join(missing)} section")
    return Election(meta=meta, projects=projects, votes=votes)


def _check_header(reader: _Reader, section: str, header: list[str]) -> None:
    required = {"meta": ["key", "value"], "projects": ["project_id", "cost"]}.get(
        section, ["voter_id", "vote"]
    )
    if section == "meta" and header != required:
        raise reader.error(f"META header must be 'key;value', not {';'.join(header)!r}")
    absent = [column for column in required if column not in header]
    if absent:
        raise reader.error(f"{section.upper()} header lacks {', '.join(absent)}")
    if len(set(header)) != len(header):
        raise reader.error(f"{section.upper()} header names a column twice")


def _check_meta(reader: _Reader, meta: dict[str, str]) -> None:
    if "budget" not in meta or "vote_type" not in meta:
        raise reader.error("META must give budget and vote_type before the votes")


def _check_meta_row(reader: _Reader, key: str, value: str) -> None:
    if key == "vote_type" and value not in VOTE_TYPES:
        raise reader.error(f"unknown vote_type {value!r}")
    if key == "budget":
        try:
            budget = number(value)
        except ValueError as exc:
            raise reader.error(f"budget: {exc}") from None
        if budget < 0:
            raise reader.error("budget is negative")


def _project(reader: _Reader, header: list[str], row: list[str]) -> Project:
    fields = dict(zip(header, row, strict=True))
    project_id = fields.pop("project_id")
    if not project_id:
        raise reader.error("empty project_id")
    try:
        cost = number(fields.pop("cost"))
    except ValueError as exc:
        raise reader.error(f"cost of {project_id}: {exc}") from None
    if cost < 0:
        raise reader.error(f"cost of {project_id} is negative")
    return Project(id=project_id, cost=cost, fields=fields)


def _vote(
    reader: _Reader,
    header: list[str],
    row: list[str],
    projects: Mapping[str, Project],
    vote_type: str,
) -> Vote:
    fields = dict(zip(header, row, strict=True))
    voter_id = fields.pop("voter_id")
    choices = tuple(c.strip() for c in fields.pop("vote").split(",") if c.strip())
    unknown = [c for c in choices if c not in projects]
    if unknown:
        raise reader.error(f"vote of {voter_id} names unknown project {unknown[0]!r}")
    if len(set(choices)) != len(choices):
        raise reader.error(f"vote of {voter_id} names a project twice")
    points: tuple[Number, ...] | None = None
    written = fields.pop("points", None)
    if written:
        try:
            points = tuple(number(p) for p in written.split(","))
        except ValueError as exc:
            raise reader.error(f"points of {voter_id}: {exc}") from None
        if len(points) != len(choices):
            raise reader.error(
                f"vote of {voter_id} has {len(choices)} projects but {len(points)} points"
            )
    elif vote_type in POINTS_REQUIRED and choices:
        raise reader.error(f"{vote_type} vote of {voter_id} needs points")
    return Vote(voter_id=voter_id, choices=choices, points=points, fields=fields)


def dumps(
    meta: Mapping[str, object],
    projects: Iterable[Mapping[str, object]],
    votes: Iterable[Mapping[str, object]],
) -> str:
    """A `.pb` file's text. Each project needs `project_id` and `cost`; each vote
    `voter_id` and `vote` (a sequence of project ids, in rank order for ordinal votes)
    and, for cumulative or scoring votes, `points` (a sequence of numbers). Every other
    key becomes a column; a value missing from a row is written empty."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, _text(value)])
    project_rows = list(projects)
    for project in project_rows:
        if "," in str(project.get("project_id", ",")):
            raise ValueError(f"project id {project.get('project_id')!r}: empty or with a comma")
    writer.writerows(_section("PROJECTS", ["project_id", "cost"], project_rows))
    writer.writerows(_section("VOTES", ["voter_id", "vote"], list(votes)))
    return out.getvalue()


def write(
    path: str | Path,
    meta: Mapping[str, object],
    projects: Iterable[Mapping[str, object]],
    votes: Iterable[Mapping[str, object]],
) -> None:
    """Write a `.pb` file (UTF-8); see `dumps` for the rows."""
    Path(path).write_text(dumps(meta, projects, votes), encoding="utf-8")


def _section(name: str, first: list[str], rows: Sequence[Mapping[str, object]]) -> list[list[str]]:
    columns = list(first)
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    lines = [[name], columns]
    for row in rows:
        absent = [key for key in first if key not in row]
        if absent:
            raise ValueError(f"{name} row without {', '.join(absent)}: {dict(row)!r}")
        lines.append([_text(row.get(column, "")) for column in columns])
    return lines


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Iterable):
        return ",".join(_text(v) for v in value)
    return str(value)
