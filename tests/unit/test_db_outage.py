"""While the database is away its clients fail fast, and a save whose reply was lost is not
mistaken for a conflict."""

from __future__ import annotations

from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError
from psycopg_pool import PoolTimeout

from infra import db_outage
from infra.db_outage import (
    RECONNECT_DELAY_CAP,
    _CappedBackoff,
    retry_save_while_reachable,
    retry_while_reachable,
)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_outage, "sleep", lambda _: None)


def _unreachable() -> OperationalError:
    try:
        raise OperationalError("couldn't get a connection after 1.00 sec") from PoolTimeout()
    except OperationalError as error:
        return error


class Flaky:
    """Fails with the given errors, in turn, then answers."""

    def __init__(self, *errors: Exception, written: list[int] | None = None) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.written = written
        self.asked_written = 0

    def insert_events(self, stored_events: Any) -> list[int]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return [1]

    def written_already(self, stored_events: Any) -> list[int] | None:
        self.asked_written += 1
        return self.written


def test_a_broken_connection_is_tried_again_with_another() -> None:
    flaky = Flaky(OperationalError("terminating connection due to administrator command"))
    assert retry_while_reachable(flaky.insert_events)(["e"]) == [1]
    assert flaky.calls == 2


def test_a_server_that_cannot_be_reached_fails_the_call_at_once() -> None:
    flaky = Flaky(_unreachable(), _unreachable())
    with pytest.raises(OperationalError):
        retry_while_reachable(flaky.insert_events)(["e"])
    assert flaky.calls == 1


def test_broken_connections_are_tried_ten_times_at_most() -> None:
    flaky = Flaky(*[OperationalError("server closed the connection")] * 12)
    with pytest.raises(OperationalError):
        retry_while_reachable(flaky.insert_events)(["e"])
    assert flaky.calls == 10


def test_a_retried_save_that_meets_its_own_committed_events_answers_their_positions() -> None:
    recorder = Flaky(OperationalError("connection lost"), IntegrityError("duplicate key"),
                     written=[41, 42])  # fmt: skip
    save = retry_save_while_reachable(Flaky.insert_events)
    assert save(recorder, ["e1", "e2"]) == [41, 42]


def test_a_retried_save_that_meets_another_writers_events_is_a_conflict() -> None:
    recorder = Flaky(OperationalError("connection lost"), IntegrityError("duplicate key"))
    with pytest.raises(IntegrityError):
        retry_save_while_reachable(Flaky.insert_events)(recorder, ["e"])
    assert recorder.asked_written == 1


def test_a_first_attempt_refused_is_a_conflict_without_asking_the_store() -> None:
    recorder = Flaky(IntegrityError("duplicate key"), written=[7])
    with pytest.raises(IntegrityError):
        retry_save_while_reachable(Flaky.insert_events)(recorder, ["e"])
    assert recorder.asked_written == 0


def test_the_pools_reconnect_delay_doubles_up_to_its_cap() -> None:
    attempt = _CappedBackoff(timeout=300)
    delays = []
    for now in range(6):
        attempt.update_delay(float(now))
        delays.append(attempt.delay)
    assert delays[0] < RECONNECT_DELAY_CAP  # about 1 s, jittered
    assert delays == sorted(delays) and max(delays) == RECONNECT_DELAY_CAP
    assert delays[-1] == RECONNECT_DELAY_CAP  # unbounded, it would be 32 s by now
