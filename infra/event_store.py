"""The event store's recorder, with the one look-up the application needs beyond the library's."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier


class EspcrmRecorder(PostgresApplicationRecorder):
    """Adds: the global position of one stored event (for repeated idempotent commands)."""

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
