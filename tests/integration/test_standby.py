"""Runners started twice: the second stands by on an advisory lock and takes over on a kill.

Two real processes (tests/integration/standby_process.py) against the test database: the
first leads, the second waits without writing; SIGKILL the first and the second catches up.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from infra.bootstrap import Container, bootstrap
from infra.postgres_server import PgAddress
from infra.settings import Settings
from projection_runtime.catalogue import PROJECTIONS
from tests.conftest import FixedClock
from tests.feed_scenarios import busy_enterprises
from tests.integration.feed_support import (
    every_envelope,
    new_topic,
    read_topic,
    relay_for,
    save_in_chunks,
    wait_for,
)
from tests.integration.test_projection_rebuild import _one_enterprises_year, _seed

ROOT = Path(__file__).resolve().parents[2]
TAKE_OVER = 10.0  # seconds: a poll interval, a fresh bootstrap's runners, and catch-up


class Process:
    """A standby_process child whose stdout lines are read in a thread, so waits time out."""

    def __init__(self, settings: Settings, *args: str) -> None:
        env = {**os.environ, "ESPCRM_CIPHER_KEY": settings.cipher_key or ""}
        command = [sys.executable, "-m", "tests.integration.standby_process", *args]
        self.popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line.strip())

    def expect(self, line: str, timeout: float) -> None:
        assert self.lines.get(timeout=timeout) == line

    def says_nothing(self, seconds: float) -> bool:
        try:
            self.lines.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()


@pytest.fixture
def idle(settings: Settings, database: PgAddress, clock: FixedClock) -> Iterator[Container]:
    """The log's writer, with no runner in this process: the children run them."""
    built = bootstrap(settings, clock=clock, address=database)
    yield built
    built.close()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.stop()


def _version_leases(address: PgAddress) -> int:
    """Shared advisory locks: each running projection writer holds one on its version."""
    with psycopg.connect(address.conninfo()) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.mode = 'ShareLock'"
            " AND d.datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def _rows(address: PgAddress, name: str) -> int:
    table = f"{name}_{PROJECTIONS[name][0].tables()[0]}"  # readers' view of the active version
    with psycopg.connect(address.conninfo()) as conn:
        row = conn.execute(SQL("SELECT count(*) FROM {}").format(Identifier(table))).fetchone()
    return int(row[0]) if row else 0


def _caught_up(idle: Container) -> bool:
    head = idle.app.last_position()
    return all(view.position() == head for view in idle.views.all().values())


def test_a_second_projections_process_stands_by_then_takes_over_when_the_first_is_killed(
    idle: Container,
    clock: FixedClock,
    settings: Settings,
    database: PgAddress,
    processes: list[Process],
) -> None:
    _seed(idle.app, clock, 3)
    address = json.dumps(asdict(database))
    first = Process(settings, "projections", address)
    processes.append(first)
    first.expect("started", 30)
    first.expect("leading", 5)
    second = Process(settings, "projections", address)
    processes.append(second)
    second.expect("started", 30)

    wait_for(lambda: _caught_up(idle), TAKE_OVER, "the first process's runners")
    assert second.says_nothing(1.5)  # still standing by
    assert _version_leases(database) == len(PROJECTIONS)  # one writer per projection, not two
    assert _rows(database, "enterprise_directory") == 3

    first.kill()
    for n in range(3, 5):  # written while nobody runs the projections
        _one_enterprises_year(idle.app, clock, n)
    second.expect("leading", TAKE_OVER)
    wait_for(lambda: _caught_up(idle), TAKE_OVER, "the second process to catch up")
    assert _version_leases(database) == len(PROJECTIONS)
    assert _rows(database, "enterprise_directory") == 5
    assert _rows(database, "visit_history") == 5


def test_a_second_relay_stands_by_then_takes_over_when_the_first_is_killed(
    idle: Container,
    settings: Settings,
    database: PgAddress,
    kafka_bootstrap: str,
    processes: list[Process],
) -> None:
    topic = new_topic(kafka_bootstrap)
    save_in_chunks(idle.app, busy_enterprises(100))
    args = ["relay", json.dumps(asdict(database)), kafka_bootstrap, topic]
    first = Process(settings, *args)
    processes.append(first)
    first.expect("started", 30)
    first.expect("leading", 5)
    second = Process(settings, *args)
    processes.append(second)
    second.expect("started", 30)

    watcher = relay_for(idle, kafka_bootstrap, topic)  # reads the shared position only
    head = idle.app.last_position()
    wait_for(lambda: watcher.position() == head, TAKE_OVER, "the first relay")
    assert second.says_nothing(1.5)
    assert len(read_topic(kafka_bootstrap, topic)) == head  # published once: one relay ran

    first.kill()
    save_in_chunks(idle.app, busy_enterprises(100))
    second.expect("leading", TAKE_OVER)
    head = idle.app.last_position()
    wait_for(lambda: watcher.position() == head, TAKE_OVER, "the second relay")
    positions = {json.loads(r.value)["position"] for r in read_topic(kafka_bootstrap, topic)}
    assert positions == {e.position for e in every_envelope(idle.app)}  # nothing missing
