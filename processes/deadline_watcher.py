"""The deadline watcher (a process manager): warns, urges and escalates by itself (闭环管理).

It follows the event log from a position of its own and keeps, for every open issue, when its
next alert threshold is reached (`{p}_due`: issue, version, next_at), rows and position in one
transaction like a view's. The rules are the issue's: the watcher folds each issue's events
into the aggregate (projections/state.py) and asks it `next_alert_at` (domain/deadline_alerts.py).

`tick(now)` catches up with the log, then, for each issue whose next threshold `now` is past,
asks the application to fire what is due (application/alerts.py): the issue decides what is due
and refuses what already fired, and the save is optimistic, so each threshold is written once
however many watchers run, restart or race (a second one normally stands by on an advisory
lock: infra/leader.py). A watcher that was down fires everything missed on its first tick,
marked late. The clock is injected: tests move it instead of sleeping.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking

from application.service_package import ServicePackage
from domain.deadline_alerts import Alert, AlertPolicy
from domain.issue import Issue
from domain.messages import render
from domain.shared import BEIJING_TIME, Clock, Conflict
from domain.time_limits import SlaPolicy, WorkingCalendar
from projections.base import View
from projections.state import ProjectionStates

log = logging.getLogger("espcrm.watcher")

NAME = "deadline_watcher"
MAX_CLASHES = 3  # a batch refused this often with no position moving is a real error


class WatchStore(View):
    """The watcher's own rows: each open issue's next threshold, and the watcher's position."""

    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_due ("
        " issue_id uuid PRIMARY KEY, version int NOT NULL, next_at timestamptz)",
        "CREATE INDEX IF NOT EXISTS {p}_next_idx ON {p}_due (next_at) WHERE next_at IS NOT NULL",
    )

    def record(
        self, issue_id: UUID, version: int, next_at: datetime | None, tracking: Tracking
    ) -> None:
        """Only a newer version of the issue moves its row: a watcher that lags behind another
        never sets an earlier state's schedule back."""
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_due VALUES (%s, %s, %s) ON CONFLICT (issue_id)"
                f" DO UPDATE SET version = EXCLUDED.version, next_at = EXCLUDED.next_at"
                f" WHERE {self.prefix}_due.version < EXCLUDED.version",  # type: ignore[arg-type]
                (issue_id, version, next_at),
            )

    def due(self, now: datetime, limit: int) -> list[UUID]:
        """Issues whose next threshold `now` is past, the longest waiting first."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT issue_id FROM {self.prefix}_due WHERE next_at < %s"
                " ORDER BY next_at LIMIT %s",  # type: ignore[arg-type]
                (now, limit),
            )
            return [row["issue_id"] for row in curs.fetchall()]

    def summary(self, now: datetime) -> tuple[int, int, datetime | None]:
        """(issues with a threshold ahead or due, of which due now, the earliest next_at)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT count(*) AS watched, count(*) FILTER (WHERE next_at < %s) AS due,"
                f" min(next_at) AS earliest FROM {self.prefix}_due WHERE next_at IS NOT NULL",  # type: ignore[arg-type]
                (now,),
            )
            row = curs.fetchone()
            assert row is not None
            return int(row["watched"]), int(row["due"]), row["earliest"]

    def next_at(self, issue_id: UUID) -> datetime | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT next_at FROM {self.prefix}_due WHERE issue_id = %s",  # type: ignore[arg-type]
                (issue_id,),
            )
            row = curs.fetchone()
            return row["next_at"] if row else None


@dataclass(frozen=True)
class Fired:
    """One alert the watcher wrote (for logs and tests)."""

    issue_id: UUID
    alert: Alert


