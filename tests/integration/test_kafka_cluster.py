"""The feed on a real three-broker KRaft cluster (infra/kafka_cluster.py): one broker SIGKILLed
while the relay publishes and two warehouse sinks in one group load.

Left out of `make test` (three JVMs and a minute of traffic); `make cluster-test` runs it, and
CI runs that after `make test`. It prints the failover figures.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from kafka import KafkaAdminClient

from infra.bootstrap import Container, bootstrap
from infra.kafka_cluster import KafkaCluster, KafkaClusterStatus
from infra.postgres_server import PgAddress
from infra.relay import EventRelay, ensure_topic, make_producer, start_relay_thread
from infra.settings import Settings
from infra.warehouse import WarehouseParts, build_warehouse_consumer
from tests.conftest import FixedClock
from tests.feed_scenarios import busy_enterprises
from tests.integration.feed_support import (
    assert_each_once_in_stream_order,
    consume_deduplicated,
    end_offsets,
    every_envelope,
    new_topic,
    read_topic,
    save_in_chunks,
    wait_for,
)

pytestmark = pytest.mark.cluster

OFFSETS_TOPIC = "__consumer_offsets"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), brokers=3)
    started = time.monotonic()
    cluster.start()
    print(f"\nthree-broker cluster started in {time.monotonic() - started:.1f}s")
    try:
        yield cluster
    finally:
        stopping = time.monotonic()
        cluster.stop()
        print(f"\nthree-broker cluster stopped in {time.monotonic() - stopping:.1f}s")


@pytest.fixture
def feed_container(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> Iterator[Container]:
    built = bootstrap(settings, clock=clock, address=database)
    yield built
    built.close()


def _partitions(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    try:
        [described] = admin.describe_topics([topic])
        return sorted(described["partitions"], key=lambda part: part["partition_index"])
    finally:
        admin.close()


def _min_insync(bootstrap: str, topic: str) -> str:
    from kafka.admin import ConfigResource, ConfigResourceType

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    try:
        # {resource type: {resource name: {config key: {config data}}}}
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        config = described["topic"][topic]["min.insync.replicas"]
        return str(config["value"] if isinstance(config, dict) else config)
    finally:
        admin.close()


def test_the_feed_topic_on_the_cluster_has_three_copies_and_an_ack_needs_two(
    cluster: KafkaCluster,
) -> None:
    bootstrap = cluster.current_bootstrap() or ""
    topic = new_topic(bootstrap)  # ensure_topic with no replication given: the cluster's
    partitions = _partitions(bootstrap, topic)
    assert len(partitions) == 3
    assert all(sorted(part["replica_nodes"]) == [1, 2, 3] for part in partitions)
    assert _min_insync(bootstrap, topic) == "2"
    # The leaders are spread: each broker leads one partition.
    assert sorted(part["leader_id"] for part in partitions) == [1, 2, 3]
    # ESPCRM_KAFKA_REPLICATION_FACTOR / _MIN_INSYNC_REPLICAS, when set, win.
    chosen = f"espcrm.test.{uuid.uuid4().hex[:10]}"
    ensure_topic(bootstrap, chosen, 1, replication_factor=2, min_insync_replicas=1)
    [partition] = _partitions(bootstrap, chosen)
    assert len(partition["replica_nodes"]) == 2 and _min_insync(bootstrap, chosen) == "1"
    status = cluster.status()
    assert [(node.running, node.registered) for node in status.nodes] == [(True, True)] * 3
    assert sum(node.quorum_leader for node in status.nodes) == 1


class _Writer:
    """The API's load: busy enterprises saved in small transactions until stopped."""

    def __init__(self, container: Container, per_save: int = 10, pause: float = 0.1) -> None:
        self.app = container.app
        self.per_save, self.pause = per_save, pause
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            save_in_chunks(self.app, busy_enterprises(self.per_save))
            self.stopping.wait(self.pause)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=30)


