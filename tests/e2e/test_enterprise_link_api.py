"""The enterprise's own view over HTTP: the signed rating link (valid, replayed, tampered, for
another issue, expired; unsatisfied sends the demand back) and the rate-limited direct-report
progress lookup."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from application.outreach import RecordingLinkSender
from infra.bootstrap import Container
from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import REPORTER, SUP, SUP2, World, build_world


@pytest.fixture
def world(api: Client, container: Container) -> World:
    # The links are read back here from a recording sender (the outbox's SMS is tested in
    # tests/integration/test_notification_outbox.py).
    container.app.link_sender = RecordingLinkSender()
    return build_world(api)


def _base(world: World) -> str:
    return world.api.url.removesuffix("/graphql")


def _approved_with_link(world: World, container: Container) -> tuple[str, str]:
    """An approved demand and the link the enterprise was sent (path with its token)."""
    issue = world.resolved()
    world.act("approveClosure", f'input: {{issueId: "{issue}", note: "核实属实"}}', SUP)
    sender = container.app.link_sender
    assert isinstance(sender, RecordingLinkSender)
    [message] = [m for m in sender.sent if str(m.issue_id) == issue]
    assert message.enterprise_id == world.enterprise_id
    assert message.url.startswith("http") and message.url.endswith(message.path)
    return issue, message.path


def _rate(world: World, issue: str, token: str, satisfaction: str) -> httpx.Response:
    return httpx.post(
        f"{_base(world)}/rate/{issue}",
        content=f"token={token}&satisfaction={satisfaction}&comment=%E5%BE%88%E5%A5%BD",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )


def _status(world: World, issue: str, container: Container) -> dict[str, Any]:
    """The issue as the board has it, once the board has read every write (the page's rating
    is answered before the read models follow, like any command)."""
    container.views.wait_for(container.app.last_position(), timeout=10)
    query = (
        f'{{ issue(id: "{issue}") {{ status satisfaction timeline {{ type actor {{ id }} }} }} }}'
    )
    return dict(world.ok(query, **SUP)["issue"])


def test_the_link_opens_the_progress_page_rates_once_and_refuses_replay_tampering_and_another_issue(
    world: World, container: Container
) -> None:
    issue, path = _approved_with_link(world, container)
    token = path.split("token=", 1)[1]
    page = httpx.get(_base(world) + path, timeout=30)
    assert page.status_code == 200
    assert "办理进度" in page.text and "招聘技工" in page.text and "满意" in page.text
    assert "<script" not in page.text and "http" not in page.text.split("</style>", 1)[1]

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = httpx.get(f"{_base(world)}/rate/{issue}?token={tampered}", timeout=30)
    assert refused.status_code == 403 and "签名不正确" in refused.text

    other = world.resolved()
    elsewhere = httpx.get(f"{_base(world)}/rate/{other}?token={token}", timeout=30)
    assert elsewhere.status_code == 403 and "不属于此诉求" in elsewhere.text

    rated = _rate(world, issue, token, "SATISFIED")
    assert rated.status_code == 200 and "感谢" in rated.text
    after = _status(world, issue, container)
    assert after["status"] == "CLOSED" and after["satisfaction"] == "SATISFIED"
    evaluated = [e for e in after["timeline"] if e["type"] == "Evaluated"]
    assert evaluated[0]["actor"]["id"] == f"enterprise:{world.enterprise_id}"

    replayed = _rate(world, issue, token, "UNSATISFIED")
    assert replayed.status_code == 409 and "已使用" in replayed.text
    assert httpx.get(_base(world) + path, timeout=30).status_code == 409
    assert _status(world, issue, container)["status"] == "CLOSED"


def test_an_expired_link_is_refused_and_an_unsatisfied_rating_sends_the_demand_back(
    world: World, container: Container, clock: FixedClock
) -> None:
    issue, path = _approved_with_link(world, container)
    token = path.split("token=", 1)[1]
    clock.advance(days=7, seconds=1)
    expired = _rate(world, issue, token, "SATISFIED")
    assert expired.status_code == 403 and "已过期" in expired.text
    assert _status(world, issue, container)["status"] == "AWAITING_EVALUATION"

    world.act("sendRatingLink", f'issueId: "{issue}"', SUP2)
    fresh = container.app.link_sender.sent[-1].path.split("token=", 1)[1]  # type: ignore[attr-defined]
    assert _rate(world, issue, token, "SATISFIED").status_code == 403  # replaced, and expired
    reworked = _rate(world, issue, fresh, "UNSATISFIED")
    assert reworked.status_code == 200 and "重新办理" in reworked.text
    assert _status(world, issue, container)["status"] == "IN_PROGRESS"


def test_a_direct_report_is_looked_up_by_number_and_phone_and_lookups_are_rate_limited(
    world: World,
) -> None:
    submitted = world.ok(
        "mutation($i: SubmitDirectReportInput!) { submitDirectReport(input: $i) { issue { id } } }",
        {"i": {"category": "BUSINESS_ENVIRONMENT", "title": "园区审批慢",
               "description": "企业反映审批慢", "reporterPhone": "138-1234-5678"}},
        **REPORTER,
    )  # fmt: skip
    number = submitted["submitDirectReport"]["issue"]["id"]
    url = f"{_base(world)}/track"
    found = httpx.get(url, params={"number": number, "phone": "13812345678"}, timeout=30)
    assert found.status_code == 200 and "园区审批慢" in found.text and "提出诉求" in found.text
    wrong = httpx.get(url, params={"number": number, "phone": "13900000000"}, timeout=30)
    assert wrong.status_code == 404 and "未找到" in wrong.text
    statuses = [
        httpx.get(url, params={"number": number, "phone": "1"}, timeout=30).status_code
        for _ in range(9)
    ]
    assert statuses[:8] == [404] * 8 and statuses[8] == 429
    limited = httpx.get(url, params={"number": number, "phone": "13812345678"}, timeout=30)
    assert limited.status_code == 429 and "查询过于频繁" in limited.text
    assert int(limited.headers["Retry-After"]) > 0
