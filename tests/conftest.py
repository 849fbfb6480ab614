"""Fixtures on the real servers: an embedded PostgreSQL (one per run) and, for feed tests, Kafka."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

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
    address = server.start()
    yield address
    server.stop()


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


@pytest.fixture
def database(pg_server: PgAddress) -> Iterator[PgAddress]:
    """A fresh database per test, dropped afterwards."""
    address = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:12]}")
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
    yield broker.start()
    broker.stop()
