"""Municipalities are the tenants; districts subdivide them; departments do their work; each
sets its levels per action."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from participation.permissions import Level

if TYPE_CHECKING:
    from participation.accounts.models import User

# The levels the API and the admin page name, by the action each is for.
LEVEL_FIELDS = {
    "launch_level": "mandate:launch",
    "sign_level": "mandate:sign",
    "vote_level": "vote:cast",
}


class Municipality(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    default_quorum = fields.IntField(default=100)
    signature_period_days = fields.IntField(default=90)
    # Working days to a first official answer (participation/municipalities/calendar.py).
    service_promise_days = fields.IntField(default=3)
    # Residents, for costs per resident; set by the administrators.
    population = fields.IntField(null=True)
    # The Bundesland as the holidays package names it (BW, BY, …, NW), whose public
    # holidays are no working days; None means the nationwide ones only.
    state = fields.CharField(max_length=2, null=True)
    # Amtlicher Gemeindeschlüssel: eight digits, the first two the state's; None only for
    # municipalities older than migration 0022.
    official_key = fields.CharField(max_length=8, null=True)
    # Where due dates and "end of day" are reckoned.
    time_zone = fields.CharField(max_length=64, default="Europe/Berlin")
    # Flags from this many people hide a comment until a moderator decides.
    flag_threshold = fields.IntField(default=3)
    # Accounts younger than this may put only a few links in a comment.
    new_account_hours = fields.IntField(default=24)
    # How people reach the administration, for the footer and the legal pages.
    contact_email = fields.CharField(max_length=254, default="")
    contact_phone = fields.CharField(max_length=40, default="")
    contact_address = fields.TextField(default="")
    # Under which licence its open data is published (participation/municipalities/licences.py).
    open_data_licence = fields.CharField(max_length=16, default="dl-de/by-2-0")
    created_at = fields.DatetimeField(auto_now_add=True)
    # Its face (participation/municipalities/face.py): None means the platform's own.
    primary_color = fields.CharField(max_length=7, null=True)
    welcome_text = fields.TextField(null=True)
    welcome_html = fields.TextField(null=True)
    # The crest re-encoded, under its content key in the file storage, and its type.
    coat_of_arms_key = fields.CharField(max_length=64, null=True)
    coat_of_arms_type = fields.CharField(max_length=32, null=True)
    # Its legal pages (participation/municipalities/legal.py); None shows a default.
    impressum_text = fields.TextField(null=True)
    privacy_contact_text = fields.TextField(null=True)
    accessibility_status = fields.CharField(max_length=16, null=True)
    accessibility_barriers = fields.TextField(null=True)
    accessibility_reviewed_on = fields.DateField(null=True)
    enforcement_body_text = fields.TextField(null=True)

    districts: fields.ReverseRelation[District]
    verification_levels: fields.ReverseRelation[VerificationLevel]
    departments: fields.ReverseRelation[Department]
    local_holidays: fields.ReverseRelation[LocalHoliday]

    # Levels by action: empty for a new municipality (every action at the email level),
    # loaded by refresh_from_db, None on a row read without them.
    _levels: dict[str, Level] | None = None

    class Meta:
        table = "municipality"
        ordering = ["name"]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._levels = {}

    async def refresh_from_db(
        self, fields: Iterable[str] | None = None, using_db: BaseDBAsyncClient | None = None
    ) -> None:
        await super().refresh_from_db(fields, using_db)
        await self.load_levels(using_db)

    async def load_levels(self, using_db: BaseDBAsyncClient | None = None) -> None:
        """Read the levels chosen here, for launch_level, sign_level and vote_level."""
        rows = await VerificationLevel.filter(municipality_id=self.id).using_db(using_db)
        self._levels = {row.action: Level(row.level) for row in rows}

    def _level(self, field: str) -> Level:
        if self._levels is None:
            raise RuntimeError("levels not loaded: call load_levels() first")
        return self._levels.get(LEVEL_FIELDS[field], Level.EMAIL)

    @property
    def launch_level(self) -> Level:
        return self._level("launch_level")

    @property
    def sign_level(self) -> Level:
        return self._level("sign_level")

    @property
    def vote_level(self) -> Level:
        return self._level("vote_level")


class District(Model):
    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="districts", on_delete=fields.CASCADE
    )
    municipality_id: int
    slug = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    # A retired district keeps its mandates and history but is offered for nothing new.
    retired_at = fields.DatetimeField(null=True)

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    class Meta:
        table = "district"
        unique_together = (("municipality", "slug"),)
        ordering = ["name"]


class VerificationLevel(Model):
    """How verified people must be for one action here, a verified email when unset."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="verification_levels", on_delete=fields.CASCADE
    )
    municipality_id: int
    action = fields.CharField(max_length=64)
    level = fields.CharEnumField(Level, max_length=24, default=Level.EMAIL)

    class Meta:
        table = "municipality_verification_level"
        unique_together = (("municipality", "action"),)


class Department(Model):
    """A unit of the administration that mandates are assigned to, shown publicly by name.

    Retired departments stay, so that what they did keeps its name on the timeline.
    """

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="departments", on_delete=fields.CASCADE
    )
    municipality_id: int
    name = fields.CharField(max_length=120)
    created_at = fields.DatetimeField(auto_now_add=True)
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "department"
        unique_together = (("municipality", "name"),)
        ordering = ["name"]


class LocalHoliday(Model):
    """A day off in this municipality only (a carnival Monday, a city festival), no working
    day for the service promise."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="local_holidays", on_delete=fields.CASCADE
    )
    municipality_id: int
    date = fields.DateField()
    name = fields.CharField(max_length=120, default="")

    class Meta:
        table = "municipality_holiday"
        unique_together = (("municipality", "date"),)
        ordering = ["date"]


class BarrierReport(Model):
    """A barrier someone met here, reported from the accessibility statement."""

    id = fields.IntField(primary_key=True)
    municipality: fields.ForeignKeyRelation[Municipality] = fields.ForeignKeyField(
        "auftrag.Municipality", related_name="barrier_reports", on_delete=fields.CASCADE
    )
    municipality_id: int
    name = fields.CharField(max_length=120, default="")
    email = fields.CharField(max_length=254, default="")
    description = fields.TextField()
    page = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # Who sent it, when signed in: her export lists it, and her erasure takes name and
    # address from it. A report sent signed out belongs to no account.
    reporter: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "auftrag.User", null=True, related_name=False, on_delete=fields.SET_NULL
    )
    reporter_id: int | None

    class Meta:
        table = "accessibility_feedback"
        ordering = ["-id"]
