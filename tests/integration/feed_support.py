"""What the feed's fault tests share: topics, writing many events, reading a topic whole,
and a de-duplicating consumer that checks nothing is missing and each stream is in order."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking
from jsonschema import Draft7Validator
from kafka import KafkaConsumer, TopicPartition

from application.feed import FeedEnvelope
from application.service_package import ServicePackage
from consumers.base import FeedConsumer, FeedEvent, MemorySeenStore
from infra.bootstrap import Container
from infra.kafka_feed import KafkaSubscription
from infra.relay import EventRelay, ensure_topic, make_producer

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "envelope.schema.json").read_text())
VALIDATOR = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)


def new_topic(bootstrap: str, partitions: int = 3) -> str:
    topic = f"espcrm.test.{uuid.uuid4().hex[:10]}"
    ensure_topic(bootstrap, topic, partitions)
    return topic


def save_in_chunks(app: ServicePackage, aggregates: Sequence[Any], chunk: int = 100) -> None:
    """One transaction per chunk: thousands of events in a second or two."""
    for start in range(0, len(aggregates), chunk):
        app.save(*aggregates[start : start + chunk])


def relay_for(
    container: Container, bootstrap: str, topic: str, name: str = "relay", batch_size: int = 500
) -> EventRelay:
    return EventRelay(
        container.app,
        container.tracking_recorder(name),
        lambda: make_producer(bootstrap),
        topic,
        batch_size=batch_size,
    )


def publish_all(relay: EventRelay) -> int:
    published = 0
    while batch := relay.publish_batch():
        published += batch
    return published


def republish_from(container: Container, bootstrap: str, topic: str, position: int) -> int:
    """A second relay that starts at `position`: re-sends, as a relay restarted there would."""
    relay = relay_for(container, bootstrap, topic, name="relay_again")
    relay.positions.insert_tracking(Tracking(EventRelay.TRACKING_NAME, position))
    return publish_all(relay)


def every_envelope(app: ServicePackage) -> list[FeedEnvelope]:
    envelopes: list[FeedEnvelope] = []
    while page := app.read_feed(envelopes[-1].position if envelopes else 0, 1000):
        envelopes.extend(page)
    return envelopes


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str, timeout: float = 30.0) -> list[Any]:
    """Every record on the topic now, by assignment (no group): up to the end offsets."""
    ends = end_offsets(bootstrap, topic)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    consumer.assign([TopicPartition(topic, p) for p in ends])
    consumer.seek_to_beginning()
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while any(consumer.position(TopicPartition(topic, p)) < end for p, end in ends.items()):
            assert time.monotonic() < deadline, f"read {len(records)} of {sum(ends.values())}"
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def committed_total(bootstrap: str, topic: str, group: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    try:
        partitions = consumer.partitions_for_topic(topic)
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in partitions)
    finally:
        consumer.close()


def run_until(
    consumer: FeedConsumer, done: Callable[[], bool], timeout: float = 60.0
) -> threading.Thread:
    """The consumer in a thread until `done()`; then stopped and joined."""
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    wait_for(done, timeout, what="the consumer to finish")
    consumer.stop()
    thread.join(timeout=15)
    assert not thread.is_alive(), "the consumer did not stop"
    return thread


def wait_for(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


class Collector:
    """A handler that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[FeedEvent] = []

    def __call__(self, events: Sequence[FeedEvent]) -> None:
        self.events.extend(events)


def consume_deduplicated(bootstrap: str, topic: str) -> tuple[list[FeedEvent], FeedConsumer]:
    """The whole topic through the reusable consumer with an in-memory seen-store."""
    total = sum(end_offsets(bootstrap, topic).values())
    collector = Collector()
    subscription = KafkaSubscription(bootstrap, topic, f"dedup-{uuid.uuid4().hex[:8]}")
    consumer = FeedConsumer(subscription, collector, seen=MemorySeenStore())
    stats = consumer.stats
    run_until(consumer, lambda: stats.handled + stats.duplicates + stats.dead_lettered >= total)
    return collector.events, consumer


def assert_each_once_in_stream_order(
    seen: Iterable[FeedEvent], expected: Sequence[FeedEnvelope]
) -> None:
    seen = list(seen)
    counts = Counter(event.id for event in seen)
    assert [i for i, n in counts.items() if n > 1] == [], "an event was handled twice"
    missing = {e.id for e in expected} - set(counts)
    assert not missing, f"{len(missing)} events never arrived, e.g. {sorted(missing)[:3]}"
    versions: dict[str, list[int]] = defaultdict(list)
    for event in seen:
        versions[event.stream_id].append(event.version)
    disordered = {s: v for s, v in versions.items() if v != list(range(1, len(v) + 1))}
    assert not disordered, f"streams out of order: {list(disordered.items())[:2]}"
