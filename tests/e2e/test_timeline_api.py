"""What a timeline entry and a visit tell a reader (issue 17, reads people need)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Client
from tests.e2e.flows import SUP, World, build_world


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
