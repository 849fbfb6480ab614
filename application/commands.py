"""The plumbing every command shares: get, act, save with bounded retry, idempotent creation."""

from __future__ import annotations

import itertools
import logging
import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Recording,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, StoredEvent
from eventsourcing.utils import resolve_topic

from domain.enterprise import EnterpriseRelationship
from domain.messages import t
from domain.shared import Clock, Conflict, DomainError, NotFound

A = TypeVar("A")
MAX_ATTEMPTS = 3
_IDEMPOTENCY = uuid5(NAMESPACE_URL, "https://espcrm/idempotency")
log = logging.getLogger("espcrm.commands")

# Settings (infra/bootstrap.py passes them in the application's env).
SNAPSHOT_INTERVAL = "ESPCRM_SNAPSHOT_INTERVAL"  # a relationship snapshot every N events; 0: none
COMMAND_CACHE_CAPACITY = "ESPCRM_COMMAND_CACHE_CAPACITY"  # aggregates kept for commands; 0: none
# The snapshot store's recorder (infra/event_store.py SnapshotRecorder: it keeps the newest
# SNAPSHOTS_KEPT of a stream's snapshots and removes older ones as it writes a new one).
SNAPSHOT_RECORDER_TOPIC = "ESPCRM_SNAPSHOT_RECORDER_TOPIC"
SNAPSHOTS_KEPT = "ESPCRM_SNAPSHOTS_KEPT"
SNAPSHOTTED = (EnterpriseRelationship,)  # the streams that grow long


class CommandCache:
    """Aggregates as the last command here saved them, lent to one command at a time.

    Not eventsourcing's own cache: with fast-forward it costs a query and a deep copy of the
    aggregate on every get; without, a write by another process leaves it stale and nothing
    evicts it, so every retry clashes again. Here a command TAKES the aggregate out (no copy:
    nobody else can see it meanwhile) and it goes back only after a successful save. A clash,
    a refusal or any error drops it, and the retry loads from the store: a stale entry (another
    process wrote the stream) costs one retry, never a lost or a wrong write, because the
    save's optimistic concurrency refuses a stale version.

    Full, it drops an entry chosen at random, not the least recently used: a command takes
    its aggregate out and gives it back last, so under LRU commands going round more streams
    than it holds (a commissioner's round of visits, the benchmark's 1,040 streams against
    1,000 places) each dropped the next one to come, and every command missed. At random,
    such a round finds about capacity / streams of them here."""

    def __init__(self, capacity: int, chance: random.Random | None = None) -> None:
        self.capacity = capacity
        self._items: dict[UUID, Any] = {}
        self._lock = threading.Lock()
        self._chance = chance or random.Random()  # not secrets: which entry makes room

    def take(self, aggregate_id: UUID) -> Any | None:
        with self._lock:
            return self._items.pop(aggregate_id, None)

    def give_back(self, aggregate: Any) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            present = self._items.get(aggregate.id)
            if present is not None and present.version > aggregate.version:
                return  # a newer one came back meanwhile
            self._items.pop(aggregate.id, None)
            self._items[aggregate.id] = aggregate  # last: the one never chosen below
            while len(self._items) > self.capacity:
                at = self._chance.randrange(len(self._items) - 1)  # never the one just given
                del self._items[next(itertools.islice(self._items, at, None))]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class PositionLookup(Protocol):
    def position_of(self, originator_id: UUID, version: int) -> int | None: ...


def idempotent_id(kind: str, user_id: str, key: str | None, *scope: object) -> UUID | None:
    """A repeat of the same command with the same key by the same user on the same target
    (`scope`: the enterprise, the reporting point) targets the same id. The same key by
    another user, at another unit or on another target is another request altogether: it can
    neither return nor overwrite someone else's result. Whether a repeat is the same request
    is the command's to check (IdempotencyKeyReused)."""
    if not key:
        return None
    parts = [kind, user_id.strip().casefold(), key.strip(), *(str(s) for s in scope)]
    return uuid5(_IDEMPOTENCY, "\x1f".join(parts))


def not_found(what: str, aggregate_id: object) -> NotFound:
    """The one answer for an unknown id and for one outside the caller's scope (no leak)."""
    return NotFound("not_found", what=t(f"what.{what}"), id=aggregate_id)


