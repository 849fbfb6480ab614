"""6. Growth: the enterprise read and a full rebuild's memory as the log grows.

Read: the enterprise read of benchmark 3 (GraphQL, 16 clients) on a store of 10,000 events
(100 enterprises) and on one of 1,000,000 events (10,000 enterprises), every enterprise with
the same history (~100 events: ~50 visits, a few issues), so each answer has the same size
and only the tables grow. Target: p99 at 1,000,000 ≤ 1.5 × p99 at 10,000.

Memory: the peak RSS of a process doing a full rebuild (projection_runtime.admin.rebuild) of
visit_history (it holds every enterprise's aggregate, as enterprise_directory and kpi do) on
10,000 enterprises with 100,000 events and with 1,000,000. Target: ≤ 1.2 ×.

Quick mode divides every size by twenty (500 vs 50,000 events; 5,000 vs 50,000).

The logs are written by benchmarks.data (the domain's events through the application's
mapper and recorder, two writer processes). At 1,000,000 events the read models are loaded
directly from the generator's final aggregates by the projections' own row functions
(benchmarks.data.load_read_models), since projecting a million events three times does not
fit the time budget; at the small size the same loader is checked against a real rebuild.
"""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID

from benchmarks import data
from benchmarks.enterprise_read import CLIENTS, admin_token, measure, readers
from benchmarks.env import BenchEnv
from benchmarks.harness import Result, closed_loop, percentile
from benchmarks.httpload import Client
from benchmarks.rebuild import rebuild_in_child
from projection_runtime.admin import rebuild

NAME_READ = "growth_read_p99"
NAME_MEMORY = "growth_rebuild_memory"
MEMORY_PROJECTION = "visit_history"


