"""1. The command path in process: log a visit through the application service, one
connection, against B1 (insert + commit of one row into an event-shaped table, one connection).
"""

from __future__ import annotations

import itertools
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


def run(env: BenchEnv) -> list[Result]:
    seconds, rounds, enterprises = (1.5, 1, 300) if env.quick else (3.0, 3, 1000)
    db = env.fresh_database(NAME)
    container = env.container(db)
    try:
        seeded = data.generate(container.app, enterprises=enterprises, events=0)
        worker = log_visits(container.app, seeded)
        worker(0)(0)  # warm: imports, prepared statements, the pool's connection
        topic, state = sample_event(db)
        baselines.create_b1_table(db)
        loads: dict[str, list[Load]] = {"app": [], "b1": []}

        def app_run() -> float:
            load = closed_loop(worker, 1, seconds, warmup=0.3)
            loads["app"].append(load)
            return load.rate

        def b1_run() -> float:
            load = baselines.b1_insert(db, 1, seconds, topic, state)
            loads["b1"].append(load)
            return load.rate

        medians, each = alternate({"b1": b1_run, "app": app_run}, rounds)
    finally:
        container.close()
    return [
        Result(
            name=NAME,
            value=medians["app"],
            baseline=medians["b1"],
            unit="ops/s",
            target=0.5,
            op=">=",
            baseline_name="B1 (1 connection)",
            description="log_visit through the application service in process, 1 thread, "
            "vs B1 insert+commit of one event-shaped row on 1 connection",
            details={
                "rounds": each,
                "app_last_round": loads["app"][-1].describe(),
                "b1_last_round": loads["b1"][-1].describe(),
                "enterprises": enterprises,
                "state_bytes": len(state),
                "seconds_per_round": seconds,
            },
        )
    ]
