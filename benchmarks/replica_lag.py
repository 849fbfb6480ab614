"""`python -m benchmarks.replica_lag [--seconds 20] [--writers 4]`: the read replica measured
(issue 18), on a primary and streaming replica of its own under a temporary data dir.

1. Replay lag under a write load: `writers` threads log visits through the application (the
   command path) while the projections follow in this process; a sampler looks at both
   servers' read-model positions every 5 ms. For every position the primary's views reached,
   the lag is how much later the replica's views held it (the delay a read with X-Min-Position
   adds on the replica). Also the primary's own figure: pg_stat_replication.replay_lag (WAL
   flushed on the primary → applied on the standby).
2. Read throughput: enterprise-directory lookups by id (`get_many`, 4 threads) on the primary's
   views and on the replica's, in turn.

Prints JSON. Not part of `python -m benchmarks`: it makes servers of its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import data
from benchmarks.command_path import log_visits
from infra.bootstrap import Container, bootstrap
from infra.postgres_server import EmbeddedPostgres, EmbeddedReplica, PgAddress
from infra.settings import Settings


def _position(address: PgAddress, sql: tuple[str, list[str]]) -> int:
    with psycopg.connect(address.conninfo(), autocommit=True) as conn:
        row = conn.execute(sql[0], sql[1]).fetchone()  # type: ignore[arg-type]
    return int(row[0] or 0) if row else 0


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99),
            "max": round(ordered[-1], 2), "mean": round(statistics.fmean(ordered), 2)}  # fmt: skip


def replay_lag(
    container: Container, replica: PgAddress, seconds: float, writers: int, seeded: Any
) -> Any:
    sql = container.views.position_sql()
    make = log_visits(container.app, seeded, writers)
    stop = threading.Event()
    written = [0] * writers

    def write(i: int) -> None:
        op, n = make(i), 0
        while not stop.is_set():
            op(n)
            n += 1
        written[i] = n

    primary_seen: list[tuple[float, int]] = []
    replica_seen: list[tuple[float, int]] = []
    pg_lag: list[float] = []
    conns = (psycopg.connect(container.address.conninfo(), autocommit=True),
             psycopg.connect(replica.conninfo(), autocommit=True))  # fmt: skip

    def sample() -> None:
        last_lag_look = 0.0
        while not stop.is_set():
            now = time.perf_counter()
            for conn, seen in zip(conns, (primary_seen, replica_seen), strict=True):
                row = conn.execute(sql[0], sql[1]).fetchone()  # type: ignore[arg-type]
                position = int(row[0] or 0) if row else 0
                if not seen or position > seen[-1][1]:
                    seen.append((time.perf_counter(), position))
            if now - last_lag_look > 0.1:
                row = (
                    conns[0]
                    .execute("SELECT extract(epoch FROM replay_lag) FROM pg_stat_replication")
                    .fetchone()
                )
                if row and row[0] is not None:
                    pg_lag.append(float(row[0]) * 1000)
                last_lag_look = now
            time.sleep(0.005)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    sampler = threading.Thread(target=sample)
    started = time.perf_counter()
    for thread in (*threads, sampler):
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in (*threads, sampler):
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    lags = []
    for at, position in primary_seen[1:]:
        reached = next((t for t, p in replica_seen if p >= position), None)
        if reached is not None:
            lags.append(max(0.0, reached - at) * 1000)
    return {
        "writers": writers,
        "seconds": round(elapsed, 1),
        "visits_per_second": round(sum(written) / elapsed, 1),
        "replica_behind_primary_views_ms": _percentiles(lags),
        "pg_stat_replication_replay_lag_ms": _percentiles(pg_lag),
        "note": "sampled every 5 ms: figures under ~5 ms are at the sampler's resolution",
    }


def read_throughput(container: Container, replica: Container, seconds: float, seeded: Any) -> Any:
    ids = list(seeded.enterprises)

    def rate(views: Any) -> float:
        stop, counts = threading.Event(), [0] * 4

        def read(i: int) -> None:
            n = 0
            while not stop.is_set():
                views.enterprise_directory.get_many(ids[n % len(ids) : n % len(ids) + 1])
                n += 1
            counts[i] = n

        threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        return round(sum(counts) / seconds, 1)

    rounds = [(rate(container.views), rate(replica.views)) for _ in range(2)]
    return {"enterprise_reads_per_second_primary": [r[0] for r in rounds],
            "enterprise_reads_per_second_replica": [r[1] for r in rounds]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replica_lag")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="replica-bench-", dir=Path(".data").resolve()))
    primary_server, replica_server = EmbeddedPostgres(folder), EmbeddedReplica(folder)
    try:
        primary = primary_server.start().with_dbname("bench")
        replica = replica_server.start(primary).with_dbname("bench")
        settings = Settings(data_dir=folder, kafka_bootstrap=None)
        container = bootstrap(settings, address=primary)
        container.projections.start()
        result: dict[str, Any] = {}
        try:
            seeded = data.generate(container.app, enterprises=50, events=200)
            container.views.wait_for(container.app.last_position(), 300)
            result["replay_lag"] = replay_lag(
                container, replica, args.seconds, args.writers, seeded
            )
            routed = bootstrap(settings, address=primary, read_address=replica)
            try:
                seconds = min(5.0, args.seconds)
                result["reads"] = read_throughput(container, routed, seconds, seeded)
                result["reads"]["route"] = routed.read_status()
            finally:
                routed.close()
        finally:
            container.close()
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        replica_server.stop()
        primary_server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
