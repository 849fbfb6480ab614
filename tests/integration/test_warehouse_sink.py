"""The warehouse sink, against the real broker and PostgreSQL: exactly-once in effect.

Its rows and its Kafka offsets are written in one transaction, so neither a kill nor a
rebalance nor the relay's re-sends can count an event twice or lose one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from application.feed import FeedEnvelope
from consumers.warehouse.store import STATE_TABLES
from infra.bootstrap import Container, bootstrap
from infra.postgres_server import PgAddress
from infra.settings import Settings
from infra.warehouse import WarehouseParts, build_warehouse_consumer
from tests.conftest import ROOT, FixedClock
from tests.feed_scenarios import busy_enterprises, every_event_type, issue_lifecycles
from tests.integration.feed_support import (
    end_offsets,
    every_envelope,
    new_topic,
    publish_all,
    relay_for,
    republish_from,
    run_until,
    save_in_chunks,
    wait_for,
)


@pytest.fixture
def feed_container(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> Iterator[Container]:
    built = bootstrap(settings, clock=clock, address=database)
    yield built
    built.close()


def _write(container: Container, enterprises: int) -> list[FeedEnvelope]:
    """Busy enterprises, half of them with an issue at some stage, and every event type."""
    busy = busy_enterprises(enterprises)
    issues = issue_lifecycles([str(e.id) for e in busy[: enterprises // 2]])
    save_in_chunks(container.app, [*every_event_type(), *busy, *issues])
    return every_envelope(container.app)


def _query(database: PgAddress, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.conninfo()) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _loaded_offsets(database: PgAddress, schema: str, topic: str) -> int:
    try:
        rows = _query(
            database,
            f"SELECT coalesce(sum(next_offset), 0) FROM {schema}.kafka_offsets WHERE topic = %s",
            topic,
        )
    except psycopg.errors.UndefinedTable:
        return 0  # the sink has not created its tables yet
    return int(rows[0][0])


def _count(database: PgAddress, table: str) -> int:
    try:
        return int(_query(database, f"SELECT count(*) FROM {table}")[0][0])
    except psycopg.errors.UndefinedTable:
        return 0


def _differences(database: PgAddress, left: str, right: str) -> dict[str, int]:
    """Rows in one schema's table and not the other's, both ways, every column but loaded_at."""
    found = {}
    for table in STATE_TABLES:
        columns = [
            name
            for (name,) in _query(
                database,
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = %s AND table_name = %s AND column_name <> 'loaded_at'",
                left, table,
            )
        ]  # fmt: skip
        listed = ", ".join(columns)
        a = f"SELECT {listed} FROM {left}.{table}"
        b = f"SELECT {listed} FROM {right}.{table}"
        found[table] = _count(database, f"(({a} EXCEPT ALL {b}) UNION ALL ({b} EXCEPT ALL {a})) d")
    return found


def _sink_process(
    database: PgAddress, bootstrap: str, topic: str, group: str
) -> subprocess.Popen[bytes]:
    url = f"postgresql://{quote(database.user)}:{quote(database.password)}@/{database.dbname}"
    url += f"?host={quote(database.host)}&port={database.port}"
    env = {**os.environ, "ESPCRM_KAFKA_BOOTSTRAP": bootstrap, "ESPCRM_KAFKA_TOPIC": topic}
    env["ESPCRM_WAREHOUSE_DATABASE_URL"] = url
    command = [
        sys.executable, "-m", "cli.feed", "warehouse",
        "--group", group, "--instance-id", "sink-1", "--max-poll-records", "100",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _load_from_scratch(
    database: PgAddress, bootstrap: str, topic: str, total: int
) -> WarehouseParts:
    parts = build_warehouse_consumer(
        bootstrap, topic, database, group=f"scratch-{uuid.uuid4().hex[:8]}", schema="scratch"
    )
    try:
        run_until(parts.consumer, lambda: _loaded_offsets(database, "scratch", topic) >= total)
    finally:
        parts.close()
    return parts


def test_the_warehouse_sink_killed_mid_stream_then_restarted_equals_a_load_from_scratch(
    feed_container: Container, database: PgAddress, kafka_bootstrap: str
) -> None:
    topic = new_topic(kafka_bootstrap)
    expected = _write(feed_container, enterprises=600)
    publish_all(relay_for(feed_container, kafka_bootstrap, topic))
    resent = republish_from(feed_container, kafka_bootstrap, topic, expected[-800].position)
    total = sum(end_offsets(kafka_bootstrap, topic).values())
    assert total == len(expected) + resent

    group = f"warehouse-{uuid.uuid4().hex[:8]}"
    sink = _sink_process(database, kafka_bootstrap, topic, group)
    try:
        wait_for(lambda: _count(database, "warehouse.events") >= len(expected) // 3, 60, "a third")
    finally:
        sink.send_signal(signal.SIGKILL)
        sink.wait(timeout=10)
    at_kill = _count(database, "warehouse.events")
    assert at_kill < len(expected), "killed too late: the load had finished"

    sink = _sink_process(database, kafka_bootstrap, topic, group)
    try:
        wait_for(lambda: _loaded_offsets(database, "warehouse", topic) == total, 60, "the rest")
    finally:
        sink.send_signal(signal.SIGTERM)
        assert sink.wait(timeout=20) == 0  # a clean stop on SIGTERM

    scratch = _load_from_scratch(database, kafka_bootstrap, topic, total)
    assert scratch.sink.counts.loaded == len(expected) and scratch.sink.counts.duplicates == resent
    assert _differences(database, "warehouse", "scratch") == dict.fromkeys(STATE_TABLES, 0)
    _assert_no_double_counts(database, feed_container, expected)
    print(f"\nwarehouse: {len(expected)} events + {resent} re-sent, killed at {at_kill} loaded")


def _assert_no_double_counts(
    database: PgAddress, container: Container, expected: list[FeedEnvelope]
) -> None:
    types = Counter(f"{e.stream_type}.{e.type}" for e in expected)
    ids = {id_ for (id_,) in _query(database, "SELECT id FROM warehouse.events")}
    assert ids == {e.id for e in expected}
    [(enterprises, visits, notices)] = _query(
        database,
        "SELECT count(*), sum(visit_count), sum(policy_notice_count) FROM warehouse.enterprises",
    )
    assert enterprises == types["EnterpriseRelationship.Opened"]
    assert (
        visits
        == types["EnterpriseRelationship.VisitLogged"]
        == _count(database, "warehouse.visits")
    )
    assert notices == types["EnterpriseRelationship.PolicyNotified"]
    # Every issue as the domain itself has it: the state derived from the feed is right.
    issues = _query(
        database,
        "SELECT id, status, rework_count, escalation_count, satisfaction FROM warehouse.issues",
    )
    assert len(issues) == types["Issue.Raised"]
    for id_, status, reworks, escalations, satisfaction in issues:
        issue = container.app.get_issue(uuid.UUID(id_))
        assert (status, reworks, escalations) == (
            issue.status.value,
            issue.rework_count,
            issue.escalation_count,
        )
        assert satisfaction == (issue.satisfaction.value if issue.satisfaction else None)


def test_three_partitions_and_two_sink_instances_in_one_group_load_every_event_once(
    feed_container: Container, database: PgAddress, kafka_bootstrap: str
) -> None:
    topic = new_topic(kafka_bootstrap, partitions=3)
    expected = _write(feed_container, enterprises=300)
    relay = relay_for(feed_container, kafka_bootstrap, topic, batch_size=100)
    while relay.position() < expected[len(expected) // 2].position:
        relay.publish_batch()

    group = f"warehouse-{uuid.uuid4().hex[:8]}"
    first = build_warehouse_consumer(
        kafka_bootstrap, topic, database, group=group, max_poll_records=50
    )
    second = build_warehouse_consumer(
        kafka_bootstrap, topic, database, group=group, max_poll_records=50
    )
    threads = [
        threading.Thread(target=parts.consumer.run, daemon=True) for parts in (first, second)
    ]
    try:
        threads[0].start()
        wait_for(lambda: first.sink.counts.loaded > 0, 30, "the first instance to load")
        threads[1].start()  # joins mid-stream: the group rebalances
        wait_for(lambda: bool(second.subscription.assigned_partitions()), 30, "a rebalance")
        publish_all(relay)
        total = sum(end_offsets(kafka_bootstrap, topic).values())
        wait_for(lambda: _loaded_offsets(database, "warehouse", topic) == total, 60, "every event")
    finally:
        for parts in (first, second):
            parts.consumer.stop()
        for thread in threads:
            thread.join(timeout=20)
        first.close()
        second.close()

    a, b = first.sink.counts, second.sink.counts
    assert a.loaded > 0 and b.loaded > 0, "both instances should have had partitions"
    assert a.loaded + b.loaded == len(expected) == total
    assert a.duplicates + b.duplicates + a.replayed + b.replayed == 0
    assert _count(database, "warehouse.events") == len(expected)
    _assert_no_double_counts(database, feed_container, expected)
    print(f"\ntwo sinks: {a.loaded} + {b.loaded} = {len(expected)} events")
