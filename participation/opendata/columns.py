"""The columns of every open-data set: the data dictionary, and the order of the CSV header.

One definition serves the dictionary page, the CSV header, the JSON keys and the tests, so
a column cannot appear in a file without being explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from participation.messages import Message


class Type(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    # A JSON array of strings; in CSV joined by "; ".
    LIST = "list"
    # A JSON object or array; in CSV written as JSON text.
    JSON = "json"


@dataclass(frozen=True)
class Column:
    name: str
    type: Type
    meaning: Message
    unit: str = ""


MANDATES = (
    Column("id", Type.INTEGER, Message("The mandate's number, as in its address /mandates/<id>.")),
    Column("url", Type.STRING, Message("The mandate's public page.")),
    Column("title", Type.STRING, Message("Its title, as the initiator wrote it.")),
    Column("summary", Type.STRING, Message("Its short summary.")),
    Column(
        "status",
        Type.STRING,
        Message(
            "Where it stands: collecting, submitted, in_review, accepted, in_progress, "
            "completed, rejected, withdrawn or expired."
        ),
    ),
    Column(
        "district",
        Type.STRING,
        Message("The district it is about; empty for the whole municipality."),
    ),
    Column("topics", Type.LIST, Message("Its topics.")),
    Column(
        "initiator",
        Type.STRING,
        Message("The initiator's display name; empty when the account is gone."),
    ),
    Column("signature_count", Type.INTEGER, Message("Co-signatures so far."), "signatures"),
    Column(
        "quorum",
        Type.INTEGER,
        Message("Co-signatures it needs to be submitted to the council."),
        "signatures",
    ),
    Column("created_at", Type.DATETIME, Message("When it was launched.")),
    Column("published_at", Type.DATETIME, Message("When it was opened for co-signing.")),
    Column(
        "submitted_at",
        Type.DATETIME,
        Message("When it reached its quorum and went to the council."),
    ),
    Column(
        "answer_due_at",
        Type.DATETIME,
        Message("By when the service promise owes a first official answer."),
    ),
    Column(
        "first_answer_at", Type.DATETIME, Message("When the first official answer was published.")
    ),
    Column(
        "promise_kept",
        Type.BOOLEAN,
        Message(
            "Whether the first answer came within the service promise; empty while none is "
            "due or given."
        ),
    ),
    Column("department", Type.STRING, Message("The department responsible for it.")),
    Column("progress", Type.INTEGER, Message("Progress of its action plan."), "percent"),
    Column("completed_at", Type.DATETIME, Message("When it was completed; empty otherwise.")),
    Column(
        "closed_at",
        Type.DATETIME,
        Message("When it ended: completed, rejected, withdrawn or expired."),
    ),
)

TIMELINES = (
    Column(
        "id",
        Type.INTEGER,
        Message("The entry's number, as in the anchor #entry-<id> on the mandate's page."),
    ),
    Column("mandate_id", Type.INTEGER, Message("The mandate whose public timeline it is on.")),
    Column(
        "kind",
        Type.STRING,
        Message(
            "What happened: launched, status, assignment, response, cost_analysis, measure, "
            "progress, milestone, attachment, ratings, promise_missed and others."
        ),
    ),
    Column("created_at", Type.DATETIME, Message("When it happened.")),
    Column(
        "data",
        Type.JSON,
        Message("What the timeline shows of it, by kind; people appear by role, never by name."),
    ),
)

COST_ANALYSES = (
    Column("analysis_id", Type.INTEGER, Message("The cost analysis's number.")),
    Column("mandate_id", Type.INTEGER, Message("The mandate it prices.")),
    Column(
        "measure_id", Type.INTEGER, Message("The measure it prices; empty for the whole mandate.")
    ),
    Column("title", Type.STRING, Message("The analysis's title.")),
    Column("revision", Type.INTEGER, Message("The published revision these figures are from.")),
    Column("published_at", Type.DATETIME, Message("When this revision was published.")),
    Column("author_role", Type.STRING, Message("Who signed it, by role: council or admin.")),
    Column(
        "position",
        Type.INTEGER,
        Message("The line item's position; empty on an analysis without items."),
    ),
    Column("description", Type.STRING, Message("What the line item is.")),
    Column("category", Type.STRING, Message("The line item's category.")),
    Column("kind", Type.STRING, Message("one_off or per_year.")),
    Column("amount_cents", Type.INTEGER, Message("The line item's amount."), "cents"),
    Column("funding_source", Type.STRING, Message("Where the money is to come from.")),
    Column("one_off_cents", Type.INTEGER, Message("The analysis's one-off total."), "cents"),
    Column("per_year_cents", Type.INTEGER, Message("The analysis's yearly total."), "cents"),
    Column("currency", Type.STRING, Message("The currency of every amount (ISO 4217).")),
)

MEASURES = (
    Column("id", Type.INTEGER, Message("The measure's number, as in its address /measures/<id>.")),
    Column("mandate_id", Type.INTEGER, Message("The mandate whose action plan it belongs to.")),
    Column("title", Type.STRING, Message("The measure's title.")),
    Column("status", Type.STRING, Message("planned, in_progress, done or dropped.")),
    Column("progress", Type.INTEGER, Message("How far it is."), "percent"),
    Column("planned_start", Type.DATE, Message("When it is planned to start.")),
    Column("planned_end", Type.DATE, Message("When it is planned to end.")),
    Column("department", Type.STRING, Message("The department carrying it out.")),
    Column("reason", Type.STRING, Message("Why it was dropped; empty otherwise.")),
    Column(
        "milestones", Type.JSON, Message("Its milestones: title, date and when each was reached.")
    ),
    Column("updated_at", Type.DATETIME, Message("When the measure last changed.")),
)

VOTE_RESULTS = (
    Column("vote_id", Type.INTEGER, Message("The vote's number, as in its address /votes/<id>.")),
    Column("vote_title", Type.STRING, Message("The vote's title.")),
    Column(
        "rule",
        Type.STRING,
        Message(
            "The counting rule: approval, irv, schulze, cumulative, greedy, greedy-threshold,"
            " mes or ordinal-greedy."
        ),
    ),
    Column(
        "district",
        Type.STRING,
        Message("The district that voted; empty for the whole municipality."),
    ),
    Column("closes_at", Type.DATETIME, Message("When voting closed.")),
    Column("published_at", Type.DATETIME, Message("When the result was published.")),
    Column("turnout", Type.INTEGER, Message("Ballots cast."), "ballots"),
    Column("quorum_met", Type.BOOLEAN, Message("Whether the minimum turnout was reached.")),
    Column("option_id", Type.INTEGER, Message("The option's number, as in the Pabulib file.")),
    Column("position", Type.INTEGER, Message("The option's place on the ballot.")),
    Column("option_title", Type.STRING, Message("The option's title.")),
    Column("cost_cents", Type.INTEGER, Message("The option's cost, for budgets."), "cents"),
    Column("currency", Type.STRING, Message("The currency of the costs (ISO 4217).")),
    Column(
        "score",
        Type.NUMBER,
        Message(
            "The option's count under the rule (votes, points or approvals); empty where the "
            "rule gives none."
        ),
    ),
    Column("winner", Type.BOOLEAN, Message("Whether the option is among the winners.")),
    Column(
        "winner_rank",
        Type.INTEGER,
        Message("Its place among the winners, 1 first; empty for the others."),
    ),
    Column(
        "ballots_url",
        Type.STRING,
        Message("The anonymised ballots in Pabulib format; empty below the minimum turnout."),
    ),
)

MODERATION_LOG = (
    Column("id", Type.INTEGER, Message("The log entry's number.")),
    Column("created_at", Type.DATETIME, Message("When it was done.")),
    Column(
        "action",
        Type.STRING,
        Message("hide, auto_hide, restore, dismiss_flags, lock, unlock or suspend."),
    ),
    Column(
        "subject_type",
        Type.STRING,
        Message("What the discussion is about: mandate, measure or vote; empty for a suspension."),
    ),
    Column("subject_id", Type.INTEGER, Message("That subject's number.")),
    Column(
        "comment_id",
        Type.INTEGER,
        Message("The comment concerned; empty for a discussion or a suspension."),
    ),
    Column("url", Type.STRING, Message("The place on the site.")),
    Column("reason", Type.STRING, Message("The public reason.")),
    Column(
        "moderator_role",
        Type.STRING,
        Message("moderator or admin; empty when the platform acted by itself."),
    ),
    Column(
        "automatic",
        Type.BOOLEAN,
        Message("Whether the platform acted by itself (the flag threshold)."),
    ),
    Column("until", Type.DATETIME, Message("For a suspension: until when it runs.")),
)

FIGURES = (
    Column("month", Type.STRING, Message("The month, YYYY-MM in the municipality's time zone.")),
    Column("figure", Type.STRING, Message("The figure, as defined at /figures/definitions.")),
    Column(
        "service_type",
        Type.STRING,
        Message("The service type, for service figures; empty otherwise."),
    ),
    Column(
        "value",
        Type.NUMBER,
        Message("The figure's value; empty when there are no cases."),
        "see unit",
    ),
    Column(
        "unit",
        Type.STRING,
        Message("working_days, days, hours, share (0 to 1), score (1 to 5) or count."),
    ),
    Column("n", Type.INTEGER, Message("The number of cases it rests on."), "cases"),
    Column(
        "interval_low",
        Type.NUMBER,
        Message("Lower end of its 95 per cent interval; empty for counts."),
        "see unit",
    ),
    Column(
        "interval_high",
        Type.NUMBER,
        Message("Upper end of its 95 per cent interval; empty for counts."),
        "see unit",
    ),
    Column("p90", Type.NUMBER, Message("The 90th percentile, for durations."), "see unit"),
    Column(
        "per_1000",
        Type.NUMBER,
        Message("Per 1,000 inhabitants, for counts when the population is known."),
    ),
    Column(
        "comparable",
        Type.BOOLEAN,
        Message("Whether it rests on enough cases to be compared and ranked."),
    ),
)
