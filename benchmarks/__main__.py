"""`python -m benchmarks [--quick] [--only NAME ...]`: run the benchmarks, print each figure
as a ratio against its baseline, write JSON and a markdown summary.

Full runs write benchmarks/results/, quick runs benchmarks/results/quick/ (so a quick run
never overwrites the full summary). `--only` runs some benchmarks; their results are merged
into the existing summary (a partial run says so in run.json).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    api_workers,
    command_path,
    enterprise_read,
    growth,
    hostile,
    http_log_visit,
    rebuild,
    relay,
)
from benchmarks.env import BenchEnv
from benchmarks.harness import Result, machine, write_results

RESULTS = Path(__file__).resolve().parent / "results"

BENCHMARKS: dict[str, Callable[[BenchEnv], list[Result]]] = {
    "command_path": command_path.run,
    "http_log_visit": http_log_visit.run,
    "enterprise_read": enterprise_read.run,
    "rebuild_rate": rebuild.run,
    "relay": relay.run,
    "growth": growth.run,
    "hostile": hostile.run,
    "api_workers_2": api_workers.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (under 2 minutes)")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), metavar="NAME",
                        help=f"run only these: {', '.join(BENCHMARKS)}")  # fmt: skip
    parser.add_argument("--results", type=Path, default=None, help="where to write results")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    out_dir = args.results or (RESULTS / "quick" if args.quick else RESULTS)
    names = args.only or list(BENCHMARKS)
    mode = "quick" if args.quick else "full"
    print(f"benchmarks ({mode}): {', '.join(names)}; results to {out_dir}", flush=True)

    started, clock = datetime.now(UTC), time.perf_counter()
    env = BenchEnv(quick=args.quick).start()
    results: list[Result] = []
    timings: dict[str, float] = {}
    failures: dict[str, str] = {}
    try:
        for name in names:
            t0 = time.perf_counter()
            print(f"\n== {name}", flush=True)
            try:
                produced = BENCHMARKS[name](env)
            except Exception:
                failures[name] = traceback.format_exc()
                print(f"{name} FAILED:\n{failures[name]}", file=sys.stderr, flush=True)
                continue
            finally:
                timings[name] = round(time.perf_counter() - t0, 1)
            for result in produced:
                print(result.line(), flush=True)
            print(f"({timings[name]} s)", flush=True)
            results.extend(produced)
    finally:
        env.close()
    total = time.perf_counter() - clock
    if args.only:
        results = _merge_with_previous(out_dir, results)
    meta = {
        "mode": mode,
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "total_seconds": round(total, 1),
        "seconds_per_benchmark": timings,
        "benchmarks_run": names,
        "partial": bool(args.only),
        "failures": failures,
        "notes": (
            ["quick mode: every benchmark at a small size; growth divides its sizes by 20"]
            if args.quick
            else []
        ),
    }
    write_results(out_dir, results, meta)
    print(f"\n{len(results)} figures, {sum(r.meets for r in results)} meet their target; "
          f"total {total:.0f} s; written to {out_dir}", flush=True)  # fmt: skip
    return 1 if failures else 0


def _merge_with_previous(out_dir: Path, fresh: list[Result]) -> list[Result]:
    """Keep the earlier results of benchmarks not run this time (from their JSON files)."""
    summary = out_dir / "summary.json"
    if not summary.exists():
        return fresh
    names = {r.name for r in fresh}
    kept: list[Result] = []
    for name in json.loads(summary.read_text()):
        path = out_dir / f"{name}.json"
        if name in names or not path.exists():
            continue
        saved = json.loads(path.read_text())
        fields = {k: saved[k] for k in Result.__dataclass_fields__ if k in saved}
        kept.append(Result(**fields))
    order = list(json.loads(summary.read_text()))
    merged = kept + fresh
    merged.sort(key=lambda r: order.index(r.name) if r.name in order else len(order))
    return merged


if __name__ == "__main__":
    sys.exit(main())
