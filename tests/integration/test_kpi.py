"""KPIs on the real PostgreSQL, from a small hand-made history computed by hand.

The history (times in China Standard Time; calendar Monday–Friday; default time limits).
Districts: A = 渝中区, B = 江北区. Departments D1 = hrss-employment, D2 = hrss-talent.

Enterprises
  E4 (A) opened Feb 1, closed Feb 28 23:00         E3 (B) opened Feb 1, suspended Feb 10
  E1 (A) opened Feb 20                              E6 (B) opened Mar 5 18:00
  E2 (A) opened Mar 10, suspended Mar 12, closed Mar 15
  E5 (B) opened Apr 2
Visits (when they happened)
  V6 E3 Feb 5 · V1 E1 Feb 28 23:30 · V2 E1 Mar 1 00:10 (Feb 28 16:10 UTC) · V8 E6 Mar 6
  V4 E2 Mar 11 PHONE, corrected to EVENT · V3 E1 Mar 20 EVENT
  V5 E1 Mar 25, corrected to Apr 1 08:00 · V7 E1 Apr 1 00:00
Issues
  I7 A raised Feb 25, dispatched Feb 25 10:00 (resolve due Mar 11 10:00), accepted,
     resolved Mar 3 (on time), SATISFIED Mar 4 → closed in March, raised in February
  I1 A raised Mar 3, dispatched Mon 10:00 (accept due Tue 10:00), accepted 11:00 (on time),
     resolved Mar 10 (due Mar 17: on time), SATISFIED Mar 11
  I2 A URGENT raised Mar 4, dispatched 09:30 (accept due 13:30), accepted 10:00 (responded),
     resolved Mar 10 (due Mar 7 09:30: late), BASICALLY_SATISFIED Mar 11
  I3 A URGENT raised Mar 5, dispatched to D1 09:30, refused 10:00; dispatched to D2 11:00
     (accept due 15:00), accepted 17:00 (late: not responded); cycle 1 due Mar 10 11:00,
     resolved Mar 6 (on time), returned for rework; cycle 2 due Mar 11 10:00, resolved Mar 7
     (on time); UNSATISFIED Mar 8 (Sat); cycle 3 due Mar 13 00:00, never resolved (late)
  I4 A raised and declined Mar 6
  I5 B raised Fri Mar 7, dispatched 10:00 (accept due Mon 10:00), accepted Tue Mar 11 (late),
     resolved Mar 20 (due Mar 21: on time), closed UNRATED Mar 28
  I6 A raised Mar 28, dispatched Mon Mar 31 10:00 (accept due Apr 1 10:00), never accepted
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

import pytest
from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import BaseProjectionRunner
from eventsourcing.utils import Environment

from application.enterprises import LogVisit
from application.issues import RaiseDemand
from application.service_package import ServicePackage
from domain.shared import BEIJING_TIME, Actor, InvalidInput
from domain.time_limits import SlaPolicy, WeekdayCalendar
from infra.bootstrap import Container
from projections.kpi import KpiProjection, KpiReport, KpiView
from projections.state import ProjectionStates
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock

A, B = "渝中区", "江北区"
D1, D2 = "hrss-employment", "hrss-talent"
C1 = Actor("c-001", "专员1", "COMMISSIONER")
C2 = Actor("c-002", "专员2", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
EVALUATOR = Actor("s-002", "督导2", "SUPERVISOR")
HANDLER = Actor("d-001", "经办人", "DEPARTMENT")

MARCH = (date(2025, 3, 1), date(2025, 3, 31))
NOW = datetime(2025, 4, 30, 12, 0, tzinfo=BEIJING_TIME)


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING_TIME)


# ------------------------------------------------------------------ running the view


def start_kpi_view(container: Container, name: str) -> tuple[KpiView, BaseProjectionRunner[Any]]:
    factory = InfrastructureFactory[PostgresTrackingRecorder].construct(
        env=Environment(name, container.env)
    )
    view = cast(KpiView, factory.tracking_recorder(KpiView))
    runner = BaseProjectionRunner(
        projection=KpiProjection(view, states_of(container), SlaPolicy(), WeekdayCalendar()),
        application_class=ServicePackage,
        tracking_recorder=view,
        topics=(),
        env=container.env,
    )
    return view, runner.__enter__()


def states_of(container: Container) -> ProjectionStates:
    return ProjectionStates(
        lambda stream_id, version: container.app.repository.get(stream_id, version=version)
    )


def caught_up(view: KpiView, container: Container) -> KpiView:
    view.wait("espcrm", container.app.last_position(), timeout=10)
    return view


@pytest.fixture
def kpi(container: Container) -> Iterator[KpiView]:
    """The KPI view, following the log live while the history is written."""
    view, runner = start_kpi_view(container, "kpi_handmade")
    yield view
    runner.__exit__(None, None, None)


# ------------------------------------------------------------------ the history


@dataclass
class History:
    app: ServicePackage
    clock: FixedClock
    last: datetime | None = None

    def at(self, when: str) -> None:
        moment = cst(when)
        # The hand computations assume the history happened in the order it is written.
        assert self.last is None or moment >= self.last, f"{when} is before {self.last}"
        self.clock.current = self.last = moment

    def enterprise(self, when: str, district: str, commissioner: Actor | None) -> UUID:
        self.at(when)
        enterprise_id, _ = self.app.register_enterprise(register_command(district=district), ADMIN)
        if commissioner is not None:
            self.app.assign_commissioner(
                enterprise_id, commissioner.id, commissioner.name, None, ADMIN
            )
        return enterprise_id

    def visit(
        self, when: str, enterprise_id: UUID, by: Actor, visited: str, channel: str = "ON_SITE"
    ) -> str:
        self.at(when)
        visit = LogVisit(enterprise_id, cst(visited), channel, ["王小明"], "走访了解需求")
        visit_id, _ = self.app.log_visit(visit, by)
        return visit_id

    def demand(self, when: str, enterprise_id: UUID, by: Actor, category: str) -> UUID:
        self.at(when)
        issue_id, _ = self.app.raise_demand(
            RaiseDemand(enterprise_id, category, "用工需求", "需要技工"), by
        )
        return issue_id

    def dispatch(self, when: str, issue_id: UUID, department: str) -> None:
        self.at(when)
        self.app.dispatch_issue(issue_id, department, [], SUPERVISOR)

    def accept(self, when: str, issue_id: UUID, department: str) -> None:
        self.at(when)
        self.app.accept_issue(issue_id, department, HANDLER)

    def resolve(self, when: str, issue_id: UUID, department: str) -> None:
        self.at(when)
        self.app.resolve_issue(issue_id, department, "已解决", [], HANDLER)

    def approve(self, when: str, issue_id: UUID) -> None:
        self.at(when)
        self.app.approve_closure(issue_id, "核实属实", SUPERVISOR)

    def evaluate(self, when: str, issue_id: UUID, satisfaction: str) -> None:
        self.at(when)
        self.app.evaluate_issue(issue_id, satisfaction, None, EVALUATOR)


def write_history(app: ServicePackage, clock: FixedClock) -> None:
    """The history of the module docstring, in the order it happened (the clock only moves on)."""
    h = History(app, clock)
    h.at("2025-02-01 08:00")
    app.register_department(D1, "就业促进处", None, ADMIN)
    app.register_department(D2, "人才开发处", None, ADMIN)
    ids = february(h)
    first_week_of_march(h, ids)
    rest_of_march(h, ids)
    april(h, ids)


def february(h: History) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    ids["E3"] = h.enterprise("2025-02-01 09:00", B, C2)
    ids["E4"] = h.enterprise("2025-02-01 09:10", A, C1)
    h.visit("2025-02-05 11:00", ids["E3"], C2, visited="2025-02-05 10:00")  # V6
    h.at("2025-02-10 09:00")
    h.app.suspend_relationship(ids["E3"], "企业停产", ADMIN)
    ids["E1"] = e1 = h.enterprise("2025-02-20 09:00", A, C1)
    ids["I7"] = i7 = h.demand("2025-02-25 09:00", e1, C1, "RECRUITMENT")
    h.dispatch("2025-02-25 10:00", i7, D1)
    h.accept("2025-02-25 11:00", i7, D1)
    h.at("2025-02-28 23:00")
    h.app.close_relationship(ids["E4"], "企业迁出", ADMIN)
    h.visit("2025-02-28 23:40", e1, C1, visited="2025-02-28 23:30")  # V1
    return ids


def first_week_of_march(h: History, ids: dict[str, Any]) -> None:
    e1, i7 = ids["E1"], ids["I7"]
    h.visit("2025-03-01 00:20", e1, C1, visited="2025-03-01 00:10")  # V2
    h.resolve("2025-03-03 08:00", i7, D1)
    h.approve("2025-03-03 08:30", i7)
    ids["I1"] = i1 = h.demand("2025-03-03 09:00", e1, C1, "RECRUITMENT")
    h.dispatch("2025-03-03 10:00", i1, D1)
    h.accept("2025-03-03 11:00", i1, D1)
    h.evaluate("2025-03-04 08:00", i7, "SATISFIED")
    ids["I2"] = i2 = h.demand("2025-03-04 09:00", e1, C1, "URGENT_HIRING")
    h.dispatch("2025-03-04 09:30", i2, D1)
    h.accept("2025-03-04 10:00", i2, D1)
    i3 = h.demand("2025-03-05 09:00", e1, C1, "URGENT_HIRING")
    h.dispatch("2025-03-05 09:30", i3, D1)
    h.at("2025-03-05 10:00")
    h.app.refuse_dispatch(i3, D1, "不属于本处职能", HANDLER)
    h.dispatch("2025-03-05 11:00", i3, D2)
    h.accept("2025-03-05 17:00", i3, D2)
    ids["E6"] = e6 = h.enterprise("2025-03-05 18:00", B, C2)
    h.resolve("2025-03-06 09:00", i3, D2)
    h.at("2025-03-06 10:00")
    h.app.return_for_rework(i3, "材料不全", SUPERVISOR)
    i4 = h.demand("2025-03-06 11:00", e1, C1, "OTHER")
    h.at("2025-03-06 12:00")
    h.app.decline_issue(i4, "不属于人社职能", SUPERVISOR)
    h.visit("2025-03-06 14:00", e6, C2, visited="2025-03-06 10:00")  # V8
    h.resolve("2025-03-07 09:00", i3, D2)
    h.approve("2025-03-07 09:15", i3)
    ids["I5"] = i5 = h.demand("2025-03-07 09:30", e6, C2, "RECRUITMENT")
    h.dispatch("2025-03-07 10:00", i5, D1)
    h.evaluate("2025-03-08 10:00", i3, "UNSATISFIED")


def rest_of_march(h: History, ids: dict[str, Any]) -> None:
    e1, i1, i2, i5 = ids["E1"], ids["I1"], ids["I2"], ids["I5"]
    h.resolve("2025-03-10 09:00", i2, D1)
    h.resolve("2025-03-10 09:10", i1, D1)
    h.approve("2025-03-10 09:20", i1)
    h.approve("2025-03-10 09:30", i2)
    e2 = h.enterprise("2025-03-10 10:00", A, C1)
    h.evaluate("2025-03-11 09:00", i1, "SATISFIED")
    h.evaluate("2025-03-11 09:05", i2, "BASICALLY_SATISFIED")
    h.accept("2025-03-11 10:00", i5, D1)
    v4 = h.visit("2025-03-11 12:00", e2, C1, visited="2025-03-11 11:00", channel="PHONE")
    h.at("2025-03-12 10:00")
    h.app.suspend_relationship(e2, "企业搬迁", ADMIN)
    h.at("2025-03-14 10:00")
    h.app.correct_visit(e2, v4, {"channel": "EVENT"}, "实为政策宣讲会", C1)
    h.at("2025-03-15 10:00")
    h.app.close_relationship(e2, "企业注销", ADMIN)
    h.resolve("2025-03-20 09:00", i5, D1)
    h.approve("2025-03-20 10:00", i5)
    h.visit("2025-03-20 15:00", e1, C1, visited="2025-03-20 14:00", channel="EVENT")  # V3
    ids["V5"] = h.visit("2025-03-25 11:00", e1, C1, visited="2025-03-25 10:00")
    i6 = h.demand("2025-03-28 09:00", e1, C1, "RECRUITMENT")
    h.at("2025-03-28 10:00")
    h.app.evaluate_issue(i5, "UNRATED", None, SUPERVISOR)
    h.dispatch("2025-03-31 10:00", i6, D1)


def april(h: History, ids: dict[str, Any]) -> None:
    e1 = ids["E1"]
    h.visit("2025-04-01 00:05", e1, C1, visited="2025-04-01 00:00")  # V7
    h.at("2025-04-01 09:00")
    h.app.correct_visit(e1, ids["V5"], {"visited_at": cst("2025-04-01 08:00")}, "日期录错", C1)
    h.enterprise("2025-04-02 09:00", B, None)  # E5


@pytest.fixture
def history(container: Container, clock: FixedClock, kpi: KpiView) -> KpiView:
    write_history(container.app, clock)
    return caught_up(kpi, container)


def march(district: str | None = None, **figures: Any) -> KpiReport:
    return KpiReport(from_=MARCH[0], to=MARCH[1], district=district, **figures)


# ------------------------------------------------------------------ the tests


def test_march_for_all_districts_matches_the_hand_computed_fractions(history: KpiView) -> None:
    assert history.report(*MARCH, None, NOW) == march(
        enterprises_served=3,  # E1, E2 (active Mar 10–12), E6; not E3 (suspended), E4, E5
        visit_count=4,  # V2, V8, V4, V3 (V5 was moved to April)
        enterprises_visited=3,  # E1, E6, E2
        policy_events=2,  # V3, and V4 once corrected to EVENT
        issues_raised=6,  # I1–I6
        issues_closed=4,  # I7, I1, I2, I5 (unrated)
        closure_rate=4 / 5,  # due in March: I7, I1, I2, I3, I5; all but I3 closed
        on_time_accept_rate=2 / 6,  # I1, I2 of I1, I2, I3 (refused), I3 again, I5, I6 (late)
        urgent_hiring_response_rate=1 / 2,  # I2 of I2, I3
        on_time_resolve_rate=5 / 7,  # I7, I1, I3×2, I5 of those + I2, I3's third cycle
        satisfaction_rate=3 / 4,  # I7, I1, I2 of those + I3 unsatisfied; I5 unrated left out
        dispatch_refusals=1,
        reworks=2,  # I3 returned, I3 unsatisfied
    )


def test_a_district_counts_only_its_enterprises_visits_and_issues(history: KpiView) -> None:
    assert history.report(*MARCH, A, NOW) == march(
        A,
        enterprises_served=2,
        visit_count=3,
        enterprises_visited=2,
        policy_events=2,
        issues_raised=5,
        issues_closed=3,
        closure_rate=3 / 4,  # due in March: I7, I1, I2, I3; all but I3 closed
        on_time_accept_rate=2 / 5,
        urgent_hiring_response_rate=1 / 2,
        on_time_resolve_rate=4 / 6,
        satisfaction_rate=3 / 4,
        dispatch_refusals=1,
        reworks=2,
    )


def test_a_rate_with_nothing_to_divide_is_null_and_a_rate_of_nothing_good_is_zero(
    history: KpiView,
) -> None:
    assert history.report(*MARCH, B, NOW) == march(
        B,
        enterprises_served=1,  # E6
        visit_count=1,
        enterprises_visited=1,
        policy_events=0,
        issues_raised=1,
        issues_closed=1,  # I5, closed unrated
        closure_rate=1.0,  # I5 due Mar 21, closed unrated Mar 28
        on_time_accept_rate=0.0,  # I5 was accepted late
        urgent_hiring_response_rate=None,  # no urgent hiring issue in B
        on_time_resolve_rate=1.0,
        satisfaction_rate=None,  # the only close was unrated
        dispatch_refusals=0,
        reworks=0,
    )


def test_an_empty_period_has_zero_counts_and_null_rates(history: KpiView) -> None:
    nothing: dict[str, Any] = {
        "enterprises_served": 0, "visit_count": 0, "enterprises_visited": 0,
        "policy_events": 0, "issues_raised": 0, "issues_closed": 0, "closure_rate": None,
        "on_time_accept_rate": None, "urgent_hiring_response_rate": None,
        "on_time_resolve_rate": None, "satisfaction_rate": None, "dispatch_refusals": 0,
        "reworks": 0,
    }  # fmt: skip
    january = (date(2024, 1, 1), date(2024, 1, 31))
    assert history.report(*january, None, NOW) == KpiReport(*january, None, **nothing)
    assert history.report(*MARCH, "万州区", NOW) == march("万州区", **nothing)


def test_visits_count_on_their_shanghai_date_with_corrections_applied(history: KpiView) -> None:
    def visits_on(day: date) -> tuple[int, int, int]:
        r = history.report(day, day, None, NOW)
        return r.visit_count, r.enterprises_visited, r.policy_events

    assert visits_on(date(2025, 2, 28)) == (1, 1, 0)  # V1 at 23:30
    assert visits_on(date(2025, 3, 1)) == (1, 1, 0)  # V2 at 00:10, still Feb 28 in UTC
    assert visits_on(date(2025, 3, 11)) == (1, 1, 1)  # V4, its channel corrected to EVENT
    assert visits_on(date(2025, 3, 25)) == (0, 0, 0)  # V5 was corrected away ...
    assert visits_on(date(2025, 4, 1)) == (2, 1, 0)  # ... to April 1, beside V7 at 00:00


def test_enterprises_served_are_those_active_at_some_moment_of_the_period(
    history: KpiView,
) -> None:
    def served(first: str, last: str, district: str | None = None) -> int:
        period = date.fromisoformat(first), date.fromisoformat(last)
        return history.report(*period, district, NOW).enterprises_served

    assert served("2025-02-28", "2025-02-28") == 2  # E1, and E4 until its closure at 23:00
    assert served("2025-03-01", "2025-03-01") == 1  # E1 only
    assert served("2025-03-12", "2025-03-12", A) == 2  # E1, and E2 until its suspension
    assert served("2025-03-13", "2025-03-14", A) == 1  # E2 suspended: not served
    assert served("2025-02-01", "2025-02-09", B) == 1  # E3 before its suspension
    assert served("2025-04-01", "2025-04-30", B) == 2  # E6, E5 (opened Apr 2)


def test_the_closure_rate_is_the_share_closed_of_the_issues_due_in_the_period(
    history: KpiView,
) -> None:
    """Issue 17: a cohort, never above 1. Due on Mar 11: I7 (closed Mar 4) and I3's second
    cycle (never closed); the flow counts of the day (I1, I2 closed) play no part."""
    report = history.report(date(2025, 3, 11), date(2025, 3, 11), None, NOW)
    assert (report.issues_raised, report.issues_closed) == (0, 2)  # I1, I2
    assert report.closure_rate == 1 / 2
    nothing_due = history.report(date(2025, 3, 1), date(2025, 3, 6), B, NOW)
    assert nothing_due.closure_rate is None
    assert report.satisfaction_rate == 2 / 2


def test_a_dispatch_still_inside_its_accept_limit_is_not_judged_yet(history: KpiView) -> None:
    before_i6_due = history.report(*MARCH, None, cst("2025-03-31 12:00"))
    after_i6_due = history.report(*MARCH, None, NOW)
    assert before_i6_due.on_time_accept_rate == 2 / 5
    assert after_i6_due.on_time_accept_rate == 2 / 6
    # I3's third cycle was already overdue (due Mar 13) at both moments.
    assert before_i6_due.on_time_resolve_rate == after_i6_due.on_time_resolve_rate == 5 / 7


def test_late_resolutions_count_in_the_period_their_deadline_passed(history: KpiView) -> None:
    def resolve_rate(first: str, last: str) -> float | None:
        period = date.fromisoformat(first), date.fromisoformat(last)
        return history.report(*period, None, NOW).on_time_resolve_rate

    assert resolve_rate("2025-03-07", "2025-03-07") == 1 / 2  # I3 cycle 2 on time; I2 due
    assert resolve_rate("2025-03-10", "2025-03-10") == 1 / 1  # I1 on time; I2 was judged Mar 7
    assert resolve_rate("2025-03-13", "2025-03-13") == 0 / 1  # I3's third cycle, never resolved


def test_rebuilding_the_view_from_scratch_gives_identical_reports(
    container: Container, history: KpiView
) -> None:
    rebuilt, runner = start_kpi_view(container, "kpi_rebuilt")
    try:
        caught_up(rebuilt, container)
        assert all_reports(rebuilt) == all_reports(history)
    finally:
        runner.__exit__(None, None, None)


def test_processing_every_event_a_second_time_changes_no_figure(
    container: Container, history: KpiView
) -> None:
    before = all_reports(history)
    again = KpiProjection(history, states_of(container), SlaPolicy(), WeekdayCalendar())
    app = container.app
    for notification in app.recorder.select_notifications(start=1, limit=10_000):  # type: ignore[attr-defined]
        tracking = Tracking("espcrm-replayed", notification.id)
        again.process_event(app.mapper.to_domain_event(notification), tracking)
    assert all_reports(history) == before


def test_a_period_that_ends_before_it_starts_is_refused(history: KpiView) -> None:
    with pytest.raises(InvalidInput) as error:
        history.report(date(2025, 3, 31), date(2025, 3, 1), None, NOW)
    assert error.value.field == "to"


def all_reports(view: KpiView) -> list[KpiReport]:
    """Every figure over periods and districts that cut through the history."""
    periods = [MARCH, (date(2025, 2, 1), date(2025, 4, 30)), (date(2025, 3, 7), date(2025, 3, 7))]
    moments = [NOW, cst("2025-03-31 12:00")]
    reports = [
        view.report(*period, district, now)
        for period in periods
        for district in (None, A, B)
        for now in moments
    ]
    assert any(r.issues_raised for r in reports)  # a comparison of empty reports proves nothing
    return reports
