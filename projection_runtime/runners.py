"""Runners: read a batch of the log once, apply it to every view, record each view's position.

`LogReader` is the host's one reader of the log: it reads whatever is after the position of
the view furthest behind (up to `batch_size` events), decodes it once, and hands it to every
`ViewRunner` (one physical version of one view), which processes the part past its own
position in one transaction of its view (View.batch: rows and position commit together). So a
quiet system still commits each event at once and a busy one commits fewer, larger batches,
and five views cost one read and one decode, not five. The library's runner committed every
event on its own, per view. Caught up, the reader sleeps until the event store announces an
append (a `Waiter`: infra/log_waiter.py's LogWaiter in production).

`FollowingRunner` keeps one projection's ViewRunner on its active version (see versions.py).
Rebuilds (admin.py) use the same batch steps, `read_batch` and `apply_batch`.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

import psycopg
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import PersistenceError, Tracking, WaitInterruptedError
from eventsourcing.projection import Projection
from eventsourcing.utils import resolve_topic
from psycopg import Connection

from application.service_package import ServicePackage
from projection_runtime.versions import APPLICATION, ProjectionVersions, lease_key
from projections.base import SharedBatch, View

log = logging.getLogger("espcrm.projections")

Progress = Callable[[int, int], None]  # (position reached, head of the log)


class Waiter(Protocol):
    """Sleeps until the event store announces an append (or the timeout passes)."""

    def wait(self, timeout: float) -> bool: ...

    def wake(self) -> None: ...

    def close(self) -> None: ...


# After each batch the reader announces here the lowest position its views reached: the API's
# read-your-writes wait (infra/log_waiter.py PositionListener) listens instead of polling.
POSITIONS_CHANNEL = "espcrm_positions"

# (position, event), decoded once for every view; in a rebuild's fold, None for an event its
# view would ignore, left undecoded (handled_topics).
Batch = list[tuple[int, DomainEventProtocol[Any]]]


def read_batch(
    app: ServicePackage,
    after: int,
    limit: int,
    stop: int | None = None,
    personal: bool | Callable[[str], bool] = True,
    wanted: Callable[[str], bool] | None = None,
) -> Batch:
    """The next events after position `after` (at most `limit`, none past `stop`), decoded
    (`personal=False`: personal data reads as erased, for a view that shows none; as a
    predicate of the topic, only the events it accepts are opened; `wanted`:
    only events of the topics it accepts are decoded, the others come as None).

    Reading by position is gap-free: the event store serialises inserts, so ids commit in
    order."""
    notifications = app.recorder.select_notifications(  # type: ignore[attr-defined]
        start=after + 1, limit=limit, stop=stop
    )
    events = app.decode(notifications, personal, wanted)
    return list(zip((int(n.id) for n in notifications), events, strict=True))


def apply_batch(
    projection: Projection[Any], view: View, batch: Batch, shared: SharedBatch | None = None
) -> None:
    """The events processed in one transaction of the view: rows and position commit together
    (`shared`: in the caller's transaction, with other views').

    One commit per batch, not per event: the commits were most of a replay's time, and of the
    live runners' under load."""
    process = event_handler(projection)
    with view.batch(shared):
        for position, event in batch:
            process(event, Tracking(APPLICATION, position))


def feed_batch(projection: Projection[Any], batch: Batch) -> None:
    """The events given to the projection with no transaction of their own (its view is a
    fold, whose stretch has the transaction). None: an event it ignores, left undecoded
    (`handled_topics`); the stretch records the position past it."""
    process = event_handler(projection)
    for position, event in batch:
        if event is not None:
            process(event, Tracking(APPLICATION, position))


