"""Read-model queries on a streaming replica, read-your-writes through it, and the fallback.

When a read replica is configured (ESPCRM_READ_DATABASE_URL, or the embedded one
`espcrm db up --replica` made), every view the API reads through is built on the replica and
its datastore is a RoutedDatastore: each connection it hands out comes from the replica while
the replica is healthy, else from the primary. Neither the event store, nor the command side,
nor the projection writers are touched: they stay on the primary.

Read-your-writes (X-Min-Position). A hot standby cannot LISTEN, so the projection host's
NOTIFY never reaches it. The ReplicaRoute looks instead, one thread per process: while any
request waits it asks the replica for its views' lowest position (the same one-query look the
primary answers) after 1, 2, 4 … 32 ms, one query per look however many requests wait, and wakes
the waiters whose position it reached. It looks at the tracking rows themselves, not at
pg_last_wal_replay_lsn(): the rows and their position commit together on the primary, so the
replica holding the position is exactly the replica holding the rows, with no LSN to capture
on the primary after each batch (the projection host runs in another process).

Never stale without saying so. Every quarter second the route also looks at the primary's
position; the replica's lag is how long ago the primary first held a position the replica still
lacks. The replica down (a look or a read fails) or lagging beyond ESPCRM_READ_REPLICA_MAX_LAG
_SECONDS sends reads to the primary, logged once with its reason, counted, and shown by
/healthz. A read that was on the replica as it failed answers SERVICE_UNAVAILABLE ("retry"),
never a partial answer. Reads go back to the replica only once it has replayed every position a
request was promised on the primary meanwhile (see wait_for), so a client that saw its write on
the primary never reads the replica without it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import DictRow

from api.errors import ServiceUnavailable, is_database_outage
from infra.postgres_server import PgAddress

log = logging.getLogger("espcrm.replica")

REPLICA = "replica"
PRIMARY = "primary"
DOWN = "down"
LAGGING = "lagging"


class ReplicaRoute:
    """Where read-model queries go now, and how a request waits for its position there."""

    HEALTH_EVERY = 0.25  # seconds between looks at both servers' positions
    FAST_FIRST = 0.001  # while requests wait: the first look after this, doubling …
    FAST_MAX = 0.032  # … up to this

    def __init__(
        self,
        replica: PgAddress,
        primary: PgAddress,
        position_sql: tuple[str, list[str]],
        *,
        max_lag: float = 5.0,
        connect_timeout: int = 2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.replica, self.primary = replica, primary
        self.position_sql = position_sql
        self.max_lag = max_lag
        self.connect_timeout = connect_timeout
        self._clock = clock
        self._cond = threading.Condition()
        self._mode = REPLICA
        self._reason: str | None = None
        self._generation = 0  # one more at every switch
        self._promised = 0  # the highest position a request waited for on the primary
        self._seen = (0, -1)  # (generation, position) of the last look at the routed server
        self._waiting = 0
        self._hurry = threading.Event()
        self._samples: deque[tuple[float, int]] = deque()  # (time, primary position)
        self._conns: dict[str, psycopg.Connection[Any] | None] = {REPLICA: None, PRIMARY: None}
        self._replica_stores: list[PostgresDatastore] = []
        self._refresh = False  # replica pools to check before reads go back to the replica
        self._closed = False
        self._thread: threading.Thread | None = None
        # What /healthz and `espcrm db status` show.
        self.replica_position: int | None = None
        self.primary_position: int | None = None
        self.lag_seconds = 0.0
        self.last_error: str | None = None
        self.switches = 0
        self.reads = {REPLICA: 0, PRIMARY: 0}
        self.looks = 0

    # -- routing ----------------------------------------------------------------------------

    @property
    def on_replica(self) -> bool:
        return self._mode == REPLICA

    def register(self, replica_store: PostgresDatastore) -> None:
        self._replica_stores.append(replica_store)

    def replica_failed(self, error: BaseException) -> None:
        """A read on the replica met an outage: reads go to the primary until it is back."""
        with self._cond:
            self.last_error = _short(error)
            self._switch(PRIMARY, DOWN)

    def status(self) -> dict[str, object]:
        with self._cond:
            return {
                "route": self._mode,
                "reason": self._reason,
                "replica_position": self.replica_position,
                "primary_position": self.primary_position,
                "lag_seconds": round(self.lag_seconds, 3),
                "max_lag_seconds": self.max_lag,
                "reads": dict(self.reads),
                "switches": self.switches,
                "last_error": self.last_error,
            }

    def _switch(self, mode: str, reason: str | None) -> None:
        """Under the lock."""
        if mode == self._mode and reason == self._reason:
            return
        if mode == PRIMARY:
            log.warning(
                "read replica %s (%s): read-model queries go to the primary",
                reason,
                self.last_error if reason == DOWN else f"{self.lag_seconds:.1f} s behind",
            )
            self._refresh = self._refresh or reason == DOWN
        else:
            log.warning("read replica caught up: read-model queries go to it again")
        self._mode, self._reason = mode, reason
        self._generation += 1
        self.switches += 1
        self._cond.notify_all()

    # -- read-your-writes (projections/views.py PositionSignal) ----------------------------

    def wait_for(
        self,
        position: int,
        timeout: float,
        reached: Callable[[], bool],
        written_after: float | None = None,
    ) -> None:
        """Until the server reads go to holds `position`; TimeoutError after `timeout`.
        (`written_after` is not used: a replica's looks are shared, not per request.)

        The first look is the request's own (`reached`, on the routed server); later ones are
        the route's shared looks. A position reached on the primary is remembered (promised):
        reads return to the replica only once it holds every promised position. A switch
        between a look and its verdict means the look may have been on the other server: the
        request looks again.
        """
        self._start()
        deadline = self._clock() + timeout
        own_look = True
        while True:
            with self._cond:
                generation = self._generation
                seen_generation, seen = self._seen
                known = seen if seen_generation == generation else -1
            ok = known >= position
            if not ok and own_look:
                self.looks += 1
                ok, own_look = reached(), False
            with self._cond:
                if ok and generation == self._generation:
                    if self._mode == PRIMARY:
                        self._promised = max(self._promised, position)
                    return
                if ok:
                    continue  # switched under the look: look again where reads go now
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise TimeoutError(f"the read models have not reached position {position}")
                self._waiting += 1
                self._hurry.set()
                try:
                    self._cond.wait(timeout=min(remaining, 0.1))
                finally:
                    self._waiting -= 1

    def close(self) -> None:
        self._closed = True
        self._hurry.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        for name, conn in list(self._conns.items()):
            self._conns[name] = None
            if conn is not None:
                conn.close()

    # -- the route's own looks -------------------------------------------------------------

    def start(self) -> None:
        """Look now, then keep looking in the background (bootstrap calls it)."""
        self._health()
        self._start()

    def _start(self) -> None:
        with self._cond:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="replica", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        interval = self.FAST_FIRST
        next_health = 0.0
        while not self._closed:
            now = self._clock()
            try:
                if now >= next_health:
                    self._health()
                    next_health = self._clock() + self.HEALTH_EVERY
                elif self._waiting and self._look_routed():
                    interval = self.FAST_FIRST  # moving: look again soon
            except Exception:  # the route must outlive any one look
                log.exception("replica route: look failed")
            if self._waiting:
                if self._hurry.wait(timeout=interval):
                    self._hurry.clear()
                    interval = self.FAST_FIRST
                else:
                    interval = min(interval * 2, self.FAST_MAX)
            else:
                self._hurry.wait(timeout=max(0.0, next_health - self._clock()))
                self._hurry.clear()
                interval = self.FAST_FIRST

    def _look_routed(self) -> bool:
        """One look at the server reads go to; True when its position moved."""
        with self._cond:
            generation, mode = self._generation, self._mode
            before = self._seen[1] if self._seen[0] == generation else -1
        try:
            position = self._look(mode)
        except psycopg.Error as error:
            if mode == REPLICA:
                self.replica_failed(error)
            return False
        with self._cond:
            if generation == self._generation and position > before:
                self._seen = (generation, position)
                self._cond.notify_all()
                return True
        return False

    def _health(self) -> None:
        """Both positions, the lag, and the route they call for."""
        now = self._clock()
        try:
            primary: int | None = self._look(PRIMARY)
        except psycopg.Error:
            primary = None  # the primary down is the breaker's business, not the route's
        if primary is not None and self._mode == PRIMARY:
            self._saw(primary)  # before the replica's look, which may wait for a connection
        try:
            replica: int | None = self._look(REPLICA)
            error = None
        except psycopg.Error as failed:
            replica, error = None, failed
        if primary is not None:
            self._samples.append((now, primary))
            keep = max(4 * self.max_lag, 10.0)
            while len(self._samples) > 1 and self._samples[0][0] < now - keep:
                self._samples.popleft()
        lag = self._lag(now, replica)
        if replica is not None and self._refresh:  # back after an outage: no dead connections
            for store in self._replica_stores:
                _check_pool(store)
        with self._cond:
            self.replica_position, self.primary_position, self.lag_seconds = replica, primary, lag
            if replica is None:
                self.last_error = _short(error) if error else None
                self._switch(PRIMARY, DOWN)
            elif lag > self.max_lag:
                self._switch(PRIMARY, LAGGING)
            elif self._mode == PRIMARY and replica >= self._promised and lag <= self.max_lag / 2:
                self._refresh = False
                self._switch(REPLICA, None)
        routed = replica if self._mode == REPLICA else primary
        if routed is not None:
            self._saw(routed)

    def _saw(self, position: int) -> None:
        """The server reads go to holds `position` now: wake the requests it satisfies."""
        with self._cond:
            if position > (self._seen[1] if self._seen[0] == self._generation else -1):
                self._seen = (self._generation, position)
                self._cond.notify_all()

    def _lag(self, now: float, replica: int | None) -> float:
        """How long ago the primary first held a position the replica still lacks (0: none)."""
        if replica is None or not self._samples or replica >= self._samples[-1][1]:
            return 0.0
        for at, position in self._samples:
            if position > replica:
                return now - at
        return 0.0

    def _look(self, server: str) -> int:
        """The lowest position of the views on one server (one query, a connection of its own)."""
        sql, params = self.position_sql
        conn = self._conns[server]
        try:
            if conn is None or conn.closed:
                address = self.replica if server == REPLICA else self.primary
                conn = psycopg.connect(
                    address.conninfo(), autocommit=True, connect_timeout=self.connect_timeout
                )
                self._conns[server] = conn
            row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        except psycopg.Error:
            self._conns[server] = None
            if conn is not None:
                conn.close()
            raise
        return int(row[0] or 0) if row else 0


class RoutedDatastore(PostgresDatastore):
    """A view's datastore handing out replica connections, or the primary's while the route
    says so. Everything but get_connection is the replica datastore's."""

    def __init__(  # no pool of its own: super().__init__ is not called
        self, route: ReplicaRoute, replica: PostgresDatastore, primary: PostgresDatastore
    ) -> None:
        self.__dict__.update(route=route, replica=replica, primary=primary)
        route.register(replica)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["replica"], name)

    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[DictRow]]:
        route: ReplicaRoute = self.route
        on_replica = route.on_replica
        with ExitStack() as stack:
            store = self.replica if on_replica else self.primary
            try:
                conn = stack.enter_context(store.get_connection())
            except Exception as error:
                if not (on_replica and is_database_outage(error)):
                    raise
                route.replica_failed(error)  # nothing was read yet: the primary answers
                on_replica = False
                conn = stack.enter_context(self.primary.get_connection())
            route.reads[REPLICA if on_replica else PRIMARY] += 1
            try:
                yield conn
            except Exception as error:
                if on_replica and is_database_outage(error):
                    route.replica_failed(error)
                    raise ServiceUnavailable("service.replica") from error
                raise

    def close(self) -> None:
        self.replica.close()
        self.primary.close()


def _check_pool(store: PostgresDatastore) -> None:
    """Replace the pool's broken connections (a replica restarted under them)."""
    try:
        if not store.pool.closed:
            store.pool.check()
    except Exception:  # a look, not a requirement: a bad one fails a read once
        log.debug("checking a replica pool failed", exc_info=True)


def _short(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
