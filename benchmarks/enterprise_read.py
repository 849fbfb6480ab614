"""3. Reading an enterprise with its last 20 visits and its open issues, 16 concurrent clients:
p50 and p99 latency of the GraphQL read vs B3, the same JSON from a plain FastAPI endpoint
(benchmarks/server.py) in the same API process, on the same read models.

The read models are built by the real projections (projection_runtime.admin.rebuild) from a
generated log; the GraphQL answer is checked to be exactly B3's before anything is timed.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any
from uuid import UUID

from api.auth import mint_token
from benchmarks import data
from benchmarks.env import JWT_SECRET, BenchEnv
from benchmarks.harness import Load, Result, alternate, closed_loop, percentile
from benchmarks.httpload import Client
from benchmarks.server import ENTERPRISE_READ
from projection_runtime.admin import rebuild
from projection_runtime.catalogue import PROJECTIONS

NAME = "enterprise_read"
CLIENTS = 16


def admin_token() -> str:
    return mint_token(JWT_SECRET, sub="a-001", role="ADMIN", ttl_seconds=3600)


def readers(
    base: str, targets: list[UUID], *, graphql: bool, seed: int = 3
) -> Callable[[int], Callable[[int], None]]:
    def make(i: int) -> Callable[[int], None]:
        client = Client(base, admin_token())
        rng = random.Random(seed + i)
        order = list(targets)
        rng.shuffle(order)
        cycle = itertools.cycle(order)

        def read(_: int) -> None:
            if graphql:
                client.graphql(ENTERPRISE_READ, {"id": str(next(cycle))})
            else:
                client.get_json(f"/baseline/enterprise/{next(cycle)}")

        return read

    return make


def same_answers(base: str, targets: list[UUID]) -> int:
    """GraphQL and B3 must return the same JSON, else the comparison means nothing."""
    client = Client(base, admin_token())
    try:
        for enterprise_id in targets:
            ours = client.graphql(ENTERPRISE_READ, {"id": str(enterprise_id)})
            ours.pop("extensions", None)  # the query's cost (api/schema.py), not the data
            plain = client.get_json(f"/baseline/enterprise/{enterprise_id}")
            if ours != plain:
                raise AssertionError(f"GraphQL and B3 differ for {enterprise_id}:\n{ours}\n{plain}")
            visits = ours["data"]["enterprise"]["visits"]["edges"]
            if len(visits) < 20:
                raise AssertionError(f"{enterprise_id} has {len(visits)} visits, wanted 20")
        return len(targets)
    finally:
        client.close()


def measure(
    base: str, targets: list[UUID], seconds: float, rounds: int
) -> tuple[dict[str, Load], dict[str, Any]]:
    """Alternating GraphQL and B3 runs of `seconds` each; latencies pooled over rounds."""
    pooled: dict[str, list[float]] = {"graphql": [], "b3": []}
    loads: dict[str, Load] = {}

    def run(kind: str) -> Callable[[], float]:
        def go() -> float:
            load = closed_loop(
                readers(base, targets, graphql=kind == "graphql"), CLIENTS, seconds, warmup=0.5
            )
            pooled[kind].extend(load.latencies)
            loads[kind] = load
            return percentile(load.latencies, 99)

        return go

    _, each = alternate({"b3": run("b3"), "graphql": run("graphql")}, rounds)
    merged = {k: Load(len(v), 0.0, v) for k, v in pooled.items()}
    return merged, {
        "p99_by_round_s": each,
        "last_round": {k: v.describe() for k, v in loads.items()},
    }


def enterprises_with_history(seeded: data.Generated, count: int) -> list[UUID]:
    return seeded.enterprises[:count]


def run(env: BenchEnv) -> list[Result]:
    enterprises, events, seconds, rounds = (
        (40, 3_000, 2.0, 1) if env.quick else (100, 8_000, 4.0, 3)
    )
    db = env.fresh_database(NAME)
    container = env.container(db)
    try:
        # ~80 events an enterprise: ~40 visits, a few issues, the latest still open.
        seeded = data.generate(container.app, enterprises=enterprises, events=events)
        for name in PROJECTIONS:  # the read models, by the real projections
            rebuild(container.catalogue, container.versions, name)
    finally:
        container.close()
    targets = enterprises_with_history(seeded, enterprises)
    with env.api_server(db, projections=False) as base:
        checked = same_answers(base, targets[:5])
        closed_loop(readers(base, targets, graphql=True), CLIENTS, 1.0)  # warm
        closed_loop(readers(base, targets, graphql=False), CLIENTS, 1.0)
        merged, details = measure(base, targets, seconds, rounds)
    gql, b3 = merged["graphql"].latencies, merged["b3"].latencies
    p50 = (percentile(gql, 50) * 1000, percentile(b3, 50) * 1000)
    p99 = (percentile(gql, 99) * 1000, percentile(b3, 99) * 1000)
    return [
        Result(
            name=NAME,
            value=p99[0],
            baseline=p99[1],
            unit="ms p99",
            target=4.0,
            op="<=",
            baseline_name="B3 (plain FastAPI, same JSON)",
            description="enterprise(id) with visits(first: 20) and open issues, 16 concurrent "
            "clients, p99 latency vs B3",
            details={
                "p50_ms": round(p50[0], 3),
                "baseline_p50_ms": round(p50[1], 3),
                "p50_ratio": round(p50[0] / p50[1], 3),
                "requests": {"graphql": len(gql), "b3": len(b3)},
                "answers_checked_equal": checked,
                "log_events": seeded.events,
                "enterprises": enterprises,
                **details,
            },
        )
    ]
