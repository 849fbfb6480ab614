"""Reads over HTTP: visits, the event feed, read-your-writes, paging and the query limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest

from infra.bootstrap import Container
from tests.builders import ADMIN, a_valid_uscc, register_command
from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, SUP, World, build_world

LOG_VISIT = """
mutation($i: LogVisitInput!) {
  logVisit(input: $i) { position visit { id channel attendees policiesExplained commissioner { id } } }
}"""


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def _visit(world: World, clock: FixedClock, **extra: Any) -> dict[str, Any]:
    clock.advance(hours=2)
    variables = {"i": {"enterpriseId": world.enterprise_id, "visitedAt": clock.now().isoformat(),
                       "channel": "ON_SITE", "attendees": ["王小明", "专员1"], "topics": ["用工"],
                       "policiesExplained": ["POL-STABLE-JOB-REFUND"], "summary": "走访了解用工",
                       **extra}}  # fmt: skip
    return world.ok(LOG_VISIT, variables, **COMM)["logVisit"]


def test_a_commissioner_logs_a_visit_and_the_enterprise_shows_it(
    world: World, clock: FixedClock
) -> None:
    logged = _visit(world, clock, nextVisitOn="2025-04-01")
    assert logged["visit"]["attendees"] == ["王小明", "专员1"]
    issue = world.raise_demand(visitId=logged["visit"]["id"])
    enterprise = world.ok(
        f'{{ enterprise(id: "{world.enterprise_id}") {{ visitCount nextVisitDueOn openIssueCount'
        " visits(first: 5) { totalCount edges { node { id summary issues { id } } } } } }",
        **COMM,
    )["enterprise"]
    assert enterprise["visitCount"] == 1
    assert enterprise["nextVisitDueOn"] == "2025-04-01"
    assert enterprise["openIssueCount"] == 1
    [edge] = enterprise["visits"]["edges"]
    assert edge["node"]["issues"] == [{"id": issue}]


def test_another_commissioner_cannot_log_a_visit(world: World, clock: FixedClock) -> None:
    """Outside their scope a commissioner's write is NOT_FOUND, as reads are (issue 17): the
    answer is the one an unknown id gets, and it does not name the enterprise."""
    clock.advance(hours=1)

    def log_as_stranger(enterprise_id: str) -> dict[str, Any]:
        return world.error(
            LOG_VISIT,
            {"i": {"enterpriseId": enterprise_id, "visitedAt": clock.now().isoformat(),
                   "channel": "PHONE", "attendees": ["x"], "topics": [], "summary": "s"}},
            as_role="COMMISSIONER", sub="c-999",
        )  # fmt: skip

    error = log_as_stranger(world.enterprise_id)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "重庆渝新精密制造有限公司" not in error["message"]
    unknown = "00000000-0000-0000-0000-000000000001"
    assert (
        error["message"].replace(world.enterprise_id, unknown)
        == (log_as_stranger(unknown)["message"])
    )
    demand = world.error(
        "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { position } }",
        {"i": {"enterpriseId": world.enterprise_id, "category": "OTHER", "title": "t",
               "description": "d"}},
        as_role="COMMISSIONER", sub="c-999",
    )  # fmt: skip
    assert demand["extensions"]["code"] == "NOT_FOUND"
    assert demand["message"] == error["message"]


def test_a_visit_in_the_future_is_invalid_input_naming_visited_at(
    world: World, clock: FixedClock
) -> None:
    future = clock.now().replace(year=2030).isoformat()
    error = world.error(
        LOG_VISIT,
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": future, "channel": "PHONE",
               "attendees": ["x"], "topics": [], "summary": "s"}},
        **COMM,
    )  # fmt: skip
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "INVALID_INPUT",
        "visitedAt",
    )


def test_an_unknown_policy_is_refused_naming_the_code(world: World, clock: FixedClock) -> None:
    clock.advance(hours=1)
    error = world.error(
        LOG_VISIT,
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": clock.now().isoformat(),
               "channel": "EVENT", "attendees": ["x"], "topics": [], "summary": "s",
               "policiesExplained": ["POL-NOPE"]}},
        **COMM,
    )  # fmt: skip
    assert error["extensions"]["code"] == "INVALID_INPUT" and "POL-NOPE" in error["message"]


def test_logging_a_visit_twice_with_one_key_returns_the_first(
    world: World, clock: FixedClock
) -> None:
    at = (clock.now() + timedelta(hours=1)).isoformat()
    first = _visit(world, clock, idempotencyKey="v-1", visitedAt=at)
    again = _visit(world, clock, idempotencyKey="v-1", visitedAt=at)
    assert again == first


def test_one_key_with_another_visit_is_refused_not_answered_with_the_first(
    world: World, clock: FixedClock
) -> None:
    at = (clock.now() + timedelta(hours=1)).isoformat()
    _visit(world, clock, idempotencyKey="v-1", visitedAt=at)
    variables = {"i": {"enterpriseId": world.enterprise_id, "visitedAt": at, "channel": "PHONE",
                       "attendees": ["王小明"], "topics": [], "summary": "另一次走访",
                       "idempotencyKey": "v-1"}}  # fmt: skip
    error = world.error(LOG_VISIT, variables, **COMM)
    assert error["extensions"] == {"code": "IDEMPOTENCY_KEY_REUSED", "field": "idempotencyKey"}


def test_the_event_feed_pages_the_global_log_by_position(world: World) -> None:
    page = world.ok(
        "{ events(first: 3) { lastPosition events { id position streamType type version actor { id } data } } }",
        **SUP,
    )["events"]
    assert [e["position"] for e in page["events"]] == [1, 2, 3]
    assert page["lastPosition"] == 3
    rest = world.ok("{ events(after: 3, first: 100) { events { position } } }", **SUP)["events"]
    assert rest["events"][0]["position"] == 4
    opened = [e for e in page["events"] + [] if e["type"] == "Opened"]
    for event in opened:
        assert "13812345678" not in str(event["data"])
    error = world.error("{ events { lastPosition } }", **COMM)
    assert error["extensions"]["code"] == "FORBIDDEN"


def test_x_min_position_reads_at_least_that_position(api: Client) -> None:
    token = api.token("ADMIN", "a-001")
    created = api.post(
        'mutation { registerEnterprise(input: {uscc: "%s", name: "读己之写", district: "渝中区"}) { position } }'
        % a_valid_uscc(), token=token,
    ).json()["data"]["registerEnterprise"]  # fmt: skip
    read = api.post("{ enterprises { totalCount } }", token=token,
                    headers={"X-Min-Position": str(created["position"])}).json()  # fmt: skip
    assert read["data"]["enterprises"]["totalCount"] == 1


def test_x_min_position_beyond_the_log_is_refused_at_once(api: Client) -> None:
    response = api.post("{ me { id } }", token=api.token("ADMIN", "a-001"),
                        headers={"X-Min-Position": "999999999"})  # fmt: skip
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "X-Min-Position"}


def test_x_min_position_without_a_token_is_unauthenticated_without_waiting(api: Client) -> None:
    response = api.post("{ me { id } }", headers={"X-Min-Position": "999999999"})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ok = api.post("{ me { id } }", token=api.token("ADMIN", "a-001")).json()
    assert ok["data"]["me"]["id"] == "a-001"  # the breaker stayed closed


def test_relay_paging_walks_every_enterprise_once(api: Client) -> None:
    token = api.token("ADMIN", "a-001")
    for i in range(5):
        api.post('mutation { registerEnterprise(input: {uscc: "%s", name: "企业%d", district: "渝中区"}) { position } }'
                 % (a_valid_uscc(), i), token=token)  # fmt: skip
    seen, after = [], None
    while True:
        body = api.post("query($a: String) { enterprises(first: 2, after: $a) { pageInfo { hasNextPage endCursor } edges { node { name } } } }",
                        {"a": after}, token=token).json()["data"]["enterprises"]  # fmt: skip
        seen += [e["node"]["name"] for e in body["edges"]]
        if not body["pageInfo"]["hasNextPage"]:
            break
        after = body["pageInfo"]["endCursor"]
    assert seen == [f"企业{i}" for i in range(5)]
    bad = api.post('{ enterprises(after: "garbage!") { totalCount } }', token=token).json()
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("{ enterprises(first: 1000000) { totalCount } }", "first"),
        ("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(1000)) + " }", "tokens"),
        ("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(100)) + " }", "aliases"),
        ("{ me { " + "id " * 3000 + "} }", "token"),
    ],
)
def test_hostile_queries_are_refused_with_a_clear_error(
    api: Client, query: str, needle: str
) -> None:
    body = api.post(query, token=api.token("ADMIN", "a-001")).json()
    assert needle in body["errors"][0]["message"].lower()
    assert "Traceback" not in str(body)
    assert len(str(body)) < 500  # the error does not echo the hostile document back


def test_a_deeply_nested_query_is_refused(world: World) -> None:
    nested = "visits { edges { node { enterprise { " * 6 + "id" + " } } } }" * 6
    body = world.api.post(f'{{ enterprise(id: "{world.enterprise_id}") {{ {nested} }} }}',
                          token=world.api.token("ADMIN", "a-001")).json()  # fmt: skip
    assert "depth" in body["errors"][0]["message"].lower()


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(api: Client) -> None:
    response = httpx.post(api.url, content=b"{" + b" " * 10_000_000 + b"}",
                          headers={"Content-Type": "application/json"}, timeout=30)  # fmt: skip
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert response.json()["errors"][0]["message"] == "请求体超过 1000000 字节的上限"
    english = httpx.post(api.url, content=b"{" + b" " * 1_000_001 + b"}", timeout=30,
                         headers={"Content-Type": "application/json", "Accept-Language": "en"})  # fmt: skip
    assert english.json()["errors"][0]["message"] == "the request body is over 1000000 bytes"


def test_a_body_sent_in_chunks_without_a_length_is_refused_once_it_passes_the_limit(
    api: Client,
) -> None:
    sent: list[int] = []

    def ten_megabytes() -> Iterator[bytes]:
        yield b'{"query": "'
        for _ in range(160):
            sent.append(1)
            yield b" " * 65_536

    try:
        response = httpx.post(api.url, content=ten_megabytes(), timeout=30,
                              headers={"Content-Type": "application/json"})  # fmt: skip
    except httpx.HTTPError:
        # The server answered and closed before the upload ended: what a client may see.
        assert len(sent) < 160
        return
    assert response.status_code == 413, response.text
    assert response.json()["errors"][0]["message"] == "请求体超过 1000000 字节的上限"


def test_a_chunked_body_under_the_limit_is_read_whole(api: Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ me '
        yield b'{ id } }"}'

    response = httpx.post(api.url, content=chunks(), timeout=30,
                          headers={"Content-Type": "application/json",
                                   "Authorization": f"Bearer {api.token('ADMIN', 'a-001')}"})  # fmt: skip
    assert response.json()["data"]["me"]["id"] == "a-001"


def test_a_batch_of_operations_is_refused(api: Client) -> None:
    batch = [{"query": "{ me { id } }"}] * 500
    response = httpx.post(api.url, json=batch, timeout=30,
                          headers={"Authorization": f"Bearer {api.token('ADMIN', 'a-001')}"})  # fmt: skip
    assert response.status_code == 400


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every read-model SELECT executed while the fixture is active."""
    seen: list[str] = []
    original = psycopg.Cursor.execute

    def counting(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        text = query if isinstance(query, str) else str(query)
        if text.lstrip().upper().startswith("SELECT") and "_rows" in text:
            seen.append(text)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counting)
    yield seen


def _register_many(container: Container, count: int) -> None:
    """`count` enterprises, each with a commissioner, through the application (the query is
    what is measured; 200 mutations over HTTP took 25 s), then the read models caught up."""
    app = container.app
    for i in range(count):
        enterprise_id, _ = app.register_enterprise(register_command(name=f"批量{i}"), ADMIN)
        app.assign_commissioner(enterprise_id, f"c-{i % 7}", f"专员{i % 7}", None, ADMIN)
    container.projections.wait_for(app.last_position(), timeout=60)


def test_the_sql_statements_for_a_page_do_not_grow_with_the_page_size(
    api: Client, container: Container, statements: list[str]
) -> None:
    query = "{ enterprises(first: 100) { edges { node { commissioner { name } visits(first: 5) { totalCount } } } } }"
    token = api.token("ADMIN", "a-001")
    counts = []
    for target in (10, 100):
        _register_many(container, target - (10 if target == 100 else 0))
        statements.clear()
        body = api.post(query, token=token).json()
        assert len(body["data"]["enterprises"]["edges"]) == target
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 4, statements
