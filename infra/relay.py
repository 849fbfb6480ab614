"""The relay: publishes the global event log to Kafka, in order, at least once, never a gap."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.serializer import Serializer

from application.service_package import ServicePackage
from infra.feed_reader import FeedReader, InProcessFeed, message_headers, wire_json
from infra.kafka_cluster import replication_for

log = logging.getLogger("espcrm.relay")

__all__ = ["EventRelay", "ensure_topic", "make_producer", "message_headers"]


def make_producer(bootstrap: str, *, delivery_timeout_ms: int = 30_000) -> KafkaProducer:
    """acks=all with idempotence: the broker has everything before we record a position.

    A batch not delivered within `delivery_timeout_ms` (the broker down that long) fails, and
    the relay backs off and re-sends it from its recorded position with a new producer.
    """
    wait_ms = min(10_000, delivery_timeout_ms // 2)
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        # Each of these waits is bounded, so a broker that is down surfaces as an error
        # within seconds and the relay's own retry (run_forever) takes over.
        bootstrap_timeout_ms=wait_ms,
        max_block_ms=wait_ms,
        request_timeout_ms=wait_ms,
        delivery_timeout_ms=delivery_timeout_ms,
        # The default grows to 30 s between reconnects: a broker back after an outage would
        # wait that long for the relay. One second keeps catch-up prompt on loopback or LAN.
        reconnect_backoff_max_ms=1_000,
        retries=5,
        key_serializer=_Utf8(),
        value_serializer=_Json(),
    )


class ResolvingProducers:
    """Makes the relay's producers on the broker's address as it is now, asked again for each new
    producer: after a broker restart on other ports (the development broker saves its ports in
    its data dir), the relay's next producer dials the new ones."""

    def __init__(self, resolve: Callable[[], str], **options: Any) -> None:
        self.resolve = resolve
        self.options = options
        self.address: str | None = None

    def __call__(self) -> KafkaProducer:
        self.address = self.resolve()
        return make_producer(self.address, **self.options)

    def moved(self) -> bool:
        """Whether the broker now says it is somewhere else than the last producer dialled."""
        return self.address is not None and self.resolve() != self.address


class _Utf8(Serializer):  # type: ignore[misc]
    def serialize(self, topic: str, headers: Any, data: str) -> bytes:
        return data.encode()


class _Json(Serializer):  # type: ignore[misc]
    def serialize(self, topic: str, headers: Any, data: Any) -> bytes:
        if isinstance(data, bytes):  # the relay's feed reader wrote the JSON already
            return data
        return wire_json(data)