def handled_topics(projection: Projection[Any]) -> Callable[[str], bool] | None:
    """Whether the projection has a handler of its own for events of a topic; None if it
    cannot tell (then every event is decoded).

    Each view's catch-all handler only records the position, which a fold's stretch records
    for its whole stretch anyway: a rebuild need not decode the events only it would see
    (an issue view ignores visits, half of the log; test: the rows equal the live
    version's)."""
    dispatch = _dispatch(projection)
    if dispatch is None:
        return None
    catch_all = dispatch(object)
    return _by_topic(lambda event_class: dispatch(event_class) is not catch_all)


def _by_topic(test: Callable[[type[Any]], bool]) -> Callable[[str], bool]:
    """`test` of an event class, asked of a topic: resolved and answered once per topic."""
    known: dict[str, bool] = {}

    def answer(topic: str) -> bool:
        if (found := known.get(topic)) is None:
            found = known[topic] = test(resolve_topic(topic))
        return found

    return answer


def personal_data_read(view: View) -> bool | Callable[[str], bool]:
    """What of the log's personal data a rebuild of `view` opens: all, none, or (a predicate
    of the topic) only that of the events its rows show it from."""
    events = view.personal_data_events
    if not view.reads_personal_data or events is None:
        return view.reads_personal_data
    return _by_topic(lambda event_class: issubclass(event_class, events))


def feed_each(projections: list[Projection[Any]], batch: Batch) -> None:
    """Each event given to every projection before the next event (folds, as feed_batch):
    projections sharing stream states then each see the state as of the event they process."""
    handlers = [event_handler(projection) for projection in projections]
    for position, event in batch:
        tracking = Tracking(APPLICATION, position)
        for process in handlers:
            process(event, tracking)


def event_handler(projection: Projection[Any]) -> Callable[[Any, Tracking], None]:
    """`projection.process_event`, its handler looked up by the event's class alone.

    Reached through the instance, a singledispatchmethod makes a new function and copies the
    method's name and docstring onto it (functools.update_wrapper) on every call: about a
    tenth of a rebuild's fold, once per event and per view."""
    dispatch, owner = _dispatch(projection), type(projection)
    if dispatch is None:
        return projection.process_event  # type: ignore[no-any-return]

    def process(event: Any, tracking: Tracking) -> None:
        dispatch(type(event)).__get__(projection, owner)(event, tracking)

    return process


