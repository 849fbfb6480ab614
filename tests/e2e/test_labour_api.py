"""From a visit to a demand to its placements (用工需求), over HTTP: the commissioner records
the labour situation on a visit, turns an urgent line into a demand, the department closes it
with the people placed; the needs, the history and the demand map show it to those who may."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, REPORTER, SUP, World, build_world

NEEDS = (
    "needs { current { recordId visitId employees shortfall shortfallNote corrections"
    " lines { lineId occupationCode occupation count open demandIssueId"
    " placement { placed channel channelLabel issueId } } } history { recordId } }"
)
RECORD = f"mutation($i: RecordLabourInput!) {{ recordLabour(input: $i) {{ recordId {NEEDS} }} }}"
MAP = (
    "query($p: String!, $d: LabourDimension!) { labourMap(period: $p, dimension: $d) {"
    " period rows { key label shortfall openVacancies previousShortfall shortfallChange"
    " placed enterprises } } }"
)


@pytest.fixture
def world(api: Client, clock: FixedClock) -> World:
    built = build_world(api)
    clock.advance(hours=2)
    return built


def _visit(world: World, clock: FixedClock) -> str:
    visited_at = (clock.now() - timedelta(hours=1)).isoformat()
    data = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": visited_at, "channel": "ON_SITE",
               "attendees": ["王小明"], "topics": ["扩产用工"], "summary": "企业新接订单，缺焊工"}},
        **COMM,
    )  # fmt: skip
    return str(data["logVisit"]["visit"]["id"])


def _situation(world: World, visit_id: str, **change: Any) -> dict[str, Any]:
    return {
        "enterpriseId": world.enterprise_id, "visitId": visit_id, "employees": 300,
        "shortfall": 12, "shortfallNote": "另有2个季节性岗位未发布",
        "lines": [
            {"occupationCode": "OCC-WELDER", "count": 8, "wageMin": 6500, "wageMax": 9500,
             "skillLevel": "LEVEL_4", "neededBy": "2025-04-01"},
            {"occupationCode": "OCC-CNC-MACHINIST", "count": 2},
        ],
        **change,
    }  # fmt: skip


def test_from_a_visit_to_a_demand_to_its_placements(world: World, clock: FixedClock) -> None:
    visit_id = _visit(world, clock)
    bad = world.error(RECORD, {"i": _situation(world, visit_id, shortfall=-1)}, **COMM)
    assert bad["extensions"]["code"] == "INVALID_INPUT" and "缺工人数" in bad["message"]
    recorded = world.ok(RECORD, {"i": _situation(world, visit_id)}, **COMM)["recordLabour"]
    current = recorded["needs"]["current"]
    assert (current["visitId"], current["shortfall"]) == (visit_id, 12)
    welder, cnc = current["lines"]
    assert (welder["occupation"], welder["open"]) == ("焊工", True)

    # One step from the vacancy line to an urgent-hiring demand; a repeat gives the same one.
    raise_it = {"i": {"enterpriseId": world.enterprise_id, "lineId": welder["lineId"],
                      "category": "URGENT_HIRING", "idempotencyKey": "k-welder"}}  # fmt: skip
    query = (
        "mutation($i: RaiseVacancyDemandInput!) { raiseVacancyDemand(input: $i) {"
        " issue { id status category title } } }"
    )
    raised = world.ok(query, raise_it, **COMM)["raiseVacancyDemand"]["issue"]
    assert raised["status"] == "RAISED" and "焊工" in raised["title"]
    assert world.ok(query, raise_it, **COMM)["raiseVacancyDemand"]["issue"]["id"] == raised["id"]
    issue = raised["id"]
    world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP
    )
    world.act("acceptIssue", f'issueId: "{issue}"', DEPT)
    closed = world.act(
        "resolveHiringDemand",
        f'input: {{issueId: "{issue}", resolution: "劳务协作输送8名焊工", placed: 8,'
        " channel: LABOUR_COOPERATION}",
        DEPT,
    )
    assert closed["issue"]["status"] == "RESOLVED"

    # The needs show the line filled through the demand, the other still open.
    needs = world.ok(
        f'query {{ labourNeeds(enterpriseId: "{world.enterprise_id}") {{ {NEEDS[8:-2]} }} }}',
        **COMM,
    )["labourNeeds"]
    welder_now, cnc_now = needs["current"]["lines"]
    assert welder_now["placement"] == {
        "placed": 8, "channel": "LABOUR_COOPERATION", "channelLabel": "劳务协作", "issueId": issue
    }  # fmt: skip
    assert (welder_now["demandIssueId"], cnc_now["open"]) == (issue, True)
    again = world.error(
        "mutation($i: FillVacancyInput!) { fillVacancy(input: $i) { position } }",
        {"i": {"enterpriseId": world.enterprise_id, "lineId": welder["lineId"], "placed": 1,
               "channel": "JOB_FAIR"}},
        **COMM,
    )  # fmt: skip
    assert again["extensions"]["code"] == "INVALID_TRANSITION"

    # The map: 12 short less the 8 placed; the open line of 2 CNC machinists.
    rows = world.ok(MAP, {"p": "2025-03", "d": "DISTRICT"}, **SUP)["labourMap"]["rows"]
    assert rows == [
        {"key": "渝北区", "label": "渝北区", "shortfall": 4, "openVacancies": 2,
         "previousShortfall": 0, "shortfallChange": 4, "placed": 8, "enterprises": 1}
    ]  # fmt: skip
    top = world.ok(
        '{ topShortageOccupations(period: "2025-Q1", first: 3) { label openVacancies } }', **SUP
    )["topShortageOccupations"]
    assert top == [{"label": "数控车工", "openVacancies": 2}]
    assert cnc["lineId"] == cnc_now["lineId"]


def test_labour_data_is_seen_only_by_those_who_may(world: World, clock: FixedClock) -> None:
    visit_id = _visit(world, clock)
    world.ok(RECORD, {"i": _situation(world, visit_id)}, **COMM)
    query = (
        f'{{ labourNeeds(enterpriseId: "{world.enterprise_id}") {{ current {{ shortfall }} }} }}'
    )
    assert world.ok(query, **SUP)["labourNeeds"]["current"]["shortfall"] == 12
    for who in (DEPT, {"as_role": "COMMISSIONER", "sub": "c-999"}):
        assert world.error(query, **who)["extensions"]["code"] == "NOT_FOUND"
    other = {"as_role": "COMMISSIONER", "sub": "c-999"}
    assert world.ok(MAP, {"p": "2025-03", "d": "INDUSTRY"}, **other)["labourMap"]["rows"] == []
    assert (
        world.error(MAP, {"p": "2025-03", "d": "OCCUPATION"}, **REPORTER)["extensions"]["code"]
        == "FORBIDDEN"
    )
    record_id = world.ok(query.replace("shortfall", "recordId"), **COMM)["labourNeeds"]
    situation = _situation(world, visit_id, shortfall=10, shortfallNote=None)
    del situation["visitId"]
    corrected = world.ok(
        "mutation($i: CorrectLabourInput!) { correctLabour(input: $i) { needs { current {"
        " shortfall corrections } history { recordId } } } }",
        {
            "i": {
                **situation,
                "recordId": record_id["current"]["recordId"],
                "reason": "季节岗位取消",
            }
        },
        **COMM,
    )["correctLabour"]["needs"]
    assert corrected["current"] == {"shortfall": 10, "corrections": 1}
    assert len(corrected["history"]) == 1