class CommandsBase(Application[UUID]):
    """Application methods are a few lines: get, act, save, return the new position."""

    clock: Clock

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.snapshot_interval = int(self.env.get(SNAPSHOT_INTERVAL) or 0)
        self.command_cache = CommandCache(int(self.env.get(COMMAND_CACHE_CAPACITY) or 0))

    def now(self) -> datetime:
        return self.clock.now()

    def construct_snapshot_store(self) -> EventStore[UUID]:
        """The library's store, its recorder (if one is named) pruning older snapshots."""
        store = super().construct_snapshot_store()
        topic = self.env.get(SNAPSHOT_RECORDER_TOPIC)
        if topic:
            library: Any = store.recorder
            store.recorder = resolve_topic(topic)(
                datastore=library.datastore,
                events_table_name=library.events_table_name,
                kept=int(self.env.get(SNAPSHOTS_KEPT) or 2),
            )
        return store

    def decode(
        self,
        stored_events: Sequence[StoredEvent],
        personal: bool | Callable[[str], bool] = True,
        wanted: Callable[[str], bool] | None = None,
    ) -> list[Any]:
        """Stored events decoded as one batch: the personal-data keys they need are fetched in
        one look (application/shredding.py PersonalDataMapper.to_domain_events), not one per
        subject. `personal=False`: personal data reads as erased, unopened (for a reader
        that shows none); a predicate of the topic: only those events' is opened. `wanted`:
        the events of other topics are not decoded (None)."""
        batch = getattr(self.mapper, "to_domain_events", None)
        if batch is None:
            return [
                self.mapper.to_domain_event(s) if wanted is None or wanted(s.topic) else None
                for s in stored_events
            ]
        return list(batch(stored_events, personal, wanted))

    def _get(self, aggregate_id: UUID, what: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found(what, aggregate_id) from None

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def _update(
        self,
        aggregate_id: UUID,
        what: str,
        act: Callable[[Any], None],
        repeat: list[int] | None = None,
    ) -> int:
        """Optimistic concurrency: a version clash reloads and re-decides, a bounded number of
        times; the loser of a real race then sees the new state (and usually a refusal).

        `act` may append to `repeat` the version of an earlier event that already did this
        (an idempotent repeat): then nothing is saved and that event's position is returned.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            cached = self.command_cache.take(aggregate_id)
            aggregate = cached if cached is not None else self._get(aggregate_id, what)
            try:
                act(aggregate)
            except DomainError:
                if cached is None:
                    raise
                # Refused on what this process last saw: decide again on the stored stream.
                if repeat is not None:
                    repeat.clear()
                continue
            if repeat:
                self.command_cache.give_back(aggregate)
                return self._position_of(aggregate_id, repeat[-1])
            try:
                position = self._save(aggregate)
            except IntegrityError:
                if attempt == MAX_ATTEMPTS:
                    break
                continue
            self.command_cache.give_back(aggregate)
            return position
        raise Conflict("conflict.kept_changing", what=t(f"what.{what}"), id=aggregate_id)

    def _create(self, aggregate: Any, on_clash: Callable[[], Exception]) -> int:
        try:
            position = self._save(aggregate)
        except IntegrityError:
            raise on_clash() from None
        self.command_cache.give_back(aggregate)
        return position

    def _save(self, *aggregates: Any) -> int:
        """Save atomically and return the global position of the last event written."""
        recordings = self.save(*aggregates)
        # A save beside the command path (two aggregates at once, a follow-up step) leaves any
        # cached copy stale: drop it, so the next command loads what was written instead of
        # clashing once (the command path gives its own copy back after this).
        for aggregate in aggregates:
            self.command_cache.take(aggregate.id)
        return recordings[-1].notification.id

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save, collecting our aggregates' events by their class: its
        `isinstance` checks against runtime Protocols walk every attribute of the aggregate
        and cost 30 µs a save (docs/benchmarks.md item 48). Anything else goes its way."""
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            else:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """A snapshot of a long stream every `snapshot_interval` events, taken from the
        aggregate just saved (the library's own way loads it again from the store)."""
        if self.snapshots is None or self.snapshot_interval <= 0:
            return
        interval = self.snapshot_interval
        for aggregate_id, aggregate in processing_event.aggregates.items():
            if not isinstance(aggregate, SNAPSHOTTED):
                continue
            versions = [e.originator_version for e in processing_event.events
                        if e.originator_id == aggregate_id]  # fmt: skip
            if any(v % interval == 0 for v in versions):
                try:
                    self.snapshots.put([type(aggregate).Snapshot.take(aggregate)])
                except Exception:  # the events are saved; a snapshot is only a shortcut
                    log.warning("no snapshot of %s", aggregate_id, exc_info=True)

    def _position_of(self, aggregate_id: UUID, version: int) -> int:
        lookup: Any = self.recorder
        position = lookup.position_of(aggregate_id, version)
        if position is None:
            raise NotFound("not_found", what=t("what.event"), id=f"{aggregate_id}:{version}")
        return int(position)
