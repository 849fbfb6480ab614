"""`espcrm serve --workers 2`: two API processes on one port; a write answered by one worker is
read through the other (read-your-writes goes through PostgreSQL positions, not a process), and
SIGTERM stops every worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cli.workers import WORKER_HEADER
from infra.bootstrap import Container
from tests.e2e.conftest import Client, _free_port
from tests.e2e.flows import COMM, build_world

pytestmark = pytest.mark.integration

ESPCRM = Path(sys.executable).parent / "espcrm"
RAISE = "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { position issue { id } } }"


@pytest.fixture
def workers(container: Container, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """The served API in two workers over the container's database (its projections run here)."""
    settings, port = container.settings, _free_port()
    env = {**os.environ, "ESPCRM_DATABASE_URL": container.address.url(),
           "ESPCRM_JWT_SECRET": settings.resolved_jwt_secret(),
           "ESPCRM_CIPHER_KEY": settings.resolved_cipher_key(),
           "ESPCRM_DATA_DIR": str(tmp_path), "ESPCRM_PORT": str(port)}  # fmt: skip
    process = subprocess.Popen(
        [str(ESPCRM), "serve", "--workers", "2"], env=env, text=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _pinned_clients(base: str) -> tuple[httpx.Client, httpx.Client]:
    """Two kept-alive connections answered by different workers (a connection stays with the
    worker that accepted it)."""
    deadline, clients = time.monotonic() + 180, {}
    while len(clients) < 2:
        assert time.monotonic() < deadline, "two workers did not both answer"
        client = httpx.Client(base_url=base, timeout=30)
        try:
            name = client.get("/healthz").headers[WORKER_HEADER]
        except httpx.TransportError:
            client.close()
            time.sleep(0.5)
            continue
        if name in clients:
            client.close()
        else:
            clients[name] = client
    first, second = clients.values()
    return first, second


def _post(client: httpx.Client, token: str, query: str, variables: dict[str, object],
          headers: dict[str, str] | None = None) -> dict[str, object]:  # fmt: skip
    response = client.post("/graphql", json={"query": query, "variables": variables},
                           headers={"Authorization": f"Bearer {token}", **(headers or {})})  # fmt: skip
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_write_answered_by_one_worker_is_read_through_the_other_and_sigterm_stops_both(
    workers: tuple[str, subprocess.Popen[str]], container: Container
) -> None:
    base, process = workers
    writer, reader = _pinned_clients(base)
    api = Client(f"{base}/graphql", container.settings.resolved_jwt_secret())
    world = build_world(api)
    token = api.token(COMM["as_role"], COMM["sub"])
    for number in range(5):
        raised = _post(writer, token, RAISE, {"i": {"enterpriseId": world.enterprise_id,
                       "category": "RECRUITMENT", "title": f"招聘{number}", "description": "技工"}})  # fmt: skip
        written = raised["data"]["raiseDemand"]  # type: ignore[index]
        read = _post(reader, token, "query($id: ID!) { issue(id: $id) { id title } }",
                     {"id": written["issue"]["id"]},
                     headers={"X-Min-Position": str(written["position"])})  # fmt: skip
        assert read["data"] == {"issue": {"id": written["issue"]["id"], "title": f"招聘{number}"}}
    assert (
        writer.get("/healthz").headers[WORKER_HEADER]
        != reader.get("/healthz").headers[WORKER_HEADER]
    )
    writer.close(), reader.close()
    _stops_on_sigterm(process)


def _stops_on_sigterm(process: subprocess.Popen[str]) -> None:
    """SIGTERM (systemd's stop) ends the supervisor and every worker it started."""
    children = [int(pid) for pid in
                Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]  # fmt: skip
    assert len(children) >= 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    deadline = time.monotonic() + 20  # multiprocessing's resource tracker leaves last
    while (running := [pid for pid in children if _alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running == []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
