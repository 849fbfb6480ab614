"""`espcrm cluster up / status / down` (issue 18): every part in its own process on one machine,
under supervisord, beside the embedded PostgreSQL and the three Kafka brokers it starts.

One run of the real command: a write goes in through the API, is read back with X-Min-Position,
reaches the warehouse through the relay and Kafka; the leading projection host is SIGKILLed and
the cluster carries on (its standby takes over, supervisord starts it again); `down` leaves no
process behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from api.auth import mint_token
from infra.kafka_cluster import KafkaCluster
from infra.local_cluster import ClusterState, ClusterStatus, Layout, LocalCluster
from infra.postgres_server import PgAddress, parse_database_url
from infra.settings import Settings
from tests.builders import a_valid_uscc
from tests.e2e.conftest import _free_port

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

ESPCRM = Path(sys.executable).parent / "espcrm"
SECRET = "cluster-test-secret-that-is-long-enough-for-hs256-0123456789"
REGISTER = (
    "mutation($i: RegisterEnterpriseInput!) "
    "{ registerEnterprise(input: $i) { position enterprise { id } } }"
)
READ = "query($id: ID!) { enterprise(id: $id) { id name district } }"


def _espcrm(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ESPCRM), *args], env=env, text=True, capture_output=True, timeout=timeout
    )


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"


@pytest.fixture
def cluster_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ESPCRM_")}
    env |= {"ESPCRM_DATA_DIR": str(tmp_path / "data"), "ESPCRM_PORT": str(_free_port()),
            "ESPCRM_JWT_SECRET": SECRET}  # fmt: skip
    yield env
    _espcrm(env, "cluster", "down")  # whatever the test left running


def test_a_local_cluster_serves_relays_loads_the_warehouse_survives_a_killed_projection_host_and_stops(
    cluster_env: dict[str, str],
) -> None:
    started = time.monotonic()
    up = _espcrm(cluster_env, "cluster", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    took_up = time.monotonic() - started
    data_dir = Path(cluster_env["ESPCRM_DATA_DIR"])
    state = ClusterState.read(Layout(data_dir))
    assert state is not None and state.embedded_database and state.brokers == 3
    assert state.read_database_url is not None  # the primary's streaming replica

    status = _espcrm(cluster_env, "cluster", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    for part in ("api-0", "projections-0", "projections-1", "relay-0", "relay-1",
                 "warehouse-0", "warehouse-1", "watch-0", "watch-1"):  # fmt: skip
        assert any(
            line.startswith(part) and "运行中" in line for line in status.stdout.splitlines()
        )

    kafka_lines = [line for line in status.stdout.splitlines() if "127.0.0.1:" in line]
    assert len(kafka_lines) == 3, status.stdout  # the three Kafka nodes, each with its address

    api = httpx.Client(base_url=state.api_url, timeout=30)
    admin = {"Authorization": f"Bearer {mint_token(SECRET, sub='a-001', role='ADMIN')}"}
    enterprise_id = _register(api, admin, "重庆两江集群测试有限公司")

    # The API's read models are read from the replica (each worker says where its reads went).
    _wait(lambda: _replica_reads(state.api_url) > 0, 30, "a read served by the replica")

    address = parse_database_url(state.database_url)
    _wait(lambda: _warehouse_has(address, enterprise_id), 90, "the warehouse to load the write")

    # A projection host is killed (each view is led by one of the two): the other takes over
    # what it led, and supervisord starts it again.
    cluster = LocalCluster(Settings(data_dir=data_dir))
    jobs = _projection_jobs_led(cluster)
    assert sum(jobs.values()) >= 7, jobs  # every view is led by one of the two hosts
    leader = cluster.part_pid("projections:projections-0")
    killed = time.monotonic()
    os.kill(leader, signal.SIGKILL)
    second = _register(api, admin, "重庆江北集群测试有限公司")  # read back with X-Min-Position
    recovered = time.monotonic() - killed
    _wait(lambda: cluster.part_pid("projections:projections-0") not in (0, leader), 60,
          "supervisord to start the killed runner again")  # fmt: skip
    _wait(lambda: _warehouse_has(address, second), 90, "the warehouse to load the second write")
    _wait(lambda: sum(_projection_jobs_led(cluster).values()) == sum(jobs.values()), 60,
          "every view led again")  # fmt: skip
    _wait(lambda: _settled(cluster.status()), 90, "every part running and no follower behind")

    connections = _connections(address)
    pids = [part.pid for part in cluster.status(lags=False).parts]
    supervisord = cluster.supervisord_pid()
    assert supervisord is not None
    down = _espcrm(cluster_env, "cluster", "down")
    assert down.returncode == 0 and "均已关闭" in down.stdout, down.stdout + down.stderr
    assert not any(_alive(pid) for pid in [*pids, supervisord])
    assert not (data_dir / "pg" / "postmaster.pid").exists()
    kafka = KafkaCluster.existing(data_dir / "kafka-cluster")
    assert kafka is not None and not kafka.is_running()
    assert _espcrm(cluster_env, "cluster", "status").returncode == 3
    print(f"\ncluster: up in {took_up:.1f}s; a write read back {recovered:.1f}s after the "
          f"first projection host was killed; {connections} PostgreSQL connections")  # fmt: skip


def _settled(status: ClusterStatus) -> bool:
    return status.all_running and not any(status.lags.values())


def _replica_reads(api_url: str) -> int:
    """Reads the answering worker sent to the replica (a fresh connection: either worker)."""
    health = httpx.get(f"{api_url}/healthz", timeout=10).json()
    reads = health.get("reads") or {}
    assert reads.get("route") == "replica", health
    return int(reads["reads"]["replica"])


def _projection_jobs_led(cluster: LocalCluster) -> dict[str, int]:
    parts = cluster.status(lags=False).parts
    return {p.name: p.leads or 0 for p in parts if p.name.startswith("projections-")}


def _register(api: httpx.Client, headers: dict[str, str], name: str) -> str:
    variables = {"i": {"uscc": a_valid_uscc(), "name": name, "district": "渝北区"}}
    body = api.post("/graphql", json={"query": REGISTER, "variables": variables},
                    headers=headers).json()  # fmt: skip
    payload = body["data"]["registerEnterprise"]
    enterprise_id = str(payload["enterprise"]["id"])
    # Read it back (from whichever worker answers) once the views have reached the write.
    read = api.post("/graphql", json={"query": READ, "variables": {"id": enterprise_id}},
                    headers={**headers, "X-Min-Position": str(payload["position"])}).json()  # fmt: skip
    assert read["data"]["enterprise"]["name"] == name, read
    return enterprise_id


def _connections(address: PgAddress) -> int:
    with psycopg.connect(address.conninfo()) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        ).fetchone()
        return int(row[0]) if row else 0


def _warehouse_has(address: PgAddress, enterprise_id: str) -> bool:
    with psycopg.connect(address.conninfo()) as conn:
        exists = conn.execute("SELECT to_regclass('warehouse.enterprises')").fetchone()
        if exists is None or exists[0] is None:
            return False
        row = conn.execute(
            "SELECT 1 FROM warehouse.enterprises WHERE id = %s", (enterprise_id,)
        ).fetchone()
        return row is not None
