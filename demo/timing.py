"""Time in the simulation: its clock, the agenda of actions, and office hours on the
working calendar."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Protocol

from domain.shared import BEIJING_TIME
from domain.time_limits import WorkingCalendar

OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(17, 30)


class SettableClock(Protocol):
    current: datetime

    def now(self) -> datetime: ...


class SimulatedClock:
    """The demo's clock: the agenda sets `current` before each action."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


class Agenda:
    """Actions ordered by time (ties by scheduling order); running one sets the clock first."""

    def __init__(self, clock: SettableClock, until: datetime) -> None:
        self.clock = clock
        self.until = until
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        # Past the end of the simulated period it never happens: left open at the year's end.
        if moment < self.until:
            heapq.heappush(self._queue, (moment, next(self._order), action))

    def run(self) -> int:
        done = 0
        while self._queue:
            moment, _, action = heapq.heappop(self._queue)
            self.clock.current = max(self.clock.current, moment)
            action()
            done += 1
        return done


class Office:
    """Moments in office hours on working days, drawn at random."""

    def __init__(self, calendar: WorkingCalendar, rng: random.Random) -> None:
        self.calendar = calendar
        self.rng = rng
        self._working: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        # Remembered: the official calendar's look-up is slow and asked ~50 000 times a year.
        if day not in self._working:
            self._working[day] = self.calendar.is_working_day(day)
        return self._working[day]

    def working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def moment_on(self, day: date) -> datetime:
        """A random office-hours moment on the first working day from `day`."""
        day = self.working_day_on_or_after(day)
        minutes = self.rng.randrange(0, 8 * 60)
        return datetime.combine(day, OFFICE_OPENS, BEIJING_TIME) + timedelta(minutes=minutes)

    def in_office_hours(self, moment: datetime) -> datetime:
        """`moment` if in office hours, else early the next working morning."""
        local = moment.astimezone(BEIJING_TIME)
        day = local.date()
        if self.is_working_day(day) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
            return local
        if self.is_working_day(day) and local.time() < OFFICE_OPENS:
            return datetime.combine(day, OFFICE_OPENS, BEIJING_TIME) + self._early()
        day = self.working_day_on_or_after(day + timedelta(days=1))
        return datetime.combine(day, OFFICE_OPENS, BEIJING_TIME) + self._early()

    def _early(self) -> timedelta:
        return timedelta(minutes=self.rng.randrange(0, 90))

    def after_hours(self, start: datetime, low: float, high: float) -> datetime:
        return self.in_office_hours(start + timedelta(hours=self.rng.uniform(low, high)))

    def after_clock_hours(self, start: datetime, low: float, high: float) -> datetime:
        """Not rolled into office hours: urgent work is done in the evening too."""
        return start + timedelta(hours=self.rng.uniform(low, high))

    def after_working_days(self, start: datetime, low: int, high: int) -> datetime:
        day = start.astimezone(BEIJING_TIME).date()
        for _ in range(self.rng.randint(low, high)):
            day = self.working_day_on_or_after(day + timedelta(days=1))
        return self.moment_on(day)

    def after_days(self, start: datetime, low: float, high: float) -> datetime:
        """Calendar days (a suspension, the 7 days before an UNRATED close)."""
        return self.in_office_hours(start + timedelta(days=self.rng.uniform(low, high)))


Delay = Callable[[datetime], datetime]
