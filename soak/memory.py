"""The stack's memory over a soak: each process's RSS sampled while the users run.

Bounded means it levels off: the report keeps the first and last minute's mean as well as
the peak, so a leak shows as a last minute well above the first.
"""

from __future__ import annotations

import statistics
import threading
import time


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None  # the process has gone
    return None


class MemorySampler:
    def __init__(self, pids: dict[str, int], interval: float = 5.0) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: dict[str, list[tuple[float, float]]] = {name: [] for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-memory", daemon=True)

    def __enter__(self) -> MemorySampler:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            at = time.monotonic() - self._started
            for name, pid in self.pids.items():
                value = rss_mib(pid)
                if value is not None:
                    self.samples[name].append((at, value))
            self._stop.wait(self.interval)

    def report(self) -> dict[str, dict[str, object]]:
        out: dict[str, dict[str, object]] = {}
        for name, samples in self.samples.items():
            if not samples:
                continue
            end = samples[-1][0]
            first = [v for t, v in samples if t <= 60] or [samples[0][1]]
            last = [v for t, v in samples if t >= end - 60] or [samples[-1][1]]
            out[name] = {
                "first_minute_mib": round(statistics.fmean(first), 1),
                "last_minute_mib": round(statistics.fmean(last), 1),
                "peak_mib": round(max(v for _, v in samples), 1),
                "samples": len(samples),
                # Whether it levels off or keeps climbing: the mean of each minute.
                "per_minute_mib": _per_minute(samples),
            }
        return out


def _per_minute(samples: list[tuple[float, float]]) -> list[float]:
    minutes: dict[int, list[float]] = {}
    for at, value in samples:
        minutes.setdefault(int(at // 60), []).append(value)
    return [round(statistics.fmean(minutes[m]), 1) for m in sorted(minutes)]
