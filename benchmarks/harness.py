"""What every benchmark shares: percentiles, ratios against a baseline, load loops, the summary.

No servers here: the unit tests import this module alone (tests/unit/test_bench_harness.py).
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# -- figures ------------------------------------------------------------------------------


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is not within 0..100")
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float, baseline: float) -> float:
    """value / baseline; a zero baseline makes the ratio meaningless (inf, never a crash)."""
    if baseline == 0:
        return math.inf if value else 0.0
    return value / baseline


def meets(figure: float, target: float, op: str) -> bool:
    """Whether a figure satisfies its target: op is '>=' (more is better) or '<='."""
    if op == ">=":
        return figure >= target
    if op == "<=":
        return figure <= target
    raise ValueError(f"unknown comparison {op!r}")


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """Milliseconds: count, p50, p90, p99, max, mean."""
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p90_ms": round(percentile(ms, 90), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


# -- results ------------------------------------------------------------------------------


@dataclass
class Result:
    """One headline figure against its baseline. `target_on` says which of ratio or value
    the target bounds; `op` which way ('>=' more is better, '<=' less is better)."""

    name: str
    value: float
    baseline: float
    unit: str
    target: float
    op: str = ">="
    target_on: str = "ratio"
    baseline_name: str = ""
    description: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return ratio(self.value, self.baseline)

    @property
    def meets(self) -> bool:
        figure = self.ratio if self.target_on == "ratio" else self.value
        return meets(figure, self.target, self.op)

    def summary_entry(self) -> dict[str, Any]:
        return {
            "value": _round(self.value),
            "baseline": _round(self.baseline),
            "ratio": _round(self.ratio),
            "target": self.target,
            "meets": self.meets,
            "unit": self.unit,
        }

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(self.summary_entry())
        return data

    def line(self) -> str:
        """One printed line: the figure as a ratio against its baseline."""
        verdict = "meets" if self.meets else "MISSES"
        on = "ratio" if self.target_on == "ratio" else "value"
        return (
            f"{self.name}: {_fmt(self.value)} {self.unit} vs {self.baseline_name or 'baseline'} "
            f"{_fmt(self.baseline)} {self.unit} -> ratio {_fmt(self.ratio)} "
            f"(target {on} {self.op} {self.target}: {verdict})"
        )


def _round(x: float) -> float:
    if math.isinf(x) or math.isnan(x):
        return x
    return round(x, 4) if abs(x) < 100 else round(x, 1)


def _fmt(x: float) -> str:
    if math.isinf(x) or math.isnan(x):
        return str(x)
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def summary(results: Iterable[Result]) -> dict[str, dict[str, Any]]:
    """summary.json: each benchmark's name → value, baseline, ratio, target, meets, unit."""
    return {r.name: r.summary_entry() for r in results}


def summary_markdown(results: Sequence[Result], meta: Mapping[str, Any]) -> str:
    lines = [
        f"# Benchmark summary ({meta.get('mode', 'full')} run)",
        "",
        f"Run {meta.get('started_at', '')} on {meta.get('machine', '')}; "
        f"total {meta.get('total_seconds', 0):.0f} s. Each figure is measured against its "
        "baseline in the same run on the same servers. See docs/benchmarks.md for the method.",
        "",
        "| benchmark | value | baseline | ratio | target | meets |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        on = "ratio" if r.target_on == "ratio" else "value"
        lines.append(
            f"| {r.name} | {_fmt(r.value)} {r.unit} | {_fmt(r.baseline)} {r.unit} "
            f"({r.baseline_name}) | {_fmt(r.ratio)} | {on} {r.op} {r.target} | "
            f"{'yes' if r.meets else '**no**'} |"
        )
    notes = [(r.name, n) for r in results for n in r.notes]
    if meta.get("notes"):
        notes = [("run", n) for n in meta["notes"]] + notes
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- **{name}**: {note}" for name, note in notes]
    return "\n".join(lines) + "\n"


def write_results(
    directory: Path, results: Sequence[Result], meta: Mapping[str, Any]
) -> dict[str, Path]:
    """One JSON file per benchmark, summary.json, summary.md and run.json (the metadata)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for r in results:
        path = directory / f"{r.name}.json"
        path.write_text(json.dumps(r.as_json(), indent=2, ensure_ascii=False, default=str) + "\n")
        written[r.name] = path
    paths = {
        "summary.json": json.dumps(summary(results), indent=2) + "\n",
        "summary.md": summary_markdown(results, meta),
        "run.json": json.dumps(dict(meta), indent=2, ensure_ascii=False, default=str) + "\n",
    }
    for name, text in paths.items():
        (directory / name).write_text(text)
        written[name] = directory / name
    return written


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


# -- load ---------------------------------------------------------------------------------


@dataclass
class Load:
    """What a closed-loop load run saw: operations, wall seconds, each op's latency."""

    ops: int
    seconds: float
    latencies: list[float]
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ops": self.ops,
            "seconds": round(self.seconds, 3),
            "rate_per_s": round(self.rate, 1),
            "errors": self.errors,
        }
        if self.latencies:
            out["latency"] = latency_summary(self.latencies)
        return out


