"""Followers of the log are woken by the event store's NOTIFY, not only by their poll."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace
from typing import Any

import psycopg

from infra.bootstrap import Container
from infra.log_waiter import PositionListener
from infra.postgres_server import PgAddress
from infra.relay import EventRelay, ensure_topic, make_producer
from projection_runtime.runners import POSITIONS_CHANNEL
from tests.builders import ADMIN, register_command
from tests.integration.test_event_feed import _consume


def test_an_append_wakes_a_waiting_follower(container: Container) -> None:
    waiter = container.log_waiter()
    try:
        assert waiter.wait(0) is False  # listening from now on; nothing appended yet
        timer = threading.Timer(
            0.2, container.app.register_enterprise, args=(register_command(), ADMIN)
        )
        timer.start()
        assert waiter.wait(60) is True  # woken by the append, not by the 60 s timeout
        timer.join()
    finally:
        waiter.close()


def test_an_append_while_the_follower_was_busy_is_not_missed(container: Container) -> None:
    waiter = container.log_waiter()
    try:
        waiter.wait(0)
        container.app.register_enterprise(register_command(), ADMIN)  # nobody waiting now
        assert waiter.wait(60) is True
    finally:
        waiter.close()


def test_without_a_server_the_waiter_falls_back_to_its_timeout(container: Container) -> None:
    waiter = container.log_waiter()
    waiter.address = replace(container.address, port=1)  # nothing listens there
    assert waiter.wait(0.05) is False


def test_a_follower_without_a_server_is_woken_to_stop_before_its_poll_interval(
    container: Container,
) -> None:
    waiter = container.log_waiter()
    waiter.address = replace(container.address, port=1)  # the server is away
    waiter.RECONNECT_AFTER = 120.0  # type: ignore[misc]  # only wake() can end this wait
    answers: list[bool] = []
    follower = threading.Thread(target=lambda: answers.append(waiter.wait(120)))
    follower.start()
    follower.join(0.3)
    assert follower.is_alive()  # sleeping: no server to listen on
    waiter.wake()  # as stop() does
    follower.join(10)
    assert not follower.is_alive() and answers == [False]


def test_an_idle_relay_publishes_an_append_without_waiting_for_its_poll(
    container: Container, kafka_bootstrap: str
) -> None:
    topic = f"espcrm.test.{uuid.uuid4().hex[:8]}"
    ensure_topic(kafka_bootstrap, topic, partitions=1)
    relay = EventRelay(
        container.app, container.tracking_recorder("relay"),
        lambda: make_producer(kafka_bootstrap), topic, waiter=container.log_waiter(),
    )  # fmt: skip
    # A poll interval longer than the consumer's patience: only the wake-up can deliver.
    thread = threading.Thread(target=relay.run_forever, kwargs={"idle_sleep": 120}, daemon=True)
    thread.start()
    try:
        threading.Event().wait(1.0)  # let the relay find the empty log and go idle
        container.app.register_enterprise(register_command(), ADMIN)
        assert len(_consume(kafka_bootstrap, topic, expected=1, idle_ms=30_000)) == 1
    finally:
        relay.stop()  # wakes the idle relay: it does not sleep out its 120 s
        thread.join(timeout=30)
    assert not thread.is_alive()


def test_a_read_your_writes_wait_is_woken_by_the_projection_hosts_notice(
    container: Container,
) -> None:
    signal = container.views.signal
    assert isinstance(signal, PositionListener)
    signal.FALLBACK_POLL = 120  # longer than the wait: only a notice can end it in time
    container.views.wait_for(container.app.last_position(), timeout=30)  # listening now
    looks = signal.looks
    _, position = container.app.register_enterprise(register_command(), ADMIN)
    container.views.wait_for(position, timeout=30)
    assert container.views.lowest_position() >= position
    assert signal.looks - looks <= 3  # a look at first, then one per notice past the position


def test_without_notices_the_wait_still_looks_at_its_fallback_interval(
    pg_server: PgAddress,
) -> None:
    listener = PositionListener(replace(pg_server, port=1))  # no LISTEN possible
    listener.FALLBACK_POLL = 0.01
    answers = iter([False, False, True])
    listener.wait_for(1, timeout=30, reached=lambda: next(answers))
    assert listener.looks == 3
    listener.close()


def _announce(address: PgAddress, position: int) -> None:
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        conn.execute("SELECT pg_notify(%s, %s)", (POSITIONS_CHANNEL, str(position)))


def _waiting(listener: PositionListener, position: int, written_after: float | None) -> Any:
    """A wait in a thread; `looks` counts its looks, `done` is set when it returns."""
    looked: list[int] = []
    done = threading.Event()

    def reached() -> bool:
        looked.append(1)
        return len(looked) > 1 or written_after is not None  # a second look always finds it

    def wait() -> None:
        listener.wait_for(position, 30, reached, written_after)
        done.set()

    thread = threading.Thread(target=wait)
    thread.start()
    return looked, done, thread


def test_a_wait_for_a_write_made_after_listening_began_looks_first_when_it_is_announced(
    pg_server: PgAddress,
) -> None:
    listener = PositionListener(pg_server)
    listener.FALLBACK_POLL = listener.UNANNOUNCED_LOOK = 120  # only a notice can end it
    try:
        listener.wait_for(0, 5, lambda: True)  # listening from now on
        position = 10**12 + uuid.uuid4().int % 10**6  # past anything announced in this run
        looked, done, thread = _waiting(listener, position, written_after=time.monotonic())
        time.sleep(0.3)
        assert looked == [] and not done.is_set()  # no look: nothing announced it yet
        _announce(pg_server, position)
        assert done.wait(10)
        assert looked == [1]  # one look, after the notice
        thread.join()
    finally:
        listener.close()


def test_without_written_after_the_wait_looks_before_any_notice(pg_server: PgAddress) -> None:
    listener = PositionListener(pg_server)
    listener.FALLBACK_POLL = 120
    try:
        listener.wait_for(0, 5, lambda: True)
        position = 10**12 + uuid.uuid4().int % 10**6
        looked, done, thread = _waiting(listener, position, written_after=None)
        time.sleep(0.3)
        assert looked == [1] and not done.is_set()  # looked at once, not there yet
        _announce(pg_server, position)
        assert done.wait(10)
        assert looked == [1, 1]
        thread.join()
    finally:
        listener.close()


def test_an_old_position_never_announced_again_is_looked_at_soon_without_a_notice(
    pg_server: PgAddress,
) -> None:
    # An idempotent repeat answers with a position written before this connection listened.
    listener = PositionListener(pg_server)
    listener.FALLBACK_POLL = 120
    try:
        listener.wait_for(0, 5, lambda: True)
        started = time.monotonic()
        looks: list[float] = []

        def reached() -> bool:
            looks.append(time.monotonic() - started)
            return True

        listener.wait_for(10**12 + 7, 30, reached, written_after=time.monotonic())
        assert len(looks) == 1
        assert listener.UNANNOUNCED_LOOK <= looks[0] < 5  # not the 120 s fallback
    finally:
        listener.close()
