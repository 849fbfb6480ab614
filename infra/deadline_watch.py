"""Wiring the deadline watcher: its store, its settings, and its standby lock."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.utils import Environment

from application.service_package import ServicePackage
from domain.shared import Clock
from domain.time_limits import SlaPolicy, WorkingCalendar
from infra.leader import AdvisoryLock, Leader, watcher_key
from infra.log_waiter import LogWaiter
from infra.postgres_server import PgAddress
from infra.settings import Settings
from processes.deadline_watcher import NAME, DeadlineWatcher, WatcherLoop, WatchStore


def watch_store(env: dict[str, str]) -> WatchStore:
    """The watcher's tables (`deadline_watcher_due`, `deadline_watcher_tracking`)."""
    factory = InfrastructureFactory[PostgresTrackingRecorder].construct(env=Environment(NAME, env))
    return cast(WatchStore, factory.tracking_recorder(WatchStore))


def watcher_for(
    env: dict[str, str], app: ServicePackage, calendar: WorkingCalendar, settings: Settings
) -> DeadlineWatcher:
    return DeadlineWatcher(app, watch_store(env), SlaPolicy(), calendar, settings.alert_policy())


def lead_watcher(
    make_watcher: Callable[[], DeadlineWatcher],
    clock: Clock,
    make_waiter: Callable[[], LogWaiter],
    address: PgAddress,
    settings: Settings,
) -> Leader[WatcherLoop]:
    """The watcher, run only while this process holds its lock: one writer at a time (the
    issue refuses a second firing anyway, so a moment with two costs only wasted work)."""

    def start() -> WatcherLoop:
        return WatcherLoop(
            make_watcher(), clock, make_waiter(), settings.watch_interval_seconds
        ).start()

    lock = AdvisoryLock(address, watcher_key(NAME), settings.db_connect_timeout)
    return Leader(lock, start, WatcherLoop.stop).start()
