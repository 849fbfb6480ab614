"""The key table of crypto-shredding (application/shredding.py): one key per data subject.

    personal_data_keys     key_id → subject_id, key (wrapped by the application-wide keyring)
    personal_data_streams  stream_id → subject_id (an issue's personal data is its enterprise's)

A key is made (and committed) before the first event it seals is written, so an event never
points at a key that is not there yet: a key id that is missing was destroyed. Destroying is
a DELETE followed by a VACUUM of the table, so the key's bytes do not linger in dead rows.

Keys are cached in the process for CACHE_SECONDS. The process that destroys a key forgets it
at once, and every follower of the log (projections, the relay, in any process) drops its
cache when it reads the erasure event, before any event after it. Only a process that reads
aggregates without following the log (a second API server) may still open data with the key
for that long; data sealed meanwhile with a destroyed key reads as erased.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment

from infra.keyring import KeyringCipher

CACHE_SECONDS = 30.0

TABLES_SQL = (
    "CREATE TABLE IF NOT EXISTS personal_data_keys ("
    " key_id uuid PRIMARY KEY, subject_id uuid NOT NULL UNIQUE, key bytea NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS personal_data_streams ("
    " stream_id uuid PRIMARY KEY, subject_id uuid NOT NULL)",
)


def datastore_from(env: Environment) -> PostgresDatastore:
    """A small pool of its own on the event store's database."""
    return PostgresDatastore(
        dbname=env.get("POSTGRES_DBNAME") or "",
        host=env.get("POSTGRES_HOST") or "",
        port=env.get("POSTGRES_PORT") or "5432",
        user=env.get("POSTGRES_USER") or "",
        password=env.get("POSTGRES_PASSWORD") or "",
        connect_timeout=float(env.get("POSTGRES_CONNECT_TIMEOUT") or 5),
        pool_size=1,
        max_overflow=2,
        pre_ping=True,
    )


class PostgresSubjectKeys:
    """SubjectKeys (application/shredding.py) in PostgreSQL."""

    def __init__(self, env: Environment) -> None:
        self.datastore = datastore_from(env)
        self.wrapper = KeyringCipher(env)
        self._keys: dict[str, tuple[float, bytes | None]] = {}
        self._current: dict[UUID, tuple[float, tuple[str, bytes]]] = {}
        self._subjects: dict[UUID, UUID | None] = {}
        if (env.get("CREATE_TABLE") or "y").lower() in ("y", "yes", "true", "1"):
            with self.datastore.transaction(commit=True) as curs:
                for statement in TABLES_SQL:
                    curs.execute(statement)  # type: ignore[arg-type]

    def key_for(self, subject_id: UUID) -> tuple[str, bytes]:
        cached = self._current.get(subject_id)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        wrapped = self.wrapper.encrypt(os.urandom(32))
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO personal_data_keys (key_id, subject_id, key) VALUES (%s, %s, %s)"
                " ON CONFLICT (subject_id) DO NOTHING",
                (uuid.uuid4(), subject_id, wrapped),
            )
            curs.execute(
                "SELECT key_id, key FROM personal_data_keys WHERE subject_id = %s", (subject_id,)
            )
            row: Any = curs.fetchone()
        found = (str(row["key_id"]), self.wrapper.decrypt(bytes(row["key"])))
        self._current[subject_id] = (time.monotonic(), found)
        self._keys[found[0]] = (time.monotonic(), found[1])
        return found

    def key(self, key_id: str) -> bytes | None:
        cached = self._keys.get(key_id)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        with self.datastore.transaction(commit=False) as curs:
            curs.execute("SELECT key FROM personal_data_keys WHERE key_id = %s", (UUID(key_id),))
            row: Any = curs.fetchone()
        key = self.wrapper.decrypt(bytes(row["key"])) if row else None
        self._keys[key_id] = (time.monotonic(), key)
        return key

    def prefetch(self, key_ids: Iterable[str]) -> None:
        """The keys not cached of those named, in one look-up (a batch of the log's)."""
        now = time.monotonic()
        missing: dict[str, UUID] = {}
        for key_id in key_ids:
            cached = self._keys.get(key_id)
            if not (cached and now - cached[0] < CACHE_SECONDS):
                try:
                    missing[key_id] = UUID(key_id)
                except ValueError:  # not ours: `key` answers for it
                    continue
        if not missing:
            return
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT key_id, key FROM personal_data_keys WHERE key_id = ANY(%s)",
                (list(missing.values()),),
            )
            rows: Any = curs.fetchall()
        found = {r["key_id"]: self.wrapper.decrypt(bytes(r["key"])) for r in rows}
        for key_id, uuid_ in missing.items():
            self._keys[key_id] = (now, found.get(uuid_))

    def subject_of(self, stream_id: UUID) -> UUID | None:
        if stream_id not in self._subjects:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    "SELECT subject_id FROM personal_data_streams WHERE stream_id = %s",
                    (stream_id,),
                )
                row: Any = curs.fetchone()
            self._subjects[stream_id] = row["subject_id"] if row else None
        return self._subjects[stream_id]

    def link(self, stream_id: UUID, subject_id: UUID) -> None:
        if self._subjects.get(stream_id) == subject_id:
            return
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO personal_data_streams (stream_id, subject_id) VALUES (%s, %s)"
                " ON CONFLICT (stream_id) DO NOTHING",
                (stream_id, subject_id),
            )
        self._subjects[stream_id] = subject_id

    def destroy(self, subject_id: UUID) -> int:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "DELETE FROM personal_data_keys WHERE subject_id = %s RETURNING key_id",
                (subject_id,),
            )
            destroyed = [str(r["key_id"]) for r in curs.fetchall()]
        self._current.pop(subject_id, None)
        for key_id in destroyed:
            self._keys[key_id] = (time.monotonic(), None)
        # The deleted row's bytes stay in the table's pages until vacuumed.
        with self.datastore.get_connection() as conn:
            conn.execute("VACUUM personal_data_keys")
        return len(destroyed)

    def forget_cached(self) -> None:
        self._keys.clear()
        self._current.clear()

    def close(self) -> None:
        self.datastore.close()
