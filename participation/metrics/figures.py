"""The public figures: what each one counts, from which measure of the summary tables, and
what it does not say. The pages, the API and open data all name figures by these ids.

A figure is one of four kinds over a histogram measure: the median (with the 90th
percentile) of durations, the share of cases with value 1 (or of one outcome), the mean of
scores, or a count of cases. Two are not a single measure's histogram: traceability divides
the traced mandate-months by the active ones, and participants counts distinct people.
"""

from __future__ import annotations

from dataclasses import dataclass

from participation.errors import InvalidInput
from participation.messages import Message

SCORES = range(1, 6)


@dataclass(frozen=True)
class Figure:
    id: str
    unit: str  # "working_days" | "days" | "hours" | "share" | "score" | "count"
    kind: str  # "median" | "share" | "mean" | "count"
    better: str | None  # "lower" | "higher" | None: not a quality, never ranked
    per_service_type: bool
    by_department: bool
    measure: str
    title: Message
    definition: Message
    caveat: Message
    success: int = 1  # for shares: the value counted as a success


def _figure(
    id: str,
    kind: str,
    unit: str,
    measure: str,
    better: str | None,
    title: Message,
    definition: Message,
    caveat: Message,
    *,
    services: bool = False,
    departments: bool = False,
    success: int = 1,
) -> Figure:
    return Figure(
        id, unit, kind, better, services, departments, measure, title, definition, caveat, success
    )


