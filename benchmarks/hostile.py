"""7. Hostile requests: refused quickly, and the API server's memory stays bounded.

The API process serves 8 clients in two phases of the same length: ordinary enterprise reads
(the baseline), then nothing but hostile requests, round after round: a deeply nested query,
1,000 aliases, a 10 MB body with its length declared, 10 MB sent in chunks without one,
`first: 1000000`, a batch of 500 operations. Every hostile request must be refused (an HTTP
4xx or a GraphQL error, never a 5xx or data); their latencies are printed per kind.

Figure: the server's peak RSS (VmHWM) at the end of the hostile phase against its peak at the
end of the ordinary phase; target ≤ 1.25. The RSS after each hostile round is kept in the
details: bounded means it levels off, not only that it starts low.
"""

from __future__ import annotations

import http.client
import json
import random
import time
from collections.abc import Callable, Iterator
from uuid import UUID

from benchmarks import data
from benchmarks.enterprise_read import admin_token, readers
from benchmarks.env import BenchEnv
from benchmarks.harness import Result, closed_loop, latency_summary
from projection_runtime.admin import rebuild

NAME = "hostile_memory"
CLIENTS = 8
TEN_MB = 10_000_000


def _nested(enterprise_id: UUID) -> bytes:
    inner = "visits { edges { node { enterprise { " * 8 + "id" + " } } } }" * 8
    return _query(f'{{ enterprise(id: "{enterprise_id}") {{ {inner} }} }}')


def _query(text: str) -> bytes:
    return json.dumps({"query": text}).encode()


def _chunks() -> Iterator[bytes]:
    block = b" " * 65_536
    yield b'{"query": "'
    for _ in range(TEN_MB // len(block) + 1):
        yield block


def hostile_requests(enterprise_id: UUID) -> dict[str, bytes | Callable[[], Iterator[bytes]]]:
    return {
        "deep_nesting": _nested(enterprise_id),
        "aliases_1000": _query("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(1000)) + " }"),
        "body_10mb": b'{"query": "' + b" " * TEN_MB + b'"}',
        "chunked_10mb": _chunks,
        "first_1000000": _query("{ enterprises(first: 1000000) { totalCount } }"),
        "batch_500": json.dumps([{"query": "{ me { id } }"}] * 500).encode(),
    }


def send(base: str, token: str, body: bytes | Callable[[], Iterator[bytes]]) -> tuple[int, bytes]:
    """One request on a fresh connection (the server closes one it refused mid-upload)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    try:
        if callable(body):
            conn.request("POST", "/graphql", body=body(), headers=headers, encode_chunked=True)
        else:
            conn.request("POST", "/graphql", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except (ConnectionError, http.client.HTTPException):
        return 413, b""  # answered and closed before the upload ended: refused
    finally:
        conn.close()


def refused(status: int, body: bytes) -> bool:
    if 400 <= status < 500:
        return True
    if status != 200:
        return False
    answer = json.loads(body)
    return bool(answer.get("errors")) and not answer.get("data")


def rss_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def run(env: BenchEnv) -> list[Result]:
    enterprises, events, seconds, rounds = (20, 1_000, 2.0, 2) if env.quick else (60, 4_000, 5.0, 4)
    db = env.fresh_database(NAME)
    container = env.container(db)
    try:
        seeded = data.generate(container.app, enterprises=enterprises, events=events)
        for name in ("enterprise_directory", "visit_history", "issue_board"):
            rebuild(container.catalogue, container.versions, name)
    finally:
        container.close()
    token = admin_token()
    requests = hostile_requests(seeded.enterprises[0])
    kinds = sorted(requests)
    with env.api_server(db, projections=False) as base:
        pid = env.last_api_pid
        ordinary = closed_loop(readers(base, seeded.enterprises, graphql=True), CLIENTS, seconds)
        normal_peak = rss_kib(pid, "VmHWM")
        latencies: dict[str, list[float]] = {k: [] for k in kinds}
        not_refused: list[str] = []
        after_round: list[float] = []

        def attacker(i: int) -> Callable[[int], None]:
            rng = random.Random(i)

            def op(_: int) -> None:
                kind = rng.choice(kinds)
                t0 = time.perf_counter()
                status, body = send(base, token, requests[kind])
                latencies[kind].append(time.perf_counter() - t0)
                if not refused(status, body):
                    not_refused.append(f"{kind}: HTTP {status} {body[:200]!r}")

            return op

        loads = []
        for _ in range(rounds):
            loads.append(closed_loop(attacker, CLIENTS, seconds / rounds * 2))
            after_round.append(round(rss_kib(pid, "VmRSS") / 1024, 1))
        hostile_peak = rss_kib(pid, "VmHWM")
    if not_refused:
        raise AssertionError(f"hostile requests not refused: {not_refused[:5]}")
    details = {
        "ordinary_reads": ordinary.describe(),
        "hostile_requests": sum(load.ops for load in loads),
        "hostile_errors": sum(load.errors for load in loads),
        "latency_by_kind": {k: latency_summary(v) for k, v in latencies.items() if v},
        "rss_after_each_hostile_round_mib": after_round,
        "ordinary_peak_mib": round(normal_peak / 1024, 1),
    }
    return [
        Result(
            name=NAME,
            value=round(hostile_peak / 1024, 1),
            baseline=round(normal_peak / 1024, 1),
            unit="MiB peak RSS of the API",
            target=1.25,
            op="<=",
            baseline_name=f"the same server after {seconds:.0f} s of ordinary reads",
            description=f"API peak RSS after {2 * seconds:.0f} s of hostile requests "
            f"({CLIENTS} clients: {', '.join(kinds)}) vs after ordinary reads",
            details=details,
            notes=["every hostile request was refused (4xx or a GraphQL error, no 5xx)"],
        )
    ]
