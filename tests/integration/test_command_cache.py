"""The command side keeps the aggregates it saved (application/commands.py CommandCache) and
snapshots long relationships: two application instances on one store never lose a write to
a stale cache, a refusal is never decided on one, and a relationship loaded from a snapshot
is the one its events make."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from application.commands import SNAPSHOT_INTERVAL, SNAPSHOTS_KEPT
from application.service_package import LogVisit, ServicePackage
from domain.shared import Actor, InvalidTransition
from infra.bootstrap import eventsourcing_env
from infra.postgres_server import PgAddress, ensure_database
from infra.settings import Settings
from tests.builders import ADMIN, register_command, visits_of
from tests.conftest import FixedClock

ZHANG = Actor("c-001", "专员1", "COMMISSIONER")


@pytest.fixture
def two_apps(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> Iterator[tuple[ServicePackage, ServicePackage]]:
    """Two processes' applications on one store, snapshots every 5 events."""
    ensure_database(database)
    env = eventsourcing_env(database, settings) | {SNAPSHOT_INTERVAL: "5"}
    first = ServicePackage(env=env, clock=clock)
    second = ServicePackage(env=env, clock=clock)
    yield first, second
    first.close()
    second.close()


def _visit(app: ServicePackage, enterprise_id: UUID, clock: FixedClock, summary: str) -> Any:
    clock.advance(minutes=10)
    return app.log_visit(
        LogVisit(
            enterprise_id=enterprise_id, visited_at=clock.now() - timedelta(minutes=5),
            channel="ON_SITE", attendees=["王小明"], summary=summary,
        ),
        ZHANG,
    )  # fmt: skip


def _opened(app: ServicePackage, clock: FixedClock) -> UUID:
    enterprise_id, _ = app.register_enterprise(register_command(), ADMIN)
    app.assign_commissioner(enterprise_id, ZHANG.id, ZHANG.name, None, ADMIN)
    clock.advance(hours=1)
    return enterprise_id


def test_a_stale_cache_costs_a_retry_never_a_lost_write(
    two_apps: tuple[ServicePackage, ServicePackage], clock: FixedClock
) -> None:
    first, second = two_apps
    enterprise_id = _opened(first, clock)
    _visit(first, enterprise_id, clock, "第一次")  # first now holds the stream at version 3
    assert first.command_cache.take(enterprise_id) is not None  # it did keep it …
    _visit(first, enterprise_id, clock, "第二次")  # … and keeps it again after this save
    _visit(second, enterprise_id, clock, "另一进程")  # first's copy is now stale
    _visit(first, enterprise_id, clock, "第三次")  # clashes once, reloads, saves
    summaries = sorted(v["summary"] for v in visits_of(first, enterprise_id).values())
    assert summaries == sorted(["第一次", "第二次", "另一进程", "第三次"])
    assert first.get_enterprise(enterprise_id).version == 6


def test_a_refusal_is_decided_again_on_the_stored_stream(
    two_apps: tuple[ServicePackage, ServicePackage], clock: FixedClock
) -> None:
    first, second = two_apps
    enterprise_id = _opened(first, clock)
    first.suspend_relationship(enterprise_id, "停产", ADMIN)  # first keeps it SUSPENDED
    second.resume_relationship(enterprise_id, ADMIN)
    _visit(first, enterprise_id, clock, "复产后走访")  # refused on the cache, not by the store
    assert first.get_enterprise(enterprise_id).visit_count == 1
    second.close_relationship(enterprise_id, "企业注销", ADMIN)
    with pytest.raises(InvalidTransition):  # a refusal the store confirms still stands
        _visit(first, enterprise_id, clock, "注销后")


def test_a_relationship_loaded_from_a_snapshot_is_the_one_its_events_make(
    two_apps: tuple[ServicePackage, ServicePackage], clock: FixedClock
) -> None:
    first, second = two_apps
    enterprise_id = _opened(first, clock)
    for n in range(11):  # versions 3 … 13: snapshots at 5 and 10
        _visit(first, enterprise_id, clock, f"第{n}次")
    assert first.snapshots is not None
    snapshots = list(first.snapshots.get(enterprise_id))
    assert [s.originator_version for s in snapshots] == [5, 10]
    from_snapshot = second.repository.get(enterprise_id)
    replayed: Any = None
    for event in second.events.get(enterprise_id):  # every event, no snapshot
        replayed = event.mutate(replayed)
    assert vars(from_snapshot) == vars(replayed)
    assert from_snapshot.visit_count == 11


def test_older_snapshots_are_removed_as_newer_ones_are_taken_the_newest_two_kept(
    two_apps: tuple[ServicePackage, ServicePackage], clock: FixedClock
) -> None:
    first, second = two_apps
    enterprise_id = _opened(first, clock)
    for n in range(3):  # versions 3 … 5: the snapshot at 5
        _visit(first, enterprise_id, clock, f"第{n}次")
    assert first.snapshots is not None and second.snapshots is not None
    [held] = second.snapshots.get(enterprise_id, desc=True, limit=1)  # a reader holds it …
    for n in range(3, 20):  # … while versions 6 … 22 are written: snapshots at 10, 15, 20
        _visit(first, enterprise_id, clock, f"第{n}次")
    assert [s.originator_version for s in first.snapshots.get(enterprise_id)] == [15, 20]
    # What the reader holds still loads: the events after it are all there.
    from_held: Any = held.mutate(None)
    for event in second.events.get(enterprise_id, gt=held.originator_version):
        from_held = event.mutate(from_held)
    loaded = second.repository.get(enterprise_id)
    assert vars(from_held) == vars(loaded) and loaded.visit_count == 20
    # As of a version below every snapshot kept: replayed from the first event, the same.
    assert second.repository.get(enterprise_id, version=12).visit_count == 10


def test_a_stream_keeps_its_newest_snapshot_when_only_one_is_kept_and_readers_load_meanwhile(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> None:
    ensure_database(database)
    env = eventsourcing_env(database, settings) | {SNAPSHOT_INTERVAL: "2", SNAPSHOTS_KEPT: "1"}
    writer, reader = ServicePackage(env=env, clock=clock), ServicePackage(env=env, clock=clock)
    try:
        enterprise_id = _opened(writer, clock)
        seen: list[int] = []
        errors: list[BaseException] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                try:
                    seen.append(reader.repository.get(enterprise_id).visit_count)
                except BaseException as error:  # reported below
                    errors.append(error)
                    return

        thread = threading.Thread(target=read)
        thread.start()
        try:
            for n in range(16):  # a snapshot every other version, each removing the one before
                _visit(writer, enterprise_id, clock, f"第{n}次")
        finally:
            done.set()
            thread.join(timeout=30)
        assert not errors and seen and seen == sorted(seen)  # never failed, never went back
        assert writer.snapshots is not None
        assert [s.originator_version for s in writer.snapshots.get(enterprise_id)] == [18]
        assert reader.repository.get(enterprise_id).visit_count == 16
    finally:
        writer.close()
        reader.close()
