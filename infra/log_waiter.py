"""Waking a follower of the event log when something is appended, not at its next poll.

The recorder NOTIFYs its channel in every insert's transaction (PostgreSQL delivers it at
commit). A follower that found nothing new LISTENs on that channel and sleeps until a
notification or its poll interval, whichever is first: new events are picked up within a
round trip instead of up to a whole interval later. Notifications that arrive while the
follower is busy are queued on the connection, so none is missed; a lost connection only
means falling back to the poll interval until it is made again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from infra.postgres_server import PgAddress
from projection_runtime.runners import POSITIONS_CHANNEL

log = logging.getLogger("espcrm.relay")


class LogWaiter:
    # Without a LISTEN connection (the server restarting), how long a wait sleeps before it
    # tries to make one again: the caller's timeout may be its whole poll interval (30 s).
    RECONNECT_AFTER = 1.0

    def __init__(self, address: PgAddress, channel: str, connect_timeout: int = 5) -> None:
        self.address = address
        self.channel = channel
        self.connect_timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = None
        self._woken = threading.Event()  # wake() without a server: ends a fallback sleep

    def wait(self, timeout: float) -> bool:
        """True when woken by an append, False after `timeout` (or without a connection)."""
        try:
            conn = self._connection()
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except psycopg.Error as error:
            log.debug("no LISTEN connection (%s): polling", error)
            self.close()
            # As a poll would (never a busy loop while the server is away), but woken by
            # wake(): a process stopping must not sleep out its follower's poll interval.
            self._woken.wait(min(timeout, self.RECONNECT_AFTER))
            self._woken.clear()
            return False

    def wake(self) -> None:
        """Wake the waiting follower now (to stop it): a notification of our own, and the
        event a follower without a LISTEN connection sleeps on."""
        self._woken.set()
        try:
            with psycopg.connect(
                self.address.conninfo(), autocommit=True, connect_timeout=self.connect_timeout
            ) as conn:
                conn.execute("SELECT pg_notify(%s, '')", (self.channel,))
        except psycopg.Error:
            log.debug("could not wake the follower; it wakes at its timeout", exc_info=True)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                log.debug("closing the LISTEN connection failed", exc_info=True)

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(
                self.address.conninfo(), autocommit=True, connect_timeout=self.connect_timeout
            )
            conn.execute(SQL("LISTEN {}").format(Identifier(self.channel)))
            self._conn = conn
        return self._conn


class PositionListener:
    """Read-your-writes without polling: waits until the read models reach a position.

    The projection host NOTIFYs POSITIONS_CHANNEL after every batch with the lowest position
    its views reached (projection_runtime/runners.py). A waiter looks once; if the views are
    not there yet it sleeps until a notice at or past its position arrives, then looks again
    (one query: the views may run in several processes, each announcing its own). If notices
    are lost (the LISTEN connection dropped), it still looks every FALLBACK_POLL seconds.
    One LISTEN connection and one thread per process, made at the first wait that needs them.

    A request waiting for its own write skips the first look when no notice has reached its
    position since this connection began listening, and it began before the write: no view
    can have processed the position without announcing it since. That first look nearly
    always found the views short of a write made a moment before, and it was a query of
    every view's position on every mutation (docs/benchmarks.md item 51).
    """

    FALLBACK_POLL = 1.0
    # A skipped first look is made after this at the latest, notice or not: an idempotent
    # repeat answers with the position of a write made long before, perhaps announced
    # before this connection listened.
    UNANNOUNCED_LOOK = 0.1

    def __init__(self, address: PgAddress, connect_timeout: int = 5) -> None:
        self.address = address
        self.connect_timeout = connect_timeout
        self._cond = threading.Condition()
        self._notices: deque[tuple[int, int]] = deque(maxlen=256)  # (count, position)
        self._count = 0
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = False
        # Since when (time.monotonic) the current connection has listened, and the highest
        # position announced on it: None and -1 while there is none.
        self._listening_since: float | None = None
        self._highest = -1
        self.looks = 0  # how many times a waiter looked at the views (for tests, benchmarks)

    def wait_for(
        self,
        position: int,
        timeout: float,
        reached: Callable[[], bool],
        written_after: float | None = None,
    ) -> None:
        """Until `reached()` (the views at `position`): TimeoutError after `timeout`.
        `written_after`: a time.monotonic() reading taken before `position` was written."""
        deadline = time.monotonic() + timeout
        try:
            self._listening()
        except psycopg.Error as error:  # no LISTEN now: the fallback looks still come
            log.debug("positions: cannot LISTEN (%s)", error)
        with self._cond:
            seen = self._count  # before the first look: no notice falls between
            since = self._listening_since
            unannounced = (
                written_after is not None
                and since is not None
                and since < written_after
                and self._highest < position
            )
        while True:
            patience = self.FALLBACK_POLL
            if unannounced:  # no look yet: after a notice, or soon (a repeat's old position)
                unannounced, patience = False, self.UNANNOUNCED_LOOK
            else:
                self.looks += 1
                if reached():
                    return
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"the read models have not reached position {position}")
                with self._cond:
                    if self._count == seen:
                        self._cond.wait(timeout=min(remaining, patience))
                    news = [p for c, p in self._notices if c > seen]
                    overflowed = bool(self._notices) and self._notices[0][0] > seen + 1
                    fresh = self._count != seen
                    seen = self._count
                if not fresh or overflowed or (news and max(news) >= position):
                    break  # the fallback look, or a notice worth a look

    def _listening(self) -> None:
        with self._cond:
            if self._thread is None and not self._closed:
                self._conn = self._connect()  # LISTEN before anyone's first look
                self._thread = threading.Thread(target=self._run, name="positions", daemon=True)
                self._thread.start()

    def _connect(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(
            self.address.conninfo(), autocommit=True, connect_timeout=self.connect_timeout
        )
        conn.execute(SQL("LISTEN {}").format(Identifier(POSITIONS_CHANNEL)))
        with self._cond:  # a new connection: notices before it were not heard
            self._listening_since, self._highest = time.monotonic(), -1
        return conn

    def _run(self) -> None:
        while not self._closed:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = self._connect()
                for notice in self._conn.notifies(timeout=0.25):  # then look at _closed
                    announced = int(notice.payload or 0)
                    with self._cond:
                        self._count += 1
                        self._notices.append((self._count, announced))
                        self._highest = max(self._highest, announced)
                        self._cond.notify_all()
            except (psycopg.Error, ValueError) as error:
                self._drop()
                if self._closed:
                    return
                log.debug("positions: no LISTEN connection (%s): waiters poll", error)
                time.sleep(self.FALLBACK_POLL)
        self._drop()  # the thread's own connection: closed by the thread

    def _drop(self) -> None:
        with self._cond:
            self._listening_since = None
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except psycopg.Error:
                log.debug("closing the positions connection failed", exc_info=True)

    def close(self) -> None:
        """The thread ends (and closes its connection) within a quarter of a second."""
        self._closed = True
        if self._thread is None:
            self._drop()
