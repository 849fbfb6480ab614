"""Deadline alerts on the issue: what is due when, and each threshold once per deadline cycle."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.deadline_alerts import AlertPolicy, DeadlineKind, Threshold
from domain.issue import Issue
from domain.shared import BEIJING_TIME, SYSTEM_ACTOR, Actor, Conflict, InvalidInput
from domain.shared import InvalidTransition as Refused
from domain.time_limits import SlaPolicy, WeekdayCalendar
from infra.working_calendar import ChineseWorkingCalendar

SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
HANDLER = Actor("d-001", "经办人", "DEPARTMENT")
SLA, WEEKDAYS, POLICY = SlaPolicy(), WeekdayCalendar(), AlertPolicy()


def cst(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BEIJING_TIME)


def dispatched(at: datetime, category: str = "OTHER") -> Issue:
    issue = Issue.raise_issue(
        kind="ENTERPRISE_DEMAND", category=category, title="用工", description="缺技工",
        actor=SUPERVISOR, timestamp=at - timedelta(minutes=5), enterprise_id="e-1",
    )  # fmt: skip
    issue.dispatch("hrss-employment", actor=SUPERVISOR, timestamp=at)
    return issue


def fire(issue: Issue, now: datetime, calendar: object = WEEKDAYS) -> list[tuple[str, str]]:
    fired = issue.fire_due_alerts(
        now=now,
        sla=SLA,
        calendar=calendar,
        policy=POLICY,
        actor=SYSTEM_ACTOR,  # type: ignore[arg-type]
    )
    return [(a.deadline.value, a.threshold.value) for a in fired]


def test_each_threshold_fires_once_and_a_second_firing_is_refused() -> None:
    issue = dispatched(cst(3, 3))
    assert fire(issue, cst(3, 4, 9, 1)) == [("ACCEPT", "WARN_HALF"), ("ACCEPT", "URGE")]
    assert fire(issue, cst(3, 4, 9, 2)) == []  # ignored: already fired
    with pytest.raises(Conflict):
        issue.fire_alert(
            "ACCEPT", "URGE", sla=SLA, calendar=WEEKDAYS, policy=POLICY,
            actor=SYSTEM_ACTOR, timestamp=cst(3, 4, 10),
        )  # fmt: skip
    assert issue.escalation_count == 1  # 催办 is an escalation, 预警 is not
    warned, urged = issue.collect_events()[-2:]
    assert isinstance(warned, Issue.DeadlineWarned) and isinstance(urged, Issue.DeadlineEscalated)
    assert urged.level == "URGE" and urged.actor == SYSTEM_ACTOR
    assert urged.note.startswith("催办：已超过签收时限（2025-03-04 09:00（北京时间））")
    assert not urged.late and warned.late  # the warning was due at 21:00 the day before


def test_a_threshold_not_reached_or_of_no_running_deadline_is_refused() -> None:
    issue = dispatched(cst(3, 3))
    with pytest.raises(Refused):
        issue.fire_alert(
            "ACCEPT", "URGE", sla=SLA, calendar=WEEKDAYS, policy=POLICY,
            actor=SYSTEM_ACTOR, timestamp=cst(3, 3, 12),
        )  # fmt: skip
    issue.accept("hrss-employment", actor=HANDLER, timestamp=cst(3, 3, 10))
    with pytest.raises(Refused):
        issue.fire_alert(
            "ACCEPT", "URGE", sla=SLA, calendar=WEEKDAYS, policy=POLICY,
            actor=SYSTEM_ACTOR, timestamp=cst(3, 5),
        )  # fmt: skip
    with pytest.raises(InvalidInput):
        issue.fire_alert(
            "ACCEPT", "LATER", sla=SLA, calendar=WEEKDAYS, policy=POLICY,
            actor=SYSTEM_ACTOR, timestamp=cst(3, 5),
        )  # fmt: skip
    assert fire(issue, cst(3, 5)) == []  # accepted: only the resolution clock runs, not due


def test_a_suspension_stops_the_clock_and_a_rework_cycle_starts_new_thresholds() -> None:
    issue = dispatched(cst(3, 3))
    issue.accept("hrss-employment", actor=HANDLER, timestamp=cst(3, 3, 10))
    issue.suspend("等企业材料", actor=HANDLER, timestamp=cst(3, 4))
    # Suspended after one working day: nothing after the suspension's start is reached.
    assert fire(issue, cst(4, 30)) == []
    assert issue.next_alert_at(SLA, WEEKDAYS, POLICY) is None
    issue.resume(actor=HANDLER, timestamp=cst(3, 10))  # four working days stopped
    assert issue.next_alert_at(SLA, WEEKDAYS, POLICY) == cst(3, 14)  # half: 5 wd counted
    assert fire(issue, cst(3, 21, 9, 1)) == [
        ("RESOLVE", "WARN_HALF"), ("RESOLVE", "WARN_DAY"), ("RESOLVE", "URGE"),
    ]  # fmt: skip
    issue.resolve("已推荐", [], actor=HANDLER, timestamp=cst(3, 21, 10))
    issue.return_for_rework("证据不足", actor=SUPERVISOR, timestamp=cst(3, 24))
    # A new cycle of the resolution deadline: its thresholds fire again.
    assert fire(issue, cst(4, 8, 9, 1)) == [
        ("RESOLVE", "WARN_HALF"), ("RESOLVE", "WARN_DAY"), ("RESOLVE", "URGE"),
    ]  # fmt: skip
    assert len(issue.fired_alerts) == 6


def test_urgent_hiring_counts_clock_hours_to_accept() -> None:
    issue = dispatched(cst(3, 7, 16), "URGENT_HIRING")  # a Friday afternoon
    schedule = issue.alert_schedule(SLA, WEEKDAYS, POLICY)
    accept = {a.threshold: a.at for a in schedule if a.deadline is DeadlineKind.ACCEPT}
    assert accept[Threshold.WARN_HALF] == cst(3, 7, 18)
    assert accept[Threshold.URGE] == cst(3, 7, 20)  # clock hours: the evening counts
    assert accept[Threshold.SUPERVISE] == cst(3, 14, 20)  # then working days
    assert Threshold.WARN_DAY not in accept  # no "a working day before" a 4-hour limit


def test_the_official_calendar_counts_a_make_up_sunday_and_skips_the_holiday() -> None:
    # 2025: 4 月 27 日 (Sunday) is worked; 5 月 1–5 日 are the Labour Day holiday.
    issue = dispatched(cst(4, 25))
    issue.accept("hrss-employment", actor=HANDLER, timestamp=cst(4, 25, 10))
    schedule = issue.alert_schedule(SLA, ChineseWorkingCalendar(), POLICY)
    resolve = {a.threshold: a.at for a in schedule}
    assert resolve[Threshold.WARN_HALF] == cst(5, 6)  # 27, 28, 29, 30 April, 6 May
    assert resolve[Threshold.WARN_DAY] == cst(5, 12)
    assert resolve[Threshold.URGE] == cst(5, 13)


def test_thresholds_are_configurable_and_zero_switches_one_off() -> None:
    policy = AlertPolicy(
        warn_fraction_left=0, warn_working_days_before=2, notify_after_working_days=0
    )
    issue = dispatched(cst(3, 3))
    issue.accept("hrss-employment", actor=HANDLER, timestamp=cst(3, 3, 10))
    thresholds = [a.threshold.value for a in issue.alert_schedule(SLA, WEEKDAYS, policy)]
    assert thresholds == ["WARN_DAY", "URGE", "SUPERVISE"]
    with pytest.raises(InvalidInput):
        AlertPolicy(warn_fraction_left=1)
    with pytest.raises(InvalidInput):
        AlertPolicy(supervise_after_working_days=-1)


def test_a_closed_or_declined_issue_has_nothing_due() -> None:
    issue = Issue.raise_issue(
        kind="ENTERPRISE_DEMAND", category="OTHER", title="用工", description="缺技工",
        actor=SUPERVISOR, timestamp=cst(3, 3), enterprise_id="e-1",
    )  # fmt: skip
    issue.decline("不属于人社职责", actor=SUPERVISOR, timestamp=cst(3, 3, 10))
    assert fire(issue, cst(5, 1)) == []
    with pytest.raises(Refused):
        issue.fire_alert(
            "RESOLVE", "URGE", sla=SLA, calendar=WEEKDAYS, policy=POLICY,
            actor=SYSTEM_ACTOR, timestamp=cst(5, 1),
        )  # fmt: skip