_ALL = (
    _figure(
        "first_answer_days",
        "median",
        "working_days",
        "first_answer_days",
        "lower",
        Message("Time to the first answer"),
        Message(
            "Working days from the day a mandate was submitted (its quorum reached) to the day "
            "of the council's first official answer, counted in the municipality's calendar "
            "without weekends and public holidays; an answer on the same day counts 0. The "
            "median and the 90th percentile of the mandates first answered in the period."
        ),
        Message(
            "A fast first answer says nothing about its quality or whether the mandate was "
            "then carried out. Mandates still waiting for an answer are not counted yet."
        ),
        departments=True,
    ),
    _figure(
        "promise_kept_share",
        "share",
        "share",
        "promise_kept",
        "higher",
        Message("Service promise kept"),
        Message(
            "Share of submitted mandates answered within the municipality's service promise. "
            "A mandate counts in the month of its answer if it came in time, otherwise in "
            "the month its answer was due."
        ),
        Message(
            "The promise is set by each municipality, so a town with a generous promise keeps "
            "it more easily than one with a tight one."
        ),
        departments=True,
    ),
    _figure(
        "completion_days",
        "median",
        "days",
        "completion_days",
        "lower",
        Message("Time to completion"),
        Message(
            "Calendar days from a mandate's submission to its completion, for the mandates "
            "completed in the period: median and 90th percentile."
        ),
        Message(
            "Large undertakings take long for good reasons; the figure does not weigh what "
            "was done. Mandates rejected or still in progress are not counted."
        ),
        departments=True,
    ),
    _figure(
        "accepted_share",
        "share",
        "share",
        "outcome",
        None,
        Message("Accepted"),
        Message(
            "Share of the mandates submitted in the period that are now accepted, in "
            "progress or completed."
        ),
        Message(
            "Counted by the current status, so the share of a recent period still grows. A "
            "high share is no quality in itself: it depends on what citizens ask for."
        ),
        departments=True,
        success=1,
    ),
    _figure(
        "rejected_share",
        "share",
        "share",
        "outcome",
        None,
        Message("Rejected"),
        Message("Share of the mandates submitted in the period that are now rejected."),
        Message(
            "Counted by the current status. A rejection may be well founded; the figure does "
            "not say whether it was."
        ),
        departments=True,
        success=2,
    ),
    _figure(
        "open_share",
        "share",
        "share",
        "outcome",
        None,
        Message("Still open"),
        Message(
            "Share of the mandates submitted in the period that are still submitted or in "
            "review, without a decision."
        ),
        Message("Recent periods naturally have many open mandates."),
        departments=True,
        success=0,
    ),
    _figure(
        "outcome_satisfaction",
        "mean",
        "score",
        "rating",
        "higher",
        Message("Satisfaction with outcomes"),
        Message(
            "Mean score (1 to 5) citizens gave the outcome of a mandate, each rater's latest "
            "score, in the month of rating; with the distribution of the scores."
        ),
        Message("Only those who chose to rate are counted; they need not speak for everyone."),
        departments=True,
    ),
    _figure(
        "traceability_share",
        "share",
        "share",
        "traced",
        "higher",
        Message("Traceability"),
        Message(
            "Share of the months in which an active mandate (submitted and not yet closed) "
            "got a public update of the council's work: a response, cost analysis, measure, "
            "progress report or milestone. Summed over the months of the period: traced "
            "mandate-months divided by active mandate-months."
        ),
        Message("An update shows that work is reported, not that it moves forward or is good."),
        departments=True,
    ),
    _figure(
        "participants",
        "count",
        "count",
        "participants",
        None,
        Message("Participants"),
        Message(
            "Distinct people who launched, signed, voted or commented in the municipality in "
            "the period, each counted once."
        ),
        Message(
            "Says how many took part, not how representative they are; larger towns have "
            "more, which is why the figure per 1,000 inhabitants is given too."
        ),
    ),
    _figure(
        "signatures",
        "count",
        "count",
        "signatures",
        None,
        Message("Signatures"),
        Message(
            "Co-signatures given in the period, in the month of signing; withdrawn ones are "
            "not counted."
        ),
        Message("Many signatures may come from few mandates."),
    ),
    _figure(
        "mandates_launched",
        "count",
        "count",
        "launched",
        None,
        Message("Mandates launched"),
        Message("Mandates published for co-signing in the period, in the month of launch."),
        Message("Says nothing about whether they reached their quorum."),
    ),
    _figure(
        "ballots",
        "count",
        "count",
        "ballots",
        None,
        Message("Voters"),
        Message("Ballots cast in priority votes in the period, in the month of casting."),
        Message("Depends on how many votes the municipality held."),
    ),
    _figure(
        "comments",
        "count",
        "count",
        "comments",
        None,
        Message("Comments"),
        Message(
            "Comments posted in the period, in the month of posting, including those later "
            "deleted or hidden."
        ),
        Message("Many comments may mean a lively debate or a heated one."),
    ),
    _figure(
        "flags",
        "count",
        "count",
        "flags",
        None,
        Message("Flags"),
        Message("Comments flagged for moderation in the period, in the month of flagging."),
        Message("A flag is a reader's report, not a finding."),
    ),
    _figure(
        "hidden_items",
        "count",
        "count",
        "hidden",
        None,
        Message("Hidden comments"),
        Message("Comments hidden by a moderator in the period, in the month of hiding."),
        Message("Strict and lenient moderation both change this figure."),
    ),
    _figure(
        "moderation_decision_hours",
        "median",
        "hours",
        "moderation_decision_hours",
        "lower",
        Message("Time to a moderation decision"),
        Message(
            "Whole hours, rounded up, from a comment's first open flag to the moderator's "
            "decision (hide, restore or dismiss), in the month of the decision: median and "
            "90th percentile."
        ),
        Message("A quick decision is not necessarily a right one."),
    ),
    _figure(
        "service_duration_days",
        "median",
        "days",
        "service_duration_days",
        "lower",
        Message("Duration of a service"),
        Message(
            "Calendar days from the request to the completion of a routine service (for "
            "example a re-registration), per service type, in the month of the visit: "
            "median and 90th percentile. Only visits the service portal reported with both "
            "times count."
        ),
        Message(
            "Reported by the municipality's service portal; services that need documents "
            "from elsewhere take longer through no fault of the office."
        ),
        services=True,
    ),
    _figure(
        "service_satisfaction",
        "mean",
        "score",
        "service_rating",
        "higher",
        Message("Satisfaction with services"),
        Message(
            "Mean score (1 to 5) that people invited after a routine service gave it, per "
            "service type, in the month of scoring; with the distribution of the scores."
        ),
        Message("Only those who were invited and chose to answer are counted."),
        services=True,
    ),
    _figure(
        "invitation_conversion_share",
        "share",
        "share",
        "invitation_took_part",
        "higher",
        Message("Invitations taken up"),
        Message(
            "Share of the invitations sent after a routine service whose recipient signed, "
            "voted or commented in the municipality within 14 days, per service type, in the "
            "month the invitation was sent."
        ),
        Message(
            "Depends on which consultations were open at the time, not only on the invitation."
        ),
        services=True,
    ),
)

FIGURES: dict[str, Figure] = {figure.id: figure for figure in _ALL}


def figure_named(figure_id: str) -> Figure:
    """Raises InvalidInput on `figure` for an id not in the registry."""
    figure = FIGURES.get(figure_id)
    if figure is None:
        raise InvalidInput.on(
            "figure",
            Message("There is no figure %(figure)s.", figure=figure_id[:64]),
        )
    return figure


def definition_url(figure_id: str) -> str:
    return f"/figures/definitions#{figure_id}"