class _Sinks:
    """Two warehouse sink instances in one consumer group, each in its own thread."""

    def __init__(self, bootstrap: str, topic: str, database: PgAddress) -> None:
        group = f"warehouse-{uuid.uuid4().hex[:8]}"
        self.parts: list[WarehouseParts] = [
            build_warehouse_consumer(
                bootstrap, topic, database, group=group, instance_id=None, max_poll_records=200
            )
            for _ in range(2)
        ]
        self.threads = [threading.Thread(target=p.consumer.run, daemon=True) for p in self.parts]

    def __enter__(self) -> _Sinks:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for parts in self.parts:
            parts.consumer.stop()
        for thread in self.threads:
            thread.join(timeout=30)
        for parts in self.parts:
            parts.close()

    def loaded(self) -> list[int]:
        return [parts.sink.counts.loaded for parts in self.parts]

    def both_assigned(self) -> bool:
        return all(parts.subscription.assigned_partitions() for parts in self.parts)


def _query(database: PgAddress, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.conninfo()) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def _loaded_offsets(database: PgAddress, topic: str) -> int:
    rows = _query(
        database,
        "SELECT coalesce(sum(next_offset), 0) FROM warehouse.kafka_offsets WHERE topic = %s",
        topic,
    )
    return int(rows[0][0])


def _loaded_up_to(database: PgAddress, position: int) -> int:
    rows = _query(database, "SELECT count(*) FROM warehouse.events WHERE position <= %s", position)
    return int(rows[0][0])


def _last_loaded(database: PgAddress) -> int:
    return int(_query(database, "SELECT coalesce(max(position), 0) FROM warehouse.events")[0][0])


def _known_status(cluster: KafkaCluster) -> KafkaClusterStatus:
    """The cluster's status once the nodes answered (a loaded machine may need a retry)."""
    deadline = time.monotonic() + 30
    while (status := cluster.status()).under_replicated is None:
        assert time.monotonic() < deadline, "the cluster did not answer its status"
        time.sleep(0.5)
    return status


def _timed(condition: Callable[[], bool], timeout: float, what: str, since: float) -> float:
    wait_for(condition, timeout, what, every=0.1)
    return time.monotonic() - since


