"""The simulation's state, shared by its stories: the cast, the agenda on the simulated
clock, the one seeded generator and the derived idempotency keys."""

from __future__ import annotations

import itertools
import random
from datetime import datetime

from application.service_package import ServicePackage
from demo.cast import (
    Deck,
    DemoScale,
    Enterprise,
    make_commissioners,
    make_departments,
    make_enterprises,
    make_points,
    person_name,
)
from demo.reference import DEMAND_CATEGORIES, REPORT_CATEGORIES, SCENARIOS
from demo.timing import Agenda, Office, SettableClock
from domain.shared import BEIJING_TIME, Actor, Role
from domain.time_limits import WorkingCalendar


class Simulation:
    """The simulation's state; its stories (issues.py, year.py) are the subclasses' methods."""

    def __init__(
        self,
        app: ServicePackage,
        clock: SettableClock,
        calendar: WorkingCalendar,
        *,
        seed: int = 2025,
        scale: DemoScale | None = None,
    ) -> None:
        self.app = app
        self.scale = scale or DemoScale()
        self.seed = seed
        self.rng = random.Random(seed)
        self.office = Office(calendar, self.rng)
        year = self.scale.year
        self.start = datetime(year, 1, 2, 8, 30, tzinfo=BEIJING_TIME)
        clock.current = self.start
        until = min(datetime(year + 1, 1, 1, tzinfo=BEIJING_TIME), datetime.now(BEIJING_TIME))
        self.agenda = Agenda(clock, until)
        self.clock = clock
        self.admin = Actor("a-001", "营商办管理员", Role.ADMIN.value)
        self.supervisors = [
            Actor(f"s-{i:03d}", f"督导员{person_name(self.rng)}", Role.SUPERVISOR.value)
            for i in range(1, self.scale.supervisors + 1)
        ]
        self.commissioners = make_commissioners(self.rng, self.scale.commissioners)
        self.departments = {d.id: d for d in make_departments()}
        self.points = make_points(self.scale.reporting_points)
        self.enterprises = make_enterprises(
            self.rng, self.scale.enterprises, self.commissioners, year
        )
        self.scenarios = Deck(self.rng, SCENARIOS)
        self.demand_categories = Deck(self.rng, DEMAND_CATEGORIES)
        self.report_categories = Deck(self.rng, REPORT_CATEGORIES)
        self.policies = [policy.code for policy in app.catalogue()]
        self._keys = itertools.count(1)

    def _key(self, kind: str) -> str:
        # Idempotency keys make the visit and issue ids derived, hence the same for a seed.
        return f"demo-{self.seed}-{kind}-{next(self._keys)}"

    def _supervisor(self) -> Actor:
        return self.rng.choice(self.supervisors)

    def _commissioner_enterprises(self, commissioner: Actor) -> list[Enterprise]:
        return [e for e in self.enterprises if e.commissioner.id == commissioner.id]
