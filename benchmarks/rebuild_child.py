"""A full rebuild in a process of its own, so its peak memory is its own.

`python -m benchmarks.rebuild_child NAME [NAME …]` with ESPCRM_* settings in the environment:
rebuilds each projection with projection_runtime.admin.rebuild (a new version from position 0,
then the switch), and prints one JSON line per projection, BASE_RSS_KIB <n> (its RSS once
started) and, last, PEAK_RSS_KIB <n> (its peak RSS, VmHWM). With --profile FILE the rebuilds
run under pyinstrument and its text report is written to FILE; with --tracemalloc the lines
that allocated what is still held at the end are printed.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time

from infra.bootstrap import bootstrap
from infra.settings import Settings
from projection_runtime.admin import rebuild, rebuild_all


def main(argv: list[str]) -> None:
    profile_to, trace = None, False
    if argv and argv[0] == "--profile":
        profile_to, argv = argv[1], argv[2:]
    if argv and argv[0] == "--tracemalloc":
        import tracemalloc

        trace, argv = True, argv[1:]
        tracemalloc.start(1)
    logging.basicConfig(level=logging.WARNING)
    container = bootstrap(Settings())
    base_kib = _kib("VmRSS")
    profiler = None
    if profile_to:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    try:
        if argv and argv[0] == "--all":  # every view from one read of the log
            started = time.perf_counter()
            reports = rebuild_all(container.catalogue, container.versions, argv[1:] or None)
            seconds = time.perf_counter() - started
            events = reports[0].events if reports else 0
            print(json.dumps({
                "projection": "ALL", "events": events, "seconds": round(seconds, 3),
                "rate": round(events / seconds, 1) if seconds else 0.0,
                "views": [r.name for r in reports], "peak_rss_kib": _kib("VmHWM"),
            }), flush=True)  # fmt: skip
            argv = []
        for name in argv:
            started = time.perf_counter()
            printed: list[bool] = []

            def at_head(position: int, head: int, printed: list[bool] = printed) -> None:
                # Once at the head, while the projection (and all it holds) is still alive.
                if trace and position >= head and not printed:
                    printed.append(True)
                    _print_allocations()

            report = rebuild(
                container.catalogue, container.versions, name, batch_size=500, on_progress=at_head
            )
            seconds = time.perf_counter() - started
            print(json.dumps({
                "projection": name, "events": report.events, "seconds": round(seconds, 3),
                "rate": round(report.events / seconds, 1) if seconds else 0.0,
                "version": report.new_version,
                "peak_rss_kib": _kib("VmHWM"),
            }), flush=True)  # fmt: skip
    finally:
        if profiler is not None:
            profiler.stop()
            with open(profile_to, "w") as out:  # type: ignore[arg-type]
                out.write(profiler.output_text(unicode=True, color=False, show_all=False))
        container.close()
    print(f"BASE_RSS_KIB {base_kib}")
    print(f"PEAK_RSS_KIB {_kib('VmHWM')}", flush=True)


def _kib(field: str) -> int:
    """This process's VmHWM (peak RSS) or VmRSS, in KiB, from /proc/self/status.

    Not getrusage's ru_maxrss: on Linux that keeps the high-water mark of the process this one
    was forked from (the benchmark runner) across exec, which would hide a small peak.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _print_allocations(top: int = 15) -> None:
    """Where the memory still held after the rebuilds was allocated (by line)."""
    import tracemalloc

    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    print(f"TRACEMALLOC held {total / 2**20:.1f} MiB")
    for stat in stats[:top]:
        frame = stat.traceback[0]
        print(f"TRACEMALLOC {stat.size / 2**20:8.1f} MiB {100 * stat.size / total:5.1f}% "
              f"{frame.filename}:{frame.lineno}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
