"""A small consumer of the event feed for downstream teams; the Kafka client is plugged in.

Each polled batch goes through four steps:

1. decode: a message that is not an envelope (not JSON, no id) is poison: dead-lettered;
2. de-duplicate by event id, because the feed is at-least-once;
3. hand the fresh events to the handler in one call. An error the caller named transient
   (the handler's database is down, say) is retried until it passes or the consumer stops;
   any other error falls back to one event at a time, and an event that still fails
   `attempts` times (or raises PoisonMessage) is dead-lettered with the error in headers;
4. commit the batch's offsets, only after all of it was handled or dead-lettered.

A crash between 3 and 4 hands the batch over again. A seen-store that survives restarts, or
a handler whose effect is idempotent (the warehouse sink), makes that harmless.

The broker side is a `Subscription`; infra/kafka_feed.py adapts kafka-python to it, so this
module holds no client library and a handler can be tested without a broker.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("espcrm.consumer")

ENVELOPE_KEYS = ("id", "position", "streamId", "streamType", "type", "version", "data")


@dataclass(frozen=True)
class Delivery:
    """One Kafka record as the broker handed it over."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None


@dataclass(frozen=True)
class FeedEvent:
    """One envelope of DOMAIN.md "The event feed" and the record it came in."""

    envelope: Mapping[str, Any]
    delivery: Delivery

    @property
    def id(self) -> str:
        return str(self.envelope["id"])

    @property
    def stream_id(self) -> str:
        return str(self.envelope["streamId"])

    @property
    def type(self) -> str:
        """Qualified, as in the `type` header: `Issue.Raised`."""
        return f"{self.envelope['streamType']}.{self.envelope['type']}"

    @property
    def version(self) -> int:
        return int(self.envelope["version"])


class PoisonMessage(Exception):
    """An event that can never be handled: dead-lettered at once, never retried."""


def decode(delivery: Delivery) -> FeedEvent:
    try:
        envelope = json.loads(delivery.value or b"")
    except ValueError as error:
        raise PoisonMessage(f"not JSON: {error}") from None
    if not isinstance(envelope, dict):
        raise PoisonMessage("not a JSON object")
    missing = [key for key in ENVELOPE_KEYS if key not in envelope]
    if missing:
        raise PoisonMessage(f"not an event envelope: no {', '.join(missing)}")
    return FeedEvent(envelope, delivery)


class Subscription(Protocol):
    """The broker as a consumer sees it: its group's share of the topic's partitions."""

    def poll(self, timeout: float) -> list[Delivery]: ...

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """(topic, partition) → the next offset to read."""

    def dead_letter(self, delivery: Delivery, error: BaseException) -> None: ...

    def close(self) -> None: ...


class SeenStore(Protocol):
    """The event ids already handled. Pluggable: memory, a table, a cache."""

    def seen(self, event_id: str) -> bool: ...

    def remember(self, event_ids: Iterable[str]) -> None: ...