def _dispatch(projection: Any) -> Callable[[type], Any] | None:
    """The dispatcher of the projection's `process_event` (event class → handler), or None
    if it is not a singledispatchmethod."""
    method = inspect.getattr_static(projection, "process_event", None)
    if not isinstance(method, functools.singledispatchmethod):
        return None
    method.__get__(projection, type(projection))  # eventsourcing's registers deferred handlers
    return method.dispatcher.dispatch  # type: ignore[no-any-return]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The cyclic garbage collector runs less often while a rebuild runs.

    A rebuild allocates millions of short-lived objects, few of them in cycles, while its
    state caches hold hundreds of thousands more; at the collector's default thresholds its
    full collections walked those caches again every 70,000 or so allocations (about a tenth
    of a kpi rebuild). Counted, so rebuilds overlapping in one process restore the defaults
    only when the last one ends."""
    global _collecting_less
    with _collections_lock:
        if not _collecting_less:
            gc.set_threshold(*_REBUILD_THRESHOLDS)
        _collecting_less += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collecting_less -= 1
            if not _collecting_less:
                gc.set_threshold(*_DEFAULT_THRESHOLDS)


_DEFAULT_THRESHOLDS = gc.get_threshold()
_REBUILD_THRESHOLDS = (10_000, 10, 10)
_collections_lock = threading.Lock()
_collecting_less = 0


def process_next_batch(
    app: ServicePackage,
    projection: Projection[Any],
    view: View,
    after: int,
    limit: int,
    stop: int | None = None,
) -> tuple[int, int]:
    """The next batch after `after` read and applied: (the last position processed, how
    many); (after, 0) if none."""
    batch = read_batch(app, after, limit, stop)
    if not batch:
        return after, 0
    apply_batch(projection, view, batch)
    return batch[-1][0], len(batch)


def catch_up(
    app: ServicePackage,
    projection: Projection[Any],
    view: View,
    *,
    until: int | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 500,
) -> int:
    """Feed the projection the log after the view's position; returns events processed.

    Up to `until`, or else to the head as it moves, until nothing is left.
    """
    position, processed = view.position(), 0
    while True:
        head = app.last_position()
        target = head if until is None else until
        if on_progress is not None:
            on_progress(position, head)
        if position >= target:
            return processed
        position, count = process_next_batch(app, projection, view, position, batch_size, target)
        if not count:
            return processed
        processed += count


def fold_up(
    app: ServicePackage,
    projection: Projection[Any],
    view: View,
    *,
    until: int | None = None,
    on_progress: Progress | None = None,
    batch_size: int = 500,
) -> int:
    """`catch_up`, set-based where the view has a fold (View.fold_class): each stretch of the
    log is folded in memory and written with COPY in one transaction with its position, then
    the next (a stretch ends at Fold.MAX_ROWS rows held: memory stays bounded). Rows equal
    the event-by-event path's. A view without a fold catches up event by event."""
    if view.fold_class is None:
        return catch_up(
            app, projection, view, until=until, on_progress=on_progress, batch_size=batch_size
        )
    position, processed, reached_target = view.position(), 0, False
    personal, wanted = personal_data_read(view), handled_topics(projection)
    while True:
        head = app.last_position()
        target = head if until is None else until
        if on_progress is not None:
            on_progress(position, head)
        if position >= target or (reached_target and converged(position, head, batch_size)):
            return processed
        before = position
        with view.folding(empty=position == 0) as fold:
            projection._view = fold  # type: ignore[attr-defined]  # the writes go to the fold
            try:
                while position < target and fold.size() < fold.MAX_ROWS:
                    batch = read_batch(app, position, batch_size, target, personal, wanted)
                    if not batch:
                        break
                    feed_batch(projection, batch)
                    position = batch[-1][0]
                    processed += len(batch)
                if position > before:
                    fold.reached(Tracking(APPLICATION, position))
            finally:
                projection._view = view  # type: ignore[attr-defined]
        if position == before:
            return processed
        reached_target = until is None and position >= target


def converged(position: int, head: int, batch_size: int) -> bool:
    """A rebuild that reached the head it aimed at, with less than a batch written meanwhile,
    stops chasing the head: what is left is the switch's catch-up (bounded, event by event).

    Without this, writes that never pause kept a rebuild going stretch after stretch, each of
    a few events and a transaction of its own: a test's rebuild beside one writer took 16 to
    68 s for the same log."""
    return head - position <= batch_size


class ViewRunner:
    """One physical version of one view, fed by the host's shared reader (LogReader).

    It offers what FollowingRunner needs of a runner: `is_interrupted` (set when it stopped
    or failed), `wait`, `stop` and the context-manager exit that re-raises what it failed of.
    """

    def __init__(self, reader: LogReader, projection: Projection[Any], view: View) -> None:
        self.reader = reader
        self.projection = projection
        self.view = view
        self.position = view.position()  # what it has committed; only the reader moves it
        self.is_interrupted = threading.Event()
        self._stopped = False
        self._error: BaseException | None = None

    def __enter__(self) -> ViewRunner:
        self.reader.join(self)
        return self

    def apply(self, batch: Batch) -> None:
        """The part of a shared batch after this view's position, in one transaction."""
        mine = [(p, e) for p, e in batch if p > self.position]
        if mine:
            apply_batch(self.projection, self.view, mine)
            self.position = mine[-1][0]

    def stage(self, batch: Batch, shared: SharedBatch) -> int:
        """The part of a batch after this view's position, written in the caller's
        transaction: the position it will have once that commits (the caller moves it)."""
        mine = [(p, e) for p, e in batch if p > self.position]
        if not mine:
            return self.position
        apply_batch(self.projection, self.view, mine, shared)
        return mine[-1][0]

    def fail(self, error: BaseException) -> None:
        self._error = error
        self.is_interrupted.set()
        self.reader.leave(self)

    def wait(self, position: int | None, timeout: float = 1.0) -> None:
        """Until the view has processed `position`; what it failed of, if it did."""
        try:
            self.view.wait(APPLICATION, position, timeout=timeout, interrupt=self.is_interrupted)
        except WaitInterruptedError:
            if self._error is not None:
                raise self._error from None
            if not self._stopped:
                raise

    def stop(self) -> None:
        self._stopped = True
        self.is_interrupted.set()
        self.reader.leave(self)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.reader.wait_batch_done()  # never close a view in the middle of its batch
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _database(view: View) -> tuple[object, ...]:
    """Where a view's tables are: its pool's server, database and user."""
    kwargs = view.datastore.pool.kwargs
    if not isinstance(kwargs, dict):
        return (id(view.datastore),)  # unknown: never shared
    return tuple(kwargs.get(k) for k in ("host", "port", "dbname", "user"))


