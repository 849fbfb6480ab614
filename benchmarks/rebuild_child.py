"""A full rebuild in a process of its own, so its peak memory is its own.

`python -m benchmarks.rebuild_child NAME [NAME …]` with ESPCRM_* settings in the environment:
rebuilds each projection with infra.projection_admin.rebuild (a new version from position 0,
then the switch), and prints one JSON line per projection and, last, PEAK_RSS_KIB <n>
(resource.getrusage's ru_maxrss of this process). With --profile FILE, the rebuilds run under
pyinstrument and its text report is written to FILE.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time

from infra.bootstrap import bootstrap
from infra.projection_admin import rebuild
from infra.settings import Settings


def main(argv: list[str]) -> None:
    profile_to = None
    if argv and argv[0] == "--profile":
        profile_to, argv = argv[1], argv[2:]
    logging.basicConfig(level=logging.WARNING)
    container = bootstrap(Settings())
    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = None
    if profile_to:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    try:
        for name in argv:
            started = time.perf_counter()
            report = rebuild(container, name, batch_size=500)
            seconds = time.perf_counter() - started
            print(json.dumps({
                "projection": name, "events": report.events, "seconds": round(seconds, 3),
                "rate": round(report.events / seconds, 1) if seconds else 0.0,
                "version": report.new_version,
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }), flush=True)  # fmt: skip
    finally:
        if profiler is not None:
            profiler.stop()
            with open(profile_to, "w") as out:  # type: ignore[arg-type]
                out.write(profiler.output_text(unicode=True, color=False, show_all=False))
        container.close()
    print(f"BASE_RSS_KIB {base_kib}")
    print(f"PEAK_RSS_KIB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
