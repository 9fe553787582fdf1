"""What the notifications area lets people do beyond their own inbox."""

from __future__ import annotations

from participation.permissions import ADMIN, Action, Need

# See, retry and discard the municipality's jobs that failed for good.
MANAGE_JOBS = Action("jobs:manage", Need(roles=ADMIN))
