"""The read replica's route (infra/read_replica.py) decided on positions alone: when reads leave
the replica, when they may come back, and how waiting requests share its looks."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from infra.postgres_server import PgAddress
from infra.read_replica import ReplicaRoute

NOWHERE = PgAddress("/nowhere", 5432, "postgres", "", "espcrm")


class Positions(ReplicaRoute):
    """A route whose looks read a dict (None: that server is down) on a hand-moved clock."""

    def __init__(self, replica: int | None, primary: int, max_lag: float = 1.0) -> None:
        self.now = 0.0
        super().__init__(NOWHERE, NOWHERE, ("", []), max_lag=max_lag, clock=lambda: self.now)
        self.positions: dict[str, int | None] = {"replica": replica, "primary": primary}

    def _look(self, server: str) -> int:
        position = self.positions[server]
        if position is None:
            raise psycopg.OperationalError("connection refused")
        return position

    def _start(self) -> None:  # no thread: the test looks by hand
        return None

    def at(self, now: float, replica: int | None, primary: int) -> dict[str, object]:
        self.now, self.positions = now, {"replica": replica, "primary": primary}
        self._health()
        return self.status()


def test_reads_leave_a_replica_that_lags_beyond_the_bound_counted_from_when_the_primary_moved() -> (
    None
):
    route = Positions(replica=5, primary=5)
    assert route.at(0.0, 5, 5)["route"] == "replica"
    assert route.at(0.5, 5, 6)["lag_seconds"] == 0.0  # the primary just moved on
    assert route.at(1.0, 5, 7)["lag_seconds"] == 0.5  # it held 6 half a second ago
    status = route.at(1.6, 5, 8)
    assert (status["route"], status["reason"], status["lag_seconds"]) == ("primary", "lagging", 1.1)
    assert route.at(1.8, 8, 8)["route"] == "replica"  # caught up: back


def test_reads_come_back_to_the_replica_only_once_it_holds_every_position_promised_meanwhile() -> (
    None
):
    route = Positions(replica=5, primary=5)
    route.at(0.0, None, 5)
    assert (route.status()["route"], route.status()["reason"]) == ("primary", "down")
    route.wait_for(8, 1.0, lambda: True)  # a request saw position 8 on the primary
    assert route.at(0.25, 7, 8)["route"] == "primary"  # the replica back, without 8
    assert route.at(0.5, 8, 8)["route"] == "replica"


def test_a_request_covered_by_the_routes_last_look_waits_without_a_query_of_its_own() -> None:
    route = Positions(replica=9, primary=9)
    route.at(0.0, 9, 9)

    def own_look() -> bool:
        raise AssertionError("the route had already seen position 9")

    route.wait_for(9, 1.0, own_look)
    route._clock = time.monotonic  # the deadline below passes in real time
    with pytest.raises(TimeoutError):
        route.wait_for(10, 0.05, lambda: False)  # beyond it: a look, then the deadline
    assert route.looks == 1


def test_a_replica_that_cannot_be_made_says_so_in_chinese_and_english_naming_its_folder(
    tmp_path: Path,
) -> None:
    from infra.postgres_server import EmbeddedReplica, ReplicaError

    nowhere = PgAddress(str(tmp_path / "no-server"), 5432, "postgres", "", "espcrm")
    with pytest.raises(ReplicaError) as refused:
        EmbeddedReplica(tmp_path).start(nowhere)
    message = str(refused.value)
    assert message.startswith("只读副本无法启动（数据目录 ")
    assert "The read replica could not start (data dir " in message
    assert str(tmp_path / "pg-replica") in message
