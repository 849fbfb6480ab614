"""What every read model shares: a tracking recorder whose rows and position commit together."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL

from domain.shared import InvalidInput


class FieldCipher(Protocol):
    """Encrypts personal information kept in read models (same key as the event store)."""

    def encrypt(self, plaintext: bytes) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> bytes: ...


class View(PostgresTrackingRecorder):
    """A materialised view: its tables are named after its tracking table's prefix."""

    create_sql: tuple[str, ...] = ()
    cipher: FieldCipher | None = None  # set by the composition root

    def __init__(self, datastore: PostgresDatastore, *, tracking_table_name: str, **kw: Any):
        super().__init__(datastore, tracking_table_name=tracking_table_name, **kw)
        self.prefix = tracking_table_name.removesuffix("_tracking")
        for statement in self.create_sql:
            self.sql_create_statements.append(SQL(statement.format(p=self.prefix)))  # type: ignore[arg-type]

    @contextmanager
    def tracked(self, tracking: Tracking) -> Iterator[Cursor[DictRow]]:
        """One transaction for the view's rows and its position: both or neither."""
        with self.datastore.transaction(commit=True) as curs:
            yield curs
            self._insert_tracking(curs, tracking)

    def position(self) -> int:
        return self.max_tracking_id("espcrm") or 0


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    """Opaque Relay cursors; a tampered one is bad input, not a server error."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        raise InvalidInput("after: not a cursor this API issued", field="after") from None
    if not isinstance(value, list):
        raise InvalidInput("after: not a cursor this API issued", field="after")
    return value
