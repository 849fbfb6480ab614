"""The development broker's ports: picked where no outgoing connection can take them while it is
down, and read again from its data dir by whoever dials it."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from infra import kafka_broker
from infra.kafka_broker import LOWEST_PORT, KafkaBroker, _ephemeral_range, _two_free_ports


def test_new_ports_are_two_free_ones_below_the_ephemeral_range() -> None:
    low, _ = _ephemeral_range()
    for _ in range(5):
        port, controller = _two_free_ports()
        assert port != controller
        assert LOWEST_PORT <= port < low and LOWEST_PORT <= controller < low


def test_the_current_bootstrap_is_read_from_the_data_dir_each_time(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path / "kafka")
    assert broker.current_bootstrap() is None
    (tmp_path / "kafka").mkdir()
    state = tmp_path / "kafka" / "state.json"
    state.write_text(json.dumps({"port": 21001, "controller_port": 21002}))
    assert broker.current_bootstrap() == "127.0.0.1:21001"
    state.write_text(json.dumps({"port": 22001, "controller_port": 22002}))  # restarted elsewhere
    assert broker.current_bootstrap() == "127.0.0.1:22001"


def _spawned_sleeper(broker: KafkaBroker) -> subprocess.Popen[bytes]:
    """A stand-in for the JVM this broker object started itself."""
    broker.data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(["sleep", "30"])
    broker._proc = proc
    broker._pid_file.write_text(f"{proc.pid}\n")
    return proc


def test_a_broker_it_spawned_is_running_while_its_command_line_reads_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # /proc/<pid>/cmdline read empty once on a loaded CI machine; the broker was taken for dead
    # and a second JVM was started on the same properties.
    monkeypatch.setattr(kafka_broker, "_read_cmdline", lambda pid: "")
    broker = KafkaBroker(tmp_path / "kafka")
    proc = _spawned_sleeper(broker)
    try:
        assert broker.is_running() and broker.pid == proc.pid
        proc.kill()
        proc.wait()
        assert not broker.is_running()
    finally:
        proc.kill()


def test_a_failed_start_kills_the_process_it_spawned_even_without_its_pid_file(
    tmp_path: Path,
) -> None:
    broker = KafkaBroker(tmp_path / "kafka")
    proc = _spawned_sleeper(broker)
    broker._pid_file.unlink()
    try:
        broker._kill_spawned()
        assert proc.poll() == -signal.SIGKILL
    finally:
        proc.kill()