Worker = Callable[[int], Callable[[int], None]]


def closed_loop(make_worker: Worker, clients: int, seconds: float, warmup: float = 0.0) -> Load:
    """`clients` threads, each calling its op back to back for `seconds` (after `warmup`).

    make_worker(client_index) → op(iteration); an op that raises counts as an error and the
    loop goes on (a benchmark whose ops fail is wrong, so the runner reports errors).
    """
    ops = [make_worker(i) for i in range(clients)]
    start_line = threading.Barrier(clients + 1)
    measuring = threading.Event()
    stop = threading.Event()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_error: list[BaseException] = []

    def run(i: int) -> None:
        op, mine = ops[i], latencies[i]
        start_line.wait()
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                op(n)
            except Exception as error:
                errors[i] += 1
                if not first_error:
                    first_error.append(error)
                continue
            finally:
                n += 1
            if measuring.is_set():
                mine.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    start_line.wait()
    if warmup:
        time.sleep(warmup)
    measuring.set()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    elapsed = time.perf_counter() - started
    for t in threads:
        t.join(timeout=60)
    flat = [x for xs in latencies for x in xs]
    load = Load(len(flat), elapsed, flat, sum(errors))
    if first_error and not flat:
        raise RuntimeError(f"every operation failed: {first_error[0]!r}") from first_error[0]
    return load


def each_once(make_worker: Worker, clients: int, times: int) -> None:
    """`clients` threads, each calling its op `times` times (a warm-up that reaches every
    item of each client's share: the ops cycle through it)."""
    ops = [make_worker(i) for i in range(clients)]
    failed: list[BaseException] = []

    def run(i: int) -> None:
        try:
            for n in range(times):
                ops[i](n)
        except Exception as error:
            failed.append(error)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        raise RuntimeError(f"the warm-up failed: {failed[0]!r}") from failed[0]


def alternate(
    runs: Mapping[str, Callable[[], float]], rounds: int
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Run each measurement in turn, `rounds` times (A B A B …), and keep each one's median.

    Interleaving spreads whatever else the machine does over both sides of a ratio.
    """
    seen: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            seen[name].append(run())
    return {name: statistics.median(v) for name, v in seen.items()}, seen


# -- memory -------------------------------------------------------------------------------


def peak_rss_mib(kib: int) -> float:
    return kib / 1024


def run_measured(
    argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float | None = None
) -> tuple[int, float, float, str]:
    """Run a child process to completion: (exit code, wall seconds, peak RSS MiB, stdout).

    The peak is the child's own: it prints `PEAK_RSS_KIB <n>` (its VmHWM) as it ends (see
    benchmarks/rebuild_child.py); 0.0 if it does not.
    """
    import subprocess

    started = time.perf_counter()
    with subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise RuntimeError(f"{argv!r} timed out after {timeout} s:\n{err[-3000:]}") from None
        code = proc.returncode
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"{argv!r} failed with exit code {code}:\n{err[-3000:]}")
    peak = 0.0
    for line in out.splitlines():
        if line.startswith("PEAK_RSS_KIB "):
            peak = peak_rss_mib(int(line.split()[1]))
    return code, seconds, peak, out
