"""The servers benchmarks run on: their own PostgreSQL and Kafka under .data/bench.

Every benchmark gets a database of its own, dropped and created afresh, so nothing touches
development or test data and no benchmark sees another's rows. HTTP benchmarks start the API
(and the projection runners) as subprocesses, as they run in deployment.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from infra.bootstrap import Container, bootstrap
from infra.postgres_server import EmbeddedPostgres, PgAddress, drop_database, ensure_database
from infra.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data" / "bench"
PYTHON = sys.executable

# Fixed secrets: benchmark data is throwaway, and subprocesses must share the key.
CIPHER_KEY = "ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU="
JWT_SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(address: PgAddress) -> str:
    """ESPCRM_DATABASE_URL for a subprocess (the embedded server listens on a socket dir)."""
    user = quote(address.user)
    password = f":{quote(address.password)}" if address.password else ""
    return (
        f"postgresql://{user}{password}@localhost:{address.port}/{address.dbname}"
        f"?host={quote(address.host)}"
    )


@dataclass
class BenchEnv:
    """The benchmark run's servers: started once, shared by every benchmark."""

    quick: bool
    data_dir: Path = DATA
    pg: EmbeddedPostgres | None = None
    server: PgAddress | None = None
    _kafka: object | None = None
    kafka_bootstrap: str | None = None
    children: list[subprocess.Popen[bytes]] = field(default_factory=list)
    last_api_pid: int = 0  # the newest api_server process

    def start(self) -> BenchEnv:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pg = EmbeddedPostgres(self.data_dir)
        self.server = self.pg.start()
        return self

    @property
    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            cipher_key=CIPHER_KEY,
            jwt_secret=JWT_SECRET,
            kafka_bootstrap=self.kafka_bootstrap,
            database_url=None,
        )

    def fresh_database(self, name: str) -> PgAddress:
        assert self.server is not None, "start() first"
        address = self.server.with_dbname(f"bench_{name}")
        drop_database(address)
        ensure_database(address)
        return address

    def container(self, address: PgAddress, **kw: object) -> Container:
        return bootstrap(self.settings, address=address, **kw)  # type: ignore[arg-type]

    def kafka(self) -> str:
        """The bench broker, started on first use (a few seconds: a JVM)."""
        if self.kafka_bootstrap is None:
            from infra.kafka_broker import KafkaBroker

            broker = KafkaBroker(self.data_dir / "kafka")
            self.kafka_bootstrap = broker.start()
            self._kafka = broker
        return self.kafka_bootstrap

    def child_env(self, address: PgAddress, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ESPCRM_")}
        env.update(
            ESPCRM_DATA_DIR=str(self.data_dir),
            ESPCRM_DATABASE_URL=database_url(address),
            ESPCRM_CIPHER_KEY=CIPHER_KEY,
            ESPCRM_JWT_SECRET=JWT_SECRET,
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    @contextlib.contextmanager
    def api_server(self, address: PgAddress, *, projections: bool) -> Iterator[str]:
        """The API in a subprocess (benchmarks/server.py), and the projection runners in
        another (`espcrm project`) when asked: the deployment's process layout."""
        port = free_port()
        env = self.child_env(address)
        procs = []
        if projections:
            procs.append(self.spawn([PYTHON, "-m", "cli.main", "project"], env, "project"))
        procs.append(self.spawn([PYTHON, "-m", "benchmarks.server", str(port)], env, "api"))
        self.last_api_pid = procs[-1].pid  # for benchmarks that watch the server's memory
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_http(f"{base}/healthz", procs[-1])
            yield base
        finally:
            for proc in reversed(procs):
                _stop(proc)
                self.children.remove(proc)

    @contextlib.contextmanager
    def served(self, address: PgAddress, workers: int) -> Iterator[str]:
        """`espcrm serve --workers N`, as deployed (no projections: the read models are built)."""
        port = free_port()
        env = self.child_env(address, ESPCRM_PORT=str(port))
        argv = [PYTHON, "-m", "cli.main", "serve", "--workers", str(workers)]
        proc = self.spawn(argv, env, f"serve-{workers}")
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_http(f"{base}/healthz", proc, timeout=180)
            yield base
        finally:
            _stop(proc)
            self.children.remove(proc)

    def spawn(self, argv: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        """A child process, its output in .data/bench/NAME.log."""
        with (self.data_dir / f"{name}.log").open("wb") as log:  # the child keeps its own fd
            proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.children.append(proc)
        return proc

    def close(self) -> None:
        for proc in list(self.children):
            _stop(proc)
        self.children.clear()
        if self._kafka is not None:
            self._kafka.stop()  # type: ignore[attr-defined]
            self._kafka = None
        if self.pg is not None:
            self.pg.stop()
            self.pg = None


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API process exited with {proc.returncode}: see .data/bench")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
