"""Processes started together on one database (a projection host and a relay, a cluster's ten
parts) each create the tables they use: those creations take turns, so none of them fails."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from infra.bootstrap import bootstrap
from infra.leader import schema_lock
from infra.postgres_server import PgAddress
from infra.settings import Settings
from tests.conftest import FixedClock

pytestmark = pytest.mark.integration


def test_bootstraps_started_at_once_on_a_new_database_all_succeed(
    settings: Settings, database: PgAddress
) -> None:
    start = threading.Barrier(4)

    def one() -> int:
        start.wait()
        container = bootstrap(settings, clock=FixedClock(), address=database)
        try:
            return container.app.last_position()
        finally:
            container.close()

    with ThreadPoolExecutor(4) as pool:
        positions = list(pool.map(lambda _: one(), range(4)))
    assert positions == [0, 0, 0, 0]


def test_a_second_holder_of_the_schema_lock_waits_for_the_first(database: PgAddress) -> None:
    from infra.postgres_server import ensure_database

    ensure_database(database)
    order: list[str] = []
    first_holds = threading.Event()

    def second() -> None:
        first_holds.wait(5)
        with schema_lock(database):
            order.append("second")

    other = threading.Thread(target=second)
    other.start()
    with schema_lock(database):
        first_holds.set()
        time.sleep(0.3)  # the second is waiting on the lock meanwhile
        order.append("first")
    other.join(10)
    assert order == ["first", "second"]


def test_the_schema_lock_is_released_when_its_holder_fails(database: PgAddress) -> None:
    from infra.postgres_server import ensure_database

    ensure_database(database)
    with pytest.raises(RuntimeError), schema_lock(database):
        raise RuntimeError("a CREATE failed")
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext('espcrm.schema'))").fetchone()
    assert row == (True,)
