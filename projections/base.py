"""What every read model shares: a tracking recorder whose rows and position commit together."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import datetime
from operator import itemgetter
from types import TracebackType
from typing import Any, Protocol

import orjson
import psycopg
from eventsourcing.persistence import IntegrityError, Tracking, WaitInterruptedError
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from domain.shared import InvalidInput

log = logging.getLogger(__name__)


class FieldCipher(Protocol):
    """Encrypts personal information kept in read models (same key as the event store)."""

    def encrypt(self, plaintext: bytes) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> bytes: ...


def columns_of(row_class: type[Any], alias: str = "") -> str:
    """The select list of a row dataclass: its fields, named. Never `SELECT *`: a reader
    still running older code then keeps working when a rebuild adds a column."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + f.name for f in dataclasses.fields(row_class))


_CREATED_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS \{p\}_(\w+)")


class _Pipelined:
    """A connection's pipeline, ended once: before a batch's position is written, or with
    the error that ends the batch's transaction."""

    def __init__(self, connection: Connection[Any]) -> None:
        self.pipeline = connection.pipeline()
        self.pipeline.__enter__()
        self.open = True

    def end(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self.open:
            self.open = False
            self.pipeline.__exit__(exc_type, exc, traceback)
        return False  # an error goes on


@dataclasses.dataclass
class SharedBatch:
    """A transaction the caller began, and commits, for every view of a batch (the live
    host's, projection_runtime/runners.py LogReader), pipelined: each view's rows and
    position go in it, and the checks that each position moved forward wait for the
    pipeline's one sync (`check`)."""

    cursor: Cursor[DictRow]
    checks: list[Callable[[], None]] = dataclasses.field(default_factory=list)

    def check(self) -> None:
        for check in self.checks:
            check()


class View(PostgresTrackingRecorder):
    """A materialised view: its tables are named after its tracking table's prefix.

    The prefix is the projection's name for readers, whose tables are then the stable names
    a rebuild re-points atomically, or `<name>_v<N>` for the writer of one physical version
    (see projection_runtime/versions.py).
    """

    create_sql: tuple[str, ...] = ()
    # Raise when what the projection writes changes without its tables changing (a column
    # computed differently, say): a version built by other code is then rebuilt at start-up.
    revision: int = 1
    cipher: FieldCipher | None = None  # set by the composition root
    # How a rebuild folds this view in memory and writes it with COPY (None: event by event).
    fold_class: type[Fold] | None = None
    # False for a view none of whose rows depend on personal data: its rebuild reads the log
    # with personal data as erased, unopened (application/shredding.py). The set-based
    # rebuild's test (rows equal to the live version's, which read it opened) checks it.
    reads_personal_data: bool = True
    # The events whose personal data its rows show (None: any event's). A rebuild opens the
    # sealed values of these events only, the rest read as erased: the directory shows the
    # contacts, not the attendees of every visit (a tenth of its rebuild). The same test
    # checks it.
    personal_data_events: tuple[type[Any], ...] | None = None
    # A rebuild's binary COPY: each table's column types, or None where it goes as text.
    _copy_types: dict[tuple[str, tuple[str, ...]], list[str] | None]
    # While `batch()` runs: the transaction every write joins, and the last position seen.
    _batch: Cursor[DictRow] | None = None
    _batch_tracking: Tracking | None = None
    # While `batch()` runs, before its first write: where its transaction will be entered.
    _pending: ExitStack | None = None
    _pipeline: _Pipelined | None = None

    @classmethod
    def tables(cls) -> tuple[str, ...]:
        """The suffixes of every table a version of this view has, its tracking table last."""
        created = [m for statement in cls.create_sql for m in _CREATED_TABLE.findall(statement)]
        return (*created, "tracking")

    @classmethod
    def definition(cls) -> str:
        """What a version of this view was built by: its tables' DDL and its revision."""
        text = "\n".join((cls.__name__, str(cls.revision), *cls.create_sql))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __init__(self, datastore: PostgresDatastore, *, tracking_table_name: str, **kw: Any):
        super().__init__(datastore, tracking_table_name=tracking_table_name, **kw)
        self.prefix = tracking_table_name.removesuffix("_tracking")
        self._copy_types = {}
        for statement in self.create_sql:
            self.sql_create_statements.append(SQL(statement.format(p=self.prefix)))  # type: ignore[arg-type]

    @contextmanager
    def tracked(self, tracking: Tracking) -> Iterator[Cursor[DictRow]]:
        """One transaction for the view's rows and its position: both or neither."""
        if self._pending is not None and self._batch is None:
            self._begin_batch(self._pending)
        if self._batch is not None:
            yield self._batch
            self._batch_tracking = tracking
            return
        with self.datastore.transaction(commit=True) as curs:
            yield curs
            self._insert_tracking(curs, tracking)

    def insert_tracking(self, tracking: Tracking) -> None:
        """The position alone (an event this view ignores)."""
        if self._batch is not None or self._pending is not None:
            self._batch_tracking = tracking
        else:
            super().insert_tracking(tracking)

    @contextmanager
    def batch(self, shared: SharedBatch | None = None) -> Iterator[None]:
        """Many events' rows and the last of their positions in one transaction (the live
        host's batches, rebuilds), begun at the batch's first write; or in `shared`, the
        caller's transaction for every view of the batch.

        A commit per event is most of a replay's time. Rows and position still commit
        together. A batch this view ignores throughout (a visit moves three views of seven)
        writes its position alone, in one statement: a transaction, a pipeline and three
        round trips for nothing were most of the live host's CPU per view and event
        (docs/benchmarks.md item 35). Only for views whose projection never reads the view
        while processing (none does): such reads use other connections and would miss the
        batch's rows.
        """
        if shared is not None:
            self._batch, self._batch_tracking = shared.cursor, None
            try:
                yield
                if self._batch_tracking is not None:
                    shared.checks.append(self._track_unanswered(shared, self._batch_tracking))
            finally:
                self._batch, self._batch_tracking = None, None
            return
        position: Tracking | None = None
        with ExitStack() as transaction:
            self._pending, self._batch, self._batch_tracking = transaction, None, None
            try:
                yield
                position = self._batch_tracking
                if self._batch is not None:
                    if self._pipeline is not None:
                        self._pipeline.end(None, None, None)
                    if position is not None:
                        self._insert_tracking(self._batch, position)
                    position = None  # committed with the rows, as the transaction ends
            finally:
                self._pending, self._batch, self._batch_tracking = None, None, None
                self._pipeline = None  # an error: the transaction's exit ends it first
        if position is not None:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                self._insert_tracking(curs, position)  # autocommit: the statement commits

    def _track_unanswered(self, shared: SharedBatch, tracking: Tracking) -> Callable[[], None]:
        """The position written without waiting for its answer (the library's insert fetches
        RETURNING at once: in a pipeline, a round trip for each view of the batch), and the
        check the library makes on that answer, for after the pipeline's sync: a position
        that did not move forward (the batch processed already) fails the transaction."""
        curs = shared.cursor.connection.cursor()
        curs.execute(
            self.insert_tracking_statement,
            {
                "application_name": tracking.application_name,
                "notification_id": tracking.notification_id,
            },
            prepare=True,
        )

        def check() -> None:
            if self.datastore.single_row_tracking and curs.fetchone() is None:
                raise IntegrityError(
                    f"Failed to record tracking for {tracking.application_name}"
                    f" {tracking.notification_id}"
                )

        return check

    def _begin_batch(self, transaction: ExitStack) -> None:
        curs = transaction.enter_context(self.datastore.transaction(commit=True))
        # Pipelined: the batch's statements go out without waiting for each reply (nothing
        # in a batch reads a result): round trips were half a rebuild's time.
        self._pipeline = _Pipelined(curs.connection)
        transaction.push(self._pipeline.end)  # on an error, ended (with it) before the rollback
        self._batch = curs

    @contextmanager
    def folding(self, *, empty: bool) -> Iterator[Fold]:
        """A rebuild's stretch of the log folded in memory, written with COPY at the end, in
        one transaction with the position the fold `reached` (rows and position together).

        `empty`: the tables have no rows yet (a new version), so the fold is copied straight
        in; otherwise through staging tables merged as the event-by-event statements would.
        What a fold does not keep in memory runs as the view's own statements in the same
        transaction (the fold hands them this transaction's cursor).
        """
        if self.fold_class is None:
            raise TypeError(f"{type(self).__name__} has no set-based rebuild")
        with self.datastore.transaction(commit=True) as curs:
            # The transaction is idle between its first and last statements (the stretch is
            # folded in memory), longer than the pool's 5 s idle-in-transaction timeout when
            # a view holds few rows per event (its stretch is then most of the log): it was
            # cut mid-rebuild. It writes only the new version's tables; no timeout for it.
            curs.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
            fold = self.fold_class(self, curs, empty=empty)
            self._batch, self._batch_tracking = curs, None
            try:
                yield fold
                fold.flush()
                if fold.tracking is not None:
                    self._insert_tracking(curs, fold.tracking)
            finally:
                self._batch, self._batch_tracking = None, None

    def position(self) -> int:
        return self.max_tracking_id("espcrm") or 0

    def _reached(self, application_name: str, notification_id: int | None) -> bool:
        """One look, not retried: `wait` looks again anyway. The library's has_tracking_id
        retries ten times around a max_tracking_id that retries ten times, 0.2 s apart: a
        waiter on a runner just replaced (its pool closed) sat out 20 s before it moved on to
        the runner that replaced it."""
        if notification_id is None:
            return True
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            reached = self._max_tracking_id(application_name, curs)
        return reached is not None and reached >= notification_id

    def wait(
        self,
        application_name: str,
        notification_id: int | None,
        timeout: float = 1.0,
        interrupt: threading.Event | None = None,
    ) -> None:
        poll_until(
            lambda: self._reached(application_name, notification_id),
            timeout,
            f"Timed out waiting for notification {notification_id} "
            f"from application '{application_name}' to be processed",
            interrupt,
        )


class Fold:
    """A rebuild's stand-in for its view: the projection writes rows into dictionaries keyed
    like the tables' primary keys, and `flush` writes them with COPY (psycopg's
    `cursor.copy`), not a statement per event: per-statement execution was over half a
    rebuild's time.

    A subclass keeps in memory only what it can fold exactly as the view's statements would;
    for anything else (a row already written, an erasure) it calls `flush` and then the
    view's own method (`self.view`, whose writes join this transaction). `staged` names each
    table's rows and how a staged row merges into one already there (ON CONFLICT …), which
    must give what the statements would have given.
    """

    # Rows held before the driver ends the stretch: memory stays bounded (a row is a few
    # hundred bytes: some 10 MB). Each stretch after the first merges through staging tables,
    # which cost PostgreSQL twice a COPY's time: at 5,000 rows the writes were a quarter of a
    # kpi rebuild, at 20,000 an eighth (docs/benchmarks.md item 41).
    MAX_ROWS = 20_000

    def __init__(self, view: View, curs: Cursor[DictRow], *, empty: bool) -> None:
        self.view = view
        self.curs = curs
        self.empty = empty
        self.tracking: Tracking | None = None  # what the stretch reached (set by the driver)

    def reached(self, tracking: Tracking) -> None:
        self.tracking = tracking

    def insert_tracking(self, tracking: Tracking) -> None:
        """An event the view ignores: the stretch's position is the driver's to record."""

    def size(self) -> int:
        raise NotImplementedError

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        """(table suffix, columns, rows, ON CONFLICT clause) for each table, and forget them."""
        raise NotImplementedError

    def flush(self) -> None:
        for suffix, columns, rows, on_conflict in self.staged():
            if not rows:
                continue
            table = Identifier(f"{self.view.prefix}_{suffix}")
            names = SQL(", ").join(Identifier(c) for c in columns)
            types = self._binary_types(f"{self.view.prefix}_{suffix}", columns)
            if self.empty:
                self._copy(table, names, rows, types)
                continue
            stage = Identifier(f"{self.view.prefix}_{suffix}_stage")
            self.curs.execute(
                SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(stage, table)
            )
            self._copy(stage, names, rows, types)
            self.curs.execute(
                SQL("INSERT INTO {t} ({c}) SELECT {c} FROM {s} ").format(t=table, c=names, s=stage)
                + SQL(on_conflict.format(t=self.view.prefix + "_" + suffix))  # type: ignore[arg-type]
            )
            self.curs.execute(SQL("DROP TABLE {}").format(stage))
        self.empty = False

    def _binary_types(self, table: str, columns: tuple[str, ...]) -> list[str] | None:
        """The columns' types if binary COPY can write them all (BINARY_COPY_TYPES), else None.
        Asked of the catalogue once per table of the view's version, not at every stretch."""
        known = self.view._copy_types
        if (table, columns) not in known:
            self.curs.execute(_COLUMN_TYPES, (list(columns), table))
            types = [str(row["type"]) for row in self.curs.fetchall()]
            fits = len(types) == len(columns) and BINARY_COPY_TYPES.issuperset(types)
            known[(table, columns)] = types if fits else None
        return known[(table, columns)]

    def _copy(
        self,
        table: Identifier,
        names: Composed,
        rows: list[tuple[Any, ...]],
        types: list[str] | None,
    ) -> None:
        """COPY in binary where the types allow, psycopg's C dumpers writing each value (a
        third of the client's CPU of text COPY, whose formatting was a seventh of a kpi
        rebuild's). A value binary cannot take (a text where a uuid goes, say) undoes the
        attempt (a savepoint) and the rows go as text, which PostgreSQL parses and checks as
        it always did."""
        copy_in = SQL("COPY {} ({}) FROM STDIN").format(table, names)
        if types is not None:
            try:
                with self.curs.connection.transaction():
                    self._copy_rows(copy_in + SQL(" (FORMAT BINARY)"), rows, types)
                return
            except (psycopg.DataError, TypeError, AttributeError, ValueError, OverflowError) as e:
                log.warning("binary COPY into %s refused (%r): the rows go as text", table, e)
        self._copy_rows(copy_in, rows, None)

    def _copy_rows(
        self, statement: Composed, rows: list[tuple[Any, ...]], types: list[str] | None
    ) -> None:
        with self.curs.copy(statement) as copy:
            if types is not None:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)


