"""Personal data typed into free text (issue 17): in full for ADMIN and the commissioner,
masked for every other role and on the `events` feed."""

from __future__ import annotations

import pytest

from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, SUP, World, build_world

PHONE = "13956785678"
MASKED = "139****5678"
EMAIL = "wang.xm@example.com"


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def test_a_phone_number_in_a_visit_summary_is_masked_for_a_supervisor_and_on_the_feed(
    world: World, clock: FixedClock
) -> None:
    clock.advance(hours=2)
    logged = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id summary topics } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": clock.now().isoformat(),
               "channel": "ON_SITE", "attendees": ["王经理（人事部）"],
               "topics": [f"回电 {PHONE}"], "summary": f"王经理手机{PHONE}，邮箱{EMAIL}"}},
        **COMM,
    )["logVisit"]["visit"]  # fmt: skip
    assert PHONE in logged["summary"] and EMAIL in logged["summary"]  # the commissioner: in full
    visits = "{ enterprise(id: %s) { visits(first: 5) { edges { node { summary topics attendees } } } } }"
    seen = world.ok(visits % f'"{world.enterprise_id}"', **SUP)["enterprise"]["visits"]["edges"]
    node = seen[0]["node"]
    assert node["summary"] == f"王经理手机{MASKED}，邮箱w***@example.com"
    assert node["topics"] == [f"回电 {MASKED}"]
    assert node["attendees"] == ["王**（人事部）"]
    feed = world.ok("{ events(first: 100) { events { type data } } }", **SUP)["events"]["events"]
    [visit_logged] = [e for e in feed if e["type"] == "VisitLogged"]
    assert PHONE not in str(visit_logged["data"]) and EMAIL not in str(visit_logged["data"])
    assert MASKED in visit_logged["data"]["summary"]


def test_personal_data_in_an_issue_is_masked_for_the_department_and_the_supervisor(
    world: World,
) -> None:
    issue = world.raise_demand(description=f"联系人手机 {PHONE}")
    world.act(
        "dispatchIssue", f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment"}}', SUP
    )
    world.act("acceptIssue", f'issueId: "{issue}"', DEPT)
    world.act("recordProgress", f'input: {{issueId: "{issue}", note: "已致电 {PHONE}"}}', DEPT)
    query = '{ issue(id: "%s") { description timeline { type note } } }' % issue
    for who in (DEPT, SUP):
        read = world.ok(query, **who)["issue"]
        assert read["description"] == f"联系人手机 {MASKED}", who
        notes = [e["note"] for e in read["timeline"] if e["type"] == "ProgressRecorded"]
        assert notes == [f"已致电 {MASKED}"], who
    mine = world.ok(query, **COMM)["issue"]
    assert mine["description"] == f"联系人手机 {PHONE}"
    feed = world.ok("{ events(first: 100) { events { type data } } }", **SUP)["events"]["events"]
    assert PHONE not in str([e["data"] for e in feed])
