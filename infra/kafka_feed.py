"""kafka-python behind consumers.base.Subscription.

A consumer group with manual commits; a dead-letter producer; and, for sinks that keep their
offsets in their own database (the warehouse), a seek to those offsets whenever the group
hands this member a partition, so the database, not the group, says where to resume.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from consumers.base import Delivery
from infra.relay import ensure_topic

log = logging.getLogger("espcrm.consumer")

# (topic, partitions) → partition → the next offset to read; a partition left out starts
# from the beginning of the topic.
StartingOffsets = Callable[[str, Sequence[int]], Mapping[int, int]]


def dead_letter_topic(topic: str, group_id: str) -> str:
    """One per group: a message poison for one consumer may be fine for another."""
    return f"{topic}.dlq.{group_id}"


class KafkaSubscription:
    def __init__(
        self,
        bootstrap: str,
        topic: str,
        group_id: str,
        *,
        starting_offsets: StartingOffsets | None = None,
        instance_id: str | None = None,
        max_poll_records: int = 500,
        session_timeout_ms: int = 10_000,
    ) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.dead_letter_topic = dead_letter_topic(topic, group_id)
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group_id,
            # Static membership: a member restarted under the same id gets its partitions
            # back at once instead of after the session timeout.
            group_instance_id=instance_id,
            client_id=instance_id or f"espcrm-{group_id}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=max_poll_records,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(1_000, session_timeout_ms // 3),
            reconnect_backoff_max_ms=1_000,
        )
        listener = _SeekOnAssignment(self.consumer, topic, starting_offsets)
        self.consumer.subscribe([topic], listener=listener)
        self._producer: KafkaProducer | None = None

    def poll(self, timeout: float) -> list[Delivery]:
        records = self.consumer.poll(timeout_ms=int(timeout * 1000))
        return [_delivery(record) for part in sorted(records) for record in records[part]]

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        try:
            self.consumer.commit(
                {
                    TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
                    for (topic, partition), offset in offsets.items()
                }
            )
        except CommitFailedError as error:
            # A rebalance gave the partition to another member, which resumes from the last
            # commit: those events are handed over again (at-least-once), never skipped.
            log.warning("commit refused after a rebalance: %s", error)

    def dead_letter(self, delivery: Delivery, error: BaseException) -> None:
        """The original record, its headers, and why it failed; raises if the broker won't
        take it, so the poison message's offset is not committed."""
        headers = [
            *delivery.headers,
            ("error", str(error)[:2000].encode()),
            ("error.type", type(error).__name__.encode()),
            ("original.topic", delivery.topic.encode()),
            ("original.partition", str(delivery.partition).encode()),
            ("original.offset", str(delivery.offset).encode()),
        ]
        future = self._dead_letter_producer().send(
            self.dead_letter_topic, key=delivery.key, value=delivery.value, headers=headers
        )
        future.get(timeout=30)

    def assigned_partitions(self) -> set[int]:
        return {part.partition for part in self.consumer.assignment()}

    def close(self) -> None:
        self.consumer.close(autocommit=False)
        if self._producer is not None:
            self._producer.close(timeout=5)

    def _dead_letter_producer(self) -> KafkaProducer:
        if self._producer is None:
            ensure_topic(self.bootstrap, self.dead_letter_topic, partitions=1)
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True
            )
        return self._producer


class _SeekOnAssignment(ConsumerRebalanceListener):  # type: ignore[misc]
    """Offsets are committed after every batch, so a revocation has nothing left to do."""

    def __init__(
        self, consumer: KafkaConsumer, topic: str, starting_offsets: StartingOffsets | None
    ) -> None:
        self.consumer = consumer
        self.topic = topic
        self.starting_offsets = starting_offsets

    def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    def on_partitions_assigned(self, assigned: Any) -> None:
        if self.starting_offsets is None or not assigned:
            return
        stored = self.starting_offsets(self.topic, sorted(part.partition for part in assigned))
        for part in assigned:
            offset = stored.get(part.partition)
            if offset is None:
                self.consumer.seek_to_beginning(part)
            else:
                self.consumer.seek(part, offset)
        log.info("resuming %s from stored offsets %s", self.topic, dict(stored))


def _delivery(record: Any) -> Delivery:
    return Delivery(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        headers=tuple((key, value or b"") for key, value in record.headers or ()),
    )