# What binary COPY writes from a row's Python values with psycopg's own dumpers, each either
# giving the value text COPY would give or failing (then the rows go as text). jsonb and json
# columns are filled with JSON text (json_text), which their binary dumpers would quote again.
BINARY_COPY_TYPES = frozenset(
    {"uuid", "integer", "bigint", "smallint", "text", "boolean", "timestamp with time zone",
     "date", "bytea", "text[]"}
)  # fmt: skip
_COLUMN_TYPES = (
    "SELECT format_type(a.atttypid, a.atttypmod) AS type"
    " FROM unnest(%s::text[]) WITH ORDINALITY AS c(name, i)"
    " JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(%s)) AND a.attname = c.name"
    " ORDER BY c.i"
)


def rows_of(records: Iterable[Mapping[str, Any]], columns: tuple[str, ...]) -> list[Any]:
    """Each record's values in the order of `columns`, as COPY takes a row (itemgetter picks
    them in C: a generator per row was a tenth of a kpi rebuild's flush)."""
    if len(columns) <= 1:  # itemgetter of one name gives the value, not a 1-tuple
        return [tuple(r[c] for c in columns) for r in records]
    return list(map(itemgetter(*columns), records))


# The library's wait sleeps 100 ms before its second look, and a read-your-writes request
# (logVisit's payload, X-Min-Position) always needs one: it held every mutation for a tenth
# of a second (docs/benchmarks.md). Same contract, looking again after 2 ms, 4 ms, …
WAIT_FIRST_INTERVAL = 0.002
WAIT_MAX_INTERVAL = 0.1


