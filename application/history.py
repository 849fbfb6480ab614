"""What only an event store can do: a stream or the whole log as it was recorded up to a
moment, every event of one stream (the audit trail), and publishing a league table.

"As of" a moment means the events recorded up to then: an event's timestamp is the clock's
time when its command was decided and saved, so the events with a timestamp ≤ the moment are
what the system knew at that moment. A stream is folded from its first event, in one read of
its rows (a few hundred events decode in a few milliseconds; see docs/history.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from application.commands import CommandsBase
from application.feed import mask_event_data
from application.feed import plain_event_value as _plain
from domain.league_publication import PublishedLeagueTable, published_table_id
from domain.shared import BEIJING_TIME, Actor, Conflict, require_aware

LOG_BATCH = 2_000
STREAM_CHUNK = 50  # events of one stream decoded at a time (an as-of read stops early)


@dataclass(frozen=True)
class Recorded:
    """One event of the log and its position."""

    position: int
    event: Any


@dataclass(frozen=True)
class AsOf:
    """A stream folded up to a moment: the aggregate then (None: not yet opened or raised),
    the position of its last event then, and the position of its first."""

    aggregate: Any | None
    position: int
    first_position: int


class HistoryCommands(CommandsBase):
    def stream(self, stream_id: UUID) -> list[Recorded]:
        """Every event of one stream, in order, with its position in the log."""
        return [r for chunk in self._stream_chunks(stream_id) for r in chunk]

    def _stream_chunks(self, stream_id: UUID) -> Iterator[list[Recorded]]:
        """The stream decoded a chunk at a time (each chunk a batch: its keys in one look): an
        as-of read stops decoding at the first chunk past its moment."""
        recorder: Any = self.recorder
        rows: list[tuple[int, StoredEvent]] = recorder.stream_with_positions(stream_id)
        for at in range(0, len(rows), STREAM_CHUNK):
            chunk = rows[at : at + STREAM_CHUNK]
            events = self.decode([s for _, s in chunk])
            yield [Recorded(p, e) for (p, _), e in zip(chunk, events, strict=True)]

    def as_of(self, stream_id: UUID, moment: datetime) -> AsOf:
        """The stream as it was recorded up to `moment` (its events with timestamp ≤ moment)."""
        require_aware(moment, "asOf")
        aggregate: Any = None
        position = first = 0
        for chunk in self._stream_chunks(stream_id):
            for recorded in chunk:
                if recorded.event.timestamp > moment:
                    return AsOf(aggregate, position, first)
                aggregate = recorded.event.mutate(aggregate)
                position = recorded.position
                first = first or recorded.position
        return AsOf(aggregate, position, first)

    def log_until(self, moment: datetime) -> Iterator[Recorded]:
        """The log from its start, up to the last event recorded by `moment` (the prefix of
        the log before the first event with a later timestamp)."""
        require_aware(moment, "asOf")
        recorder: Any = self.recorder
        after = 0
        while True:
            notifications = recorder.select_notifications(start=after + 1, limit=LOG_BATCH)
            for n in notifications:
                event: Any = self.mapper.to_domain_event(n)
                if event.timestamp > moment:
                    return
                yield Recorded(int(n.id), event)
            if len(notifications) < LOG_BATCH:
                return
            after = int(notifications[-1].id)

    def publish_league_table(
        self,
        period: str,
        weights: dict[str, float],
        rows: list[dict[str, Any]],
        log_position: int,
        actor: Actor,
    ) -> tuple[UUID, int]:
        """Record a period's table as published; a second publication is refused."""
        table = PublishedLeagueTable.publish(
            period=period, weights=weights, rows=rows, log_position=log_position,
            actor=actor, timestamp=self.now(),
        )  # fmt: skip
        return table.id, self._create(table, lambda: self._already_published(period))

    def published_league_table(self, period: str) -> PublishedLeagueTable | None:
        stream_id = published_table_id(period)
        if not self._exists(stream_id):
            return None
        table: PublishedLeagueTable = self._get(stream_id, "league_table")
        return table

    def _already_published(self, period: str) -> Conflict:
        earlier = self.published_league_table(period)
        at = earlier.published_at.astimezone(BEIJING_TIME) if earlier else None
        return Conflict(
            "league.already_published",
            field="period",
            period=period,
            at=at.strftime("%Y-%m-%d %H:%M") if at else "-",
        )


# ------------------------------------------------------------------ the audit trail

# Event attributes that are the trail's own columns, not "what changed".
_NOT_CHANGES = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


@dataclass(frozen=True)
class FieldChange:
    """One field an event set: its value before (the stream's, where it had one) and after,
    as JSON-ready values, personal data masked unless the reader may see it."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditEntry:
    position: int
    version: int
    type: str
    at: datetime
    actor: Actor | None
    changes: list[FieldChange]


@dataclass(frozen=True)
class AuditTrail:
    """Every event of one stream (an enterprise relationship or an issue), oldest first, and
    the stream as it is now (its kind and district decide who may read the trail)."""

    stream_id: UUID
    stream_type: str
    district: str | None
    entries: list[AuditEntry]


def audit_trail(history: HistoryCommands, stream_id: UUID, *, masked: bool) -> AuditTrail | None:
    """The trail of one stream, or None when there is no such stream. `masked`: personal data
    (contact names and phones, attendees, personal data in free text) masked as the feed
    masks it, for readers who may not see it in full."""
    recorded = history.stream(stream_id)
    if not recorded:
        return None
    aggregate: Any = None
    entries: list[AuditEntry] = []
    for r in recorded:
        e = r.event
        data = {k: v for k, v in vars(e).items() if k not in _NOT_CHANGES}
        before = {k: _current(aggregate, k) for k in data}
        status_before = _current(aggregate, "status")
        aggregate = e.mutate(aggregate)
        status_after = _current(aggregate, "status")
        after = _shown(data, masked)
        shown_before = _shown({k: v for k, v in before.items() if v is not None}, masked)
        changes = [FieldChange(k, shown_before.get(k), after[k]) for k in data]
        if status_after is not None and status_after != status_before and "status" not in data:
            changes.append(FieldChange("status", _plain(status_before), _plain(status_after)))
        actor = getattr(e, "actor", None)
        entries.append(
            AuditEntry(
                position=r.position,
                version=e.originator_version,
                type=type(e).__name__,
                at=e.timestamp,
                actor=actor if isinstance(actor, Actor) else None,
                changes=changes,
            )
        )
    return AuditTrail(
        stream_id=stream_id,
        stream_type=type(aggregate).__name__,
        district=getattr(aggregate, "district", None),
        entries=entries,
    )


def _current(aggregate: Any, name: str) -> Any:
    """The aggregate's public value of that name before an event (None: it has none)."""
    if aggregate is None or name.startswith("_"):
        return None
    try:
        value = getattr(aggregate, name, None)
    except Exception:  # a property that needs state the stream does not have yet
        return None
    return None if callable(value) else value


def _shown(data: dict[str, Any], masked: bool) -> dict[str, Any]:
    plain = {k: _plain(v) for k, v in data.items()}
    return mask_event_data(plain) if masked else plain
