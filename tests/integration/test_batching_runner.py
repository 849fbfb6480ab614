"""The live runners process a backlog in one transaction, and follow the log as it grows."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from infra.bootstrap import Container, bootstrap
from infra.postgres_server import PgAddress
from infra.settings import Settings
from projection_runtime.catalogue import PROJECTIONS
from projection_runtime.versions import APPLICATION
from projections.base import poll_until
from projections.enterprise_directory import EnterpriseFilter
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock


def _tracking_rows(address: PgAddress, name: str) -> int:
    with psycopg.connect(address.conninfo()) as conn:
        row = conn.execute(f"SELECT count(*) FROM {name}_v1_tracking").fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def _counted_reads(container: Container) -> list[list[int]]:
    """The positions the projection host's reader reads from now on, a list per read."""
    recorder = container.projections.reader.app.recorder
    reads: list[list[int]] = []
    select = recorder.select_notifications

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = select(*args, **kwargs)
        reads.append([n.id for n in found])
        return found

    recorder.select_notifications = counted  # type: ignore[method-assign]
    return reads


def _directory_total(container: Container) -> int:
    return container.views.enterprise_directory.page(EnterpriseFilter(), 1, None).total_count


def test_a_backlog_is_committed_in_one_transaction_not_one_per_event(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> None:
    container = bootstrap(settings, clock=clock, address=database)
    try:
        for _ in range(40):  # written while no runner runs: a backlog
            _, head = container.app.register_enterprise(register_command(), ADMIN)
        container.projections.start()
        container.projections.wait_for(head, timeout=30)
        # One position row per transaction: a runner committing per event would leave 40.
        assert all(_tracking_rows(database, name) <= 2 for name in PROJECTIONS)
        assert _directory_total(container) == 40
        _, after = container.app.register_enterprise(register_command(), ADMIN)
        container.projections.wait_for(after, timeout=30)  # woken by the append, goes on
        assert _directory_total(container) == 41
    finally:
        container.close()


def test_every_view_is_fed_from_one_read_of_the_log(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> None:
    container = bootstrap(settings, clock=clock, address=database)
    try:
        _, first = container.app.register_enterprise(register_command(), ADMIN)
        container.projections.start()
        container.projections.wait_for(first, timeout=30)
        reads = _counted_reads(container)
        for _ in range(40):
            _, head = container.app.register_enterprise(register_command(), ADMIN)
        container.projections.wait_for(head, timeout=30)
        # Five views, one reader: each event is read (and decoded) once, not once per view.
        read = [position for batch in reads for position in batch]
        assert sorted(read) == sorted(set(read)) == list(range(head - 39, head + 1))
        assert _directory_total(container) == 41
    finally:
        container.close()


def test_a_batch_writes_rows_and_position_together_or_neither_and_one_it_ignores_needs_no_transaction(
    container: Container, database: PgAddress
) -> None:
    view, _ = container.catalogue.projection_at("reference_data", 9)
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS batch_probe (n int)")

    def rows() -> list[int]:
        with psycopg.connect(database.conninfo()) as conn:
            return [r[0] for r in conn.execute("SELECT n FROM batch_probe ORDER BY n")]

    opened: list[object] = []
    transaction = view.datastore.transaction

    def counted(**kwargs: Any) -> Any:
        opened.append(kwargs)
        return transaction(**kwargs)

    view.datastore.transaction = counted  # type: ignore[method-assign]
    with view.batch():  # events the view ignores: their last position, in one statement
        view.insert_tracking(Tracking(APPLICATION, 3))
        view.insert_tracking(Tracking(APPLICATION, 4))
    assert view.position() == 4 and opened == []

    with pytest.raises(RuntimeError, match="mid-batch"), view.batch():
        with view.tracked(Tracking(APPLICATION, 7)) as curs:
            curs.execute("INSERT INTO batch_probe VALUES (7)")
        raise RuntimeError("the projection failed mid-batch")
    assert view.position() == 4 and rows() == []  # neither the row nor the position

    with view.batch():  # the pooled connection left clean: the next batch commits
        with view.tracked(Tracking(APPLICATION, 8)) as curs:
            curs.execute("INSERT INTO batch_probe VALUES (8)")
        view.insert_tracking(Tracking(APPLICATION, 9))
    assert view.position() == 9 and rows() == [8] and len(opened) == 2


def test_one_event_reaches_every_view_in_one_transaction_with_its_announcement(
    container: Container,
) -> None:
    _, first = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(first, timeout=30)
    reader = container.projections.reader
    together, one_by_one = reader.batches_together, reader.batches_view_by_view
    _, head = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(head, timeout=30)
    assert reader.batches_together > together
    assert reader.batches_view_by_view == one_by_one
    assert all(view.position() == head for view in container.views.all().values())
    assert _directory_total(container) == 2


def test_a_database_error_in_the_shared_transaction_is_retried_view_by_view(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The error surfaces at the pipeline's end, where no view can be named: nothing of the
    # batch is committed, and each view applies it again in its own transaction.
    from projections.enterprise_directory import EnterpriseDirectoryView

    original = EnterpriseDirectoryView.upsert_enterprise
    broken: list[int] = []

    def fails_in_the_database_once(self: Any, row: Any, tracking: Tracking) -> None:
        if not broken:
            broken.append(tracking.notification_id)
            with self.tracked(tracking) as curs:
                curs.execute("SELECT 1 / 0")  # division_by_zero, raised by the server
            return
        original(self, row, tracking)

    monkeypatch.setattr(EnterpriseDirectoryView, "upsert_enterprise", fails_in_the_database_once)
    reader = container.projections.reader
    one_by_one = reader.batches_view_by_view
    _, head = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(head, timeout=30)
    assert broken, "the failure was not injected"
    assert reader.batches_view_by_view > one_by_one
    assert all(view.position() == head for view in container.views.all().values())
    assert _directory_total(container) == 1
    directory = next(r for r in container.projections.runners if r.name == "enterprise_directory")
    assert directory.last_error is None  # not a failure of the view: it applied it alone


def test_a_position_that_would_not_move_forward_commits_nothing_of_the_shared_batch(
    container: Container, database: PgAddress
) -> None:
    # The library's check on each position (RETURNING nothing: the batch was processed
    # already) is made after the shared pipeline's sync; it fails the whole transaction,
    # and view by view only that view fails.
    _, first = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(first, timeout=30)
    with psycopg.connect(database.conninfo(), autocommit=True) as conn:
        conn.execute(
            "UPDATE enterprise_directory_v1_tracking SET notification_id = notification_id + 1000"
        )
    reader = container.projections.reader
    together, one_by_one = reader.batches_together, reader.batches_view_by_view
    _, head = container.app.register_enterprise(register_command(), ADMIN)
    others = [v for n, v in container.views.all().items() if n != "enterprise_directory"]
    poll_until(lambda: all(view.position() == head for view in others), 30, "the other views")
    directory = next(r for r in container.projections.runners if r.name == "enterprise_directory")
    poll_until(lambda: isinstance(directory.last_error, IntegrityError), 30, "the view's failure")
    assert reader.batches_together == together
    assert reader.batches_view_by_view > one_by_one


def test_a_trickle_of_events_is_read_once_each_not_followed_by_an_empty_read(
    container: Container,
) -> None:
    _, first = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(first, timeout=30)
    reads = _counted_reads(container)
    for _ in range(10):
        _, head = container.app.register_enterprise(register_command(), ADMIN)
        container.projections.wait_for(head, timeout=30)
    # Each short batch used to be followed by a read that found nothing: 20 reads.
    assert sum(len(batch) for batch in reads) == 10
    assert len(reads) <= 13