def sizes(quick: bool) -> dict[str, tuple[int, int]]:
    """(enterprises, events) for each store; quick mode divides all by twenty."""
    k = 20 if quick else 1
    return {
        "read_small": (100 // k, 10_000 // k),
        "big": (10_000 // k, 1_000_000 // k),
        "memory_small": (10_000 // k, 100_000 // k),
    }


def answers(base: str, targets: list[UUID]) -> list[dict[str, Any]]:
    client = Client(base, admin_token())
    try:
        return [client.get_json(f"/baseline/enterprise/{t}") for t in targets]
    finally:
        client.close()


def read_p99(
    env: BenchEnv, db: Any, targets: list[UUID], seconds: float, rounds: int
) -> tuple[float, dict[str, Any]]:
    with env.api_server(db, projections=False) as base:
        closed_loop(readers(base, targets, graphql=True), CLIENTS, 1.0)  # warm
        merged, details = measure(base, targets, seconds, rounds)
    latencies = merged["graphql"].latencies
    return percentile(latencies, 99) * 1000, {
        "graphql_p50_ms": round(percentile(latencies, 50) * 1000, 3),
        "graphql_p99_ms": round(percentile(latencies, 99) * 1000, 3),
        "b3_p99_ms": round(percentile(merged["b3"].latencies, 99) * 1000, 3),
        "requests": len(latencies),
        **details,
    }


def check_loader(env: BenchEnv, db: Any, container: Any, targets: list[UUID]) -> int:
    """The bulk loader's read models answer exactly as the real projections' do."""
    with env.api_server(db, projections=False) as base:
        loaded = answers(base, targets)
    for name in ("enterprise_directory", "visit_history", "issue_board"):
        rebuild(container.catalogue, container.versions, name)
    with env.api_server(db, projections=False) as base:
        projected = answers(base, targets)
    if loaded != projected:
        raise AssertionError("bulk-loaded read models differ from the projections' own")
    return len(targets)


def run(env: BenchEnv) -> list[Result]:
    size = sizes(env.quick)
    seconds, rounds = (1.5, 1) if env.quick else (4.0, 2)
    details: dict[str, Any] = {"sizes": size}

    # The small read store: generated, loaded, checked against the real projections.
    enterprises, events = size["read_small"]
    db_small = env.fresh_database("growth_small")
    container = env.container(db_small)
    try:
        small = data.generate(
            container.app, enterprises=enterprises, events=events, keep_state=True
        )
        data.load_read_models(container, small)
        details["loader_checked_against_rebuild"] = check_loader(
            env, db_small, container, small.enterprises[:5]
        )
    finally:
        container.close()
    p99_small, details["read_small"] = read_p99(env, db_small, small.enterprises, seconds, rounds)
    details["read_small"]["log_events"] = small.events

    # The big store: the read, then the memory of a full rebuild on it.
    enterprises, events = size["big"]
    db_big = env.fresh_database("growth_big")
    container = env.container(db_big)
    try:
        big = data.generate_parallel(container, enterprises=enterprises, events=events, load=True)
    finally:
        container.close()
    details["generate_big"] = {"events": big.events, "seconds": round(big.seconds, 1),
                               "events_per_s": round(big.rate, 1)}  # fmt: skip
    targets = random.Random(7).sample(big.enterprises, min(1000, len(big.enterprises)))
    p99_big, details["read_big"] = read_p99(env, db_big, targets, seconds, rounds)
    details["read_big"]["log_events"] = big.events
    reports_big, secs_big, peak_big = rebuild_in_child(
        env, db_big, [MEMORY_PROJECTION], timeout=1200
    )

    # The small memory store: same enterprises, a tenth of the events.
    enterprises, events = size["memory_small"]
    db_mem = env.fresh_database("growth_memory")
    container = env.container(db_mem)
    try:
        mem = data.generate_parallel(container, enterprises=enterprises, events=events)
    finally:
        container.close()
    reports_small, secs_small, peak_small = rebuild_in_child(env, db_mem, [MEMORY_PROJECTION])
    base_small = float(reports_small[-1]["base_rss_mib"])
    base_big = float(reports_big[-1]["base_rss_mib"])
    details["rebuild_memory"] = {
        # What the rebuild itself added to the process (the interpreter, the libraries and
        # the pools are the same at both sizes, and dominate at quick mode's sizes).
        "above_start_mib": {
            "small": round(peak_small - base_small, 1),
            "big": round(peak_big - base_big, 1),
            "ratio": round((peak_big - base_big) / max(peak_small - base_small, 0.1), 2),
        },
        "projection": MEMORY_PROJECTION,
        "small": {"events": mem.events, "peak_rss_mib": round(peak_small, 1),
                  "seconds": round(secs_small, 1), "report": reports_small},
        "big": {"events": big.events, "peak_rss_mib": round(peak_big, 1),
                "seconds": round(secs_big, 1), "report": reports_big},
    }  # fmt: skip
    scale = " (quick mode: every size divided by 20)" if env.quick else ""
    return [
        Result(
            name=NAME_READ,
            value=p99_big,
            baseline=p99_small,
            unit="ms p99",
            target=1.5,
            op="<=",
            baseline_name=f"the same read at {small.events:,} events",
            description=f"enterprise read p99 (16 clients) at {big.events:,} events / "
            f"{len(big.enterprises):,} enterprises vs at {small.events:,} events{scale}",
            details=details,
            notes=[
                f"read models at {big.events:,} events bulk-loaded by the projections' own "
                "row functions (checked equal to a real rebuild at the small size)" + scale
            ],
        ),
        Result(
            name=NAME_MEMORY,
            value=peak_big,
            baseline=peak_small,
            unit="MiB peak RSS",
            target=1.2,
            op="<=",
            baseline_name=f"the same rebuild at {mem.events:,} events",
            description=f"peak RSS of a full rebuild of {MEMORY_PROJECTION} at {big.events:,} "
            f"events vs {mem.events:,} (both {len(big.enterprises):,} enterprises){scale}",
            details=details["rebuild_memory"],
            notes=[f"measured on {MEMORY_PROJECTION} only" + scale]
            + (
                [
                    "at quick mode's sizes the process's fixed memory (interpreter, libraries, "
                    "pools) hides the growth: see the full run, and above_start_mib"
                ]
                if env.quick
                else []
            ),
        ),
    ]
