"""The relay: publishes the global event log to Kafka, in order, at least once, never a gap."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.serializer import Serializer

from application.feed import FeedEnvelope
from application.service_package import ServicePackage

log = logging.getLogger("espcrm.relay")


def make_producer(bootstrap: str) -> KafkaProducer:
    """acks=all with idempotence: the broker has everything before we record a position."""
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_block_ms=10_000,
        request_timeout_ms=10_000,
        retries=5,
        key_serializer=_Utf8(),
        value_serializer=_Json(),
    )


class _Utf8(Serializer):  # type: ignore[misc]
    def serialize(self, topic: str, headers: Any, data: str) -> bytes:
        return data.encode()


class _Json(Serializer):  # type: ignore[misc]
    def serialize(self, topic: str, headers: Any, data: Any) -> bytes:
        return json.dumps(data, ensure_ascii=False).encode()


def ensure_topic(bootstrap: str, topic: str, partitions: int) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        if topic not in admin.list_topics():
            admin.create_topics([NewTopic(topic, partitions, 1)])
            log.info("created topic %s with %d partitions", topic, partitions)
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def message_headers(env: FeedEnvelope) -> list[tuple[str, bytes]]:
    return [
        ("id", env.id.encode()),
        ("type", f"{env.stream_type}.{env.type}".encode()),
        ("position", str(env.position).encode()),
    ]


@dataclass
class RelayStatus:
    position: int
    head: int

    @property
    def lag(self) -> int:
        return self.head - self.position


class EventRelay:
    """Reads from its tracked position, publishes a batch, waits for acks, then records."""

    TRACKING_NAME = "espcrm"

    def __init__(
        self,
        app: ServicePackage,
        positions: PostgresTrackingRecorder,
        producer_factory: Callable[[], Any],
        topic: str,
        batch_size: int = 500,
    ) -> None:
        self.app = app
        self.positions = positions
        self.producer_factory = producer_factory
        self.topic = topic
        self.batch_size = batch_size
        self._producer: Any = None
        self.stopping = threading.Event()

    def position(self) -> int:
        return self.positions.max_tracking_id(self.TRACKING_NAME) or 0

    def status(self) -> RelayStatus:
        return RelayStatus(self.position(), self.app.last_position())

    def publish_batch(self) -> int:
        """One batch; the position moves only after the broker acknowledged all of it."""
        batch = self.app.read_feed(self.position(), self.batch_size)
        if not batch:
            return 0
        producer = self._producer_or_new()
        futures = [
            producer.send(
                self.topic,
                key=e.stream_id,
                value=e.as_json(),
                headers=message_headers(e),
            )
            for e in batch
        ]
        producer.flush()
        for f in futures:
            f.get(timeout=30)  # raises if any message failed: nothing recorded
        self.positions.insert_tracking(Tracking(self.TRACKING_NAME, batch[-1].position))
        return len(batch)

    def run_forever(self, idle_sleep: float = 0.2, max_backoff: float = 10.0) -> None:
        backoff = 0.5
        while not self.stopping.is_set():
            try:
                published = self.publish_batch()
                backoff = 0.5
            except KafkaError as error:
                log.warning("kafka unavailable (%s); retrying in %.1fs", error, backoff)
                self._drop_producer()
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, max_backoff)
                continue
            if not published:
                self.stopping.wait(idle_sleep)
        self._drop_producer()

    def stop(self) -> None:
        self.stopping.set()

    def _producer_or_new(self) -> Any:
        if self._producer is None:
            self._producer = self.producer_factory()
        return self._producer

    def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=2)
            except Exception:  # a broken producer must not stop the relay
                log.debug("closing producer failed", exc_info=True)


def start_relay_thread(relay: EventRelay) -> threading.Thread:
    thread = threading.Thread(target=relay.run_forever, name="espcrm-relay", daemon=True)
    thread.start()
    return thread


def wait_until_published(relay: EventRelay, position: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while relay.position() < position:
        if time.monotonic() > deadline:
            raise TimeoutError(f"relay at {relay.position()}, wanted {position}")
        time.sleep(0.05)
