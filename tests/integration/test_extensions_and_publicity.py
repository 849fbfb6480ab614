"""Extensions (延期申请) and publicity activities (政策宣传服务活动) through the application, the
projections and the deadline watcher on the real PostgreSQL.

Issue X: demand in 渝中区, dispatched Mon 2025-03-03 09:00 to D1 (resolve due Mar 17 09:00 on
the official calendar), extension approved to Mar 21 09:00, resolved Mar 19: late against the
original deadline, on time against the extended one. Issue Y: extension requested, refused."""

from __future__ import annotations

from datetime import date, datetime

from application.issues import RaiseDemand
from application.publicity import LogActivity
from domain.shared import BEIJING_TIME, Actor
from infra.bootstrap import Container
from tests.builders import ADMIN, a_valid_uscc, register_command
from tests.conftest import FixedClock

D1 = "hrss-employment"
C1 = Actor("c-001", "专员1", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
HANDLER = Actor("d-001", "经办人", "DEPARTMENT")
MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING_TIME)


def _enterprise(container: Container, n: int, district: str = "渝中区") -> str:
    app = container.app
    enterprise_id, _ = app.register_enterprise(
        register_command(uscc=a_valid_uscc(n), district=district), ADMIN
    )
    app.assign_commissioner(enterprise_id, C1.id, C1.name, None, ADMIN)
    return str(enterprise_id)


def _accepted_demand(container: Container, enterprise_id: str) -> object:
    app = container.app
    issue_id, _ = app.raise_demand(
        RaiseDemand(enterprise_id=enterprise_id, category="RECRUITMENT", title="招工",  # type: ignore[arg-type]
                    description="缺20人"), C1,
    )  # fmt: skip
    app.dispatch_issue(issue_id, D1, [], SUPERVISOR)
    app.accept_issue(issue_id, D1, HANDLER)
    return issue_id


def test_an_approved_extension_moves_the_deadline_and_kpis_judge_both(
    container: Container, clock: FixedClock
) -> None:
    app = container.app
    clock.current = cst("2025-03-03T09:00:00")
    app.register_department(D1, "就业促进处", None, ADMIN)
    enterprise = _enterprise(container, 1)
    x = _accepted_demand(container, enterprise)
    y = _accepted_demand(container, enterprise)
    original = app.get_issue(x).deadlines(app.sla, app.calendar).resolve_due_at  # type: ignore[arg-type]
    assert original == cst("2025-03-17T09:00:00")

    clock.current = cst("2025-03-10T10:00:00")
    app.request_extension(x, D1, "需外省协查", None, HANDLER)  # type: ignore[arg-type]
    app.request_extension(y, D1, "材料未齐", None, HANDLER)  # type: ignore[arg-type]
    clock.current = cst("2025-03-11T10:00:00")
    app.approve_extension(x, cst("2025-03-21T09:00:00"), "同意", SUPERVISOR)  # type: ignore[arg-type]
    app.refuse_extension(y, "理由不充分", SUPERVISOR)  # type: ignore[arg-type]

    # The watcher urges Y at its own deadline, X not before the extended one.
    watcher = container.deadline_watcher()
    watcher.tick(cst("2025-03-18T09:00:00"))
    assert [e.level for e in app.get_issue(y).escalations] == ["URGE"]  # type: ignore[arg-type]
    assert app.get_issue(x).escalations == ()  # type: ignore[arg-type]

    clock.current = cst("2025-03-19T10:00:00")
    position = app.resolve_issue(x, D1, "已招到", [], HANDLER)  # type: ignore[arg-type]
    container.views.wait_for(position, timeout=10)
    board = container.views.issue_board.get_many([x])[0]  # type: ignore[list-item]
    assert board.resolve_due_at == cst("2025-03-21T09:00:00")

    report = container.views.kpi.report(*MARCH, None, cst("2025-04-30T12:00:00"))
    assert report.extensions_requested == 2 and report.extensions_approved == 1
    # X: on time against the extension, late against the original; Y: late (never resolved).
    assert report.on_time_resolve_rate == 1 / 2
    assert report.on_time_resolve_rate_original == 0 / 2
    [per_department] = container.views.kpi.extensions_by_department(*MARCH, "渝中区")
    assert (per_department.department_id, per_department.requested) == (D1, 2)
    assert (per_department.approved, per_department.refused) == (1, 1)


def test_publicity_activities_count_toward_the_year_by_district_and_show_in_each_history(
    container: Container, clock: FixedClock
) -> None:
    app = container.app
    clock.current = cst("2025-03-10T09:00:00")
    e1, e2, e3 = (
        _enterprise(container, 1),
        _enterprise(container, 2),
        _enterprise(container, 3, "江北区"),
    )

    def log(kind: str, district: str, enterprises: list[str], day: int) -> tuple[object, int]:
        cmd = LogActivity(kind=kind, title=f"{kind}活动", held_on=date(2025, 3, day),
                          district=district, policy_codes=[], enterprise_ids=enterprises)  # fmt: skip
        return app.log_activity(cmd, C1)

    log("JOB_FAIR", "渝中区", [e1, e2], 1)
    log("SEMINAR", "渝中区", [e1], 2)
    log("POLICY_BRIEFING", "江北区", [e3], 3)
    wrong, _ = log("VOLUNTEER_SERVICE", "江北区", [e1, e2, e3], 4)
    position = app.cancel_activity(wrong, "重复登记", C1)  # type: ignore[arg-type]
    container.views.wait_for(position, timeout=10)

    view = container.views.publicity
    [total] = view.counts(2025, None)
    assert (total.activities, total.enterprises_reached) == (3, 3)
    by = {
        c.district: (c.activities, c.enterprises_reached)
        for c in view.counts(2025, ["渝中区", "江北区", "万州区"])
    }
    assert by == {"渝中区": (2, 2), "江北区": (1, 1), "万州区": (0, 0)}
    assert view.counts(2024, None)[0].activities == 0
    history = view.for_enterprises([e1, e3])
    assert [a.kind for a in history[e1]] == ["SEMINAR", "JOB_FAIR"]  # newest first
    assert [a.kind for a in history[e3]] == ["POLICY_BRIEFING"]
    assert len(view.activities(date(2025, 3, 1), date(2025, 3, 31), "渝中区")) == 2