def ensure_topic(
    bootstrap: str,
    topic: str,
    partitions: int,
    *,
    replication_factor: int | None = None,
    min_insync_replicas: int | None = None,
) -> None:
    """Create the topic if it is missing. Its replication, unless given, follows the cluster:
    3 copies and min.insync.replicas 2 on three brokers or more, 1 and 1 on a single broker
    (infra/kafka_cluster.py `replication_for`). With acks=all, an acknowledged event is then
    on at least min.insync.replicas brokers."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        if topic not in admin.list_topics():
            brokers = len(admin.describe_cluster()["brokers"])
            auto_replicas, auto_min_insync = replication_for(brokers)
            replicas = replication_factor or auto_replicas
            min_insync = min_insync_replicas or min(auto_min_insync, replicas)
            # A single copy keeps the broker's default (1): the lone broker's topics as before.
            configs = {"min.insync.replicas": str(min_insync)} if replicas > 1 else {}
            admin.create_topics([NewTopic(topic, partitions, replicas, topic_configs=configs)])
            log.info(
                "created topic %s with %d partitions, %d replicas, min.insync.replicas %d",
                topic, partitions, replicas, min_insync,
            )  # fmt: skip
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


@dataclass(frozen=True)
class RelayStatus:
    position: int
    head: int
    # Age of the oldest event not yet published, by the clock that stamped it; 0 when none.
    lag_seconds: float = 0.0

    @property
    def lag(self) -> int:
        return self.head - self.position

    def describe(self) -> str:
        return (
            f"position {self.position}  head {self.head}  "
            f"lag {self.lag} events, {self.lag_seconds:.1f} s"
        )


@dataclass
class RelayCounters:
    """What this process's relay did since it started (for metrics, not for correctness)."""

    published: int = 0  # messages the broker acknowledged, re-sends included
    failures: int = 0  # batches that failed and were retried
    last_published_at: float | None = None  # unix time of the last acknowledged batch


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
        waiter: Any = None,
        feed: FeedReader | None = None,
    ) -> None:
        self.app = app
        # Where batches are read (infra/feed_reader.py): in a child process in deployment.
        self.feed: FeedReader = feed or InProcessFeed(app)
        # Something with wait(timeout) -> bool (infra.log_waiter.LogWaiter): woken by appends.
        self.waiter = waiter
        self.positions = positions
        self.producer_factory = producer_factory
        self.topic = topic
        self.batch_size = batch_size
        self._producer: Any = None
        self.stopping = threading.Event()
        self.counters = RelayCounters()

    def position(self) -> int:
        return self.positions.max_tracking_id(self.TRACKING_NAME) or 0

    def status(self) -> RelayStatus:
        position, head = self.position(), self.app.last_position()
        return RelayStatus(position, head, self._lag_seconds(position, head))

    def _lag_seconds(self, position: int, head: int) -> float:
        if head <= position:
            return 0.0
        oldest = self.app.read_feed(position, 1)
        if not oldest:
            return 0.0
        age = self.app.clock.now() - oldest[0].occurred_at
        return max(0.0, age.total_seconds())

    def publish_batch(self) -> int:
        """One batch; the position moves only after the broker acknowledged all of it."""
        batch = self.feed.read(self.position(), self.batch_size)
        if not batch:
            return 0
        producer = self._producer_or_new()
        futures = [
            producer.send(self.topic, key=key, value=value, headers=headers)
            for _, key, value, headers in batch
        ]
        producer.flush()
        for f in futures:
            f.get(timeout=30)  # raises if any message failed: nothing recorded
        self.positions.insert_tracking(Tracking(self.TRACKING_NAME, batch[-1][0]))
        self.counters.published += len(batch)
        self.counters.last_published_at = time.time()
        return len(batch)

    def run_forever(self, idle_sleep: float = 0.2, max_backoff: float = 5.0) -> None:
        """Until stop(): a failure (Kafka down, the database briefly gone) backs off and retries
        from the recorded position, so the worst outcome is a batch sent twice."""
        backoff = 0.5
        while not self.stopping.is_set():
            try:
                published = self.publish_batch()
                backoff = 0.5
            except Exception as error:
                self._after_failure(error, backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, max_backoff)
                continue
            if not published:
                self._idle(idle_sleep)
        self.close()

    def close(self) -> None:
        """The producer, the feed reader and the waiter let go (the relay may run again)."""
        self._drop_producer()
        self.feed.close()
        if self.waiter is not None:
            self.waiter.close()

    def _idle(self, seconds: float) -> None:
        """Until an append is announced or stop() is called, at most `seconds` (the poll
        interval when no waiter is given or its connection is lost)."""
        if self.waiter is None:
            self.stopping.wait(seconds)
        else:
            self.waiter.wait(seconds)

    def _after_failure(self, error: Exception, backoff: float) -> None:
        self.counters.failures += 1
        if isinstance(error, KafkaError):
            log.warning("kafka unavailable (%s); retrying in %.1fs", error, backoff)
        else:
            log.exception("relay batch failed; retrying in %.1fs", backoff)
        # A producer that saw errors may hold half-sent state: the retry starts clean.
        self._drop_producer()

    def stop(self) -> None:
        self.stopping.set()
        if self.waiter is not None:
            self.waiter.wake()

    def _producer_or_new(self) -> Any:
        moved = getattr(self.producer_factory, "moved", None)
        if self._producer is not None and moved is not None and moved():
            log.warning("the Kafka broker moved: dialling it anew")
            self._drop_producer()
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


def relay_metrics(relay: EventRelay) -> dict[str, float]:
    """The relay's gauges and counters, named for Prometheus (see `prometheus_text`)."""
    status = relay.status()
    return {
        "espcrm_relay_position": status.position,
        "espcrm_relay_head_position": status.head,
        "espcrm_relay_lag_events": status.lag,
        "espcrm_relay_lag_seconds": status.lag_seconds,
        "espcrm_relay_published_total": relay.counters.published,
        "espcrm_relay_failures_total": relay.counters.failures,
        "espcrm_relay_last_published_timestamp_seconds": relay.counters.last_published_at or 0.0,
    }


def prometheus_text(metrics: Mapping[str, float]) -> str:
    """The text exposition format, one `name value` line each, for a /metrics endpoint."""
    return "".join(f"{name} {value:g}\n" for name, value in metrics.items())


def wait_until_published(relay: EventRelay, position: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while relay.position() < position:
        if time.monotonic() > deadline:
            raise TimeoutError(f"relay at {relay.position()}, wanted {position}")
        time.sleep(0.05)
