"""The warehouse sink: the downstream consumer shipped with the product.

Each batch the FeedConsumer hands over goes to the store in one call, which writes the
events, the state they imply and the Kafka offsets after them in one transaction. So the
effect is exactly-once: a record handed over again (a crash before the Kafka commit, a
rebalance) is recognised by its offset, an event the relay sent twice by its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from consumers.base import FeedEvent
from consumers.warehouse.store import LoadCounts, WarehouseRecord


class WarehouseStore(Protocol):
    def load(self, records: Iterable[WarehouseRecord]) -> LoadCounts:
        """All of it or none of it, with the offsets after it."""

    def starting_offsets(self, topic: str, partitions: Sequence[int]) -> dict[int, int]:
        """Where each partition resumes: the sink seeks there when it is assigned one."""


class WarehouseSink:
    """A FeedConsumer handler; its counts say what this instance did since it started."""

    def __init__(self, store: WarehouseStore) -> None:
        self.store = store
        self.counts = LoadCounts()

    def __call__(self, events: Sequence[FeedEvent]) -> None:
        records = [
            WarehouseRecord(
                topic=event.delivery.topic,
                partition=event.delivery.partition,
                offset=event.delivery.offset,
                envelope=event.envelope,
            )
            for event in events
        ]
        self.counts.add(self.store.load(records))
