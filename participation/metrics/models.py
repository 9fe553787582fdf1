"""The summary tables the figures are read from, and the projection's state per subject.

Every measure is a histogram: a cell says how many cases (`count`) had one integer `value`
of one measure in one municipal month. A dashboard sums a few hundred cells instead of
scanning the mandates. The rows are written only by the metrics projection
(participation/metrics/projection.py) and by its rebuild.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class MetricCell(Model):
    """A histogram cell: how many cases of one measure had one value in one month.

    `month` is 'YYYY-MM' in the municipality's time zone, `department_id` 0 the whole
    municipality, `service_type` '' none.
    """

    id = fields.BigIntField(primary_key=True)
    municipality_id = fields.IntField()
    department_id = fields.IntField(default=0)
    service_type = fields.CharField(max_length=64, default="")
    month = fields.CharField(max_length=7)
    measure = fields.CharField(max_length=40)
    value = fields.IntField()
    count = fields.IntField()

    class Meta:
        table = "metric_cell"
        unique_together = (
            ("municipality_id", "department_id", "service_type", "month", "measure", "value"),
        )
        indexes = (("municipality_id", "department_id", "service_type", "measure", "month"),)


class MetricParticipant(Model):
    """One person who took part in a municipality in a month.

    `refs` counts her contributions (signatures, ballots, comments, launches), so that a
    withdrawal can take the row away. `person` is a keyed hash, never the account's id.
    """

    id = fields.BigIntField(primary_key=True)
    municipality_id = fields.IntField()
    month = fields.CharField(max_length=7)
    person = fields.CharField(max_length=32)
    refs = fields.IntField()

    class Meta:
        table = "metric_participant"
        unique_together = (("municipality_id", "month", "person"),)


class MetricFact(Model):
    """What one subject (a mandate, a comment, a visit) contributes to the tables.

    It is the contribution as last computed: the difference to a new computation is what
    an event changes.
    """

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=24)
    subject_id = fields.BigIntField()
    municipality_id = fields.IntField()
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "metric_fact"
        unique_together = (("kind", "subject_id"),)
        indexes = (("municipality_id", "kind"),)
