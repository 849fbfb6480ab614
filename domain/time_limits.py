"""Time limits (办理时限, SLA) counted in working days, with suspended time left out.

Convention — a deadline is reached when the *counted time* since the clock started
equals the limit. Counted time is wall-clock time that falls on a working day
(工作日, including 调休 make-up weekends) and outside every suspension (挂起).
So "N working days" from a start inside a working day ends at the same clock
time on the Nth following working day; from a start on a rest day (or in a
suspension) the clock starts at the next counted instant, so the deadline is the
end (24:00) of the Nth working day. "H clock hours" count every hour, except
suspended ones. Day boundaries are midnights in the start's time zone (the
bureau works in Beijing time, shared.BEIJING_TIME, which has no daylight saving);
pauses given in another zone are converted to it. While a suspension is still open the
clock is stopped and no deadline exists yet (see `is_clock_stopped`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Protocol

from domain.shared import InvalidInput

URGENT_HIRING = "URGENT_HIRING"  # 紧急用工
ENTERPRISE_DEMAND = "ENTERPRISE_DEMAND"  # 企业诉求
DIRECT_REPORT = "DIRECT_REPORT"  # 直报
ISSUE_KINDS = frozenset({ENTERPRISE_DEMAND, DIRECT_REPORT})

_DAY = timedelta(days=1)
# A calendar with no working day in this long is broken; refuse rather than loop forever.
_MAX_REST_DAYS_IN_A_ROW = 366

Pause = tuple[datetime, datetime | None]
"""A SUSPENDED interval [suspended at, resumed at); None while still suspended."""


class WorkingCalendar(Protocol):
    """Which days are working days (工作日)."""

    def is_working_day(self, day: date) -> bool: ...


class WeekdayCalendar:
    """Monday to Friday: the fallback when the official calendar is unknown, and a test double."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


@dataclass(frozen=True)
class SlaPolicy:
    """The configurable limits; the defaults are the bureau's (see DOMAIN.md)."""

    accept_working_days: int = 1  # 接单: 1 working day from dispatch
    resolve_working_days: int = 10  # 办理: 10 working days from dispatch
    urgent_accept_clock_hours: int = 4  # 紧急用工: accepted within 4 clock hours
    urgent_resolve_working_days: int = 3  # 紧急用工: resolved within 3 working days
    direct_report_resolve_working_days: int = 5  # 直报: replied within 5 working days

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or value < 0:
                raise InvalidInput("input.whole_number", field=f.name)


def is_clock_stopped(deadline: datetime) -> bool:
    """True when no deadline can be fixed yet because the issue is still suspended.

    Such a "deadline" is the latest representable time in the start's zone, so it
    compares later than every real one (nothing is overdue while the clock is stopped).
    """
    return deadline.replace(tzinfo=None) == datetime.max


def add_working_days(
    start: datetime, days: int, calendar: WorkingCalendar, pauses: Sequence[Pause] = ()
) -> datetime:
    """The instant `days` working days of counted time after `start` (see module docstring)."""
    if days < 0:
        raise ValueError(f"days must be ≥ 0, got {days}")
    return _walk(start, days * _DAY, calendar.is_working_day, pauses)


def add_clock_hours(start: datetime, hours: int, pauses: Sequence[Pause] = ()) -> datetime:
    """The instant `hours` hours after `start`, not counting suspended time."""
    if hours < 0:
        raise ValueError(f"hours must be ≥ 0, got {hours}")
    return _walk(start, timedelta(hours=hours), lambda _day: True, pauses)


