"""History over HTTP: as-of answers equal the answers captured live at those moments, a
published league table stays as published, and who may read an audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from projections.league_table import MIN_SAMPLE_VARIABLE
from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, SUP, SUP2, World, build_world

ADMIN = {"as_role": "ADMIN", "sub": "a-001"}
ISSUE = """query($id: ID!, $at: DateTime) { issue(id: $id, asOf: $at) { id status reworkCount
  dispatchRefusalCount satisfaction resolvedAt closedAt acceptDueAt resolveDueAt
  timeline { type at } } }"""
ENTERPRISE = """query($id: ID!, $at: DateTime) { enterprise(id: $id, asOf: $at) { id name status
  visitCount lastVisitAt nextVisitDueOn openIssueCount contacts { name phone }
  commissioner { id name } } }"""
KPIS = """query($at: DateTime) { kpis(from: "2025-03-01", to: "2025-03-31", district: "渝北区",
  asOf: $at) { visitCount enterprisesServed issuesRaised issuesClosed closureRate reworks
  onTimeAcceptRate onTimeResolveRate satisfactionRate } }"""
LEAGUE = """query($at: DateTime) { leagueTable(period: "2025-03", asOf: $at) { rows { rank
  district score kpis { issuesRaised reworks satisfactionRate } } } }"""
TRAIL = """query($id: ID!, $first: Int, $after: String) { auditTrail(streamId: $id, first: $first,
  after: $after) { streamType totalCount pageInfo { hasNextPage endCursor } edges { node {
  version type label at actor { id name role roleLabel requestId clientApp }
  changes { field before after } } } } }"""


@pytest.fixture(autouse=True)
def rates_on_a_single_case_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIN_SAMPLE_VARIABLE, "1")


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def answers(world: World, issue: str, at: str | None) -> dict[str, Any]:
    return {
        "issue": world.ok(ISSUE, {"id": issue, "at": at}, **ADMIN)["issue"],
        "enterprise": world.ok(ENTERPRISE, {"id": world.enterprise_id, "at": at}, **ADMIN),
        "kpis": world.ok(KPIS, {"at": at}, **SUP)["kpis"],
        "league": world.ok(LEAGUE, {"at": at}, **SUP)["leagueTable"],
    }


def test_as_of_answers_equal_the_answers_captured_live_at_each_moment(
    world: World, clock: FixedClock
) -> None:
    before_raised = clock.now().isoformat()
    clock.advance(minutes=5)
    issue = world.raise_demand()
    steps = [
        [("dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP),
         ("acceptIssue", f'issueId: "{issue}"', DEPT)],
        [("resolveIssue", f'input: {{issueId: "{issue}", resolution: "初步处理", evidence: []}}', DEPT),
         ("returnForRework", f'input: {{issueId: "{issue}", reason: "证据不足"}}', SUP)],
        [("resolveIssue", f'input: {{issueId: "{issue}", resolution: "已推荐技工", evidence: []}}', DEPT),
         ("approveClosure", f'input: {{issueId: "{issue}", note: "ok"}}', SUP),
         ("evaluateIssue", f'input: {{issueId: "{issue}", satisfaction: SATISFIED}}', SUP2)],
    ]  # fmt: skip
    live: dict[str, dict[str, Any]] = {}
    for moment in steps:
        for mutation, argument, who in moment:
            clock.advance(hours=1)
            world.act(mutation, argument, who)
        live[clock.now().isoformat()] = answers(world, issue, None)
    clock.advance(hours=1)
    visit = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": "2025-03-03T18:00:00+08:00",
               "channel": "ON_SITE", "attendees": ["李四"], "topics": ["用工"], "summary": "走访",
               "nextVisitOn": "2025-04-01"}},
        **COMM,
    )["logVisit"]["visit"]["id"]  # fmt: skip
    clock.advance(hours=1)
    world.ok(
        "mutation($i: CorrectVisitInput!) { correctVisit(input: $i) { position } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitId": visit, "reason": "日期记错",
               "visitedAt": "2025-03-03T19:00:00+08:00", "nextVisitOn": "2025-05-01"}},
        **COMM,
    )  # fmt: skip
    live[clock.now().isoformat()] = answers(world, issue, None)

    clock.advance(days=2)  # later: the live answers have moved on; history has not
    assert answers(world, issue, None) != live[min(live)]
    for moment, captured in live.items():
        assert answers(world, issue, moment) == captured, moment
    # Before the issue was raised it did not exist; the future is not history.
    error = world.error(ISSUE, {"id": issue, "at": before_raised})
    assert error["extensions"]["code"] == "NOT_FOUND"
    future = (clock.now() + timedelta(days=1)).isoformat()
    error = world.error(ISSUE, {"id": issue, "at": future})
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("INVALID_INPUT", "asOf")


def test_a_published_league_table_keeps_its_figures_and_shows_what_moved_since(
    world: World, clock: FixedClock
) -> None:
    issue = world.resolved()
    publish = 'mutation { publishLeagueTable(period: "2025-03") { period rows { district rank } } }'
    published = world.ok(publish, **SUP)["publishLeagueTable"]
    assert published["period"] == "2025-03"
    home_then = next(r for r in published["rows"] if r["district"] == "渝北区")
    again = world.error(publish, **SUP)
    assert again["extensions"]["code"] == "CONFLICT"
    clock.advance(hours=1)  # a late evaluation changes the live figures
    world.act("approveClosure", f'input: {{issueId: "{issue}", note: "ok"}}', SUP)
    world.act("evaluateIssue", f'input: {{issueId: "{issue}", satisfaction: SATISFIED}}', SUP2)
    table = world.ok(
        """{ leagueTable(period: "2025-03") { rows { district rank score }
        published { publishedBy { id roleLabel } rows { district rank score }
        moves { district publishedRank liveRank rates { kpi published live } } } } }""",
        **SUP,
    )["leagueTable"]
    assert table["published"]["publishedBy"] == {"id": "s-001", "roleLabel": "督导员"}
    home = next(r for r in table["published"]["rows"] if r["district"] == "渝北区")
    assert home["rank"] == home_then["rank"]
    [moved] = [m for m in table["published"]["moves"] if m["district"] == "渝北区"]
    assert {r["kpi"] for r in moved["rates"]} >= {"satisfaction_rate"}
    assert moved["liveRank"] == 1


def test_only_supervisors_and_admins_read_audit_trails_a_narrowed_one_of_their_districts(
    world: World,
) -> None:
    issue = world.raise_demand()
    for who in (COMM, DEPT):
        error = world.error(TRAIL, {"id": world.enterprise_id}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN", who
    home = {**SUP, "districts": ["渝北区"]}
    elsewhere = {**SUP, "districts": ["渝中区"]}
    assert world.ok(TRAIL, {"id": issue}, **home)["auditTrail"]["totalCount"] == 1
    for stream in (issue, world.enterprise_id):
        error = world.error(TRAIL, {"id": stream}, **elsewhere)
        assert error["extensions"]["code"] == "NOT_FOUND"


def test_the_audit_trail_names_the_request_and_client_and_masks_contacts_for_a_supervisor(
    api: Client, world: World
) -> None:
    response = api.post(
        'mutation { suspendEnterprise(input: {enterpriseId: "%s", reason: "停产"}) { position } }'
        % world.enterprise_id,
        None,
        token=api.token("ADMIN", "a-001"),
        headers={"X-Request-Id": "req-42", "X-Client-App": "console/1.4.2"},
    )
    assert "errors" not in response.json(), response.text
    trail = world.ok(TRAIL, {"id": world.enterprise_id, "first": 10}, **SUP)["auditTrail"]
    assert trail["streamType"] == "EnterpriseRelationship"
    opened, *_, suspended = [e["node"] for e in trail["edges"]]
    assert opened["label"] == "建立服务关系"
    contacts = next(c for c in opened["changes"] if c["field"] == "contacts")
    assert "13812345678" not in contacts["after"] and "138****5678" in contacts["after"]
    assert suspended["actor"]["requestId"] == "req-42"
    assert suspended["actor"]["clientApp"] == "console/1.4.2"
    assert suspended["at"].endswith("+08:00")
    full = world.ok(TRAIL, {"id": world.enterprise_id, "first": 1}, **ADMIN)["auditTrail"]
    assert any("13812345678" in (c["after"] or "") for c in full["edges"][0]["node"]["changes"])
    assert full["pageInfo"]["hasNextPage"] is True
    bad = api.post("{ me { id } }", None, token=api.token("ADMIN", "a-001"),
                   headers={"X-Client-App": "<script>"}).json()["errors"][0]  # fmt: skip
    assert (bad["extensions"]["code"], bad["extensions"]["field"]) == (
        "INVALID_INPUT",
        "X-Client-App",
    )


def test_an_issue_as_of_a_moment_is_overdue_as_it_was_then_and_an_enterprises_lists_are_refused(
    world: World, clock: FixedClock
) -> None:
    issue = world.raise_demand(category="URGENT_HIRING", title="急招焊工")
    world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP
    )
    in_time = clock.now().isoformat()
    clock.advance(hours=5)  # past the 4 clock hours to accept an urgent-hiring dispatch
    query = "query($id: ID!, $at: DateTime) { issue(id: $id, asOf: $at) { status overdue } }"
    assert world.ok(query, {"id": issue, "at": None}, **SUP)["issue"]["overdue"] is True
    assert world.ok(query, {"id": issue, "at": in_time}, **SUP)["issue"] == {
        "status": "DISPATCHED", "overdue": False,
    }  # fmt: skip
    lists = world.error(
        "query($id: ID!, $at: DateTime) { enterprise(id: $id, asOf: $at) { name issues { totalCount } } }",
        {"id": world.enterprise_id, "at": in_time}, **SUP,
    )  # fmt: skip
    assert lists["extensions"] == {"code": "INVALID_INPUT", "field": "issues"}