class DeadlineWatcher:
    """Follow the log, keep each open issue's next threshold, fire what `now` is past."""

    def __init__(
        self,
        app: ServicePackage,
        store: WatchStore,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
        policy: AlertPolicy,
        *,
        batch_size: int = 500,
        tick_size: int = 200,
    ) -> None:
        self.app = app
        self.store = store
        self.sla = sla
        self.calendar = calendar
        self.policy = policy
        self.batch_size = batch_size
        self.tick_size = tick_size
        self.states = ProjectionStates(
            lambda stream_id, version: app.repository.get(stream_id, version=version)
        )

    def position(self) -> int:
        return self.store.position()

    def follow(self) -> int:
        """Read the log after the watcher's position up to its head; events processed."""
        processed, clashes = 0, 0
        while True:
            after = self.store.position()
            notifications = self.app.recorder.select_notifications(  # type: ignore[attr-defined]
                start=after + 1, limit=self.batch_size
            )
            if not notifications:
                return processed
            try:
                with self.store.batch():
                    for notification in notifications:
                        event = self.app.mapper.to_domain_event(notification)
                        self._process(event, Tracking(self.app.name, notification.id))
            except IntegrityError:
                # Another watcher recorded this position first (two ran at once for a moment):
                # nothing of this batch was kept; go on from the position it reached.
                clashes += 1
                if clashes > MAX_CLASHES and self.store.position() == after:
                    raise
                continue
            clashes = 0
            processed += len(notifications)

    def _process(self, event: Any, tracking: Tracking) -> None:
        if not isinstance(event, Issue.Event):
            self.store.insert_tracking(tracking)
            return
        issue = self.states.issue(event)
        next_at = issue.next_alert_at(self.sla, self.calendar, self.policy)
        self.store.record(issue.id, issue.version, next_at, tracking)

    def tick(self, now: datetime) -> list[Fired]:
        """Catch up, fire every threshold `now` is past, and take in what was fired."""
        self.follow()
        fired: list[Fired] = []
        previous: list[UUID] = []
        while True:
            due = self.store.due(now, self.tick_size)
            if due == previous:  # nothing moved (cannot happen while the rules agree): stop
                break
            for issue_id in due:
                try:
                    alerts = self.app.fire_due_alerts(
                        issue_id, now, self.sla, self.calendar, self.policy
                    )
                except Conflict:  # the issue kept changing: the next tick tries again
                    log.warning("issue %s kept changing; its alerts wait a tick", issue_id)
                    continue
                fired += [Fired(issue_id, alert) for alert in alerts]
            self.follow()
            if len(due) < self.tick_size:
                break
            previous = due
        for one in fired:
            log.info(
                "issue %s: %s of its %s deadline fired (reached %s)",
                one.issue_id, one.alert.threshold.value, one.alert.deadline.value,
                one.alert.at.isoformat(),
            )  # fmt: skip
        return fired

    def status(self, now: datetime) -> str:
        """Its position and lag, and what it watches (`espcrm watch --status`)."""
        position, head = self.position(), self.app.last_position()
        watched, due, earliest = self.store.summary(now)
        return render(
            "cli.watch.status",
            position=position,
            head=head,
            lag=head - position,
            watched=watched,
            due=due,
            next=earliest.astimezone(BEIJING_TIME).isoformat() if earliest else "—",
        )

    def close(self) -> None:
        self.store.datastore.close()


class Waiter(Protocol):
    def wait(self, timeout: float) -> bool: ...

    def wake(self) -> None: ...

    def close(self) -> None: ...


class WatcherLoop:
    """The watcher in a thread: tick at least every `interval` seconds, and as soon as the log
    grows (the waiter is woken by appends). An error (the database away) is logged and the
    next tick tries again: nothing is lost, as the position and the issues are in the store."""

    def __init__(
        self, watcher: DeadlineWatcher, clock: Clock, waiter: Waiter, interval: float = 60.0
    ) -> None:
        self.watcher = watcher
        self.clock = clock
        self.waiter = waiter
        self.interval = interval
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=NAME, daemon=True)

    def start(self) -> WatcherLoop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.waiter.wait(0)  # listening before the tick: no append falls between
                self.watcher.tick(self.clock.now())
            except Exception:
                log.exception("deadline watcher: tick failed; trying again")
            if not self.stopping.is_set():
                self.waiter.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.waiter.wake()
        if self._thread.is_alive():
            self._thread.join()
        self.waiter.close()
        self.watcher.close()
