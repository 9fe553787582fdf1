"""The open-data sets every municipality publishes: what each holds, its columns (the
data dictionary) and the reader of its rows."""

from __future__ import annotations

from dataclasses import dataclass

from participation.errors import NotFound
from participation.messages import Message
from participation.opendata import columns, monthly, rows
from participation.opendata.columns import Column


@dataclass(frozen=True)
class Dataset:
    id: str
    title: Message
    description: Message
    columns: tuple[Column, ...]
    read: rows.Reader
    keywords: tuple[str, ...] = ()


DATASETS = {
    d.id: d
    for d in (
        Dataset(
            "mandates",
            Message("Mandates"),
            Message(
                "Every public mandate: its status, co-signatures, the council's first answer "
                "and whether it kept the service promise."
            ),
            columns.MANDATES,
            rows.mandates,
            ("Bürgerbeteiligung", "Bürgerauftrag"),
        ),
        Dataset(
            "timelines",
            Message("Timelines"),
            Message("The public timeline of every mandate: each status change, answer and report."),
            columns.TIMELINES,
            rows.timelines,
            ("Bürgerbeteiligung", "Verwaltungshandeln"),
        ),
        Dataset(
            "cost-analyses",
            Message("Cost analyses"),
            Message("The published cost analyses of mandates and measures, one row per line item."),
            columns.COST_ANALYSES,
            rows.cost_analyses,
            ("Kosten", "Haushalt"),
        ),
        Dataset(
            "measures",
            Message("Measures"),
            Message("The measures of the action plans, with their milestones and progress."),
            columns.MEASURES,
            rows.measures,
            ("Maßnahmen", "Umsetzung"),
        ),
        Dataset(
            "vote-results",
            Message("Vote results"),
            Message(
                "The published results of priority votes, one row per vote and option, with "
                "the anonymised ballots of each vote in Pabulib format."
            ),
            columns.VOTE_RESULTS,
            rows.vote_results,
            ("Abstimmung", "Bürgerhaushalt"),
        ),
        Dataset(
            "moderation-log",
            Message("Moderation log"),
            Message(
                "What moderation did in the discussions, when and why: never the hidden text, "
                "never who wrote it or who decided."
            ),
            columns.MODERATION_LOG,
            rows.moderation,
            ("Moderation",),
        ),
        Dataset(
            "figures",
            Message("Quality figures"),
            Message(
                "Every public quality figure per month for the last 24 months, with its "
                "number of cases and its interval."
            ),
            columns.FIGURES,
            monthly.figures,
            ("Kennzahlen", "Transparenz"),
        ),
    )
}

UNKNOWN = Message("There is no such data set.")


def dataset(name: str) -> Dataset:
    """The data set `name`; NotFound for any other name."""
    found = DATASETS.get(name)
    if found is None:
        raise NotFound(UNKNOWN)
    return found
