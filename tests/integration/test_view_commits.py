"""A view's writer commits without waiting for the WAL flush (derived data: rows and position
are lost or kept together); the event store and the readers keep the server's setting."""

from __future__ import annotations

from typing import Any

from infra.bootstrap import Container


def _synchronous_commit(datastore: Any) -> tuple[str, str]:
    with datastore.transaction(commit=False) as curs:
        curs.execute("SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'")
        row = curs.fetchone()
    return str(row["setting"]), str(row["source"])


def test_a_views_writer_does_not_wait_for_the_flush_and_the_event_store_does(
    container: Container,
) -> None:
    view, _ = container.catalogue.projection_at("kpi", 1)
    try:
        assert _synchronous_commit(view.datastore) == ("off", "client")
    finally:
        view.datastore.close()
    assert _synchronous_commit(container.app.recorder.datastore)[1] != "client"  # type: ignore[attr-defined]
    reader = container.views.all()["kpi"]
    assert _synchronous_commit(reader.datastore)[1] != "client"
