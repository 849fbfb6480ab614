"""The feed under faults, against the real broker: nothing missing, each stream in order.

The relay is at-least-once: whatever fails, an event may arrive twice but never not at all,
and the reusable consumer (consumers/base.py) turns that into exactly once per event id.
"""

from __future__ import annotations

import bisect
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from consumers.base import FeedConsumer, FeedEvent
from infra.bootstrap import Container, bootstrap
from infra.kafka_broker import KafkaBroker
from infra.kafka_feed import KafkaSubscription, dead_letter_topic
from infra.postgres_server import PgAddress
from infra.relay import (
    EventRelay,
    ResolvingProducers,
    make_producer,
    prometheus_text,
    relay_metrics,
    start_relay_thread,
)
from infra.settings import Settings
from tests.builders import ADMIN, register_command
from tests.conftest import ROOT, FixedClock
from tests.feed_scenarios import busy_enterprises, every_event_type
from tests.integration.feed_support import (
    VALIDATOR,
    Collector,
    assert_each_once_in_stream_order,
    committed_total,
    consume_deduplicated,
    end_offsets,
    every_envelope,
    new_topic,
    publish_all,
    read_topic,
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
    """The system without projections: these tests follow the log with the relay alone."""
    built = bootstrap(settings, clock=clock, address=database)
    yield built
    built.close()


def test_every_event_reaches_the_topic_and_a_deduplicating_consumer_sees_each_once_in_order(
    feed_container: Container, kafka_bootstrap: str
) -> None:
    app = feed_container.app
    topic = new_topic(kafka_bootstrap)
    save_in_chunks(app, [*every_event_type(), *busy_enterprises(250)])
    expected = every_envelope(app)
    assert publish_all(relay_for(feed_container, kafka_bootstrap, topic)) == len(expected)
    # A relay restarted half-way: the second half goes out twice.
    resent = republish_from(
        feed_container, kafka_bootstrap, topic, expected[len(expected) // 2].position
    )

    records = read_topic(kafka_bootstrap, topic)
    assert len(records) == len(expected) + resent
    for record in records:
        message = json.loads(record.value)
        errors = [error.message for error in VALIDATOR.iter_errors(message)]
        assert not errors, f"{message['id']} does not match docs/schemas: {errors[:3]}"
        assert (
            dict(record.headers)["id"].decode()
            == message["id"]
            == record.key.decode() + f":{message['version']}"
        )

    seen, consumer = consume_deduplicated(kafka_bootstrap, topic)
    assert_each_once_in_stream_order(seen, expected)
    assert consumer.stats.duplicates == resent > 0


def test_a_poison_message_goes_to_the_dead_letter_topic_with_its_error(
    feed_container: Container, kafka_bootstrap: str
) -> None:
    app = feed_container.app
    topic = new_topic(kafka_bootstrap)
    save_in_chunks(app, busy_enterprises(5))
    relay = relay_for(feed_container, kafka_bootstrap, topic)
    publish_all(relay)
    producer = make_producer(kafka_bootstrap)
    producer.send(topic, key="garbage", value="not an envelope at all").get(timeout=10)
    producer.close()
    save_in_chunks(app, busy_enterprises(5))
    publish_all(relay)
    total = sum(end_offsets(kafka_bootstrap, topic).values())

    collector = Collector()

    def handler(events: Sequence[FeedEvent]) -> None:
        if any(e.type == "EnterpriseRelationship.CommissionerAssigned" for e in events):
            # Fails for these alone, every time: poison that only this consumer can't take.
            bad = [e for e in events if e.type == "EnterpriseRelationship.CommissionerAssigned"]
            if len(events) == 1:
                raise ValueError(f"cannot handle {bad[0].id}")
            raise ValueError("batch has an event this handler cannot take")
        collector(events)

    group = "poison-test"
    consumer = FeedConsumer(
        KafkaSubscription(kafka_bootstrap, topic, group), handler, retry_pause=0.01
    )
    stats = consumer.stats
    run_until(consumer, lambda: stats.handled + stats.dead_lettered >= total)

    assert stats.dead_lettered == 1 + 10 and stats.handled == total - 11 == len(collector.events)
    dead = read_topic(kafka_bootstrap, dead_letter_topic(topic, group))
    headers = [{k: v.decode() for k, v in record.headers} for record in dead]
    assert Counter(h["error.type"] for h in headers) == {"ValueError": 10, "PoisonMessage": 1}
    [garbage] = [
        r for r, h in zip(dead, headers, strict=True) if h["error.type"] == "PoisonMessage"
    ]
    assert garbage.value == b'"not an envelope at all"' and garbage.key == b"garbage"
    refused = [h for h in headers if h["error.type"] == "ValueError"]
    assert all(h["error"] == f"cannot handle {h['id']}" for h in refused)
    assert all(h["original.topic"] == topic and h["type"].endswith("Assigned") for h in refused)
    # Three attempts each for the ten that raised ValueError: two retries each.
    assert stats.retries == 10 * 2
    # It did not get stuck on them: everything is committed.
    assert committed_total(kafka_bootstrap, topic, group) == total


def test_a_consumer_told_to_stop_by_sigterm_commits_what_it_handled_and_no_more(
    feed_container: Container, kafka_bootstrap: str
) -> None:
    topic = new_topic(kafka_bootstrap)
    save_in_chunks(feed_container.app, busy_enterprises(100))
    publish_all(relay_for(feed_container, kafka_bootstrap, topic))
    group = "sigterm-test"
    first = Collector()

    def handle_then_get_sigterm(events: Sequence[FeedEvent]) -> None:
        first(events)
        if len(first.events) >= 60:
            os.kill(os.getpid(), signal.SIGTERM)

    subscription = KafkaSubscription(kafka_bootstrap, topic, group, max_poll_records=25)
    consumer = FeedConsumer(subscription, handle_then_get_sigterm)
    previous = consumer.stop_on_signals()
    safety = threading.Timer(30, consumer.stop)  # if SIGTERM did nothing, the asserts fail
    safety.start()
    try:
        consumer.run()  # in the main thread: signal handlers only run there
    finally:
        safety.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    assert 60 <= len(first.events) < 400
    assert committed_total(kafka_bootstrap, topic, group) == len(first.events)
    rest = Collector()
    resumed = FeedConsumer(KafkaSubscription(kafka_bootstrap, topic, group), rest)
    run_until(resumed, lambda: resumed.stats.handled >= 400 - len(first.events))
    assert not {e.id for e in first.events} & {e.id for e in rest.events}
    assert len(first.events) + len(rest.events) == 400


def _start_relay_process(
    database: PgAddress, cipher_key: str, bootstrap: str, topic: str, batch: int
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ESPCRM_CIPHER_KEY": cipher_key}
    command = [
        sys.executable, "-m", "tests.integration.relay_process",
        json.dumps(asdict(database)), bootstrap, topic, str(batch),
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env)


class _Topic:
    """The number of messages on the topic, from a consumer kept open for quick polling."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        self.partitions = [
            TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic)
        ]

    def messages(self) -> int:
        return sum(self.consumer.end_offsets(self.partitions).values())

    def close(self) -> None:
        self.consumer.close()

    def settled(self) -> int:
        """After a kill: requests already on the wire may still land; wait until none do."""
        count = self.messages()
        while True:
            time.sleep(0.3)
            if (again := self.messages()) == count:
                return count
            count = again


def test_the_relay_killed_with_sigkill_mid_batch_then_restarted_loses_nothing(
    feed_container: Container, settings: Settings, database: PgAddress, kafka_bootstrap: str
) -> None:
    app = feed_container.app
    topic = new_topic(kafka_bootstrap)
    save_in_chunks(app, busy_enterprises(1000))
    expected = every_envelope(app)
    assert len(expected) == 4000
    positions = [e.position for e in expected]
    watcher = relay_for(feed_container, kafka_bootstrap, topic)  # reads the process's position

    def recorded() -> int:
        return bisect.bisect_right(positions, watcher.position())

    def start() -> subprocess.Popen[bytes]:
        cipher_key = settings.cipher_key or ""
        return _start_relay_process(database, cipher_key, kafka_bootstrap, topic, batch=800)

    on_topic = _Topic(kafka_bootstrap, topic)
    try:
        kills, duplicates = _kill_mid_batch(start, on_topic, recorded, len(expected), batch=800)
    finally:
        on_topic.close()
    relay = start()
    try:
        wait_for(lambda: recorded() == len(expected), timeout=60, what="the restarted relay")
    finally:
        relay.send_signal(signal.SIGTERM)
        assert relay.wait(timeout=15) == 0

    seen, consumer = consume_deduplicated(kafka_bootstrap, topic)
    assert_each_once_in_stream_order(seen, expected)
    records = read_topic(kafka_bootstrap, topic)
    ids = Counter(json.loads(r.value)["id"] for r in records)
    assert len(records) == len(expected) + duplicates
    assert sum(n - 1 for n in ids.values()) == duplicates == consumer.stats.duplicates > 0
    print(f"\nSIGKILL: {len(expected)} events, {kills} kill(s), {duplicates} duplicates re-sent")


def _kill_mid_batch(
    start: Callable[[], subprocess.Popen[bytes]],
    on_topic: _Topic,
    recorded: Callable[[], int],
    total: int,
    batch: int,
) -> tuple[int, int]:
    """SIGKILL the relay while part of a batch is on the broker. Returns the kills and the
    messages that are on the broker but past the recorded position: the restart re-sends them."""
    kills = duplicates = 0

    def mid_batch() -> bool:
        # By the broker's count alone: a quarter of a batch or more is there, one batch is
        # done and two are to go. (A relay that recorded too early would lose the rest here.)
        sent = on_topic.messages() - duplicates
        return batch < sent < total - 2 * batch and sent % batch >= batch // 4

    while kills == 0 or duplicates == 0:  # again if the kill landed just after a batch
        assert kills < 3, "never caught the relay in the middle of a batch"
        relay = start()
        try:
            wait_for(mid_batch, timeout=60, what="the relay to be mid-batch", every=0.005)
        finally:
            relay.send_signal(signal.SIGKILL)
            relay.wait(timeout=10)
        kills += 1
        duplicates = on_topic.settled() - recorded()
    return kills, duplicates


def test_the_relay_catches_up_by_itself_after_the_broker_was_down_during_writes_and_moved(
    feed_container: Container, tmp_path: Path
) -> None:
    app = feed_container.app
    broker = KafkaBroker(tmp_path / "kafka")  # its own: the shared test broker stays up
    servers = broker.start()
    topic = new_topic(servers)
    # Deliveries time out after 2 s (30 s in production), so the outage below outlasts them
    # and the relay's own retry runs: a new producer, re-sending from the recorded position,
    # on the broker's address as its data dir says it is now.
    relay = EventRelay(
        app,
        feed_container.tracking_recorder("relay"),
        ResolvingProducers(
            lambda: broker.current_bootstrap() or servers, delivery_timeout_ms=2_000
        ),
        topic,
        batch_size=200,
    )
    try:
        thread = start_relay_thread(relay)
        save_in_chunks(app, busy_enterprises(100))
        wait_for(lambda: relay.position() == app.last_position(), 30, "the first events")

        broker.stop()
        for _ in range(10):  # the API keeps accepting commands meanwhile
            save_in_chunks(app, busy_enterprises(25))
            time.sleep(0.1)
        wait_for(lambda: relay.counters.failures >= 1, 30, "the relay to notice", every=0.1)
        behind = relay.status()
        assert behind.lag >= 1000 and relay_metrics(relay)["espcrm_relay_lag_events"] == behind.lag

        restarted = time.monotonic()
        host, port = servers.rsplit(":", 1)
        with socket.socket() as squatter:  # its old port is taken meanwhile: it moves
            # (SO_REUSEADDR: the broker's old connections may still sit in TIME_WAIT there)
            squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            squatter.bind((host, int(port)))
            squatter.listen()
            moved = broker.start()
        assert moved != servers
        back = time.monotonic()
        save_in_chunks(app, busy_enterprises(25))
        wait_for(lambda: relay.position() == app.last_position(), 30, "the relay to catch up")
        caught_up = time.monotonic()
        relay.stop()
        thread.join(timeout=20)
        seen, _ = consume_deduplicated(moved, topic)
        assert_each_once_in_stream_order(seen, every_envelope(app))
        print(
            f"\nbroker outage: {app.last_position()} events, {relay.counters.failures} failed "
            f"batches, restart {back - restarted:.1f}s, caught up {caught_up - back:.1f}s after"
        )
    finally:
        relay.stop()
        broker.stop()


def test_the_relay_status_and_metrics_show_its_lag_in_events_and_seconds(
    feed_container: Container, clock: FixedClock, kafka_bootstrap: str
) -> None:
    relay = relay_for(feed_container, kafka_bootstrap, new_topic(kafka_bootstrap))
    feed_container.app.register_enterprise(register_command(), ADMIN)
    clock.advance(seconds=90)
    feed_container.app.register_enterprise(register_command(), ADMIN)
    status = relay.status()
    assert (status.lag, status.lag_seconds) == (2, 90.0)
    assert status.describe().endswith("lag 2 events, 90.0 s")

    relay.publish_batch()
    metrics = relay_metrics(relay)
    assert metrics["espcrm_relay_lag_events"] == metrics["espcrm_relay_lag_seconds"] == 0
    assert metrics["espcrm_relay_published_total"] == 2
    assert "espcrm_relay_lag_seconds 0\n" in prometheus_text(metrics)
