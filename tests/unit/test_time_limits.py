"""Time limits (办理时限) in working days, across 2025's Spring Festival and into 2027."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared import BEIJING_TIME, InvalidInput
from domain.time_limits import (
    DIRECT_REPORT,
    ENTERPRISE_DEMAND,
    URGENT_HIRING,
    Pause,
    SlaPolicy,
    WeekdayCalendar,
    WorkingCalendar,
    accept_due,
    add_clock_hours,
    add_working_days,
    is_clock_stopped,
    resolve_due,
)
from infra.working_calendar import ChineseWorkingCalendar

POLICY = SlaPolicy()
OFFICIAL: WorkingCalendar = ChineseWorkingCalendar(default_dir=None)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING_TIME)


# --- the 2025 Spring Festival: off 28 Jan–4 Feb, make-up working Sun 26 Jan and Sat 8 Feb


def test_a_make_up_sunday_is_a_working_day() -> None:
    assert OFFICIAL.is_working_day(date(2025, 1, 26))
    assert OFFICIAL.is_working_day(date(2025, 2, 8))
    assert not OFFICIAL.is_working_day(date(2025, 1, 28))
    assert not OFFICIAL.is_working_day(date(2025, 2, 4))


def test_a_dispatch_the_friday_before_the_festival_is_due_on_the_make_up_sunday() -> None:
    due = accept_due(at(2025, 1, 24, 15, 30), "RECRUITMENT", POLICY, OFFICIAL)
    assert due == at(2025, 1, 26, 15, 30)


def test_a_dispatch_on_the_last_day_before_the_festival_must_be_taken_when_work_resumes() -> None:
    due = accept_due(at(2025, 1, 27, 9), "SOCIAL_INSURANCE", POLICY, OFFICIAL)
    assert due == at(2025, 2, 5, 9)


def test_a_dispatch_during_the_holiday_gets_the_whole_first_working_day() -> None:
    due = accept_due(at(2025, 1, 30, 14), "OTHER", POLICY, OFFICIAL)
    assert due == at(2025, 2, 6)  # 24:00 on Wednesday 5 February


def test_ten_working_days_across_the_festival_end_on_the_make_up_saturday() -> None:
    # 21 22 23 24 26(Sun) 27 | 5 6 7 8(Sat) February
    due = resolve_due(at(2025, 1, 20, 10), ENTERPRISE_DEMAND, "OTHER", POLICY, OFFICIAL)
    assert due == at(2025, 2, 8, 10)


def test_a_direct_report_is_answered_within_five_working_days() -> None:
    due = resolve_due(at(2025, 1, 24, 10), DIRECT_REPORT, "BUSINESS_ENVIRONMENT", POLICY, OFFICIAL)
    assert due == at(2025, 2, 7, 10)  # 26(Sun) 27 | 5 6 7


def test_urgent_hiring_is_resolved_within_three_working_days_even_as_a_direct_report() -> None:
    for kind in (ENTERPRISE_DEMAND, DIRECT_REPORT):
        due = resolve_due(at(2025, 1, 27, 11), kind, URGENT_HIRING, POLICY, OFFICIAL)
        assert due == at(2025, 2, 7, 11)


def test_urgent_hiring_is_taken_within_four_clock_hours_even_on_a_holiday_night() -> None:
    due = accept_due(at(2025, 2, 1, 22, 30), URGENT_HIRING, POLICY, OFFICIAL)
    assert due == at(2025, 2, 2, 2, 30)


def test_the_limits_are_configurable() -> None:
    slow = SlaPolicy(resolve_working_days=15, urgent_accept_clock_hours=2)
    assert resolve_due(at(2025, 3, 3, 9), ENTERPRISE_DEMAND, "OTHER", slow, OFFICIAL) == at(
        2025, 3, 24, 9
    )
    assert accept_due(at(2025, 3, 3, 9), URGENT_HIRING, slow, OFFICIAL) == at(2025, 3, 3, 11)


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        SlaPolicy(accept_working_days=-1)
    assert refused.value.field == "accept_working_days"


def test_an_unknown_issue_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="COMPLAINT"):
        resolve_due(at(2025, 3, 3), "COMPLAINT", "OTHER", POLICY, OFFICIAL)


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        add_working_days(datetime(2025, 3, 3, 9), 1, OFFICIAL)


class _NeverWorking:
    def is_working_day(self, day: date) -> bool:
        return False


def test_a_calendar_without_working_days_is_refused_rather_than_searched_forever() -> None:
    with pytest.raises(ValueError, match="no working day"):
        add_working_days(at(2025, 3, 3), 1, _NeverWorking())


# --- suspension (挂起): suspended time does not count


def test_a_suspension_of_two_working_days_moves_the_deadline_two_working_days() -> None:
    pauses = [(at(2025, 3, 5, 10), at(2025, 3, 7, 10))]
    due = resolve_due(at(2025, 3, 3, 10), ENTERPRISE_DEMAND, "OTHER", POLICY, OFFICIAL, pauses)
    assert due == at(2025, 3, 19, 10)  # 17 March without the suspension


def test_only_the_working_time_of_a_suspension_over_a_weekend_is_given_back() -> None:
    # Friday 16:00 to Monday 09:00 holds 8 + 9 = 17 working hours, not 65 clock hours.
    pauses = [(at(2025, 3, 7, 16), at(2025, 3, 10, 9))]
    due = resolve_due(at(2025, 3, 3, 10), ENTERPRISE_DEMAND, "OTHER", POLICY, OFFICIAL, pauses)
    assert due == at(2025, 3, 18, 3)


def test_a_suspension_shifts_an_urgent_acceptance_by_its_clock_time() -> None:
    pauses = [(at(2025, 3, 8, 23), at(2025, 3, 9, 1, 30))]
    due = accept_due(at(2025, 3, 8, 22), URGENT_HIRING, POLICY, OFFICIAL, pauses)
    assert due == at(2025, 3, 9, 4, 30)


def test_overlapping_suspensions_are_counted_once() -> None:
    pauses = [(at(2025, 3, 8, 23), at(2025, 3, 9, 1)), (at(2025, 3, 9, 0), at(2025, 3, 9, 2))]
    assert add_clock_hours(at(2025, 3, 8, 22), 4, pauses) == at(2025, 3, 9, 5)


def test_a_suspension_recorded_in_utc_is_read_in_shanghai_time() -> None:
    utc = ZoneInfo("UTC")
    pauses = [(datetime(2025, 3, 8, 15, tzinfo=utc), datetime(2025, 3, 8, 17, tzinfo=utc))]
    assert add_clock_hours(at(2025, 3, 8, 22), 4, pauses) == at(2025, 3, 9, 4)


def test_a_suspension_over_before_the_clock_restarted_does_not_count() -> None:
    rework_started = at(2025, 3, 10, 9)
    pauses = [(at(2025, 3, 4, 9), at(2025, 3, 6, 9))]
    due = resolve_due(rework_started, ENTERPRISE_DEMAND, "OTHER", POLICY, OFFICIAL, pauses)
    assert due == at(2025, 3, 24, 9)


def test_while_still_suspended_the_clock_is_stopped() -> None:
    pauses: list[Pause] = [(at(2025, 3, 5, 10), None)]
    due = resolve_due(at(2025, 3, 3, 10), ENTERPRISE_DEMAND, "OTHER", POLICY, OFFICIAL, pauses)
    assert is_clock_stopped(due)
    assert due > at(2100, 1, 1)


def test_a_suspension_after_the_deadline_passed_does_not_rescue_it() -> None:
    pauses: list[Pause] = [(at(2025, 3, 20, 10), None)]
    due = resolve_due(at(2025, 3, 3, 10), ENTERPRISE_DEMAND, "OTHER", POLICY, OFFICIAL, pauses)
    assert due == at(2025, 3, 17, 10)
    assert not is_clock_stopped(due)


def test_a_suspension_cannot_end_before_it_began() -> None:
    with pytest.raises(ValueError, match="before it began"):
        add_clock_hours(at(2025, 3, 8), 4, [(at(2025, 3, 9), at(2025, 3, 8))])


# --- 2027: not in chinese-calendar 1.11, so Monday–Friday and a warning, never an error


def test_chinese_calendar_does_not_know_2027_yet() -> None:
    # When it does, move the next two tests to the first year it does not know.
    assert 2027 not in ChineseWorkingCalendar(default_dir=None).known_years()


def test_deadlines_run_into_an_unknown_year_on_monday_to_friday_and_say_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calendar = ChineseWorkingCalendar(default_dir=tmp_path)  # no data files at all
    with caplog.at_level(logging.WARNING, logger="espcrm.calendar"):
        accept = accept_due(at(2026, 12, 31, 10), "OTHER", POLICY, calendar)
        resolve = resolve_due(at(2026, 12, 24, 10), ENTERPRISE_DEMAND, "OTHER", POLICY, calendar)
    assert accept == at(2027, 1, 1, 10)
    assert resolve == at(2027, 1, 7, 10)  # 25 28 29 30 31 | 1 4 5 6 7
    warnings = [r for r in caplog.records if r.name == "espcrm.calendar" and "2027" in r.message]
    assert len(warnings) == 1
    assert not calendar.is_official(date(2027, 1, 4))


def test_the_shipped_provisional_2027_file_keeps_new_year_as_a_holiday() -> None:
    calendar = ChineseWorkingCalendar()
    assert accept_due(at(2026, 12, 31, 10), "OTHER", POLICY, calendar) == at(2027, 1, 4, 10)
    assert not calendar.is_official(date(2027, 1, 4))


# --- properties, over the official calendar, Monday–Friday and random calendars


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    kind = draw(st.sampled_from(["official", "weekdays", "random"]))
    if kind == "official":
        return OFFICIAL
    if kind == "weekdays":
        return WeekdayCalendar()
    flipped = draw(st.frozensets(st.dates(date(2024, 1, 1), date(2026, 12, 31)), max_size=60))
    return _FlippedCalendar(flipped)


class _FlippedCalendar:
    """Monday–Friday with some days swapped, like holidays and make-up weekends."""

    def __init__(self, flipped: frozenset[date]) -> None:
        self.flipped = flipped

    def is_working_day(self, day: date) -> bool:
        return (day.weekday() < 5) != (day in self.flipped)


def _moments(hourly: bool = False) -> st.SearchStrategy[datetime]:
    base = st.datetimes(
        datetime(2024, 1, 1), datetime(2026, 6, 30), timezones=st.just(BEIJING_TIME)
    )
    return base.map(lambda d: d.replace(minute=0, second=0, microsecond=0)) if hourly else base


def _pauses(hourly: bool = False) -> st.SearchStrategy[list[Pause]]:
    lengths = st.one_of(st.none(), st.integers(0, 24 * 20).map(lambda h: timedelta(hours=h)))
    pause = st.tuples(_moments(hourly), lengths).map(
        lambda p: (p[0], None if p[1] is None else p[0] + p[1])
    )
    return st.lists(pause, max_size=3)


def _deadline(
    start: datetime, days: int, calendar: WorkingCalendar, pauses: Sequence[Pause]
) -> datetime:
    return add_working_days(start, days, calendar, pauses)


@given(_moments(), st.integers(0, 12), calendars(), _pauses())
def test_a_deadline_is_never_earlier_than_its_start(
    start: datetime, days: int, calendar: WorkingCalendar, pauses: list[Pause]
) -> None:
    assert _deadline(start, days, calendar, pauses) >= start
    assert add_clock_hours(start, days, pauses) >= start


@given(_moments(), st.integers(0, 12), calendars(), _pauses(), _pauses())
def test_more_suspension_never_makes_a_deadline_earlier(
    start: datetime, days: int, calendar: WorkingCalendar, pauses: list[Pause], more: list[Pause]
) -> None:
    assert _deadline(start, days, calendar, pauses + more) >= _deadline(
        start, days, calendar, pauses
    )
    assert add_clock_hours(start, days, pauses + more) >= add_clock_hours(start, days, pauses)


@given(_moments(), _moments(), st.integers(0, 12), calendars(), _pauses())
def test_a_later_start_never_gives_an_earlier_deadline(
    a: datetime, b: datetime, days: int, calendar: WorkingCalendar, pauses: list[Pause]
) -> None:
    early, late = sorted((a, b))
    assert _deadline(early, days, calendar, pauses) <= _deadline(late, days, calendar, pauses)
    assert add_clock_hours(early, days, pauses) <= add_clock_hours(late, days, pauses)


def _counted_hour_by_hour(
    start: datetime, hours: int, counts: Callable[[date], bool], pauses: Sequence[Pause]
) -> datetime:
    """A slow, obvious model: step an hour at a time, counting working, unsuspended hours."""
    moment, counted = start, 0
    while counted < hours:
        covering = [p for p in pauses if p[0] <= moment and (p[1] is None or moment < p[1])]
        if any(end is None for _, end in covering):
            return datetime.max.replace(tzinfo=BEIJING_TIME)
        if not covering and counts(moment.date()):
            counted += 1
        moment += timedelta(hours=1)
    return moment


@settings(deadline=None)
@given(_moments(hourly=True), st.integers(0, 5), calendars(), _pauses(hourly=True))
def test_a_deadline_is_where_counting_hour_by_hour_gets_to(
    start: datetime, days: int, calendar: WorkingCalendar, pauses: list[Pause]
) -> None:
    expected = _counted_hour_by_hour(start, 24 * days, calendar.is_working_day, pauses)
    assert _deadline(start, days, calendar, pauses) == expected
    assert add_clock_hours(start, days, pauses) == _counted_hour_by_hour(
        start, days, lambda _d: True, pauses
    )