def poll_until(
    done: Callable[[], bool],
    timeout: float,
    timed_out: str,
    interrupt: threading.Event | None = None,
) -> None:
    """Look until `done()`, soon at first, then less often: TimeoutError(timed_out) at the
    deadline, WaitInterruptedError as soon as `interrupt` is set."""
    deadline = time.monotonic() + timeout
    interval = WAIT_FIRST_INTERVAL
    while not done():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(timed_out)
        if interrupt is None:
            time.sleep(min(interval, remaining))
        elif interrupt.wait(timeout=min(interval, remaining)):
            raise WaitInterruptedError
        interval = min(interval * 2, WAIT_MAX_INTERVAL)


def json_text(value: Any) -> str:
    """A value as JSON text for a jsonb column (or, encoded, a sealed one), Chinese as it is.

    orjson: json.dumps with ensure_ascii=False builds an encoder on every call, and the four
    lists of each visit cost a twentieth of rebuilding every view (docs/benchmarks.md item
    42). Its text is compact where json's has spaces; jsonb and the readers' json.loads read
    both the same."""
    return orjson.dumps(value).decode()


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str | None, shape: tuple[str, ...] = ("int",)) -> list[Any] | None:
    """Opaque Relay cursors; a tampered one is bad input, not a server error. `shape` is what
    the view's cursors hold, in order: "int" (a position) or "instant" (an ISO time)."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise InvalidInput("input.cursor", field="after") from None
    if not isinstance(value, list) or len(value) != len(shape):
        raise InvalidInput("input.cursor", field="after")
    for item, kind in zip(value, shape, strict=True):
        if not _fits(item, kind):
            raise InvalidInput("input.cursor", field="after")
    return value


def _fits(item: object, kind: str) -> bool:
    if kind == "int":
        return type(item) is int and 0 < item < 2**63
    if not isinstance(item, str):
        return False
    try:
        return datetime.fromisoformat(item).tzinfo is not None
    except ValueError:
        return False
