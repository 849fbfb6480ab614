"""The closure rate (办结率) is a cohort's, so it never leaves [0, 1] (issue 17): a property
test over random histories on the real PostgreSQL, and the backlog case that reached 1.8."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.issues import RaiseDemand
from domain.shared import Actor
from infra.bootstrap import Container
from projections.league_table import parse_period
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock

COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
EVALUATOR = Actor("s-002", "督导2", "SUPERVISOR")
HANDLER = Actor("d-001", "经办人", "DEPARTMENT")
D1 = "hrss-employment"
PERIODS = ["2025-03", "2025-04", "2025-05", "2025-06", "2025-Q1", "2025-Q2", "2025"]


def _world(container: Container) -> object:
    container.app.register_department(D1, "就业促进处", None, ADMIN)
    enterprise_id, _ = container.app.register_enterprise(register_command(), ADMIN)
    container.app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
    return enterprise_id


def _issue(container: Container, clock: FixedClock, enterprise_id: object, steps: int,
           gaps: list[int]) -> int:  # fmt: skip
    """Raise an issue and take it `steps` steps towards CLOSED, `gaps` days between steps."""
    app = container.app
    cmd = RaiseDemand(enterprise_id=enterprise_id, category="RECRUITMENT", title="招工",  # type: ignore[arg-type]
                      description="需要技工")  # fmt: skip
    issue_id, position = app.raise_demand(cmd, COMMISSIONER)
    actions = [
        lambda: app.dispatch_issue(issue_id, D1, [], SUPERVISOR),
        lambda: app.accept_issue(issue_id, D1, HANDLER),
        lambda: app.resolve_issue(issue_id, D1, "已办结", [], HANDLER),
        lambda: app.approve_closure(issue_id, "同意", SUPERVISOR),
        lambda: app.evaluate_issue(issue_id, "SATISFIED", None, EVALUATOR),
    ]
    for action, gap in zip(actions[:steps], gaps, strict=False):
        clock.advance(days=gap, minutes=7)
        position = action()
    return position


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    histories=st.lists(
        st.tuples(st.integers(0, 5), st.lists(st.integers(0, 40), min_size=5, max_size=5)),
        min_size=1,
        max_size=6,
    ),
    pause=st.integers(0, 20),
)
def test_the_closure_rate_stays_within_zero_and_one(
    container: Container, clock: FixedClock, histories: list[tuple[int, list[int]]], pause: int
) -> None:
    enterprise_id = getattr(container, "_closure_test_enterprise", None)
    if enterprise_id is None:
        enterprise_id = _world(container)
        container._closure_test_enterprise = enterprise_id  # type: ignore[attr-defined]
    position = container.app.last_position()
    for steps, gaps in histories:
        clock.advance(days=pause)
        position = _issue(container, clock, enterprise_id, steps, gaps)
    container.projections.wait_for(position)
    for label in PERIODS:
        period = parse_period(label)
        report = container.views.kpi.report(period.first, period.last, None, clock.now())
        rate = report.closure_rate
        assert rate is None or 0.0 <= rate <= 1.0, (label, report)


def test_closing_an_older_backlog_does_not_lift_the_rate_above_one(
    container: Container, clock: FixedClock
) -> None:
    """Five issues raised in March and closed in April beside one raised in April: the flow
    ratio closed ÷ raised was 6 ÷ 1 in April; the cohort due in April is all six, all closed."""
    enterprise_id = _world(container)
    backlog = []
    for _ in range(5):
        clock.advance(hours=1)
        cmd = RaiseDemand(enterprise_id=enterprise_id, category="OTHER", title="t", description="d")  # type: ignore[arg-type]
        backlog.append(container.app.raise_demand(cmd, COMMISSIONER)[0])
    clock.current = clock.current.replace(month=4, day=1, hour=1)
    position = _issue(container, clock, enterprise_id, 5, [0, 0, 1, 0, 0])
    for issue_id in backlog:
        clock.advance(minutes=10)
        container.app.dispatch_issue(issue_id, D1, [], SUPERVISOR)
        container.app.accept_issue(issue_id, D1, HANDLER)
        container.app.resolve_issue(issue_id, D1, "已办结", [], HANDLER)
        container.app.approve_closure(issue_id, "同意", SUPERVISOR)
        position = container.app.evaluate_issue(issue_id, "SATISFIED", None, EVALUATOR)
    container.projections.wait_for(position)
    april = container.views.kpi.report(date(2025, 4, 1), date(2025, 4, 30), None, clock.now())
    assert (april.issues_raised, april.issues_closed) == (1, 6)
    assert april.closure_rate == 1.0
    march = container.views.kpi.report(date(2025, 3, 1), date(2025, 3, 31), None, clock.now())
    assert march.closure_rate is None  # nothing was due in March
