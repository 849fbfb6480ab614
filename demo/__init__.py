"""A realistic synthetic year of the enterprise service package (企业服务包), for demos.

`seed_demo` fills an empty store with a year (2025 by default) of what the bureau does: the
departments and direct-report points are registered, 410 enterprises across the districts are
onboarded from the annual list and given their commissioners, who visit them every few weeks
and hold policy events (座谈会, 招聘会, 政策宣讲), raise their demands; direct-report points
submit problems; supervisors dispatch, audit, call back and escalate; departments take, refuse,
suspend and resolve. Issues walk every path of the lifecycle.

It drives the real application commands, never writes events by hand. It is a discrete-event
simulation: an agenda of actions ordered by time, with the application's clock set to each
action's moment before it runs, so every event carries the time it would have happened (office
hours on China's working calendar) and the log is in time order. Everything random comes from
one seeded generator and every id is derived (credit codes, idempotency keys), so one seed
always writes the same log.
"""

from __future__ import annotations

from demo.cast import (
    Deck,
    DemoScale,
    Department,
    Enterprise,
    IssueRun,
    Point,
    Step,
    credit_code,
    enterprise_name,
    make_commissioners,
    make_departments,
    make_enterprises,
    make_points,
    person_name,
    phone_number,
    spread_districts,
)
from demo.issues import IssueStories
from demo.reference import (
    BRAND_FIRST,
    BRAND_SECOND,
    BUSY_DISTRICTS,
    CHANNEL_WEIGHTS,
    COMPANY_FORMS,
    DEMAND_CATEGORIES,
    DISTRICT_INFO,
    EVENT_TITLES,
    GIVEN,
    INDUSTRIES,
    JOBS,
    LEADS,
    MOBILE_PREFIXES,
    MUNICIPAL_DEPARTMENTS,
    REPORT_CATEGORIES,
    REPORTING_POINTS,
    ROADS,
    SCENARIOS,
    SIZES,
    SURNAMES,
    TITLES,
    TOPICS,
)
from demo.seeding import (
    DemoSummary,
    LogSummary,
    StoreNotEmpty,
    event_log_summary,
    seed_demo,
    seed_demo_if_empty,
    seeding_env,
)
from demo.simulation import Simulation
from demo.texts import RESOLUTIONS, demand_text
from demo.timing import (
    OFFICE_CLOSES,
    OFFICE_OPENS,
    Agenda,
    Delay,
    Office,
    SettableClock,
    SimulatedClock,
)
from demo.year import DemoYear

__all__ = [
    "BRAND_FIRST",
    "BRAND_SECOND",
    "BUSY_DISTRICTS",
    "CHANNEL_WEIGHTS",
    "COMPANY_FORMS",
    "DEMAND_CATEGORIES",
    "DISTRICT_INFO",
    "EVENT_TITLES",
    "GIVEN",
    "INDUSTRIES",
    "JOBS",
    "LEADS",
    "MOBILE_PREFIXES",
    "MUNICIPAL_DEPARTMENTS",
    "OFFICE_CLOSES",
    "OFFICE_OPENS",
    "REPORTING_POINTS",
    "REPORT_CATEGORIES",
    "RESOLUTIONS",
    "ROADS",
    "SCENARIOS",
    "SIZES",
    "SURNAMES",
    "TITLES",
    "TOPICS",
    "Agenda",
    "Deck",
    "Delay",
    "DemoScale",
    "DemoSummary",
    "DemoYear",
    "Department",
    "Enterprise",
    "IssueRun",
    "IssueStories",
    "LogSummary",
    "Office",
    "Point",
    "SettableClock",
    "SimulatedClock",
    "Simulation",
    "Step",
    "StoreNotEmpty",
    "credit_code",
    "demand_text",
    "enterprise_name",
    "event_log_summary",
    "make_commissioners",
    "make_departments",
    "make_enterprises",
    "make_points",
    "person_name",
    "phone_number",
    "seed_demo",
    "seed_demo_if_empty",
    "seeding_env",
    "spread_districts",
]
