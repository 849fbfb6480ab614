"""The read models' position over time, polled in a process of its own (benchmarks/relay.py's
commit → read model lag).

    python -m benchmarks.position_watch '<conninfo>' '<SQL giving one position>'

Prints `<unix time> <position>` each time the position moves, until stdin closes. The poll
ran on a thread of the writing process before: each `log_visit` holds that interpreter for
milliseconds, so the thread's timestamps waited on the writer as well as on the read models
(and it read the writer's dictionary while the writer added to it).
"""

from __future__ import annotations

import sys
import threading
import time

import psycopg

POLL_SECONDS = 0.002


def watch(conninfo: str, sql: str) -> None:
    closed = threading.Event()

    def until_stdin_closes() -> None:
        sys.stdin.read()
        closed.set()

    threading.Thread(target=until_stdin_closes, daemon=True).start()
    last = -1
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while not closed.is_set():
            row = conn.execute(sql).fetchone()  # type: ignore[call-overload]
            now = time.time()
            reached = int(row[0] or 0) if row else 0
            if reached != last:
                print(f"{now:.6f} {reached}", flush=True)
                last = reached
            time.sleep(POLL_SECONDS)


if __name__ == "__main__":
    watch(sys.argv[1], sys.argv[2])
