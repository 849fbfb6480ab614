"""The GraphQL wiring of extension requests and publicity activities (the rules are unit-tested,
the read models integration-tested): role gates, read-your-write, the contract's fields."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, SUP, World, build_world


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def test_extensions_and_publicity_activities_over_graphql(world: World) -> None:
    issue = world.dispatched_and_accepted()
    before = world.ok(f'{{ issue(id: "{issue}") {{ resolveDueAt }} }}', **SUP)["issue"]
    refused = world.error(
        'mutation { requestExtension(input: {issueId: "%s", reason: "协查"}) { position } }'
        % issue,
        **SUP,
    )
    assert refused["extensions"]["code"] == "FORBIDDEN"
    world.act("requestExtension", f'input: {{issueId: "{issue}", reason: "需外省协查"}}', DEPT)
    approved = world.ok(
        "mutation($i: ApproveExtensionInput!) { approveExtension(input: $i) {"
        " issue { resolveDueAt timeline { type label } } } }",
        {"i": {"issueId": issue, "newDueAt": "2025-04-30T18:00:00+08:00", "note": "同意"}},
        **SUP,
    )["approveExtension"]["issue"]
    assert approved["resolveDueAt"] == "2025-04-30T18:00:00+08:00" != before["resolveDueAt"]
    labels = [e["label"] for e in approved["timeline"]][-2:]
    assert labels == ["延期申请", "同意延期"]
    kpis = world.ok(
        '{ kpis(from: "2025-03-01", to: "2025-03-31") { extensionsRequested extensionsApproved'
        " extensionsByDepartment { departmentId requested approved refused } } }",
        **SUP,
    )["kpis"]
    assert kpis["extensionsRequested"] == 1 and kpis["extensionsApproved"] == 1
    assert kpis["extensionsByDepartment"] == [
        {"departmentId": "hrss-employment", "requested": 1, "approved": 1, "refused": 0}
    ]

    logged = world.ok(
        "mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id kindLabel"
        " enterpriseCount district } } }",
        {"i": {"kind": "JOB_FAIR", "title": "春风行动招聘会", "heldOn": "2025-03-02",
               "district": "重庆市渝北区", "enterpriseIds": [world.enterprise_id]}},
        **COMM,
    )["logActivity"]["activity"]  # fmt: skip
    assert logged["kindLabel"] == "招聘会" and logged["district"] == "渝北区"
    assert logged["enterpriseCount"] == 1
    report = world.ok(
        "{ publicityReport(year: 2025) { target activities enterprisesReached progress"
        ' byDistrict { district activities } } enterprise(id: "%s") {'
        " publicityActivities { title } } }" % world.enterprise_id,
        **SUP,
    )
    totals = report["publicityReport"]
    assert (totals["target"], totals["activities"], totals["enterprisesReached"]) == (800, 1, 1)
    assert totals["progress"] == 1 / 800
    assert {"district": "渝北区", "activities": 1} in totals["byDistrict"]
    assert report["enterprise"]["publicityActivities"] == [{"title": "春风行动招聘会"}]
    future = world.error(
        "mutation($i: LogActivityInput!) { logActivity(input: $i) { position } }",
        {"i": {"kind": "SEMINAR", "title": "座谈会", "heldOn": "2025-12-01", "district": "渝北区"}},
        **COMM,
    )
    assert future["extensions"]["code"] == "INVALID_INPUT"
    assert future["extensions"]["field"] == "heldOn"
