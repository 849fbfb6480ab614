"""`python -m soak [--minutes 10]`: start the stack, run the users, report, exit 1 on errors."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

from soak.memory import MemorySampler
from soak.stack import ClusterStack, Stack
from soak.traffic import COMMISSIONERS, HANDLERS, SUPERVISORS, Metrics, run_users

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def report(metrics: Metrics, seconds: float) -> dict[str, object]:
    operations = {
        op: {
            "count": len(values),
            "per_second": round(len(values) / seconds, 2),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
            "errors": metrics.errors.get(op, 0),
        }
        for op, values in sorted(metrics.latencies.items())
    }
    everything = [v for values in metrics.latencies.values() for v in values]
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "users": {
            "commissioners": COMMISSIONERS,
            "supervisors": SUPERVISORS,
            "departments": HANDLERS,
        },
        "seconds": round(seconds, 1),
        "requests": len(everything),
        "throughput_per_second": round(len(everything) / seconds, 2),
        "p50_ms": round(percentile(everything, 0.50) * 1000, 1),
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1),
        "errors": sum(metrics.errors.values()),
        "error_samples": metrics.samples,
        "operations": operations,
    }


def print_table(summary: dict[str, object]) -> None:
    print(f"{'operation':<16}{'count':>8}{'/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for op, row in summary["operations"].items():  # type: ignore[attr-defined]
        print(
            f"{op:<16}{row['count']:>8}{row['per_second']:>8}"
            f"{row['p50_ms']:>9}{row['p99_ms']:>9}{row['errors']:>8}"
        )
    print(
        f"{'ALL':<16}{summary['requests']:>8}{summary['throughput_per_second']:>8}"
        f"{summary['p50_ms']:>9}{summary['p99_ms']:>9}{summary['errors']:>8}"
    )
    for name, rss in summary.get("memory", {}).items():  # type: ignore[attr-defined]
        print(f"memory of {name}: first minute {rss['first_minute_mib']} MiB, last minute "
              f"{rss['last_minute_mib']} MiB, peak {rss['peak_mib']} MiB")  # fmt: skip
    for sample in summary["error_samples"]:  # type: ignore[attr-defined]
        print("error:", sample)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="against `espcrm cluster up` (every part its own process)",
    )
    args = parser.parse_args()
    stack = ClusterStack() if args.cluster else Stack()
    metrics = Metrics()
    print(f"soak: starting the stack on {stack.url}", flush=True)
    stack.start()
    try:
        print(f"soak: {args.minutes} min of traffic from 50 users", flush=True)
        with MemorySampler(stack.pids()) as memory:
            seconds = asyncio.run(run_users(stack.url, args.minutes * 60, metrics))
    finally:
        stack.stop()
    summary = {**report(metrics, seconds), "memory": memory.report()}
    print_table(summary)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"soak-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    (RESULTS / "latest.json").write_text(path.read_text())
    print(f"soak: wrote {path}")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