def _applied(batch: Batch) -> Callable[[ViewRunner], BaseException | None]:
    def apply(member: ViewRunner) -> BaseException | None:
        try:
            member.apply(batch)
        except BaseException as error:
            return error
        return None

    return apply


class LogReader:
    """One thread reading each batch of the log once, decoding it once, and feeding every view.

    Five views used to mean five threads each reading and decoding the same events (2.2 ms of
    CPU per logVisit against 0.5 ms for one reader feeding all). A batch starts after the
    position of the view furthest behind; each view applies only what is past its own
    position, in its own transaction. A view that fails leaves (its FollowingRunner starts
    it again from its own position); the others go on. Caught up, the reader sleeps until
    the event store announces an append.
    """

    IDLE_POLL = 1.0  # seconds between looks if no announcement comes (a lost LISTEN)

    def __init__(self, app: ServicePackage, waiter: Waiter, batch_size: int = 500) -> None:
        self.app = app
        self.waiter = waiter
        self.batch_size = batch_size
        self._members: list[ViewRunner] = []
        self._lock = threading.Lock()
        self._applying = threading.Lock()  # held while a batch is applied
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="project-view")
        # Batches applied in one transaction for every view, and view by view (tests).
        self.batches_together = 0
        self.batches_view_by_view = 0

    def join(self, member: ViewRunner) -> None:
        with self._lock:
            self._members.append(member)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="project", daemon=True)
                self._thread.start()
        self.waiter.wake()

    def leave(self, member: ViewRunner) -> None:
        with self._lock:
            if member in self._members:
                self._members.remove(member)

    def wait_batch_done(self) -> None:
        if threading.current_thread() is not self._thread:
            with self._applying:
                pass

    def _run(self) -> None:
        self.waiter.wait(0)  # listening before the first look: no append falls between
        while not self._stopping.is_set():
            try:
                count = self._step()
            except Exception as error:  # the log unreadable (the database away): look again
                log.warning("the projections' log reader cannot read the log yet: %s", error)
                count = 0
            if count < self.batch_size:
                # Caught up as of the read: sleep until an append is announced. Announcements
                # that came meanwhile are queued on the LISTEN connection and end the wait at
                # once; reading again straight after a short batch found nothing nearly
                # always, a query per event at a steady trickle (docs/benchmarks.md item 53).
                self.waiter.wait(self.IDLE_POLL)

    def _step(self) -> int:
        with self._lock:
            members = list(self._members)
        if not members:
            return 0
        batch = read_batch(self.app, min(m.position for m in members), self.batch_size)
        with self._applying:
            live = [m for m in members if not m.is_interrupted.is_set()]
            if batch and live and self._apply_together(live, batch):
                return len(batch)
            live = [m for m in live if not m.is_interrupted.is_set()]
            self.batches_view_by_view += bool(batch and live)
            # Each view's transaction in its own thread: they wait on PostgreSQL, not on each
            # other, so a batch is as slow as its slowest view, not as all of them together.
            for member, outcome in zip(live, self._pool.map(_applied(batch), live), strict=True):
                if outcome is not None:  # kept for its wait() and exit
                    member.fail(outcome)
        if batch and live:
            self._announce(min(m.position for m in live))
        return len(batch)

    def _apply_together(self, live: list[ViewRunner], batch: Batch) -> bool:
        """Every view's part of the batch, their positions and the announcement of the lowest,
        in ONE transaction, pipelined: one commit per batch, not one per view and another for
        the announcement. At a logVisit a second a batch is one event, and each view's own
        transaction and commit were most of the host's CPU and of PostgreSQL's per event
        (docs/benchmarks.md item 52). Views in different databases cannot share a
        transaction: False, and so does anything failing here. Nothing is then committed
        and no position moved; the caller applies the batch view by view, each in its own
        transaction, where a failing view fails alone as before."""
        if len({_database(m.view) for m in live}) != 1:
            return False
        reached: list[int] = []
        staging: ViewRunner | None = None
        try:
            with live[0].view.datastore.transaction(commit=True) as curs:
                shared = SharedBatch(curs)
                with curs.connection.pipeline():  # synced at its end: one round trip
                    for staging in live:
                        reached.append(staging.stage(batch, shared))
                    staging = None
                    curs.execute("SELECT pg_notify(%s, %s)", (POSITIONS_CHANNEL, str(min(reached))))
                shared.check()  # every position moved forward, or none commits
        except Exception as error:
            # A projection's own error is that view's: it fails alone, as view by view. A
            # database's may surface at any later statement of the pipeline: the views'
            # own transactions tell which view it was.
            if staging is not None and not isinstance(error, psycopg.Error | PersistenceError):
                staging.fail(error)
            log.info("a batch applied to every view together failed, view by view now: %s", error)
            return False
        for member, position in zip(live, reached, strict=True):
            member.position = position
        self.batches_together += 1
        return True

    def _announce(self, position: int) -> None:
        """NOTIFY the position every view here reached (delivered at once: autocommit)."""
        try:
            with self.app.recorder.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
                curs.execute("SELECT pg_notify(%s, %s)", (POSITIONS_CHANNEL, str(position)))
        except Exception as error:  # waiters fall back to their slow poll
            log.warning("cannot announce position %d: %s", position, error)

    def close(self) -> None:
        self._stopping.set()
        self.waiter.wake()
        if self._thread is not None:
            self._thread.join()
        self._pool.shutdown()
        self.waiter.close()
        self.app.close()


