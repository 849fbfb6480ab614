"""The event store's recorder, with the one look-up the application needs beyond the library's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

# How long one statement of a write may run while the writer holds the event table's lock
# (every other writer waits on it). Writes are small (inputs are bounded, api/bounds.py), so
# this is generous; past it PostgreSQL cancels the statement, the transaction rolls back and
# the lock is released, instead of every later mutation waiting behind it (issue 12). Idle
# time inside a transaction is bounded apart: eventsourcing's idle_in_transaction timeout.
WRITE_STATEMENT_TIMEOUT = "10s"


class EspcrmRecorder(PostgresApplicationRecorder):
    """Adds: the global position of one stored event (for repeated idempotent commands), and
    a statement timeout on writes (WRITE_STATEMENT_TIMEOUT)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._position_of = SQL(
            "SELECT notification_id FROM {}.{} WHERE originator_id = %s AND originator_version = %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._position_of, (originator_id, version))
            row = curs.fetchone()
        return int(row["notification_id"]) if row else None

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # SET LOCAL: for this write's transaction only, before the table lock is taken.
        curs.execute(SQL("SET LOCAL statement_timeout = %s" % _quoted(WRITE_STATEMENT_TIMEOUT)))
        super()._insert_stored_events(curs, stored_events, **kwargs)


def _quoted(value: str) -> str:
    assert value.replace("s", "").isdigit()
    return f"'{value}'"