def accept_due(
    dispatched_at: datetime,
    category: str,
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """When a dispatch must be taken (接单): clock hours for urgent hiring, else working days."""
    return due_after(dispatched_at, accept_limit(category, policy), calendar, pauses)


def resolve_due(
    clock_started_at: datetime,
    kind: str,
    category: str,
    policy: SlaPolicy,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """When the issue must be resolved (办结).

    `clock_started_at` is the dispatch, or the start of the latest rework cycle (each
    cycle restarts the clock). Urgent hiring's limit wins over a direct report's,
    being the stricter.
    """
    return due_after(clock_started_at, resolve_limit(kind, category, policy), calendar, pauses)


@dataclass(frozen=True)
class TimeLimit:
    """How much counted time a deadline allows: working days (on the calendar) or clock hours."""

    allowed: timedelta
    in_working_days: bool


def accept_limit(category: str, policy: SlaPolicy) -> TimeLimit:
    """接单: clock hours for urgent hiring, else working days."""
    if category == URGENT_HIRING:
        return TimeLimit(timedelta(hours=policy.urgent_accept_clock_hours), in_working_days=False)
    return TimeLimit(policy.accept_working_days * _DAY, in_working_days=True)


def resolve_limit(kind: str, category: str, policy: SlaPolicy) -> TimeLimit:
    """办结: urgent hiring's limit wins over a direct report's, being the stricter."""
    if kind not in ISSUE_KINDS:
        raise ValueError(f"unknown issue kind {kind!r}")
    if category == URGENT_HIRING:
        days = policy.urgent_resolve_working_days
    elif kind == DIRECT_REPORT:
        days = policy.direct_report_resolve_working_days
    else:
        days = policy.resolve_working_days
    return TimeLimit(days * _DAY, in_working_days=True)


def due_after(
    start: datetime,
    limit: TimeLimit,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """The instant `limit` of counted time after `start` (also a part of a limit: a warning
    when half of it is left is `due_after(start, TimeLimit(limit.allowed / 2, …))`)."""
    if limit.allowed < timedelta(0):
        raise ValueError(f"a time limit must be ≥ 0, got {limit.allowed}")
    if not limit.in_working_days:
        return _walk(start, limit.allowed, _every_day, pauses)
    if not pauses:  # most deadlines: the same start asked again for every event of its issue
        return _walk_remembered(start, limit.allowed, calendar.is_working_day)
    return _walk(start, limit.allowed, calendar.is_working_day, pauses)


def _every_day(_day: date) -> bool:
    return True


@lru_cache(maxsize=50_000)
def _walk_remembered(
    start: datetime, budget: timedelta, counts: Callable[[date], bool]
) -> datetime:
    """`_walk` without pauses, remembered: a projection works out an issue's deadlines again
    for each of its events, and walking the calendar day by day was a fifth of a kpi rebuild.
    Keyed by the calendar's own method, so another calendar is another key."""
    return _walk(start, budget, counts, ())


def _walk(
    start: datetime,
    budget: timedelta,
    counts: Callable[[date], bool],
    pauses: Sequence[Pause],
) -> datetime:
    """The earliest instant by which `budget` of counted time has elapsed since `start`."""
    tz = _zone_of(start)
    gaps = _sorted_gaps(start, pauses, tz)
    remaining, cursor, rest_days, i = budget, start, 0, 0
    while remaining > timedelta(0):
        if i < len(gaps) and gaps[i][0] <= cursor:
            end = gaps[i][1]
            if end is None:
                return datetime.max.replace(tzinfo=tz)
            cursor, i = max(cursor, end), i + 1
            continue
        day_end = datetime.combine(cursor.date() + _DAY, time(0), tzinfo=tz)
        if not counts(cursor.date()):
            rest_days += 1
            if rest_days > _MAX_REST_DAYS_IN_A_ROW:
                raise ValueError(f"the calendar has no working day for a year after {cursor:%F}")
            cursor = day_end
            continue
        rest_days = 0
        segment_end = min(day_end, gaps[i][0]) if i < len(gaps) else day_end
        step = min(remaining, segment_end - cursor)
        cursor, remaining = cursor + step, remaining - step
    return cursor


def _sorted_gaps(
    start: datetime, pauses: Sequence[Pause], tz: tzinfo
) -> list[tuple[datetime, datetime | None]]:
    """Pauses in the start's zone, by start; overlaps need no merging, as `_walk` only
    ever moves forward past each one in turn."""
    gaps = [_in_zone(p, tz) for p in pauses]
    return sorted((g for g in gaps if g[1] is None or g[1] > start), key=lambda g: g[0])


def _in_zone(pause: Pause, tz: tzinfo) -> tuple[datetime, datetime | None]:
    began, ended = pause
    _zone_of(began)
    if ended is None:
        return began.astimezone(tz), None
    _zone_of(ended)
    if ended < began:
        raise ValueError(f"a suspension cannot end ({ended}) before it began ({began})")
    return began.astimezone(tz), ended.astimezone(tz)


def _zone_of(moment: datetime) -> tzinfo:
    """Naive times are refused: day boundaries would be ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment} has no time zone; time limits need aware datetimes")
    return moment.tzinfo
