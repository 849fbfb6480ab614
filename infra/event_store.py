"""The event store's recorder: the library's table, written with one statement per save.

The library's write is a pipeline of SET LOCAL lock_timeout, LOCK TABLE, NOTIFY, INSERT and
COMMIT: the client queues five statements, syncs, fetches, then commits in a further round
trip, and the table's EXCLUSIVE lock (which keeps notification ids in commit order, so a
follower never skips an event) is held across those round trips. Here a save is ONE
statement, a call of one of the store's own functions, `<table>_save_one` for one event and
`<table>_save` for several (created with the table): it sets
lock_timeout and transaction_timeout for its transaction, takes the lock, NOTIFYs and inserts,
and in autocommit the statement is the transaction. So the lock is taken and released inside
one round trip, whatever the client does next, and the transaction timeout bounds it even
then. Optimistic concurrency is unchanged: the primary key (originator_id,
originator_version) refuses a stale version and the whole save rolls back (IntegrityError,
as the library raises).

Parameters are bound by the server, in binary (the first version sent the statements as one
simple-protocol string, bound on the client: quoting each bytea cost a third of a save).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Notification, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

from infra.db_outage import retry_save_while_reachable, retry_while_reachable

# How long one save may run, lock wait included: no client holds the table longer.
STATEMENT_TIMEOUT_SECONDS = 10


class EspcrmRecorder(PostgresApplicationRecorder):
    """Adds: one-statement saves, the position of one stored event (for repeated idempotent
    commands), and one stream with its positions (history: as-of reads, the audit trail)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._group = threading.Condition()  # group commit: saves waiting, one writing
        self._waiting: list[_Save] = []
        self._writing = False
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        save = Identifier(self.datastore.schema, f"{self.events_table_name}_save")
        save_one = Identifier(self.datastore.schema, f"{self.events_table_name}_save_one")
        # The save as a function of the store's own (not the library's, which
        # POSTGRES_ENABLE_DB_FUNCTIONS would install): its parameters are bound by the
        # server, in binary. Sent as one query string, psycopg had to quote every bytea on the
        # client, a third of a save's time (docs/benchmarks.md, issue 13).
        # Two of them: most saves hold one event, and psycopg dumps arrays in Python (60 µs
        # a save, and the server's unnest and SETOF another 40 µs: docs/benchmarks.md item
        # 47), so one event goes as scalars and several as arrays.
        guard = (
            # LOCAL: for this save's transaction only. A transaction timeout set inside
            # the transaction is armed at once (PostgreSQL 17+; older servers have only
            # the lock timeout); a statement timeout would count from the next statement.
            "  PERFORM set_config('lock_timeout', lock_timeout, true);"
            "  IF current_setting('server_version_num')::int >= 170000 THEN"
            "   PERFORM set_config('transaction_timeout', transaction_timeout, true);"
            "  END IF;"
            "  LOCK TABLE {table} IN EXCLUSIVE MODE;"
            "  NOTIFY {channel};"
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {save}(ids uuid[], versions bigint[], topics text[],"
                " states bytea[], lock_timeout text, transaction_timeout text)"
                " RETURNS SETOF bigint LANGUAGE plpgsql AS $save$"
                " BEGIN" + guard + "  RETURN QUERY INSERT INTO {table} (originator_id,"
                "   originator_version, topic, state)"
                "   SELECT * FROM unnest(ids, versions, topics, states)"
                "   RETURNING notification_id;"
                " END $save$"
            ).format(save=save, table=table, channel=Identifier(self.channel_name))
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {save_one}(id uuid, version bigint, topic_ text,"
                " state_ bytea, lock_timeout text, transaction_timeout text)"
                " RETURNS bigint LANGUAGE plpgsql AS $save$"
                " DECLARE written bigint;"
                " BEGIN" + guard + "  INSERT INTO {table} (originator_id, originator_version,"
                "   topic, state) VALUES (id, version, topic_, state_)"
                "   RETURNING notification_id INTO written;"
                "  RETURN written;"
                " END $save$"
            ).format(save_one=save_one, table=table, channel=Identifier(self.channel_name))
        )
        self._one_statement_save: Composed = SQL(
            "SELECT notification_id FROM {save}(%b, %b, %b, %b, %b, %b) AS notification_id"
        ).format(save=save)
        self._one_event_save: Composed = SQL(
            "SELECT {save_one}(%b, %b, %b, %b, %b, %b) AS notification_id"
        ).format(save_one=save_one)
        self._timeouts = (
            f"{int(self.datastore.lock_timeout or 5)}s",
            f"{STATEMENT_TIMEOUT_SECONDS}s",
        )
        # One event by stream and version: its position (position_of) and its bytes
        # (written_already).
        self._event_at = SQL(
            "SELECT notification_id, state FROM {}.{}"
            " WHERE originator_id = %s AND originator_version = %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self._notifications = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{}"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self._stream_with_positions = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {}.{}"
            " WHERE originator_id = %s ORDER BY originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))

    @retry_while_reachable
    def select_events(self, originator_id: UUID | str, **kwargs: Any) -> Sequence[StoredEvent]:
        """The library's, without its own retries (which waited out the pool's timeout ten
        times with the server down): a command loading a stream fails as fast as a save."""
        unretried = PostgresApplicationRecorder.select_events.__wrapped__  # type: ignore[attr-defined]
        return unretried(self, originator_id, **kwargs)  # type: ignore[no-any-return]

    @retry_while_reachable
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """The library's query, read in binary as plain rows: its rows as dictionaries, the
        bytea's hex text and a dataclass constructor per row were half of reading a batch of
        the log (15 µs a row against 6 µs: docs/benchmarks.md item 33)."""
        where: list[SQL] = []
        params: list[Any] = []
        if start is not None:
            where.append(
                SQL("notification_id >= %s" if inclusive_of_start else "notification_id > %s")
            )
            params.append(start)
        if stop is not None:
            where.append(SQL("notification_id <= %s"))
            params.append(stop)
        if topics:
            where.append(SQL("topic = ANY(%s)"))
            params.append(list(topics))
        statement = self._notifications
        if where:
            statement += SQL(" WHERE ") + SQL(" AND ").join(where)
        statement += SQL(" ORDER BY notification_id LIMIT %s")
        params.append(limit)
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(binary=True, row_factory=tuple_row) as curs,
        ):
            curs.execute(statement, params, prepare=True)
            return [_notification(*row) for row in curs.fetchall()]

    def stream_with_positions(self, originator_id: UUID) -> list[tuple[int, StoredEvent]]:
        """Every stored event of one stream, in order, each with its position in the log."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._stream_with_positions, (originator_id,))
            return [
                (
                    int(row["notification_id"]),
                    StoredEvent(
                        originator_id=row["originator_id"],
                        originator_version=row["originator_version"],
                        topic=row["topic"],
                        state=bytes(row["state"]),
                    ),
                )
                for row in curs.fetchall()
            ]

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._event_at, (originator_id, version))
            row = curs.fetchone()
        return int(row["notification_id"]) if row else None

    def written_already(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The positions of exactly these stored events (same stream, version and bytes: the
        state's cipher nonce makes another writer's bytes differ) if all are in the store;
        None otherwise. A retried save that meets itself asks this (infra/db_outage.py)."""
        found: list[int] = []
        with self.datastore.transaction(commit=False) as curs:
            for event in stored_events:
                curs.execute(self._event_at, (event.originator_id, event.originator_version))
                row = curs.fetchone()
                if row is None or bytes(row["state"]) != event.state:
                    return None
                found.append(int(row["notification_id"]))
        return found

    @retry_save_while_reachable
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Saves of this process's threads that arrive while one is being written go out
        together as the next statement (group commit): one table lock and one commit for
        all of them. The table lock is held until the commit's WAL flush, so writers were
        serialised at the flush rate (docs/benchmarks.md, write_lock_8); a group shares it.
        Alone, a save is written at once. A group refused (one save's stale version) is
        written again save by save, so only the stale save fails, with IntegrityError."""
        if not stored_events:
            return []
        save = _Save(list(stored_events))
        with self._group:
            self._waiting.append(save)
            while self._writing and not save.done:
                self._group.wait()
            if save.done:  # written by the writer of the group it joined
                return save.result()
            self._writing = True
            group, self._waiting = self._waiting, []
        try:
            self._write_group(group)
        finally:
            with self._group:
                self._writing = False
                self._group.notify_all()
        return save.result()

    def _write_group(self, group: list[_Save]) -> None:
        if len(group) == 1:
            group[0].settle(lambda: self._insert(group[0].events))
            return
        try:
            ids = self._insert([e for save in group for e in save.events])
        except IntegrityError:  # one of them is stale: each on its own, to tell which
            for save in group:
                save.settle(partial(self._insert, save.events))
            return
        except BaseException as error:  # every save of the group fails (and is retried)
            for save in group:
                save.fail(error)
            return
        start = 0
        for save in group:
            save.succeed(ids[start : start + len(save.events)])
            start += len(save.events)

    def _insert(self, stored_events: Sequence[StoredEvent]) -> list[int]:
        if len(stored_events) == 1:
            one = stored_events[0]
            statement = self._one_event_save
            params: tuple[Any, ...] = (
                one.originator_id,
                one.originator_version,
                one.topic,
                one.state,
            )
        else:
            statement = self._one_statement_save
            params = (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            )
        with self.datastore.get_connection() as conn:
            assert conn.autocommit  # one statement = one transaction
            with conn.cursor() as curs:
                # A stale version violates the primary key: get_connection raises it as
                # the library's IntegrityError, and nothing of the save is kept.
                curs.execute(statement, (*params, *self._timeouts))
                return [int(row["notification_id"]) for row in curs.fetchall()]


class _Save:
    """One caller's events in a group commit, and what became of them."""

    def __init__(self, events: list[StoredEvent]) -> None:
        self.events = events
        self.done = False
        self._ids: list[int] = []
        self._error: BaseException | None = None

    def succeed(self, ids: list[int]) -> None:
        self._ids, self.done = ids, True

    def fail(self, error: BaseException) -> None:
        self._error, self.done = error, True

    def settle(self, insert: Callable[[], list[int]]) -> None:
        try:
            self.succeed(insert())
        except BaseException as error:
            self.fail(error)

    def result(self) -> list[int]:
        if self._error is not None:
            raise self._error
        return self._ids


class SnapshotRecorder(PostgresAggregateRecorder):
    """The snapshot table, keeping only the newest `kept` snapshots of each stream.

    A new snapshot and the removal of its stream's older ones commit together, so a stream
    that has one always keeps at least one (`kept` is at least 1), and a snapshot is only
    removed once `kept` newer ones are there. A reader loading meanwhile is not disturbed:
    its `SELECT … ORDER BY originator_version DESC LIMIT 1` sees the table before or after
    the commit, either way a whole snapshot, and then reads the events after it (events are
    never removed). Reading as of an old version (lte) may then find no snapshot at or
    below it and replay from the first event: slower, never different.
    """

    def __init__(self, *args: Any, kept: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept = max(1, kept)
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        self._prune = SQL(
            "DELETE FROM {table} WHERE originator_id = %(id)s AND originator_version < ("
            " SELECT originator_version FROM {table} WHERE originator_id = %(id)s"
            " ORDER BY originator_version DESC OFFSET %(skip)s LIMIT 1)"
        ).format(table=table)

    @retry_while_reachable
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return None
        with self.datastore.transaction(commit=True) as curs:
            self._insert_stored_events(curs, stored_events, **kwargs)
            for originator_id in dict.fromkeys(e.originator_id for e in stored_events):
                curs.execute(self._prune, {"id": originator_id, "skip": self.kept - 1})
        return None


def _notification(
    position: int, originator_id: UUID, version: int, topic: str, state: bytes
) -> Notification:
    """A Notification without its dataclass constructor (frozen: one object.__setattr__ a
    field), as the library makes domain events from their stored state."""
    notification = object.__new__(Notification)
    object.__setattr__(
        notification,
        "__dict__",
        {
            "originator_id": originator_id,
            "originator_version": version,
            "topic": topic,
            "state": state,
            "id": position,
        },
    )
    return notification
