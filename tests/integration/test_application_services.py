"""The application services on the real PostgreSQL: lifecycles, idempotency, races, upcasting."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent

from application.enterprises import LogVisit
from application.issues import RaiseDemand, SubmitDirectReport
from domain.enterprise import EnterpriseRelationship
from domain.shared import Actor, DomainError, IdempotencyKeyReused, NotFound
from infra.bootstrap import Container, bootstrap
from tests.builders import ADMIN, register_command, visits_of
from tests.conftest import FixedClock

COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
HANDLER = Actor("d-001", "就业处经办", "DEPARTMENT")
OTHER_SUPERVISOR = Actor("s-002", "督导2", "SUPERVISOR")
KEYED_VISIT_AT = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)  # after FixedClock's start


def _enterprise_with_commissioner(container: Container) -> Any:
    enterprise_id, _ = container.app.register_enterprise(register_command(), ADMIN)
    container.app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
    return enterprise_id


def _visit(
    container: Container,
    enterprise_id: Any,
    clock: FixedClock,
    key: str | None = None,
    actor: Actor | None = None,
    summary: str = "了解用工需求",
):
    clock.advance(hours=3)  # the visit happened after the relationship opened
    return container.app.log_visit(
        LogVisit(
            enterprise_id=enterprise_id,
            # a keyed repeat is the same request: the same instant, however late it is sent
            visited_at=KEYED_VISIT_AT if key else clock.now() - timedelta(hours=2),
            channel="ON_SITE",
            attendees=["王小明", "专员1"],
            summary=summary,
            topics=["用工"],
            policies_explained=[],
            idempotency_key=key,
        ),
        actor or COMMISSIONER,
    )


def _demand(container: Container, enterprise_id: Any, key: str | None = None, **kw: Any):
    actor = kw.pop("actor", COMMISSIONER)
    cmd = RaiseDemand(
        enterprise_id=enterprise_id,
        category=kw.pop("category", "RECRUITMENT"),
        title="招聘技工",
        description="需要20名数控技工",
        idempotency_key=key,
        **kw,
    )
    return container.app.raise_demand(cmd, actor)


def _departments(container: Container) -> None:
    container.app.register_department("hrss-employment", "就业促进处", None, ADMIN)
    container.app.register_department("hrss-talent", "人才开发处", None, ADMIN)


def test_a_demand_goes_from_raised_to_closed_and_the_board_follows(
    container: Container, clock: FixedClock
) -> None:
    _departments(container)
    enterprise_id = _enterprise_with_commissioner(container)
    visit_id, _ = _visit(container, enterprise_id, clock)
    issue_id, _ = _demand(container, enterprise_id, visit_id=visit_id)
    app = container.app
    app.dispatch_issue(issue_id, "hrss-employment", ["hrss-talent"], SUPERVISOR)
    clock.advance(hours=1)
    app.accept_issue(issue_id, "hrss-employment", HANDLER)
    app.record_progress(issue_id, "hrss-talent", "已联系职业院校", HANDLER)
    app.resolve_issue(issue_id, "hrss-employment", "已推荐18名技工", ["推荐名单.xlsx"], HANDLER)
    app.approve_closure(issue_id, "核实属实", SUPERVISOR)
    position = app.evaluate_issue(issue_id, "SATISFIED", "满意", OTHER_SUPERVISOR)

    container.projections.wait_for(position)
    [row] = container.views.issue_board.get_many([issue_id])
    assert row.status == "CLOSED"
    assert row.visit_id == visit_id
    assert row.lead_department_id == "hrss-employment"
    assert row.accept_due_at is not None and row.accept_due_at > row.dispatched_at  # type: ignore[operator]
    assert row.satisfaction == "SATISFIED"
    timeline = container.views.issue_board.timelines([issue_id])[issue_id]
    assert [t.type for t in timeline] == [
        "Raised", "Dispatched", "Accepted", "ProgressRecorded", "Resolved",
        "ClosureApproved", "RatingLinkIssued", "Evaluated",
    ]  # fmt: skip
    enterprise = container.views.enterprise_directory.get(enterprise_id)
    assert enterprise is not None and enterprise.open_issue_count == 0
    assert enterprise.visit_count == 1


def test_an_open_demand_counts_on_its_enterprise(container: Container) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    _, position = _demand(container, enterprise_id)
    container.projections.wait_for(position)
    enterprise = container.views.enterprise_directory.get(enterprise_id)
    assert enterprise is not None and enterprise.open_issue_count == 1


def test_a_commissioner_cannot_raise_demands_for_another_commissioners_enterprise(
    container: Container,
) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    """Outside their scope a commissioner is told NotFound, as reads answer (issue 17)."""
    stranger = Actor("c-999", "别人", "COMMISSIONER")
    with pytest.raises(NotFound):
        _demand(container, enterprise_id, actor=stranger)


def test_the_same_idempotency_key_by_the_same_user_returns_the_first_result(
    container: Container,
) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    first = _demand(container, enterprise_id, key="k-1")
    head = container.app.last_position()
    assert _demand(container, enterprise_id, key="k-1") == first
    assert container.app.last_position() == head  # nothing new written
    assert _demand(container, enterprise_id, key="k-2")[0] != first[0]


def test_one_key_with_another_request_is_refused_for_every_keyed_command(
    container: Container, clock: FixedClock
) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    _demand(container, enterprise_id, key="k-1")
    _visit(container, enterprise_id, clock, key="v-1")
    container.app.register_reporting_point("rp-a", "点A", "两江新区", ADMIN)
    reporter = Actor("r-001", "直报员", "REPORTER")
    container.app.submit_direct_report(
        SubmitDirectReport("rp-a", "OTHER", "审批慢", "跑三次", idempotency_key="r-1"), reporter
    )
    head = container.app.last_position()
    for attempt in (
        lambda: _demand(container, enterprise_id, key="k-1", category="OTHER"),
        lambda: _visit(container, enterprise_id, clock, key="v-1", summary="另一次"),
        lambda: container.app.submit_direct_report(
            SubmitDirectReport("rp-a", "OTHER", "审批慢", "另一件事", idempotency_key="r-1"),
            reporter,
        ),
    ):
        with pytest.raises(IdempotencyKeyReused):
            attempt()
    assert container.app.last_position() == head


def test_keys_are_scoped_to_the_caller_their_unit_and_the_target(
    container: Container, clock: FixedClock
) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    other_id, _ = container.app.register_enterprise(register_command(), ADMIN)
    container.app.assign_commissioner(other_id, "c-001", "专员1", None, ADMIN)
    first_visit, _ = _visit(container, enterprise_id, clock, key="v-1")
    second_visit, _ = _visit(container, other_id, clock, key="v-1")
    assert first_visit != second_visit  # the same key on another enterprise: another visit
    for point in ("rp-a", "rp-b"):
        container.app.register_reporting_point(point, f"点{point}", "两江新区", ADMIN)
    reporter = Actor("r-001", "直报员", "REPORTER")
    report = SubmitDirectReport("rp-a", "OTHER", "审批慢", "跑三次", idempotency_key="r-1")
    at_a, _ = container.app.submit_direct_report(report, reporter)
    at_b, _ = container.app.submit_direct_report(
        SubmitDirectReport("rp-b", "OTHER", "审批慢", "跑三次", idempotency_key="r-1"), reporter
    )
    assert at_a != at_b  # the same sub at another point never gets the first point's issue


def test_idempotency_survives_a_restart(container: Container, clock: FixedClock) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    first_visit = _visit(container, enterprise_id, clock, key="visit-1")
    first_demand = _demand(container, enterprise_id, key="demand-1")
    restarted = bootstrap(container.settings, clock=clock, address=container.address)
    try:
        head = restarted.app.last_position()
        assert _visit(restarted, enterprise_id, clock, key="visit-1") == first_visit
        assert _demand(restarted, enterprise_id, key="demand-1") == first_demand
        assert restarted.app.last_position() == head
    finally:
        restarted.close()


def test_a_direct_report_is_submitted_by_a_registered_point(container: Container) -> None:
    container.app.register_reporting_point("rp-liangjiang", "两江新区直报点", "两江新区", ADMIN)
    reporter = Actor("r-001", "直报员", "REPORTER")
    issue_id, position = container.app.submit_direct_report(
        SubmitDirectReport("rp-liangjiang", "BUSINESS_ENVIRONMENT", "审批慢", "社保登记需跑三次"),
        reporter,
    )
    container.projections.wait_for(position)
    [row] = container.views.issue_board.get_many([issue_id])
    assert (row.kind, row.district, row.reporting_point_id) == (
        "DIRECT_REPORT", "两江新区", "rp-liangjiang",
    )  # fmt: skip


def test_dispatching_to_an_unregistered_department_is_refused_naming_the_field(
    container: Container,
) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    issue_id, _ = _demand(container, enterprise_id)
    head = container.app.last_position()
    with pytest.raises(DomainError) as error:
        container.app.dispatch_issue(issue_id, "no-such-dept", [], SUPERVISOR)
    assert error.value.field == "leadDepartmentId"
    assert container.app.last_position() == head


def test_two_concurrent_conflicting_commands_one_wins_and_nothing_is_lost(
    container: Container,
) -> None:
    _departments(container)
    enterprise_id = _enterprise_with_commissioner(container)
    for _ in range(5):  # repeat: a race that happens to serialise proves little
        issue_id, _ = _demand(container, enterprise_id)
        outcomes = _race(
            lambda: container.app.dispatch_issue(issue_id, "hrss-employment", [], SUPERVISOR),  # noqa: B023
            lambda: container.app.decline_issue(issue_id, "不属于人社职能", OTHER_SUPERVISOR),  # noqa: B023
        )
        assert outcomes.count("ok") == 1, outcomes
        assert set(outcomes) - {"ok"} <= {"InvalidTransition", "Conflict"}, outcomes
        issue = container.app.get_issue(issue_id)
        assert issue.version == 2  # Raised + exactly one of Dispatched / Declined
        assert issue.status.value in ("DISPATCHED", "DECLINED")


def _race(*commands: Any) -> list[str]:
    """Run the commands at the same moment; each outcome is "ok" or the refusal's name."""
    barrier = threading.Barrier(len(commands))
    outcomes: list[str] = []

    def attempt(command: Any) -> None:
        barrier.wait()
        try:
            command()
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in commands]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_a_version_1_visit_without_a_channel_is_read_back_as_version_2_on_site(
    container: Container, clock: FixedClock
) -> None:
    enterprise_id = _enterprise_with_commissioner(container)
    app = container.app
    enterprise: EnterpriseRelationship = app.get_enterprise(enterprise_id)
    # The event as the first release stored it: no channel, no class_version.
    clock.advance(days=2)
    v1_state = {
        "timestamp": clock.now(),
        "visit_id": "legacy-visit-1",
        "visited_at": clock.now() - timedelta(days=1),
        "attendees": ["王小明"],
        "topics": [],
        "policies_explained": [],
        "summary": "旧系统迁移的走访",
        "follow_ups": [],
        "next_visit_on": None,
        "commissioner_id": "c-001",
        "actor": COMMISSIONER,
    }
    payload = app.mapper.transcoder.encode(v1_state)
    if app.mapper.compressor:
        payload = app.mapper.compressor.compress(payload)
    if app.mapper.cipher:
        payload = app.mapper.cipher.encrypt(payload)
    topic = "domain.enterprise:EnterpriseRelationship.VisitLogged"
    app.recorder.insert_events([StoredEvent(enterprise_id, enterprise.version + 1, topic, payload)])

    reread: EnterpriseRelationship = app.get_enterprise(enterprise_id)
    assert reread.visit("legacy-visit-1")["channel"] == "ON_SITE"  # type: ignore[index]
    assert visits_of(app, enterprise_id)["legacy-visit-1"]["channel"] == "ON_SITE"
    [event] = list(app.events.get(enterprise_id, gt=enterprise.version))
    assert type(event).class_version == 2
    assert event.channel == "ON_SITE"  # type: ignore[attr-defined]
