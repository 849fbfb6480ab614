"""One active process per job (a projection's writer, the relay of a topic); others stand by.

Each job is guarded by a session-level PostgreSQL advisory lock held on a connection of its
own (not a pool's: a pool may recycle a connection, and the lock would go with it). The
holder runs the job; any other process polls `pg_try_advisory_lock` and starts the job the
moment it gets the lock. The lock ends with the holder's session, which ends when its socket
closes, so a killed process is replaced within a poll interval.

A single process simply gets every lock at once: `espcrm run` and the tests are unchanged.

Should the holder's own connection break (the database restarted, the session terminated),
it reconnects and takes the lock again if it is still free; if a standby took it first, the
old holder stops its job and stands by. While the server is unreachable it keeps its job
(which cannot write either, and recovers by itself as before). Until it notices (one poll interval) both may run:
harmless here, since a projection's rows commit with its position (a duplicate fails on
the tracking key and its runner restarts) and the relay is at-least-once anyway.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import psycopg

from infra.postgres_server import PgAddress

if TYPE_CHECKING:
    from infra.relay import EventRelay

log = logging.getLogger("espcrm.leader")

T = TypeVar("T")

POLL_INTERVAL = 0.5  # seconds: a standby notices a dead holder within about this


def projection_key(name: str) -> str:
    return f"espcrm.leader.projection.{name}"


def relay_key(topic: str) -> str:
    return f"espcrm.leader.relay.{topic}"


def watcher_key(name: str) -> str:
    return f"espcrm.leader.process.{name}"


LOCK_APPLICATION = "espcrm-lock:"

SCHEMA_KEY = "espcrm.schema"


@contextlib.contextmanager
def schema_lock(address: PgAddress, connect_timeout: int = 5) -> Iterator[None]:
    """While held, no other process creates or alters tables: processes started together on
    one database (a projection host and a relay, ten parts of a cluster) each run their
    CREATE … IF NOT EXISTS, and run concurrently those fail ("tuple concurrently updated",
    duplicate keys in pg_type). Waits for the holder; the lock ends with the session."""
    with psycopg.connect(
        address.conninfo(), autocommit=True, connect_timeout=connect_timeout
    ) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (SCHEMA_KEY,))
        yield


class AdvisoryLock:
    """A session-level advisory lock on a dedicated connection; never blocks."""

    def __init__(self, address: PgAddress, key: str, connect_timeout: int = 5) -> None:
        self.address = address
        self.key = key
        self.connect_timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = None

    def try_acquire(self) -> bool:
        """Take the lock if free; False when another session holds it or the server is away."""
        try:
            return self._try_lock()
        except psycopg.Error as error:
            log.debug("%s: cannot reach the database: %s", self.key, error)
            self.release()
            return False

    def still_held(self) -> bool:
        """False only when another session is known to hold the lock now.

        While the server cannot be reached we cannot tell, and say True: the job cannot
        write meanwhile either, and stopping it would only slow its recovery.
        """
        try:
            if self._conn is not None and not self._conn.closed:
                self._conn.execute("SELECT 1")  # our session lives, so the lock is still ours
                return True
        except psycopg.Error:
            log.warning("%s: lost the session holding the lock; taking it again", self.key)
            self.release()
        try:
            return self._try_lock()
        except psycopg.Error:
            self.release()
            return True

    def _try_lock(self) -> bool:
        row = (
            self._connection()
            .execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.key,))
            .fetchone()
        )
        return bool(row and row[0])

    def release(self) -> None:
        """Closing the session releases the lock (no unlock: the session may already be gone)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                log.debug("%s: closing the lock's connection failed", self.key, exc_info=True)

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(
                self.address.conninfo(),
                autocommit=True,
                connect_timeout=self.connect_timeout,
                # A holder whose host vanishes without closing its socket is noticed by TCP.
                keepalives=1,
                keepalives_idle=5,
                keepalives_interval=2,
                keepalives_count=3,
                # Which process holds which lock, for `espcrm cluster status` (pg_locks gives
                # the backend; this names the process on the other end).
                application_name=f"{LOCK_APPLICATION}{socket.gethostname()}:{os.getpid()}"[:63],
            )
        return self._conn


class Leader(Generic[T]):
    """Runs a job only while holding its lock; stands by (polling) while another holds it."""

    def __init__(
        self,
        lock: AdvisoryLock,
        start: Callable[[], T],
        stop: Callable[[T], None],
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.lock = lock
        self._start_job = start
        self._stop_job = stop
        self.poll_interval = poll_interval
        self.job: T | None = None
        self.leading = threading.Event()
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name=f"lead-{lock.key}", daemon=True)

    def start(self) -> Leader[T]:
        """Starts the job now if the lock is free (as a single process always finds it)."""
        if not self._try_lead():
            log.info("%s: another process holds it; standing by", self.lock.key)
        self._watcher.start()
        return self

    def wait_leading(self, timeout: float) -> T:
        if not self.leading.wait(timeout) or self.job is None:
            raise TimeoutError(f"{self.lock.key}: still standing by after {timeout} s")
        return self.job

    def _try_lead(self) -> bool:
        if not self.lock.try_acquire():
            return False
        try:
            self.job = self._start_job()
        except BaseException:
            self.lock.release()  # let another process try
            raise
        self.leading.set()
        return True

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_interval):
            try:
                self._tick()
            except Exception:  # e.g. the job failed to start: try again at the next tick
                log.exception("%s: cannot lead yet", self.lock.key)

    def _tick(self) -> None:
        if not self.leading.is_set():
            if self._try_lead():
                log.info("%s: lock acquired; this process takes over", self.lock.key)
        elif not self.lock.still_held():
            log.warning("%s: another process took over; standing by", self.lock.key)
            self._stop()

    def _stop(self) -> None:
        self.leading.clear()
        job, self.job = self.job, None
        if job is not None:
            self._stop_job(job)

    def close(self) -> None:
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        try:
            self._stop()
        finally:
            self.lock.release()


def wait_all_leading(leaders: list[Leader[Any]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for leader in leaders:
        leader.wait_leading(max(0.0, deadline - time.monotonic()))


def lead_relay(relay: EventRelay, address: PgAddress, connect_timeout: int = 5) -> Leader[Any]:
    """The relay of `relay.topic`, run only while this process holds that topic's lock."""
    from infra.relay import start_relay_thread

    def start() -> threading.Thread:
        relay.stopping.clear()  # it may have been stopped when another process took over
        return start_relay_thread(relay)

    def stop(thread: threading.Thread) -> None:
        relay.stop()
        thread.join()

    lock = AdvisoryLock(address, relay_key(relay.topic), connect_timeout)
    return Leader(lock, start, stop).start()
