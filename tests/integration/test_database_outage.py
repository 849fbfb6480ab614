"""PostgreSQL restarted under a write load: nothing acknowledged is lost, the API answers
SERVICE_UNAVAILABLE while the database is away, and recovers by itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from domain.enterprise import enterprise_id_for
from infra.bootstrap import Container, bootstrap
from infra.postgres_server import EmbeddedPostgres
from infra.settings import Settings
from tests.builders import a_valid_uscc
from tests.conftest import FixedClock
from tests.e2e.conftest import Client, serve

REGISTER = 'mutation { registerEnterprise(input: {uscc: "%s", name: "断库测试", district: "渝中区"}) { position } }'


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own: stopping the shared one would break every other test."""
    server = EmbeddedPostgres(tmp_path / "own")
    yield server
    server.stop()


@pytest.fixture
def outage_container(
    own_server: EmbeddedPostgres, settings: Settings, clock: FixedClock
) -> Iterator[Container]:
    address = own_server.start().with_dbname("outage")
    built = bootstrap(replace(settings, db_connect_timeout=1), clock=clock, address=address)
    built.projections.start()
    yield built
    built.close()


class Writers:
    """Threads registering enterprises over HTTP, remembering what was acknowledged."""

    def __init__(self, api: Client, count: int = 3) -> None:
        self.api = api
        self.token = api.token("ADMIN", "a-001")
        self.acknowledged: list[str] = []
        self.codes: set[str] = set()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._write, daemon=True) for _ in range(count)]

    def __enter__(self) -> Writers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def _write(self) -> None:
        while not self.stop.is_set():
            uscc = a_valid_uscc()
            try:
                body = self.api.post(REGISTER % uscc, token=self.token).json()
            except Exception:  # the connection itself failed: not acknowledged
                continue
            if body.get("data") and body["data"]["registerEnterprise"]:
                self.acknowledged.append(uscc)
            for error in body.get("errors") or []:
                self.codes.add(error["extensions"]["code"])
            time.sleep(0.01)


def test_a_database_restart_loses_no_acknowledged_write_and_the_api_recovers(
    outage_container: Container, own_server: EmbeddedPostgres
) -> None:
    with serve(outage_container) as api, Writers(api) as writers:
        _wait_until(lambda: len(writers.acknowledged) >= 10)
        own_server.stop()
        down_answers = [_timed(api) for _ in range(5)]
        own_server.start()
        before = len(writers.acknowledged)
        _wait_until(lambda: len(writers.acknowledged) >= before + 10, timeout=60)

    assert {code for code, _ in down_answers} == {"SERVICE_UNAVAILABLE"}
    # Once the breaker is open, the answer comes at once rather than after a timeout.
    assert min(seconds for _, seconds in down_answers) < 1.0, down_answers
    assert writers.codes <= {"SERVICE_UNAVAILABLE"}, writers.codes
    app = outage_container.app
    missing = [u for u in writers.acknowledged if enterprise_id_for(u) not in app.repository]
    assert missing == [], f"{len(missing)} acknowledged writes are not in the store"


def _timed(api: Client) -> tuple[str, float]:
    started = time.monotonic()
    body = api.post(REGISTER % a_valid_uscc(), token=api.token("ADMIN", "a-001")).json()
    return body["errors"][0]["extensions"]["code"], time.monotonic() - started


def _wait_until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the condition did not come true in time")
        time.sleep(0.05)
