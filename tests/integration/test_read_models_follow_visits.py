"""The read models keep visits in their own tables (not in memory): whatever the corrections,
their rows agree with the aggregate, live, after a restart and after a full rebuild."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from application.enterprises import LogVisit
from domain.shared import Actor
from infra.bootstrap import Container, bootstrap
from projection_runtime.admin import rebuild
from tests.builders import ADMIN, register_command, visits_of
from tests.conftest import FixedClock

ZHANG = Actor("c-zhang", "张专员", "COMMISSIONER")
LI = Actor("c-li", "李专员", "COMMISSIONER")


def _log(
    container: Container, enterprise_id: UUID, actor: Actor, hours_ago: float, next_in: int = 30
) -> str:
    visit_id, _ = container.app.log_visit(
        LogVisit(
            enterprise_id=enterprise_id,
            visited_at=container.app.now() - timedelta(hours=hours_ago),
            channel="ON_SITE",
            attendees=["王小明"],
            summary=f"走访 {hours_ago}",
            next_visit_on=(container.app.now() + timedelta(days=next_in)).date(),
        ),
        actor,
    )
    return visit_id


def a_history(container: Container, clock: FixedClock) -> UUID:
    """Visits by two commissioners, a handover, a tie, and corrections that move the latest
    visit back, another forward, drop a planned next visit and change a channel."""
    enterprise_id, _ = container.app.register_enterprise(register_command(), ADMIN)
    container.app.assign_commissioner(enterprise_id, ZHANG.id, ZHANG.name, None, ADMIN)
    clock.advance(days=10)
    v1 = _log(container, enterprise_id, ZHANG, 48)
    v2 = _log(container, enterprise_id, ZHANG, 24, next_in=20)
    v3 = _log(container, enterprise_id, ZHANG, 24, next_in=40)  # v2's moment, logged later
    assert_directory_agrees(container, enterprise_id)  # v3 is the latest
    correct = container.app.correct_visit
    correct(enterprise_id, v3, {"visited_at": clock.now() - timedelta(hours=72)}, "记错", ADMIN)
    assert_directory_agrees(container, enterprise_id)  # moved back: v2 is the latest
    correct(enterprise_id, v2, {"next_visit_on": None, "channel": "PHONE"}, "改", ADMIN)
    container.app.assign_commissioner(enterprise_id, LI.id, LI.name, "工作调整", ADMIN)
    clock.advance(days=1)
    v4 = _log(container, enterprise_id, LI, 30)
    correct(enterprise_id, v1, {"visited_at": clock.now() - timedelta(hours=1)}, "记错", ADMIN)
    correct(enterprise_id, v4, {"summary": "补充纪要", "attendees": ["赵六"]}, "补充", ADMIN)
    _log(container, enterprise_id, LI, 0.5, next_in=10)
    _log(container, enterprise_id, LI, 0.5, next_in=50)  # the same moment: this one counts
    container.app.suspend_relationship(enterprise_id, "停产", ADMIN)
    return enterprise_id


def assert_directory_agrees(container: Container, enterprise_id: UUID) -> Any:
    enterprise = container.app.get_enterprise(enterprise_id)
    container.projections.wait_for(container.app.last_position())
    row = container.views.enterprise_directory.get(enterprise_id)
    assert row is not None
    assert (row.visit_count, row.last_visit_at, row.next_visit_due_on) == (
        enterprise.visit_count,
        enterprise.last_visit_at,
        enterprise.next_visit_due_on,
    )
    return row


def assert_read_models_agree(container: Container, enterprise_id: UUID) -> None:
    enterprise = container.app.get_enterprise(enterprise_id)
    row = assert_directory_agrees(container, enterprise_id)
    assert (row.commissioner_id, row.status) == (LI.id, "SUSPENDED")
    visits = visits_of(container.app, enterprise_id)
    assert len(visits) == enterprise.visit_count
    expected = {v: _visible(visit) for v, visit in visits.items()}
    shown = container.views.visit_history.get_many(list(expected))
    assert {r.visit_id: _visible(vars(r)) for r in shown} == expected
    assert _kpi_visits(container) == {
        v: (visit["visited_at"], visit["channel"]) for v, visit in visits.items()
    }


def _visible(visit: dict[str, Any]) -> dict[str, Any]:
    keys = ("visited_at", "channel", "attendees", "summary", "next_visit_on", "commissioner_id")
    return {k: visit[k] for k in keys}


def _kpi_visits(container: Container) -> dict[str, tuple[Any, Any]]:
    with container.app.recorder.datastore.transaction(commit=False) as curs:  # type: ignore[attr-defined]
        curs.execute("SELECT visit_id, visited_at, channel FROM kpi_visits")
        return {r["visit_id"]: (r["visited_at"], r["channel"]) for r in curs.fetchall()}


def test_corrections_that_move_the_latest_visit_are_followed_by_every_view(
    container: Container, clock: FixedClock
) -> None:
    enterprise_id = a_history(container, clock)
    assert_read_models_agree(container, enterprise_id)


def test_a_full_rebuild_gives_the_same_rows(container: Container, clock: FixedClock) -> None:
    enterprise_id = a_history(container, clock)
    container.projections.wait_for(container.app.last_position())
    for name in ("enterprise_directory", "visit_history", "kpi"):
        rebuild(container.catalogue, container.versions, name)
    assert_read_models_agree(container, enterprise_id)


def test_after_a_restart_the_views_carry_on_from_the_stored_state(
    container: Container, clock: FixedClock
) -> None:
    enterprise_id = a_history(container, clock)
    container.projections.wait_for(container.app.last_position())
    container.close()
    # A new process: empty state caches, the next event is the stream's 12th.
    again = bootstrap(container.settings, clock=clock, address=container.address)
    again.projections.start()
    try:
        again.app.resume_relationship(enterprise_id, ADMIN)
        v5 = _log(again, enterprise_id, LI, 0.5)
        again.app.correct_visit(enterprise_id, v5, {"channel": "PHONE"}, "改", ADMIN)
        again.app.suspend_relationship(enterprise_id, "停产", ADMIN)
        assert_read_models_agree(again, enterprise_id)
    finally:
        again.close()
