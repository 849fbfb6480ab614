"""The relay reads the next batch of a backlog while the broker acknowledges the current one,
and still publishes every event once, in order, from its recorded position."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking

from infra.relay import EventRelay


@dataclass
class Envelope:
    position: int
    stream_id: str = "s"

    def as_json(self) -> dict[str, int]:
        return {"position": self.position}

    # what message_headers reads
    id: str = "i"
    stream_type: str = "Enterprise"
    type: str = "Made"


@dataclass
class Log:
    head: int
    reads: list[tuple[int, str]] = field(default_factory=list)  # (after, thread)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read_feed(self, after: int, limit: int) -> list[Envelope]:
        with self.lock:
            self.reads.append((after, threading.current_thread().name))
            return [Envelope(p) for p in range(after + 1, min(self.head, after + limit) + 1)]


class Positions:
    def __init__(self) -> None:
        self.recorded: list[int] = []

    def max_tracking_id(self, name: str) -> int:
        return self.recorded[-1] if self.recorded else 0

    def insert_tracking(self, tracking: Tracking) -> None:
        self.recorded.append(tracking.notification_id)


class Producer:
    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, topic: str, key: str, value: dict[str, int], headers: Any) -> Any:
        self.sent.append(value["position"])
        return type("Acknowledged", (), {"get": lambda self, timeout=None: None})()

    def flush(self) -> None: ...

    def close(self, timeout: float = 0) -> None: ...


def _relay(log: Log, producer: Producer) -> EventRelay:
    return EventRelay(log, Positions(), lambda: producer, "t", batch_size=10)  # type: ignore[arg-type]


def test_a_backlog_is_published_once_in_order_reading_ahead_on_another_thread() -> None:
    log, producer = Log(head=35), Producer()
    relay = _relay(log, producer)
    while relay.publish_batch():
        pass
    assert producer.sent == list(range(1, 36))
    assert relay.positions.recorded == [10, 20, 30, 35]  # type: ignore[attr-defined]
    ahead = [after for after, thread in log.reads if thread.startswith("espcrm-relay-read")]
    assert ahead == [10, 20, 30]


def test_a_short_batch_read_ahead_is_read_again_so_later_events_are_not_missed() -> None:
    log, producer = Log(head=14), Producer()
    relay = _relay(log, producer)
    assert relay.publish_batch() == 10  # reads ahead after 10: 4 events then
    log.head = 19  # five more are committed meanwhile
    assert relay.publish_batch() == 9
    assert producer.sent == list(range(1, 20))


def test_a_batch_read_ahead_from_another_position_is_not_used() -> None:
    log, producer = Log(head=30), Producer()
    relay = _relay(log, producer)
    relay.publish_batch()
    relay.positions.recorded.clear()  # type: ignore[attr-defined]  # as if the position went back
    relay.publish_batch()
    assert producer.sent[:20] == [*range(1, 11), *range(1, 11)]
