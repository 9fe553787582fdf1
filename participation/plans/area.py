"""The plans area: a mandate's measures, their milestones and the progress derived from them."""

from __future__ import annotations

from participation.areas import Area, ClockJob
from participation.plans.actions import ACTIONS
from participation.plans.consumers import PLANS
from participation.plans.events import EVENTS
from participation.plans.milestones import reach_milestones

AREA = Area(
    name="plans",
    models="participation.plans.models",
    actions=ACTIONS,
    clock_jobs=(ClockJob("reach_milestones", reach_milestones, timeout=50),),
    events=EVENTS,
    consumers=(PLANS,),
)
