"""Deadline alerts (预警 · 催办 · 督办 · 通报): when each threshold of a time limit is reached.

An issue runs up to two deadlines at once: ACCEPT (接单, while DISPATCHED) and RESOLVE (办结,
while DISPATCHED, IN_PROGRESS or SUSPENDED). Each *cycle* of a deadline (identified by the
instant its clock started: a dispatch, a rework cycle, a reopening) has the thresholds below,
all in the domain's counted time (time_limits.py: working days on the official calendar, or
clock hours, suspensions left out):

- WARN_HALF  预警: `warn_fraction_left` of the allowed time left (default half);
- WARN_DAY   预警: `warn_working_days_before` working days before the deadline (default 1;
  only for limits counted in working days and longer than that);
- URGE       催办: the deadline itself;
- SUPERVISE  督办: `supervise_after_working_days` working days after it (default 5);
- NOTIFY     通报: `notify_after_working_days` working days after it (default 10).

A threshold is reached once `now` is past its instant. While a suspension is open the clock is
stopped and thresholds after the suspension's start are not reached. Each (deadline, cycle,
threshold) fires at most once: the issue records what fired (domain/issue.py).

The words people read are in the message catalogue (domain/messages/labels.py, alert.*).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.messages import render, t
from domain.shared import BEIJING_TIME, InvalidInput
from domain.time_limits import (
    Pause,
    TimeLimit,
    WorkingCalendar,
    due_after,
    is_clock_stopped,
)


class DeadlineKind(StrEnum):
    ACCEPT = "ACCEPT"  # 签收时限
    RESOLVE = "RESOLVE"  # 办结时限


class Threshold(StrEnum):
    WARN_HALF = "WARN_HALF"  # 预警: half the time left
    WARN_DAY = "WARN_DAY"  # 预警: a working day before
    URGE = "URGE"  # 催办: the deadline passed
    SUPERVISE = "SUPERVISE"  # 督办: still late after a further period
    NOTIFY = "NOTIFY"  # 通报: later still

    @property
    def is_warning(self) -> bool:
        return self in (Threshold.WARN_HALF, Threshold.WARN_DAY)


# An escalation threshold's level is the EscalationLevel of the same name (催办 / 督办 / 通报).
ESCALATIONS = (Threshold.URGE, Threshold.SUPERVISE, Threshold.NOTIFY)

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class AlertPolicy:
    """When alerts fire; the defaults are the bureau's (issue 15). 0 switches a threshold off."""

    warn_fraction_left: float = 0.5  # 预警 when this share of the allowed time is left
    warn_working_days_before: int = 1  # 预警 this many working days before the deadline
    supervise_after_working_days: int = 5  # 督办 this long after the deadline
    notify_after_working_days: int = 10  # 通报 this long after the deadline
    # A threshold fired this long after its instant (a watcher that was down) is marked late.
    late_after: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if not 0 <= self.warn_fraction_left < 1:
            raise InvalidInput("alert.fraction", field="warn_fraction_left")
        for name in (
            "warn_working_days_before",
            "supervise_after_working_days",
            "notify_after_working_days",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise InvalidInput("input.whole_number", field=name)
        if self.late_after < timedelta(0):
            raise InvalidInput("alert.late_after", field="late_after")


@dataclass(frozen=True)
class Alert:
    """One threshold of one deadline cycle, and the instant it is reached."""

    deadline: DeadlineKind
    cycle_started_at: datetime
    threshold: Threshold
    due_at: datetime  # the deadline itself
    at: datetime  # when this threshold is reached

    @property
    def key(self) -> AlertKey:
        return (self.deadline.value, self.cycle_started_at, self.threshold.value)


AlertKey = tuple[str, datetime, str]  # (deadline, cycle started at, threshold)


def schedule(
    deadline: DeadlineKind,
    started_at: datetime,
    limit: TimeLimit,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause],
    policy: AlertPolicy,
) -> list[Alert]:
    """Every threshold of one deadline cycle that can be reached, in order of its instant.

    A threshold behind an open suspension (its instant not fixed yet) is left out, as is a
    warning that would fall at the start itself (a 1-working-day limit has no "1 working day
    before")."""
    due_at = due_after(started_at, limit, calendar, pauses)
    instants: list[tuple[Threshold, datetime]] = []
    if policy.warn_fraction_left > 0:
        used = limit.allowed * (1 - policy.warn_fraction_left)
        instants.append((Threshold.WARN_HALF, _after(started_at, used, limit, calendar, pauses)))
    before = policy.warn_working_days_before * _DAY
    if limit.in_working_days and before and limit.allowed > before:
        at = _after(started_at, limit.allowed - before, limit, calendar, pauses)
        instants.append((Threshold.WARN_DAY, at))
    if not is_clock_stopped(due_at):
        instants.append((Threshold.URGE, due_at))
        for threshold, days in (
            (Threshold.SUPERVISE, policy.supervise_after_working_days),
            (Threshold.NOTIFY, policy.notify_after_working_days),
        ):
            if days:
                late = TimeLimit(days * _DAY, in_working_days=True)
                instants.append((threshold, due_after(due_at, late, calendar, pauses)))
    alerts = [
        Alert(deadline, started_at, threshold, due_at, at)
        for threshold, at in instants
        if at > started_at and not is_clock_stopped(at)
    ]
    return sorted(alerts, key=lambda alert: (alert.at, list(Threshold).index(alert.threshold)))


