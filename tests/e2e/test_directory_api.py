"""`departments`, `reportingPoints`, `commissioners` with their counts, each filtered to what
the caller may see (issue 17, reads people need)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, OTHER_DEPT, REPORTER, SUP, World, build_world

DEPARTMENTS = "{ departments { id name district openIssueCount enterprisesServed } }"
POINTS = "{ reportingPoints { id name district openIssueCount enterprisesServed } }"
COMMISSIONERS = "{ commissioners { id name openIssueCount enterprisesServed } }"


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def test_departments_count_their_open_issues_and_enterprises(world: World) -> None:
    world.dispatched_and_accepted()  # lead hrss-employment, assisting hrss-talent
    world.raise_demand()  # raised, not dispatched: no department's yet
    by_id = {d["id"]: d for d in world.ok(DEPARTMENTS, **SUP)["departments"]}
    assert by_id["hrss-employment"] == {
        "id": "hrss-employment", "name": "就业促进处", "district": None,
        "openIssueCount": 1, "enterprisesServed": 1,
    }  # fmt: skip
    assert by_id["hrss-talent"]["openIssueCount"] == 1
    assert [d["id"] for d in world.ok(DEPARTMENTS, **OTHER_DEPT)["departments"]] == ["hrss-talent"]
    assert world.ok(DEPARTMENTS, **REPORTER)["departments"] == []
    narrowed = world.ok(DEPARTMENTS, as_role="SUPERVISOR", sub="s-9", districts=["万州区"])
    assert {d["openIssueCount"] for d in narrowed["departments"]} == {0}


def test_reporting_points_count_their_open_reports_for_those_who_may_see_them(
    world: World,
) -> None:
    world.ok(
        'mutation { submitDirectReport(input: {category: BUSINESS_ENVIRONMENT, title: "审批慢",'
        ' description: "办事窗口排队"}) { position } }',
        **REPORTER,
    )
    [point] = world.ok(POINTS, **REPORTER)["reportingPoints"]
    assert point == {
        "id": "rp-liangjiang", "name": "两江新区直报点", "district": "两江新区",
        "openIssueCount": 1, "enterprisesServed": 0,
    }  # fmt: skip
    assert world.ok(POINTS)["reportingPoints"] == [point]  # the bureau office
    assert world.ok(POINTS, **COMM)["reportingPoints"] == []
    assert world.ok(POINTS, **DEPT)["reportingPoints"] == []
    elsewhere = world.ok(POINTS, as_role="SUPERVISOR", sub="s-9", districts=["万州区"])
    assert elsewhere["reportingPoints"] == []


def test_commissioners_count_their_enterprises_and_open_issues(world: World) -> None:
    world.raise_demand()
    expected = {"id": "c-001", "name": "专员1", "openIssueCount": 1, "enterprisesServed": 1}
    assert world.ok(COMMISSIONERS, **SUP)["commissioners"] == [expected]
    assert world.ok(COMMISSIONERS, **COMM)["commissioners"] == [expected]
    stranger = world.ok(COMMISSIONERS, as_role="COMMISSIONER", sub="c-999")
    assert stranger["commissioners"] == []
    assert world.ok(COMMISSIONERS, **DEPT)["commissioners"] == []
    elsewhere = world.ok(COMMISSIONERS, as_role="SUPERVISOR", sub="s-9", districts=["万州区"])
    assert elsewhere["commissioners"] == []
