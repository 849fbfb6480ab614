"""1. The command path in process: log a visit through the application service, one
connection, against B1 (insert + commit of one row into an event-shaped table, one connection).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.enterprises import LogVisit
from application.service_package import ServicePackage
from benchmarks import baselines, data
from benchmarks.env import BenchEnv
from benchmarks.harness import Load, Result, alternate, closed_loop
from domain.shared import Actor

NAME = "command_path"


def visit_command(enterprise_id: UUID, now: Any, n: int) -> LogVisit:
    return LogVisit(
        enterprise_id=enterprise_id,
        visited_at=now,
        channel="ON_SITE",
        attendees=["王小明", "专员"],
        topics=["用工", "社保"],
        summary=f"第{n}次走访：了解企业用工需求，宣讲稳岗返还政策。",
        policies_explained=["POL-STABLE-JOB-REFUND"],
    )


def log_visits(
    app: ServicePackage, seeded: data.Generated, clients: int = 1
) -> Callable[[int], Callable[[int], None]]:
    """A worker per client; client i logs visits to its own share of the enterprises."""
    actors = {e: Actor(c, c, "COMMISSIONER") for e, c in seeded.commissioner_of.items()}

    def make(i: int) -> Callable[[int], None]:
        cycle = itertools.cycle(seeded.enterprises[i::clients])

        def op(n: int) -> None:
            enterprise_id = next(cycle)
            app.log_visit(visit_command(enterprise_id, app.clock.now(), n), actors[enterprise_id])

        return op

    return make


def sample_event(address: Any) -> tuple[str, bytes]:
    """The topic and stored state of a real VisitLogged event, for B1's rows."""
    import psycopg

    with psycopg.connect(address.conninfo()) as conn:
        row = conn.execute(
            "SELECT topic, state FROM espcrm_events WHERE topic LIKE %s"
            " ORDER BY notification_id DESC LIMIT 1",
            ("%VisitLogged",),
        ).fetchone()
    assert row is not None, "log a visit first"
    return str(row[0]), bytes(row[1])


LONG_VISITS = 500  # command_path_long: streams of this many visits
WRITERS = 8  # write_lock_8


def _cold_loads(app: ServicePackage, ids: list[UUID]) -> dict[str, float]:
    """Milliseconds to load a long stream without the cache: from its snapshot and the
    events after it, and from every event (what a load cost before snapshots)."""

    def from_events(aggregate_id: UUID) -> Any:
        aggregate: Any = None
        for event in app.events.get(aggregate_id):
            aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
        return aggregate

    timed: dict[str, float] = {}
    for name, load in (("snapshot_ms", app.repository.get), ("all_events_ms", from_events)):
        started = time.perf_counter()
        for aggregate_id in ids:
            load(aggregate_id)
        timed[name] = round((time.perf_counter() - started) * 1000 / len(ids), 3)
    return timed


def run(env: BenchEnv) -> list[Result]:
    seconds, rounds, enterprises, long_ones = (1.5, 1, 300, 10) if env.quick else (3.0, 3, 1000, 40)
    db = env.fresh_database(NAME)
    container = env.container(db)
    app = container.app
    try:
        seeded = data.generate(app, enterprises=enterprises, events=0)
        long = data.generate(
            app, enterprises=long_ones, events=long_ones * (LONG_VISITS + 2), issue_chance=0.0,
            first_enterprise=enterprises + 1, departments=False, seed=7,
        )  # fmt: skip
        for aggregate_id in long.enterprises:  # as the command side would have left them
            app.take_snapshot(aggregate_id)
        cold = _cold_loads(app, long.enterprises)
        worker = log_visits(app, seeded)
        long_worker = log_visits(app, long)
        writers = log_visits(app, seeded, clients=WRITERS)
        # Warm: imports, prepared statements, the pool's connections, and the command cache
        # (one visit to every enterprise, as a process serving them has after its first
        # minutes); a load without the cache is `cold_load_of_a_long_stream` below.
        warm, warm_long = worker(0), long_worker(0)
        for n in range(len(seeded.enterprises)):
            warm(n)
        for n in range(len(long.enterprises)):
            warm_long(n)
        topic, state = sample_event(db)
        baselines.create_b1_table(db)
        loads: dict[str, list[Load]] = {}

        def measured(name: str, measure: Callable[[], Load]) -> Callable[[], float]:
            def run_once() -> float:
                load = measure()
                loads.setdefault(name, []).append(load)
                return load.rate

            return run_once

        medians, each = alternate(
            {
                "b1": measured("b1", lambda: baselines.b1_insert(db, 1, seconds, topic, state)),
                "app": measured("app", lambda: closed_loop(worker, 1, seconds, warmup=0.3)),
                "long": measured("long", lambda: closed_loop(long_worker, 1, seconds, warmup=0.3)),
                "b1_8": measured(
                    "b1_8", lambda: baselines.b1_insert(db, WRITERS, seconds, topic, state)
                ),
                "app_8": measured(
                    "app_8", lambda: closed_loop(writers, WRITERS, seconds, warmup=0.3)
                ),
            },
            rounds,
        )
    finally:
        container.close()

    def last(name: str) -> dict[str, Any]:
        return loads[name][-1].describe()

    common = {"seconds_per_round": seconds, "state_bytes": len(state)}
    return [
        Result(
            name=NAME,
            value=medians["app"],
            baseline=medians["b1"],
            unit="ops/s",
            target=0.6,
            op=">=",
            baseline_name="B1 (1 connection)",
            description="log_visit through the application service in process, 1 thread, "
            "vs B1 insert+commit of one event-shaped row on 1 connection",
            details={
                "rounds": {"app": each["app"], "b1": each["b1"]},
                "app_last_round": last("app"),
                "b1_last_round": last("b1"),
                "enterprises": enterprises,
                **common,
            },
        ),
        Result(
            name=f"{NAME}_long",
            value=medians["long"],
            baseline=medians["b1"],
            unit="ops/s",
            target=0.5,
            op=">=",
            baseline_name="B1 (1 connection)",
            description=f"log_visit on streams of {LONG_VISITS} visits, 1 thread, vs B1",
            details={
                "rounds": each["long"],
                "long_last_round": last("long"),
                "enterprises": long_ones,
                "cold_load_of_a_long_stream": cold,
                **common,
            },
        ),
        Result(
            name=f"{NAME}_growth",
            value=medians["long"],
            baseline=medians["app"],
            unit="ops/s",
            target=0.8,
            op=">=",
            baseline_name="command_path (streams of 2 events) in the same run",
            description=f"log_visit on streams of {LONG_VISITS} visits vs on new streams",
            details={"cold_load_of_a_long_stream": cold},
        ),
        Result(
            name="write_lock_8",
            value=medians["app_8"],
            baseline=medians["b1_8"],
            unit="ops/s",
            target=0.6,
            op=">=",
            baseline_name=f"B1 ({WRITERS} connections)",
            description=f"log_visit from {WRITERS} threads through the application (each on "
            f"its own enterprises) vs B1 insert+commit on {WRITERS} connections",
            details={
                "rounds": {"app_8": each["app_8"], "b1_8": each["b1_8"]},
                "app_8_last_round": last("app_8"),
                "b1_8_last_round": last("b1_8"),
            },
        ),
    ]