def schedule_extended(
    deadline: DeadlineKind,
    approved_at: datetime,
    due_at: datetime,
    calendar: WorkingCalendar,
    policy: AlertPolicy,
) -> list[Alert]:
    """The thresholds of a deadline an approved extension (延期) fixed at `due_at`: a cycle of
    its own that starts at the approval. The half-time warning is half the clock time between
    approval and the new deadline; 催办 at the new deadline, 督办 / 通报 the usual working days
    after it. (No "1 working day before" warning: the new time is a date the supervisor chose.)"""
    instants: list[tuple[Threshold, datetime]] = []
    if policy.warn_fraction_left > 0:
        used = (due_at - approved_at) * (1 - policy.warn_fraction_left)
        instants.append((Threshold.WARN_HALF, approved_at + used))
    instants.append((Threshold.URGE, due_at))
    for threshold, days in (
        (Threshold.SUPERVISE, policy.supervise_after_working_days),
        (Threshold.NOTIFY, policy.notify_after_working_days),
    ):
        if days:
            late = TimeLimit(days * _DAY, in_working_days=True)
            instants.append((threshold, due_after(due_at, late, calendar)))
    alerts = [
        Alert(deadline, approved_at, threshold, due_at, at)
        for threshold, at in instants
        if at > approved_at
    ]
    return sorted(alerts, key=lambda alert: (alert.at, list(Threshold).index(alert.threshold)))


def _after(
    start: datetime,
    used: timedelta,
    limit: TimeLimit,
    calendar: WorkingCalendar,
    pauses: Sequence[Pause],
) -> datetime:
    return due_after(start, TimeLimit(used, limit.in_working_days), calendar, pauses)


# ------------------------------------------------------------------ the words people read

TIME_FORMAT = "%Y-%m-%d %H:%M"


def alert_note(alert: Alert, policy: AlertPolicy, *, late: bool) -> str:
    """The note a person reads on the issue's timeline, in Chinese (GLOSSARY.md)."""
    days = {
        Threshold.WARN_DAY: policy.warn_working_days_before,
        Threshold.SUPERVISE: policy.supervise_after_working_days,
        Threshold.NOTIFY: policy.notify_after_working_days,
    }.get(alert.threshold, 0)
    text = render(
        f"alert.note.{alert.threshold.value}",
        deadline=t(f"deadline.{alert.deadline.value}"),
        due=t("alert.time", at=alert.due_at.astimezone(BEIJING_TIME).strftime(TIME_FORMAT)),
        act=t(f"deadline_act.{alert.deadline.value}"),
        days=days,
    )
    return text + render("alert.note.late") if late else text
