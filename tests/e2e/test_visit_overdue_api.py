"""`enterprises(filter: {visitOverdue})` lists the enterprises whose next visit is past (issue 17)."""

from __future__ import annotations

import pytest

from tests.builders import a_valid_uscc
from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, World, build_world


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def _enterprise_visited(world: World, clock: FixedClock, name: str, next_visit_on: str) -> str:
    enterprise = world.ok(
        "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } } }",
        {"i": {"uscc": a_valid_uscc(), "name": name, "district": "渝北区"}},
    )["registerEnterprise"]["enterprise"]["id"]  # fmt: skip
    world.ok(
        "mutation($i: AssignCommissionerInput!) { assignCommissioner(input: $i) { position } }",
        {"i": {"enterpriseId": enterprise, "commissionerId": "c-001", "commissionerName": "专员1"}},
    )
    clock.advance(minutes=5)
    world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { position } }",
        {"i": {"enterpriseId": enterprise, "visitedAt": clock.now().isoformat(),
               "channel": "PHONE", "attendees": ["王小明"], "topics": [], "summary": "回访",
               "nextVisitOn": next_visit_on}},
        **COMM,
    )  # fmt: skip
    return str(enterprise)


def test_visit_overdue_lists_only_enterprises_whose_next_visit_is_past(
    world: World, clock: FixedClock
) -> None:
    # Visited on 2025-03-03, next visits due on 2025-03-04 and in 2027; a week later the
    # first is overdue and the second is not.
    late = _enterprise_visited(world, clock, "重庆逾期走访有限公司", "2025-03-04")
    later = _enterprise_visited(world, clock, "重庆来年走访有限公司", "2027-06-30")
    clock.advance(days=7)
    query = "{ enterprises(first: 50, filter: {visitOverdue: %s}) { totalCount edges { node { id } } } }"

    def listed(overdue: str) -> set[str]:
        page = world.ok(query % overdue, **COMM)["enterprises"]
        return {e["node"]["id"] for e in page["edges"]}

    assert late in listed("true") and later not in listed("true")
    assert later in listed("false") and late not in listed("false")
    assert listed("true").isdisjoint(listed("false"))
