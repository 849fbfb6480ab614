"""Re-encrypting the database with the keyring's current key (`espcrm data rotate-key`).

Every bytea column of the event store's schema is visited: the events' state, the key table's
wrapped keys, the read models' sealed contacts and attendees. A value the current key wrote is
left alone; a value an old key of the keyring opens is re-encrypted with the current key; a
value no key opens is not ciphertext of ours and is left alone too.

It runs beside the live system: rows go in small batches, one short transaction each, and a
row is rewritten only if it still holds the value that was read (`AND col = old`), so a
concurrent write is never overwritten. Writers already use the current key (every process is
started with it first, docs/erasure.md), so once a pass finds nothing left to rewrite, no old
ciphertext remains. Appends wait for a batch's row locks at most a moment: no downtime, no
event lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from infra.keyring import Keyring

BATCH = 500


@dataclass
class Rotation:
    rewritten: dict[str, int] = field(default_factory=dict)  # "table.column" → rows
    current: int = 0  # values already under the current key
    foreign: int = 0  # bytea values no key of the keyring opens (not ours)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def encrypted_columns(datastore: PostgresDatastore) -> list[tuple[str, str]]:
    with datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = current_schema() AND c.data_type = 'bytea'"
            " AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.column_name"
        )
        return [(r["table_name"], r["column_name"]) for r in curs.fetchall()]


def rotate(datastore: PostgresDatastore, keyring: Keyring, batch: int = BATCH) -> Rotation:
    rotation = Rotation()
    for table, column in encrypted_columns(datastore):
        rotation.rewritten[f"{table}.{column}"] = _rotate_column(
            datastore, keyring, table, column, batch, rotation
        )
    return rotation


def _rotate_column(
    datastore: PostgresDatastore,
    keyring: Keyring,
    table: str,
    column: str,
    batch: int,
    rotation: Rotation,
) -> int:
    names = {"t": Identifier(table), "c": Identifier(column)}
    select = SQL(
        "SELECT ctid::text AS at, {c} AS value FROM {t} WHERE ctid > %s::tid ORDER BY ctid LIMIT %s"
    ).format(**names)
    update = SQL("UPDATE {t} SET {c} = %s WHERE ctid = %s::tid AND {c} = %s").format(**names)
    rewritten, after = 0, "(0,0)"
    while True:
        with datastore.transaction(commit=True) as curs:
            curs.execute(select, (after, batch))
            rows: list[Any] = curs.fetchall()
            for row in rows:
                value = bytes(row["value"]) if row["value"] is not None else None
                if value is None or keyring.is_current(value):
                    rotation.current += value is not None
                    continue
                try:
                    plain = keyring.decrypt(value)
                except ValueError:
                    rotation.foreign += 1
                    continue
                curs.execute(update, (keyring.encrypt(plain), row["at"], value))
                rewritten += curs.rowcount
        if len(rows) < batch:
            return rewritten
        after = rows[-1]["at"]
