"""The server stack the soak runs against: the API and the projection runners as processes.

`espcrm serve` and `espcrm project`, as deployed, on an embedded PostgreSQL under
.data/soak (wiped first, so every soak starts from the same empty store) and a free port.
No Kafka: the relay is not on the request path.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".data" / "soak"
JWT_SECRET = "soak-secret-that-is-long-enough-for-hs256-0123456789"
ESPCRM = [sys.executable, "-c", "from cli.main import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/graphql"
        self.logs = DATA_DIR.parent / "soak-logs"
        self.processes: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ESPCRM_DATA_DIR": str(DATA_DIR),
            "ESPCRM_PORT": str(self.port),
            "ESPCRM_JWT_SECRET": JWT_SECRET,
            "ESPCRM_DB_POOL_SIZE": "8",  # 50 users: more than the default 2 held open
        }

    def start(self, timeout: float = 120.0) -> None:
        shutil.rmtree(DATA_DIR, ignore_errors=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        # The API first: it starts the embedded server the runners then reuse.
        self._spawn("serve")
        self._wait_ready(timeout)
        self._spawn("project")

    def pids(self) -> dict[str, int]:
        """The stack's processes by role ("serve": the API, "project": the runners)."""
        return {str(p.args[-1]): p.pid for p in self.processes}  # type: ignore[index]

    def _spawn(self, command: str) -> None:
        log = (self.logs / f"{command}.log").open("wb")
        self.processes.append(
            subprocess.Popen(
                [*ESPCRM, command], cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        )

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"the stack exited early; see {self.logs}")
            try:
                httpx.post(self.url, json={"query": "{ __typename }"}, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise TimeoutError(f"the API did not answer in {timeout} s; see {self.logs}")

    def stop(self) -> None:
        # The runners before the API: the API's process owns the embedded server.
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.processes.clear()


class ClusterStack(Stack):
    """The same soak against `espcrm cluster up` (issue 18): 2 API workers, standby runners,
    the relay and the warehouse consumers, on their own data dir (wiped first), then `down`."""

    data_dir = DATA_DIR.parent / "soak-cluster"

    def env(self) -> dict[str, str]:
        return {**super().env(), "ESPCRM_DATA_DIR": str(self.data_dir)}

    def start(self, timeout: float = 300.0) -> None:
        self._cluster("down")  # a cluster left by an interrupted soak
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self._cluster("up", timeout=timeout)

    def pids(self) -> dict[str, int]:
        from infra.local_cluster import LocalCluster
        from infra.settings import Settings

        parts = LocalCluster(Settings(data_dir=self.data_dir)).status(lags=False).parts
        return {part.name: part.pid for part in parts}

    def stop(self) -> None:
        self._cluster("down")

    def _cluster(self, command: str, timeout: float = 300.0) -> None:
        result = subprocess.run([*ESPCRM, "cluster", command], cwd=ROOT, env=self.env(),
                                capture_output=True, text=True, timeout=timeout)  # fmt: skip
        if command == "up" and result.returncode != 0:
            raise RuntimeError(f"espcrm cluster up failed: {result.stdout}{result.stderr}")
