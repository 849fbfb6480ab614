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
import time
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from infra.postgres_server import PgAddress

log = logging.getLogger("espcrm.relay")


class LogWaiter:
    def __init__(self, address: PgAddress, channel: str, connect_timeout: int = 5) -> None:
        self.address = address
        self.channel = channel
        self.connect_timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = None

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
            time.sleep(timeout)  # as a poll would: never a busy loop while the server is away
            return False

    def wake(self) -> None:
        """Wake the waiting follower now (to stop it): a notification of our own."""
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
