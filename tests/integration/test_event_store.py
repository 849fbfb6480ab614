"""The event store writes each save as one statement: in order, all or nothing, never blocking."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import psycopg
import psycopg.sql
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from infra.bootstrap import bootstrap
from infra.event_store import EspcrmRecorder
from infra.postgres_server import PgAddress
from infra.settings import Settings
from tests.conftest import FixedClock


@pytest.fixture
def recorder(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> Iterator[EspcrmRecorder]:
    built = bootstrap(settings, clock=clock, address=database)
    yield built.app.recorder  # type: ignore[misc]
    built.close()


def _events(stream: uuid.UUID, first: int, count: int) -> list[StoredEvent]:
    return [
        StoredEvent(stream, version, "tests:Made", f"state {version}".encode())
        for version in range(first, first + count)
    ]


def test_a_save_returns_the_positions_it_was_given_in_order(recorder: EspcrmRecorder) -> None:
    first = recorder.insert_events(_events(uuid.uuid4(), 1, 3))
    second = recorder.insert_events(_events(uuid.uuid4(), 1, 2))
    assert first is not None and second is not None
    assert second == [first[-1] + 1, first[-1] + 2]
    assert first == [first[0], first[0] + 1, first[0] + 2]
    stored = recorder.select_events(recorder.select_notifications(first[0], 1)[0].originator_id)
    assert [e.state for e in stored] == [b"state 1", b"state 2", b"state 3"]


def test_a_stale_version_is_refused_and_nothing_of_its_save_is_kept(
    recorder: EspcrmRecorder,
) -> None:
    stream = uuid.uuid4()
    recorder.insert_events(_events(stream, 1, 2))
    head = recorder.max_notification_id()
    with pytest.raises(IntegrityError):
        recorder.insert_events([*_events(uuid.uuid4(), 1, 1), *_events(stream, 2, 2)])
    assert recorder.max_notification_id() == head
    assert len(recorder.select_events(stream)) == 2


def test_a_stale_version_in_a_save_of_one_event_is_refused_too(recorder: EspcrmRecorder) -> None:
    # One event goes through the scalar save (<table>_save_one), several through the arrays.
    stream = uuid.uuid4()
    recorder.insert_events(_events(stream, 1, 1))
    head = recorder.max_notification_id()
    with pytest.raises(IntegrityError):
        recorder.insert_events(_events(stream, 1, 1))
    assert recorder.max_notification_id() == head
    assert [e.state for e in recorder.select_events(stream)] == [b"state 1"]


def test_no_table_lock_outlives_the_save(recorder: EspcrmRecorder, database: PgAddress) -> None:
    recorder.insert_events(_events(uuid.uuid4(), 1, 1))
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        held = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = %s AND l.mode = 'ExclusiveLock'",
            (recorder.events_table_name,),
        ).fetchone()
    assert held == (0,)


@pytest.mark.parametrize("events", [1, 3])
def test_a_save_waits_for_the_table_lock_no_longer_than_its_lock_timeout(
    recorder: EspcrmRecorder, database: PgAddress, events: int
) -> None:
    recorder._timeouts = ("1s", "10s")  # lock_timeout, transaction_timeout
    with psycopg.connect(database.conninfo()) as holder:
        holder.execute("LOCK TABLE espcrm_events IN EXCLUSIVE MODE")  # held until rollback
        with pytest.raises(OperationalError, match="lock timeout"):
            recorder._insert(_events(uuid.uuid4(), 1, events))  # the save alone, not retried
        holder.rollback()
    assert recorder.insert_events(_events(uuid.uuid4(), 1, 1))  # the lock is free again


def test_many_writers_at_once_never_let_a_follower_skip_an_event(
    recorder: EspcrmRecorder,
) -> None:
    writers, saves, seen = 8, 25, []
    done = threading.Event()

    def write() -> None:
        for _ in range(saves):
            recorder.insert_events(_events(uuid.uuid4(), 1, 2))

    def follow() -> None:
        position = 0
        while True:
            finished = done.is_set()  # read before the batch: a last look after the writers
            batch = recorder.select_notifications(position + 1, 50)
            seen.extend(n.id for n in batch)
            position = batch[-1].id if batch else position
            if finished and not batch:
                return

    threads = [threading.Thread(target=write) for _ in range(writers)]
    follower = threading.Thread(target=follow)
    follower.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    follower.join(timeout=60)
    everything = [n.id for n in recorder.select_notifications(1, writers * saves * 2 + 10)]
    assert len(everything) == writers * saves * 2
    assert seen == everything  # every id, in order, none passed over and found later


def test_saves_from_many_threads_share_commits_and_each_learns_its_own_outcome(
    recorder: EspcrmRecorder, database: PgAddress
) -> None:
    """Group commit: saves arriving while one is written go out together; each caller gets
    the positions of its own events, and of saves racing for one stream's next version
    exactly the one the store kept is told it succeeded (the others IntegrityError)."""
    writers, saves = 8, 20
    contested = uuid.uuid4()
    recorder.insert_events(_events(contested, 1, 1))
    mine: list[tuple[uuid.UUID, list[int]]] = []
    won: list[int] = []
    lost: list[int] = []

    def write() -> None:
        for n in range(saves):
            stream = uuid.uuid4()
            mine.append((stream, list(recorder.insert_events(_events(stream, 1, 2)) or [])))
            try:  # every writer tries the same next versions of one stream
                recorder.insert_events(_events(contested, 2 + n, 1))
                won.append(2 + n)
            except IntegrityError:
                lost.append(2 + n)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for stream, positions in mine:
        stored = recorder.select_notifications(positions[0], 2)
        assert [(n.id, n.originator_id, n.originator_version) for n in stored] == [
            (positions[0], stream, 1),
            (positions[1], stream, 2),
        ]
    kept = [e.originator_version for e in recorder.select_events(contested)]
    assert sorted(won) == kept[1:] and len(won) + len(lost) == writers * saves
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        commits = conn.execute(
            psycopg.sql.SQL("SELECT count(DISTINCT xmin::text) FROM {}").format(
                psycopg.sql.Identifier(recorder.events_table_name)
            )
        ).fetchone()
    assert commits is not None and commits[0] < len(mine) + len(won) + 1  # some were shared


def test_a_save_whose_events_are_already_stored_byte_for_byte_gets_their_positions(
    recorder: EspcrmRecorder,
) -> None:
    events = _events(uuid.uuid4(), 1, 2)
    positions = recorder.insert_events(events)
    assert recorder.written_already(events) == list(positions or [])
    other_bytes = [StoredEvent(e.originator_id, e.originator_version, e.topic, b"other")
                   for e in events]  # fmt: skip
    assert recorder.written_already(other_bytes) is None
    assert recorder.written_already(_events(uuid.uuid4(), 1, 1)) is None