class MemorySeenStore:
    """The last `capacity` ids, in memory. Enough against the relay's re-sends, which repeat
    at most the batch it was publishing; a restart forgets, so a consumer that must not
    repeat an effect across restarts needs a durable store or an idempotent handler."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    def remember(self, event_ids: Iterable[str]) -> None:
        for event_id in event_ids:
            self._ids[event_id] = None
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)


# Gets a batch's fresh events in offset order. After an error it may get them again one at a
# time, so its effect must be all-or-nothing per call, or idempotent.
Handler = Callable[[Sequence[FeedEvent]], None]


@dataclass
class ConsumerStats:
    handled: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    retries: int = 0
    batches: int = 0


class _Stopped(Exception):
    """Stop was asked for while a transient error was being waited out."""


class FeedConsumer:
    """Poll, de-duplicate, handle, commit; until stop() or SIGTERM."""

    def __init__(
        self,
        subscription: Subscription,
        handler: Handler,
        *,
        seen: SeenStore | None = None,
        transient: tuple[type[BaseException], ...] = (),
        attempts: int = 3,
        retry_pause: float = 0.2,
        poll_timeout: float = 0.5,
    ) -> None:
        self.subscription = subscription
        self.handler = handler
        self.seen = seen
        self.transient = transient
        self.attempts = attempts
        self.retry_pause = retry_pause
        self.poll_timeout = poll_timeout
        self.stats = ConsumerStats()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def stop_on_signals(
        self, signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT)
    ) -> dict[signal.Signals, Any]:
        """Finish the batch in hand, commit it, leave the group; returns the old handlers."""
        return {sig: signal.signal(sig, lambda *_: self.stop()) for sig in signals}

    def run(self) -> ConsumerStats:
        """Until stop() (or a signal, see stop_on_signals); then leaves the group."""
        try:
            while not self._stopping.is_set():
                batch = self.subscription.poll(self.poll_timeout)
                if batch:
                    self.process(batch)
        finally:
            self.subscription.close()
        return self.stats

    def process(self, batch: Sequence[Delivery]) -> None:
        fresh = self._fresh(batch)
        if fresh and not self._handle(fresh):
            return  # stopped while waiting out a transient error: commit nothing
        self.subscription.commit(_next_offsets(batch))
        self.stats.batches += 1

    def _fresh(self, batch: Sequence[Delivery]) -> list[FeedEvent]:
        """Decoded, minus the ids already seen. Without a seen-store every event is passed
        on: the handler de-duplicates itself (and may need each record's offset to)."""
        fresh: list[FeedEvent] = []
        in_batch: set[str] = set()
        for delivery in batch:
            try:
                event = decode(delivery)
            except PoisonMessage as error:
                self._dead_letter(delivery, error)
                continue
            if self.seen is not None and (event.id in in_batch or self.seen.seen(event.id)):
                self.stats.duplicates += 1
                continue
            in_batch.add(event.id)
            fresh.append(event)
        return fresh

    def _handle(self, events: list[FeedEvent]) -> bool:
        """All at once; on an error one at a time, so only the bad event is dead-lettered."""
        try:
            self._call(events)
        except _Stopped:
            return False
        except Exception as error:
            log.warning("a batch of %d failed (%s): handling one at a time", len(events), error)
            return all(self._handle_one(event) for event in events)
        self._handled(events)
        return True

    def _handle_one(self, event: FeedEvent) -> bool:
        error: Exception = PoisonMessage("no attempt made")
        for attempt in range(1, self.attempts + 1):
            try:
                self._call([event])
            except _Stopped:
                return False
            except PoisonMessage as poison:
                error = poison
                break
            except Exception as failure:
                error = failure
                if attempt < self.attempts:
                    self.stats.retries += 1
                    self._stopping.wait(self.retry_pause)
            else:
                self._handled([event])
                return True
        if self._stopping.is_set() and not isinstance(error, PoisonMessage):
            return False  # its retries were cut short by the stop: not proven poison
        self._dead_letter(event.delivery, error)
        return True

    def _call(self, events: Sequence[FeedEvent]) -> None:
        """The handler; a transient error is waited out, as long as it takes."""
        pause = self.retry_pause
        while True:
            try:
                self.handler(events)
                return
            except self.transient as error:
                if self._stopping.is_set():
                    raise _Stopped from error
                log.warning("transient failure (%s); retrying in %.1fs", error, pause)
                self.stats.retries += 1
                self._stopping.wait(pause)
                pause = min(pause * 2, 10.0)

    def _handled(self, events: Sequence[FeedEvent]) -> None:
        self.stats.handled += len(events)
        if self.seen is not None:
            self.seen.remember(event.id for event in events)

    def _dead_letter(self, delivery: Delivery, error: BaseException) -> None:
        log.error(
            "dead-lettering %s[%d]@%d: %r",
            delivery.topic,
            delivery.partition,
            delivery.offset,
            error,
        )
        self.subscription.dead_letter(delivery, error)
        self.stats.dead_lettered += 1


def _next_offsets(batch: Iterable[Delivery]) -> dict[tuple[str, int], int]:
    offsets: dict[tuple[str, int], int] = {}
    for delivery in batch:
        key = (delivery.topic, delivery.partition)
        offsets[key] = max(offsets.get(key, 0), delivery.offset + 1)
    return offsets
