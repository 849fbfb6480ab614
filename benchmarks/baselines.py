"""The baselines: what the same servers do with no application in the way.

B1  raw psycopg: insert one row into a table shaped like the event table, commit; per
    connection, back to back.
B2  raw psycopg: scan the event table in position order (a server-side cursor).
B3  a plain FastAPI endpoint returning the GraphQL read's JSON (benchmarks/server.py).
B4  a bare kafka-python producer loop with the relay's settings (infra.relay.make_producer).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from benchmarks.harness import Load, closed_loop
from infra.postgres_server import PgAddress

B1_TABLE = "b1_events"


def create_b1_table(address: PgAddress) -> None:
    """The event table's shape (eventsourcing's PostgresApplicationRecorder), empty."""
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {B1_TABLE}")
        conn.execute(
            f"CREATE TABLE {B1_TABLE} (originator_id uuid NOT NULL,"
            " originator_version bigint NOT NULL, topic text, state bytea,"
            " notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
        )
        conn.execute(f"CREATE UNIQUE INDEX ON {B1_TABLE} (notification_id)")


def b1_insert(address: PgAddress, clients: int, seconds: float, topic: str, state: bytes) -> Load:
    """B1: `clients` connections, each inserting one row and committing, back to back."""
    conns = [psycopg.connect(address.conninfo()) for _ in range(clients)]
    sql = f"INSERT INTO {B1_TABLE} (originator_id, originator_version, topic, state) VALUES (%s, 1, %s, %s)"

    def worker(i: int) -> Callable[[int], None]:
        conn = conns[i]

        def op(_: int) -> None:
            conn.execute(sql, (uuid.uuid4(), topic, state))  # type: ignore[arg-type]
            conn.commit()

        return op

    try:
        return closed_loop(worker, clients, seconds, warmup=min(0.5, seconds / 5))
    finally:
        for conn in conns:
            conn.close()


def b2_scan(
    address: PgAddress, table: str = "espcrm_events", itersize: int = 2000
) -> tuple[int, float]:
    """B2: every row of the table in position order; (rows, seconds)."""
    with psycopg.connect(address.conninfo()) as conn:
        started = time.perf_counter()
        rows = 0
        with conn.cursor(name="b2_scan") as curs:
            curs.itersize = itersize
            curs.execute(
                f"SELECT originator_id, originator_version, topic, state, notification_id"  # type: ignore[arg-type]
                f" FROM {table} ORDER BY notification_id"
            )
            while batch := curs.fetchmany(itersize):
                rows += len(batch)
        return rows, time.perf_counter() - started


def b4_produce(
    bootstrap: str, topic: str, messages: Sequence[tuple[str, Any, list[tuple[str, bytes]]]]
) -> tuple[int, float]:
    """B4: send every (key, value, headers) with the relay's producer settings, then flush;
    (messages, seconds). The producer is made (and connected) before the clock starts."""
    from infra.relay import make_producer

    producer = make_producer(bootstrap)
    try:
        producer.send(topic, key=messages[0][0], value=messages[0][1], headers=messages[0][2]).get(
            30
        )
        started = time.perf_counter()
        futures = [producer.send(topic, key=k, value=v, headers=h) for k, v, h in messages]
        producer.flush()
        for f in futures:
            f.get(timeout=30)
        return len(messages), time.perf_counter() - started
    finally:
        producer.close(timeout=5)


def b4_latency(
    bootstrap: str,
    topic: str,
    message: tuple[str, Any, list[tuple[str, bytes]]],
    rate: float,
    seconds: float,
) -> list[float]:
    """B4 at a fixed rate: each message's send → broker acknowledgement, in seconds."""
    from infra.relay import make_producer

    producer = make_producer(bootstrap)
    latencies: list[float] = []
    lock = threading.Lock()
    try:
        producer.send(topic, key=message[0], value=message[1], headers=message[2]).get(30)
        interval, deadline = 1.0 / rate, time.perf_counter() + seconds
        next_at = time.perf_counter()
        while next_at < deadline:
            sent = time.perf_counter()

            def done(_: Any, sent: float = sent) -> None:
                with lock:
                    latencies.append(time.perf_counter() - sent)

            producer.send(topic, key=message[0], value=message[1], headers=message[2]).add_callback(
                done
            )
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        producer.flush()
        return latencies
    finally:
        producer.close(timeout=5)
