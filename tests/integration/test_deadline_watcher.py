"""The deadline watcher on the real PostgreSQL: a simulated month over many issues.

March 2025 has no public holiday (the official calendar's working days are Monday to Friday),
so the expected instants are worked out here by hand with `wd` (n working days later, same
clock time). Every issue is dispatched at 08:55 Beijing time and the watcher ticks on the hour,
so each threshold fires at the first tick after it, five minutes on (not late).

Archetypes, each dispatched on five days in a row (Monday 3 to Friday 7 March):
- PROMPT: accepted within the hour, resolved the next day: no alert at all.
- SILENT: never accepted. ACCEPT (1 working day): 预警 at half (12 h), 催办 at wd 1,
  督办 at wd 6, 通报 at wd 11. RESOLVE (10 working days, running from dispatch): 预警 at
  wd 5 (half) and wd 9 (a day before), 催办 at wd 10, 督办 at wd 15, 通报 at wd 20.
- LATE: accepted at wd 2, resolved at wd 12: ACCEPT half and 催办; RESOLVE up to 催办.
- URGENT: urgent hiring, never accepted. ACCEPT (4 clock hours): 预警 at 2 h, 催办 at 4 h,
  督办 and 通报 5 and 10 working days after that. RESOLVE (3 working days): 预警 at 1.5 and
  2 working days, 催办 at wd 3, 督办 at wd 8, 通报 at wd 13.
- PAUSED: accepted at once, suspended from wd 2 to wd 5: the resolution clock loses three
  working days, so everything moves by three: 预警 wd 8 and wd 12, 催办 wd 13, 督办 wd 18, …
- REPORT: a direct report (5 working days), accepted at once, never resolved: 预警 at 2.5
  and 4 working days, 催办 wd 5, 督办 wd 10, 通报 wd 15.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import pytest
from typer.testing import CliRunner

from application.issues import RaiseDemand, SubmitDirectReport
from application.service_package import ServicePackage
from cli.main import cli
from domain.shared import BEIJING_TIME
from infra.bootstrap import Container
from infra.postgres_server import PgAddress
from processes.deadline_watcher import DeadlineWatcher
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock
from tests.feed_scenarios import COMMISSIONER, HANDLER, LEAD, REPORTER, SUPERVISOR

pytestmark = pytest.mark.integration

DEPARTMENT = LEAD
POINT = "rp-liangjiang"

BEGIN = datetime(2025, 3, 3, 8, 0, tzinfo=BEIJING_TIME)
END = datetime(2025, 4, 3, 0, 0, tzinfo=BEIJING_TIME)
STARTS = [datetime(2025, 3, d, 8, 55, tzinfo=BEIJING_TIME) for d in range(3, 8)]
HOUR = timedelta(hours=1)

Expected = tuple[UUID, str, str, datetime]  # issue, deadline, threshold, instant


def wd(start: datetime, n: int) -> datetime:
    """n working days (Monday to Friday: March 2025) after `start`, same clock time."""
    day = start
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


ESCALATE = ("URGE", "SUPERVISE", "NOTIFY")


def full_accept(issue: UUID, s: datetime, due: datetime) -> list[Expected]:
    return [(issue, "ACCEPT", "URGE", due), (issue, "ACCEPT", "SUPERVISE", wd(due, 5)),
            (issue, "ACCEPT", "NOTIFY", wd(due, 10))]  # fmt: skip


def resolve(issue: UUID, instants: list[tuple[str, datetime]]) -> list[Expected]:
    return [(issue, "RESOLVE", threshold, at) for threshold, at in instants]


@dataclass
class Month:
    """The actions of the simulated month, by time, and what the watcher must fire."""

    app: ServicePackage
    clock: FixedClock
    actions: list[tuple[datetime, Callable[[], None]]] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    enterprise: UUID | None = None
    silent: list[UUID] = field(default_factory=list)

    def at(self, when: datetime, action: Callable[[], None]) -> None:
        self.actions.append((when, action))

    def due_actions(self, until: datetime) -> Iterator[Callable[[], None]]:
        """The actions up to `until`, in time order, each with the clock set to its time."""
        self.actions.sort(key=lambda item: item[0])
        while self.actions and self.actions[0][0] <= until:
            when, action = self.actions.pop(0)
            self.clock.current = when
            yield action

    def raise_demand(self, category: str = "OTHER") -> UUID:
        assert self.enterprise is not None
        issue_id, _ = self.app.raise_demand(
            RaiseDemand(self.enterprise, category, "用工需求", "需要技工"), COMMISSIONER
        )
        return issue_id


def plan(app: ServicePackage, clock: FixedClock) -> Month:
    clock.current = BEGIN - timedelta(days=1)
    app.register_department(DEPARTMENT, "就业促进处", None, ADMIN)
    app.register_reporting_point(POINT, "两江新区直报点", "两江新区", ADMIN)
    enterprise, _ = app.register_enterprise(register_command(), ADMIN)
    app.assign_commissioner(enterprise, COMMISSIONER.id, COMMISSIONER.name, None, ADMIN)
    month = Month(app, clock, enterprise=enterprise)
    clock.current = BEGIN
    for s in STARTS:
        for archetype in (prompt, silent, late, urgent, paused, report):
            archetype(month, s)
    month.expected = [e for e in month.expected if e[3] < END - HOUR]
    return month


def _issue(month: Month, s: datetime, category: str = "OTHER", report: bool = False) -> UUID:
    month.clock.current = s - timedelta(minutes=5)
    if report:
        issue, _ = month.app.submit_direct_report(
            SubmitDirectReport(POINT, "BUSINESS_ENVIRONMENT", "审批慢", "审批材料反复退回"),
            REPORTER,
        )
    else:
        issue = month.raise_demand(category)
    month.clock.current = s
    month.app.dispatch_issue(issue, DEPARTMENT, [], SUPERVISOR)
    return issue


def _accept(month: Month, when: datetime, issue: UUID) -> None:
    month.at(when, lambda: month.app.accept_issue(issue, DEPARTMENT, HANDLER) and None)


def _resolve(month: Month, when: datetime, issue: UUID) -> None:
    month.at(
        when,
        lambda: month.app.resolve_issue(issue, DEPARTMENT, "已解决", [], HANDLER) and None,
    )


def prompt(month: Month, s: datetime) -> None:
    issue = _issue(month, s)
    _accept(month, s + HOUR, issue)
    _resolve(month, wd(s, 1), issue)


def silent(month: Month, s: datetime) -> None:
    issue = _issue(month, s)
    month.silent.append(issue)
    month.expected += [(issue, "ACCEPT", "WARN_HALF", s + 12 * HOUR)]
    month.expected += full_accept(issue, s, wd(s, 1))
    month.expected += resolve(
        issue,
        [("WARN_HALF", wd(s, 5)), ("WARN_DAY", wd(s, 9)), ("URGE", wd(s, 10)),
         ("SUPERVISE", wd(s, 15)), ("NOTIFY", wd(s, 20))],
    )  # fmt: skip


def late(month: Month, s: datetime) -> None:
    issue = _issue(month, s)
    _accept(month, wd(s, 2), issue)
    _resolve(month, wd(s, 12), issue)
    month.expected += [(issue, "ACCEPT", "WARN_HALF", s + 12 * HOUR),
                       (issue, "ACCEPT", "URGE", wd(s, 1))]  # fmt: skip
    month.expected += resolve(
        issue, [("WARN_HALF", wd(s, 5)), ("WARN_DAY", wd(s, 9)), ("URGE", wd(s, 10))]
    )


def urgent(month: Month, s: datetime) -> None:
    issue = _issue(month, s, "URGENT_HIRING")
    month.expected += [(issue, "ACCEPT", "WARN_HALF", s + 2 * HOUR)]
    month.expected += full_accept(issue, s, s + 4 * HOUR)
    month.expected += resolve(
        issue,
        [("WARN_HALF", wd(s, 1) + 12 * HOUR), ("WARN_DAY", wd(s, 2)), ("URGE", wd(s, 3)),
         ("SUPERVISE", wd(s, 8)), ("NOTIFY", wd(s, 13))],
    )  # fmt: skip


def paused(month: Month, s: datetime) -> None:
    issue = _issue(month, s)
    _accept(month, s + HOUR, issue)
    month.at(
        wd(s, 2),
        lambda: month.app.suspend_issue(issue, DEPARTMENT, "等待企业补充材料", HANDLER) and None,
    )
    month.at(wd(s, 5), lambda: month.app.resume_issue(issue, DEPARTMENT, HANDLER) and None)
    month.expected += resolve(
        issue,
        [("WARN_HALF", wd(s, 8)), ("WARN_DAY", wd(s, 12)), ("URGE", wd(s, 13)),
         ("SUPERVISE", wd(s, 18)), ("NOTIFY", wd(s, 23))],
    )  # fmt: skip


def report(month: Month, s: datetime) -> None:
    issue = _issue(month, s, report=True)
    _accept(month, s + HOUR, issue)
    month.expected += resolve(
        issue,
        [("WARN_HALF", wd(s, 2) + 12 * HOUR), ("WARN_DAY", wd(s, 4)), ("URGE", wd(s, 5)),
         ("SUPERVISE", wd(s, 10)), ("NOTIFY", wd(s, 15))],
    )  # fmt: skip


def alerts_written(app: ServicePackage) -> list[dict[str, Any]]:
    envelopes = app.read_feed(0, 100_000)
    return [
        {**e.data, "issue": UUID(e.stream_id), "type": e.type, "at": e.occurred_at,
         "actor": e.actor}
        for e in envelopes
        if e.type in ("DeadlineWarned", "DeadlineEscalated")
    ]  # fmt: skip


def as_expected(alert: dict[str, Any]) -> Expected:
    at = datetime.fromisoformat(alert["threshold_at"])
    return (alert["issue"], alert["deadline"], alert["threshold"], at)


def run_month(
    month: Month,
    tick: Callable[[datetime], None],
    *,
    skip: tuple[datetime, datetime] | None = None,
    at_hour: Callable[[datetime], None] | None = None,
) -> None:
    now = BEGIN
    while now < END:
        for action in month.due_actions(now):
            action()
        month.clock.current = now
        if at_hour is not None:
            at_hour(now)
        if skip is None or not skip[0] <= now < skip[1]:
            tick(now)
        now += HOUR


def check(
    month: Month, alerts: list[dict[str, Any]], late_window: tuple[datetime, datetime]
) -> None:
    written = [as_expected(a) for a in alerts]
    assert len(written) == len(set(written)), "a threshold fired twice"
    assert sorted(written, key=str) == sorted(month.expected, key=str)
    for alert in alerts:
        reached = datetime.fromisoformat(alert["threshold_at"])
        assert alert["actor"].role == "SYSTEM"
        assert alert["note"]
        if alert["at"] - reached == timedelta(minutes=5):  # at the first tick after it
            assert not alert["late"], alert
        else:  # missed while no watcher ran: fired on the first tick back, marked late
            assert late_window[0] <= reached < late_window[1], alert
            assert alert["at"] == late_window[1], alert
            assert alert["late"] and alert["note"].endswith("（系统补发）"), alert


def test_a_simulated_month_fires_every_expected_alert_once_and_no_other(
    container: Container, clock: FixedClock
) -> None:
    month = plan(container.app, clock)
    watcher = container.deadline_watcher()
    try:
        run_month(month, watcher.tick)
        assert " 落后 0 个事件 " in watcher.status(END) and " 已到期 0 " in watcher.status(END)
    finally:
        watcher.close()
    alerts = alerts_written(container.app)
    assert len(month.expected) > 150
    check(month, alerts, (END, END))
    # The escalations count as escalations; the warnings do not.
    silent_issue = month.silent[0]
    issue = container.app.get_issue(silent_issue)
    escalations = [e for e in month.expected if e[0] == silent_issue and e[2] in ESCALATE]
    assert issue.escalation_count == len(escalations)
    assert "催办" in [a["note"][:2] for a in alerts if a["issue"] == silent_issue]
    # The issue board shows them on the timeline and counts the escalations.
    container.projections.wait_for(container.app.last_position(), timeout=60)
    board = container.views.issue_board
    [row] = board.get_many([silent_issue])
    assert row.escalation_count == len(escalations)
    timeline = board.timelines([silent_issue])[silent_issue]
    warned = [e for e in timeline if e.type == "DeadlineWarned"]
    assert len(warned) == 3 and all(e.actor_role == "SYSTEM" for e in warned)
    assert warned[0].note is not None and warned[0].note.startswith("预警：签收时限已过半")


def test_a_watcher_killed_mid_run_and_restarted_fires_nothing_twice_and_misses_nothing(
    container: Container, clock: FixedClock
) -> None:
    """The first watcher dies on 12 March 09:00, half-way through a tick: it has fired some
    of what was due but not taken it in; nothing runs for two days; a new one (fresh memory,
    the same position) fires what was missed, once, marked late."""
    month = plan(container.app, clock)
    down_from = datetime(2025, 3, 12, 9, 0, tzinfo=BEIJING_TIME)
    back_at = datetime(2025, 3, 14, 9, 0, tzinfo=BEIJING_TIME)
    watchers = [container.deadline_watcher()]

    def at_hour(now: datetime) -> None:
        if now == down_from:
            dying = watchers.pop()
            dying.follow()
            due = dying.store.due(now, 1000)
            assert len(due) >= 2
            for issue_id in due[: len(due) // 2]:  # half of the tick's work, then killed
                dying.app.fire_due_alerts(issue_id, now, dying.sla, dying.calendar, dying.policy)
            dying.close()
        if now == back_at:
            restarted = container.deadline_watcher()
            assert restarted.position() > 0  # it goes on from its own position
            watchers.append(restarted)

    def tick(now: datetime) -> None:
        watchers[-1].tick(now)

    try:
        run_month(month, tick, skip=(down_from, back_at), at_hour=at_hour)
    finally:
        watchers[-1].close()
    alerts = alerts_written(container.app)
    fired_while_dying = [a for a in alerts if a["at"] == down_from]
    assert fired_while_dying
    for alert in fired_while_dying:  # fired by the dying one, on time: not repeated later
        assert not alert["late"]
    rest = [a for a in alerts if a["at"] != down_from]
    check(month, fired_while_dying + rest, (down_from - HOUR, back_at))


def test_two_watchers_at_once_fire_each_threshold_once(
    container: Container, clock: FixedClock
) -> None:
    """Two watchers tick the same instants at the same moment, sharing one store (as two
    processes would without the standby lock): the issue refuses every second firing."""
    month = plan(container.app, clock)
    first, second = container.deadline_watcher(), container.deadline_watcher()
    errors: list[BaseException] = []

    def both(now: datetime) -> None:
        barrier = threading.Barrier(2)

        def run(watcher: DeadlineWatcher) -> None:
            try:
                barrier.wait()
                watcher.tick(now)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(w,)) for w in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    try:
        run_month(month, both)
    finally:
        first.close()
        second.close()
    assert not errors, errors[:3]
    check(month, alerts_written(container.app), (END, END))


def test_the_standby_lock_lets_one_watcher_run_at_a_time(
    container: Container, clock: FixedClock
) -> None:
    """`espcrm run` and `espcrm watch` start it so: the holder's loop ticks at once (here
    on an issue left a month undone), a second one stands by and takes over on close."""
    month = plan(container.app, clock)
    issue = month.silent[0]
    clock.current = END
    first = container.start_deadline_watcher()
    second = container.start_deadline_watcher()
    assert first.wait_leading(5.0) is not None
    with pytest.raises(TimeoutError):
        second.wait_leading(1.0)
    deadline = time.monotonic() + 20
    while container.app.get_issue(issue).escalation_count < 6:  # both deadlines: 催办 督办 通报
        assert time.monotonic() < deadline, "the loop did not fire"
        time.sleep(0.1)
    first.close()
    assert second.wait_leading(5.0) is not None
    written = [as_expected(a) for a in alerts_written(container.app)]
    assert len(written) == len(set(written))


def test_espcrm_watch_once_ticks_with_the_settings_of_the_environment(
    database: PgAddress, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"postgresql://{quote(database.user)}:{quote(database.password)}@/{database.dbname}"
    url += f"?host={quote(database.host)}&port={database.port}"
    monkeypatch.setenv("ESPCRM_DATABASE_URL", url)
    monkeypatch.setenv("ESPCRM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESPCRM_CIPHER_KEY", "ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU=")
    monkeypatch.setenv("ESPCRM_ALERT_NOTIFY_AFTER_WORKING_DAYS", "0")
    result = CliRunner().invoke(cli, ["watch", "--once"])
    assert result.exit_code == 0, result.output
    assert "已发出 0 条时限提醒" in result.output
    result = CliRunner().invoke(cli, ["watch", "--status"])
    assert result.exit_code == 0, result.output
    assert "落后 0 个事件  监视中的诉求 0  已到期 0  下一时限 —" in result.output