def test_a_broker_killed_while_the_relay_publishes_and_two_sinks_load_loses_no_acked_event(
    cluster: KafkaCluster, feed_container: Container, database: PgAddress, tmp_path: Path
) -> None:
    bootstrap = cluster.current_bootstrap() or ""
    topic = new_topic(bootstrap)
    app = feed_container.app
    relay = EventRelay(
        app,
        feed_container.tracking_recorder("relay"),
        lambda: make_producer(bootstrap),
        topic,
        batch_size=200,
    )
    figures: dict[str, float] = {}
    relay_thread = start_relay_thread(relay)
    try:
        with _Writer(feed_container) as writer, _Sinks(bootstrap, topic, database) as sinks:
            wait_for(lambda: relay.position() > 0, 60, "the relay's first batch")
            wait_for(sinks.both_assigned, 60, "both sinks to have partitions")
            wait_for(lambda: min(sinks.loaded()) > 0, 60, "both sinks to load")
            wait_for(lambda: sum(sinks.loaded()) >= 1000, 90, "a thousand events loaded")

            # The victim: the group coordinator (leader of the one offsets partition), which
            # also leads one of the feed's three partitions.
            [offsets_partition] = _partitions(bootstrap, OFFSETS_TOPIC)
            victim = int(offsets_partition["leader_id"])
            controller = [n.node_id for n in cluster.status().nodes if n.quorum_leader]
            acked_at_kill = relay.position()
            killed = time.monotonic()
            cluster.kill(victim)
            head_at_kill = app.last_position()

            # The relay and the group carry on on the two brokers left: an event written after
            # the kill is acknowledged (by the two), and loaded with everything before it.
            figures["relay"] = _timed(
                lambda: relay.position() > head_at_kill, 90, "the relay after the kill", killed
            )
            written_at_kill = [e for e in every_envelope(app) if e.position <= head_at_kill]
            figures["warehouse"] = _timed(
                lambda: (
                    _loaded_up_to(database, head_at_kill) == len(written_at_kill)
                    and _last_loaded(database) > head_at_kill
                ),
                90,
                "the warehouse after the kill",
                killed,
            )
            # Every event acknowledged before the kill is on the topic, read from the two
            # brokers left (the killed one has no say in it).
            on_topic = {dict(r.headers)["id"].decode() for r in read_topic(bootstrap, topic)}
            acked = [e.id for e in written_at_kill if e.position <= acked_at_kill]
            assert acked and not set(acked) - on_topic, "an acknowledged event was lost"
            partitions = _partitions(bootstrap, topic)
            assert all(victim not in part["isr_nodes"] for part in partitions)
            assert all(part["leader_id"] != victim for part in partitions)
            down = _known_status(cluster)
            assert [node.running for node in down.nodes].count(False) == 1
            assert not down.nodes[victim - 1].running and not down.nodes[victim - 1].registered
            assert down.under_replicated is not None and down.under_replicated >= 4
            wait_for(sinks.both_assigned, 60, "the group to carry on with both sinks")
            relay_failures_while_down = relay.counters.failures

            # The broker returns: it rejoins every ISR and leads its partitions again.
            returned = time.monotonic()
            cluster.restart(victim)
            figures["restart"] = time.monotonic() - returned
            figures["in_sync"] = _timed(
                lambda: cluster.status().under_replicated == 0,
                90,
                "the returned broker in every ISR",
                returned,
            )
            assert all(victim in part["isr_nodes"] for part in _partitions(bootstrap, topic))
            assert all(node.registered for node in _known_status(cluster).nodes)
            figures["leaders"] = _timed(
                lambda: all(
                    part["leader_id"] == part["replica_nodes"][0]
                    for part in _partitions(bootstrap, topic)
                ),
                90,
                "the preferred leaders back",
                returned,
            )
            loaded_at_return = sinks.loaded()
            head_at_return = app.last_position()
            wait_for(lambda: relay.position() > head_at_return, 60, "the relay after the return")
            writer.stop()
            wait_for(lambda: relay.position() == app.last_position(), 60, "the relay to finish")
            total = sum(end_offsets(bootstrap, topic).values())
            wait_for(lambda: _loaded_offsets(database, topic) == total, 90, "the warehouse")
            loaded = sinks.loaded()
            assert sinks.both_assigned()
            assert all(
                after > before for after, before in zip(loaded, loaded_at_return, strict=True)
            )
            duplicates = sum(parts.sink.counts.duplicates for parts in sinks.parts)
    finally:
        relay.stop()
        relay_thread.join(timeout=30)

    expected = every_envelope(app)
    # The topic: every event, each once after de-duplication, every stream in order.
    seen, consumer = consume_deduplicated(bootstrap, topic)
    assert_each_once_in_stream_order(seen, expected)
    # The warehouse: every event once, loaded by the two sinks between them.
    ids = {row[0] for row in _query(database, "SELECT id FROM warehouse.events")}
    assert ids == {e.id for e in expected}
    assert sum(loaded) == len(expected)
    versions: dict[str, list[int]] = defaultdict(list)
    rows = _query(
        database,
        "SELECT stream_id, version FROM warehouse.events ORDER BY kafka_partition, kafka_offset",
    )
    for stream_id, version in rows:
        versions[stream_id].append(version)
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    print(
        f"\nbroker {victim} SIGKILLed (group coordinator; metadata quorum leader: "
        f"{controller}): {len(expected)} events acknowledged "
        f"({acked_at_kill} before the kill), lost 0; relay failed batches "
        f"{relay_failures_while_down} while down, {consumer.stats.duplicates} re-sent "
        f"duplicates on the topic ({duplicates} seen by the sinks); sinks loaded {loaded}\n"
        f"recovery after the kill: relay {figures['relay']:.1f}s, warehouse "
        f"{figures['warehouse']:.1f}s; broker back: registered {figures['restart']:.1f}s, "
        f"in every ISR {figures['in_sync']:.1f}s, preferred leaders {figures['leaders']:.1f}s"
    )
