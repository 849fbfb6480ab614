"""What a timeline entry and a visit tell a reader (issue 17, reads people need)."""

from __future__ import annotations

import pytest

from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, SUP, World, build_world


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def test_a_dispatch_entry_names_the_lead_and_assisting_departments(world: World) -> None:
    issue = world.dispatched_and_accepted()  # lead hrss-employment, assisting hrss-talent
    query = (
        '{ issue(id: "%s") { timeline { type leadDepartment { id name }'
        " assistingDepartments { id name } } } }" % issue
    )
    timeline = world.ok(query, **SUP)["issue"]["timeline"]
    [dispatch] = [e for e in timeline if e["type"] == "Dispatched"]
    assert dispatch["leadDepartment"] == {"id": "hrss-employment", "name": "就业促进处"}
    assert dispatch["assistingDepartments"] == [{"id": "hrss-talent", "name": "人才开发处"}]
    [accepted] = [e for e in timeline if e["type"] == "Accepted"]
    assert accepted["leadDepartment"] is None and accepted["assistingDepartments"] == []


def test_a_visit_shows_its_corrections_who_when_which_fields_why(
    world: World, clock: FixedClock
) -> None:
    clock.advance(hours=2)
    visit = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": clock.now().isoformat(),
               "channel": "PHONE", "attendees": ["王小明"], "topics": [], "summary": "电话"}},
        **COMM,
    )["logVisit"]["visit"]["id"]  # fmt: skip
    clock.advance(hours=1)
    world.ok(
        "mutation($i: CorrectVisitInput!) { correctVisit(input: $i) { position } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitId": visit,
               "reason": "渠道记错，联系人手机13956785678", "channel": "ON_SITE",
               "summary": "上门走访"}},
        **COMM,
    )  # fmt: skip
    query = (
        '{ enterprise(id: "%s") { visits { edges { node { channel'
        " corrections { at actor { id name } fields reason } } } } } }" % world.enterprise_id
    )
    [edge] = world.ok(query, **COMM)["enterprise"]["visits"]["edges"]
    [correction] = edge["node"]["corrections"]
    assert edge["node"]["channel"] == "ON_SITE"
    assert correction["actor"]["id"] == "c-001"  # the token's user
    assert correction["fields"] == ["channel", "summary"]
    assert correction["reason"] == "渠道记错，联系人手机13956785678"
    assert correction["at"].startswith(clock.now().date().isoformat())
    [seen] = world.ok(query, **SUP)["enterprise"]["visits"]["edges"]
    assert seen["node"]["corrections"][0]["reason"] == "渠道记错，联系人手机139****5678"
