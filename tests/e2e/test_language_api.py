"""The bureau's language over HTTP: Chinese messages and labels by default, English on request,
and every date-time in Beijing time (+08:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.shared import BEIJING_TIME
from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, SUP, World, build_world

APPROVE = 'mutation {{ approveClosure(input: {{issueId: "{}", note: "n"}}) {{ position }} }}'


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def _error(world: World, query: str, language: str | None) -> dict[str, object]:
    headers = {"Accept-Language": language} if language else {}
    token = world.api.token("SUPERVISOR", "s-001")
    body = world.api.post(query, token=token, headers=headers).json()
    return dict(body["errors"][0])


def test_a_refusal_is_in_chinese_by_default_and_english_on_request(world: World) -> None:
    issue = world.raise_demand()

    chinese = _error(world, APPROVE.format(issue), None)
    english = _error(world, APPROVE.format(issue), "en")

    assert chinese["message"] == "不能对处于“已提出”状态的诉求执行审核通过"
    assert english["message"] == "cannot approve the closure of an issue that is RAISED"
    assert chinese["extensions"] == english["extensions"] == {"code": "INVALID_TRANSITION"}


def test_timeline_entries_and_enums_carry_a_label_beside_their_machine_value(world: World) -> None:
    issue = world.resolved()
    world.act("returnForRework", f'input: {{issueId: "{issue}", reason: "证据不足"}}', SUP)
    query = (
        f'{{ issue(id: "{issue}") {{ status statusLabel category categoryLabel kind kindLabel '
        "timeline { type label actor { role roleLabel } } } }"
    )

    chinese = world.ok(query, **SUP)["issue"]
    english = world.api.post(query, token=world.api.token("SUPERVISOR", "s-001"),
                             headers={"Accept-Language": "en"}).json()["data"]["issue"]  # fmt: skip

    assert (chinese["status"], chinese["statusLabel"]) == ("IN_PROGRESS", "办理中")
    assert (chinese["category"], chinese["categoryLabel"]) == ("RECRUITMENT", "招工用工")
    assert (chinese["kind"], chinese["kindLabel"]) == ("ENTERPRISE_DEMAND", "企业诉求")
    steps = [(entry["type"], entry["label"]) for entry in chinese["timeline"]]
    assert steps == [
        ("Raised", "提出诉求"),
        ("Dispatched", "派单"),
        ("Accepted", "签收"),
        ("Resolved", "办结"),
        ("ReturnedForRework", "退回重办"),
    ]
    assert chinese["timeline"][-1]["actor"] == {"role": "SUPERVISOR", "roleLabel": "督导员"}
    assert english["timeline"][-1]["label"] == "returned for rework"
    assert english["statusLabel"] == "in progress"


def test_every_date_time_is_returned_in_beijing_time(world: World, clock: FixedClock) -> None:
    utc = clock.advance(hours=1).astimezone(UTC)
    data = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { visitedAt channelLabel } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": utc.isoformat(),
               "channel": "ON_SITE", "attendees": ["王小明"], "topics": [], "summary": "上门走访"}},
        **COMM,
    )  # fmt: skip
    visit = data["logVisit"]["visit"]
    returned = datetime.fromisoformat(visit["visitedAt"])
    assert visit["visitedAt"].endswith("+08:00")
    assert returned == utc
    assert visit["channelLabel"] == "上门走访"
    issue = world.ok(f'{{ issue(id: "{world.raise_demand()}") {{ raisedAt }} }}', **SUP)["issue"]
    assert issue["raisedAt"].endswith("+08:00")


def test_a_date_time_without_an_offset_is_read_as_beijing_time(
    world: World, clock: FixedClock
) -> None:
    beijing = clock.advance(hours=1).astimezone(BEIJING_TIME) - timedelta(minutes=30)
    naive = beijing.replace(tzinfo=None).isoformat()
    data = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { visitedAt } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": naive,
               "channel": "PHONE", "attendees": ["王小明"], "topics": [], "summary": "电话回访"}},
        **COMM,
    )  # fmt: skip
    assert data["logVisit"]["visit"]["visitedAt"] == beijing.isoformat()