@dataclass
class RunningVersion:
    """A runner writing one physical version, and the view (with its pool) it writes."""

    version: int
    runner: ViewRunner
    view: View
    _lease: Connection[Any] | None = None

    def hold(self, key: str) -> None:
        """A shared advisory lock for as long as this runs: `drop` then leaves the tables.

        On a connection of the view's own pool, so the API's pool is not made smaller.
        """
        conn = self.view.datastore.pool.getconn()
        conn.execute("SELECT pg_advisory_lock_shared(hashtext(%s))", (key,))
        self._lease = conn

    def stop(self) -> None:
        try:
            self.runner.__exit__(None, None, None)
        finally:
            if self._lease is not None:  # closing ends the session, and with it the lock
                self._lease.close()
                self.view.datastore.pool.putconn(self._lease)
            self.view.datastore.close()


class FollowingRunner:
    """Runs one projection on its active version, and moves to the next after a switch.

    Polling the registry (not LISTEN) keeps it a plain SELECT any process can do; the cost
    is up to one poll interval during which the new version waits for its writer.
    A runner whose thread dies (an error, the database restarted) is started again on the
    same version from its own position. Only the process holding the projection's advisory
    lock runs one (host.py); others stand by.
    """

    RESTART_DELAY = 2.0  # seconds between a runner's failure and its restart

    def __init__(
        self,
        name: str,
        versions: ProjectionVersions,
        start_version: Callable[[int], RunningVersion],
        poll_interval: float = 0.5,
    ) -> None:
        self.name = name
        self.versions = versions
        self._start_version = start_version
        self.poll_interval = poll_interval
        self._current: RunningVersion | None = None
        self.last_error: BaseException | None = None  # the last runner failure seen
        self._stopping = threading.Event()
        self._look = threading.Event()  # the watcher looks now (a wait found a switch)
        self._watcher = threading.Thread(target=self._watch, name=f"follow-{name}", daemon=True)

    @property
    def current(self) -> RunningVersion:
        if self._current is None:
            raise RuntimeError(f"{self.name}: not started")
        return self._current

    def start(self) -> FollowingRunner:
        version = self.versions.active(self.name)
        if version is None:
            raise LookupError(f"{self.name}: no active version (bootstrap installs one)")
        self._current = self._start(version)
        self._watcher.start()
        return self

    def _start(self, version: int) -> RunningVersion:
        running = self._start_version(version)
        try:
            running.hold(lease_key(self.name, version))
        except BaseException:
            running.stop()
            raise
        return running

    def _watch(self) -> None:
        died_at: float | None = None
        while True:
            self._look.wait(self.poll_interval)
            self._look.clear()
            if self._stopping.is_set():
                return
            try:
                active = self.versions.active(self.name)
                running = self.current
                if active is not None and active != running.version:
                    self._replace(active)
                elif running.runner.is_interrupted.is_set():
                    # Its thread ended though nobody stopped it: it failed (the database away,
                    # say). Start it again from its own position, a little later.
                    died_at = died_at or time.monotonic()
                    if time.monotonic() - died_at >= self.RESTART_DELAY:
                        died_at = None
                        self._replace(running.version)
            except Exception as error:  # e.g. the database still away: try at the next tick
                log.warning("%s: cannot follow the active version yet: %s", self.name, error)

    def _replace(self, version: int) -> None:
        """Start the new runner first, then stop the old one: never a moment with none."""
        old = self.current
        self._current = self._start(version)
        log.info("%s: runner on version %d replaces version %d's", self.name, version, old.version)
        self._stop(old)

    def _stop(self, running: RunningVersion) -> None:
        try:
            running.stop()
        except Exception as error:  # what the runner died of: kept for `wait`, and logged
            self.last_error = error
            log.exception("%s: the runner of version %d failed", self.name, running.version)

    def wait(self, position: int, timeout: float) -> None:
        """Until the active version has processed `position`, across moves and restarts.

        The runner's version is asked to be the active one too: after a switch the old
        runner goes on until the watcher replaces it, and a wait it answered would say the
        new version had what it may not have yet. The watcher is then asked to look at once.
        """
        deadline = time.monotonic() + timeout
        failure: BaseException | None = None
        while True:
            running = self.current
            switched = False
            try:
                running.runner.wait(position, timeout=max(0.0, deadline - time.monotonic()))
                if running is self.current:
                    if self.versions.active(self.name) in (None, running.version):
                        return
                    switched = True
            except Exception as error:  # timed out, or the runner failed: a successor may do
                failure = error
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{self.name}: position {position} not reached in {timeout} s"
                ) from (failure or self.last_error)
            if switched:  # the watcher moves to the active version now, not at its next poll
                self._look.set()
                self._stopping.wait(0.02)
            elif running is self.current:  # failed: the watcher starts it again
                self._stopping.wait(self.poll_interval)

    def close(self) -> None:
        self._stopping.set()
        self._look.set()
        if self._watcher.is_alive():
            self._watcher.join()
        if self._current is not None:
            self._stop(self._current)
            self._current = None
