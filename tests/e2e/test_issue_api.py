"""The issue lifecycle over HTTP: every mutation, and the refusals that matter."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, OTHER_DEPT, REPORTER, SUP, SUP2, World, build_world


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def test_a_demand_is_raised_dispatched_accepted_resolved_approved_and_closed(world: World) -> None:
    issue = world.resolved()
    approved = world.act("approveClosure", f'input: {{issueId: "{issue}", note: "核实属实"}}', SUP)
    assert approved["issue"]["status"] == "AWAITING_EVALUATION"
    closed = world.act(
        "evaluateIssue", f'input: {{issueId: "{issue}", satisfaction: SATISFIED}}', SUP2
    )
    assert closed["issue"]["status"] == "CLOSED"
    assert closed["issue"]["satisfaction"] == "SATISFIED"
    detail = world.ok(
        f'{{ issue(id: "{issue}") {{ leadDepartment {{ id name }} assistingDepartments {{ id }}'
        " enterprise { name } timeline { type actor { id role } note } } }",
        **SUP,
    )["issue"]
    assert detail["leadDepartment"] == {"id": "hrss-employment", "name": "就业促进处"}
    assert detail["assistingDepartments"] == [{"id": "hrss-talent"}]
    assert [t["type"] for t in detail["timeline"]] == [
        "Raised", "Dispatched", "Accepted", "Resolved", "ClosureApproved", "RatingLinkIssued",
        "Evaluated",
    ]  # fmt: skip
    assert detail["timeline"][2]["actor"] == {"id": "d-001", "role": "DEPARTMENT"}


def test_a_dispatch_sets_deadlines_and_is_not_overdue_yet(world: World) -> None:
    issue = world.raise_demand()
    dispatched = world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP
    )
    assert dispatched["issue"]["acceptDueAt"] is not None
    assert dispatched["issue"]["resolveDueAt"] > dispatched["issue"]["acceptDueAt"]
    assert dispatched["issue"]["overdue"] is False


def test_a_department_cannot_refuse_without_a_reason(world: World) -> None:
    issue = world.raise_demand()
    world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP
    )
    error = world.error(
        f'mutation {{ refuseDispatch(input: {{issueId: "{issue}", reason: "  "}}) {{ position }} }}',
        **DEPT,
    )
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "reason"}
    assert error["message"] == "退单必须填写理由"
    refused = world.act(
        "refuseDispatch", f'input: {{issueId: "{issue}", reason: "非本处职能"}}', DEPT
    )
    assert refused["issue"]["status"] == "RAISED"
    assert refused["issue"]["dispatchRefusalCount"] == 1


def test_only_the_lead_department_accepts(world: World) -> None:
    issue = world.raise_demand()
    world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP
    )
    error = world.error(
        f'mutation {{ acceptIssue(issueId: "{issue}") {{ position }} }}', **OTHER_DEPT
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


def test_a_transition_the_diagram_does_not_allow_is_invalid_transition(world: World) -> None:
    issue = world.raise_demand()
    error = world.error(f'mutation {{ acceptIssue(issueId: "{issue}") {{ position }} }}', **DEPT)
    assert error["extensions"]["code"] in ("INVALID_TRANSITION", "FORBIDDEN")
    error = world.error(
        f'mutation {{ approveClosure(input: {{issueId: "{issue}", note: "n"}}) {{ position }} }}',
        **SUP,
    )
    assert error["extensions"]["code"] == "INVALID_TRANSITION"
    assert error["message"] == "不能对处于“已提出”状态的诉求执行审核通过"


def test_the_resolver_cannot_approve_their_own_closure(world: World) -> None:
    issue = world.resolved()
    # The same person (d-001) holding a supervisor token is still the resolver.
    error = world.error(
        f'mutation {{ approveClosure(input: {{issueId: "{issue}", note: "n"}}) {{ position }} }}',
        as_role="SUPERVISOR",
        sub="d-001",
    )
    assert error["extensions"]["code"] == "FORBIDDEN"


def test_suspend_resume_progress_and_rework(world: World) -> None:
    issue = world.dispatched_and_accepted()
    world.act("recordProgress", f'input: {{issueId: "{issue}", note: "已联系学校"}}', DEPT)
    assert (
        world.act("suspendIssue", f'input: {{issueId: "{issue}", reason: "等待企业材料"}}', DEPT)[
            "issue"
        ]["status"]
        == "SUSPENDED"
    )
    assert world.act("resumeIssue", f'issueId: "{issue}"', DEPT)["issue"]["status"] == "IN_PROGRESS"
    world.act(
        "resolveIssue", f'input: {{issueId: "{issue}", resolution: "已办", evidence: []}}', DEPT
    )
    reworked = world.act(
        "returnForRework", f'input: {{issueId: "{issue}", reason: "材料不全"}}', SUP
    )
    assert (reworked["issue"]["status"], reworked["issue"]["reworkCount"]) == ("IN_PROGRESS", 1)


def test_an_unsatisfied_evaluation_reopens_work_and_a_closed_issue_can_be_reopened(
    world: World,
) -> None:
    issue = world.resolved()
    world.act("approveClosure", f'input: {{issueId: "{issue}", note: "ok"}}', SUP)
    unsatisfied = world.act(
        "evaluateIssue",
        f'input: {{issueId: "{issue}", satisfaction: UNSATISFIED, comment: "未解决"}}',
        SUP2,
    )
    assert (unsatisfied["issue"]["status"], unsatisfied["issue"]["reworkCount"]) == (
        "IN_PROGRESS",
        1,
    )
    world.act(
        "resolveIssue", f'input: {{issueId: "{issue}", resolution: "再办", evidence: []}}', DEPT
    )
    world.act("approveClosure", f'input: {{issueId: "{issue}", note: "ok"}}', SUP)
    world.act(
        "evaluateIssue", f'input: {{issueId: "{issue}", satisfaction: BASICALLY_SATISFIED}}', SUP2
    )
    reopened = world.act(
        "reopenIssue", f'input: {{issueId: "{issue}", reason: "企业反映复发"}}', SUP
    )
    assert reopened["issue"]["status"] == "IN_PROGRESS"


def test_decline_escalate_and_reopen_a_declined_issue(world: World) -> None:
    issue = world.raise_demand()
    escalated = world.act(
        "escalateIssue", f'input: {{issueId: "{issue}", level: URGE, note: "请尽快派单"}}', SUP
    )
    assert escalated["issue"]["status"] == "RAISED"
    assert (
        world.act("declineIssue", f'input: {{issueId: "{issue}", reason: "非人社职能"}}', SUP)[
            "issue"
        ]["status"]
        == "DECLINED"
    )
    assert (
        world.act("reopenIssue", f'input: {{issueId: "{issue}", reason: "重新受理"}}', SUP)[
            "issue"
        ]["status"]
        == "RAISED"
    )


def test_the_audit_queue_lists_resolved_issues_oldest_first(world: World) -> None:
    first, second = world.resolved(), world.resolved()
    queue = world.ok("{ auditQueue(first: 10) { totalCount edges { node { id } } } }", **SUP)[
        "auditQueue"
    ]
    assert [e["node"]["id"] for e in queue["edges"]] == [first, second]
    error = world.error("{ auditQueue { totalCount } }", **DEPT)
    assert error["extensions"]["code"] == "FORBIDDEN"


def test_a_department_sees_only_issues_dispatched_to_it(world: World) -> None:
    mine = world.dispatched_and_accepted()
    world.raise_demand()  # not dispatched: invisible to departments
    listed = world.ok("{ issues { totalCount edges { node { id } } } }", **DEPT)["issues"]
    assert [e["node"]["id"] for e in listed["edges"]] == [mine]
    other = world.ok(
        "{ issues { totalCount } }", as_role="DEPARTMENT", sub="d-9", department_id="hrss-other"
    )
    assert other["issues"]["totalCount"] == 0


def test_a_reporter_submits_and_sees_only_its_own_reports(world: World) -> None:
    data = world.ok(
        'mutation { submitDirectReport(input: {category: BUSINESS_ENVIRONMENT, title: "审批慢", description: "社保登记要跑三次"}) { issue { id kind reportingPoint { id name } } } }',
        **REPORTER,
    )["submitDirectReport"]["issue"]
    assert data["kind"] == "DIRECT_REPORT"
    assert data["reportingPoint"] == {"id": "rp-liangjiang", "name": "两江新区直报点"}
    world.raise_demand()
    listed = world.ok("{ issues { totalCount edges { node { id } } } }", **REPORTER)["issues"]
    assert [e["node"]["id"] for e in listed["edges"]] == [data["id"]]
    other = world.error(
        f'{{ issue(id: "{data["id"]}") {{ id }} }}',
        as_role="REPORTER",
        sub="r-2",
        reporting_point_id="rp-other",
    )
    assert other["extensions"]["code"] == "NOT_FOUND"


def test_a_commissioner_sees_the_issues_of_their_enterprises_only(world: World) -> None:
    issue = world.raise_demand()
    assert world.ok("{ issues { totalCount } }", **COMM)["issues"]["totalCount"] == 1
    stranger = {"as_role": "COMMISSIONER", "sub": "c-999"}
    assert world.ok("{ issues { totalCount } }", **stranger)["issues"]["totalCount"] == 0
    assert (
        world.error(f'{{ issue(id: "{issue}") {{ id }} }}', **stranger)["extensions"]["code"]
        == "NOT_FOUND"
    )


def test_raising_a_demand_twice_with_one_key_returns_the_first_result(world: World) -> None:
    query = "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { position issue { id } } }"
    variables = {"i": {"enterpriseId": world.enterprise_id, "category": "OTHER", "title": "t",
                       "description": "d", "idempotencyKey": "demand-42"}}  # fmt: skip
    first = world.ok(query, variables, **COMM)["raiseDemand"]
    again = world.ok(query, variables, **COMM)["raiseDemand"]
    assert again == first
    total = world.ok("{ issues { totalCount } }", **SUP)["issues"]["totalCount"]
    assert total == 1


def test_issue_filters_by_status_and_overdue(world: World) -> None:
    resolved = world.resolved()
    world.raise_demand()
    by_status = world.ok(
        "{ issues(filter: {status: [RESOLVED]}) { edges { node { id } } } }", **SUP
    )
    assert [e["node"]["id"] for e in by_status["issues"]["edges"]] == [resolved]
    overdue = world.ok("{ issues(filter: {overdue: true}) { totalCount } }", **SUP)
    assert overdue["issues"]["totalCount"] == 0


def test_a_supervisor_narrowed_to_districts_cannot_act_on_an_issue_outside_them(
    world: World,
) -> None:
    issue = world.raise_demand()  # the world's enterprise is in 渝北区
    elsewhere = {**SUP, "districts": ["渝中区"]}
    dispatch = (
        f'mutation {{ dispatchIssue(input: {{issueId: "{issue}", '
        'leadDepartmentId: "hrss-employment"}) { position } }'
    )
    error = world.error(dispatch, **elsewhere)
    assert error["extensions"]["code"] == "NOT_FOUND"
    before = world.ok(f'{{ issue(id: "{issue}") {{ status timeline {{ type }} }} }}', **SUP)
    assert before["issue"]["status"] == "RAISED"
    assert [t["type"] for t in before["issue"]["timeline"]] == ["Raised"]
    here = {**SUP, "districts": ["渝中区", "渝北区"]}
    dispatched = world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', here
    )
    assert dispatched["issue"]["status"] == "DISPATCHED"


def test_ordered_by_deadline_the_nearest_comes_first_across_pages(world: World) -> None:
    """An urgent-hiring dispatch (4 hours to accept) raised last comes before two ordinary
    dispatches; a resolved issue (waiting for audit) has no deadline and comes last."""
    ordinary = [world.raise_demand(title=f"招聘{n}") for n in range(2)]
    urgent = world.raise_demand(category="URGENT_HIRING", title="急招焊工")
    done = world.resolved()
    for issue in (*ordinary, urgent):
        world.act("dispatchIssue",
                  f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP)  # fmt: skip
    seen, after = [], None
    query = """query($after: String) { issues(first: 1, after: $after, orderBy: DEADLINE) {
      edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    while True:
        page = world.ok(query, {"after": after}, **SUP)["issues"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen[0] == urgent
    assert seen[1:3] == ordinary
    assert seen[-1] == done and len(seen) == 4
