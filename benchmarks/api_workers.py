"""api_workers_2 (issue 18): enterprise reads per second from `espcrm serve --workers 2`
against `espcrm serve` with one worker, same read models, same run, 16 concurrent clients.

Both servers run at once on the same database and are measured in turn (A B A B), so whatever
else the machine does falls on both sides. On a 2-core machine the load generator shares the
cores with the workers: the figure is what a second worker buys here, not on a bigger machine.
"""

from __future__ import annotations

from uuid import UUID

from benchmarks import data
from benchmarks.enterprise_read import CLIENTS, admin_token, readers
from benchmarks.env import BenchEnv
from benchmarks.harness import Result, alternate, closed_loop
from benchmarks.httpload import Client
from benchmarks.server import ENTERPRISE_READ
from projection_runtime.admin import rebuild
from projection_runtime.catalogue import PROJECTIONS

NAME = "api_workers_2"


def _same_answers(one: str, two: str, targets: list[UUID]) -> int:
    """Both servers give the same full answers (else the comparison means nothing)."""
    clients = Client(one, admin_token()), Client(two, admin_token())
    try:
        for enterprise_id in targets:
            first, second = (
                c.graphql(ENTERPRISE_READ, {"id": str(enterprise_id)}) for c in clients
            )
            if first != second or len(first["data"]["enterprise"]["visits"]["edges"]) < 20:
                raise AssertionError(f"one and two workers answer {enterprise_id} differently")
        return len(targets)
    finally:
        for client in clients:
            client.close()


def run(env: BenchEnv) -> list[Result]:
    enterprises, events, seconds, rounds = (
        (30, 2_000, 2.0, 1) if env.quick else (100, 8_000, 5.0, 3)
    )
    db = env.fresh_database(NAME)
    container = env.container(db)
    try:
        seeded = data.generate(container.app, enterprises=enterprises, events=events)
        for name in PROJECTIONS:
            rebuild(container.catalogue, container.versions, name)
    finally:
        container.close()
    targets = seeded.enterprises[:enterprises]
    with env.served(db, 1) as one, env.served(db, 2) as two:
        checked = _same_answers(one, two, targets[:5])

        def reads_per_second(base: str) -> float:
            load = closed_loop(readers(base, targets, graphql=True), CLIENTS, seconds, warmup=0.5)
            if load.errors:
                raise AssertionError(f"{load.errors} reads failed against {base}")
            return load.rate

        for base in (one, two):  # warm both (imports, pools, PostgreSQL's caches)
            reads_per_second(base)
        medians, each = alternate(
            {"one": lambda: reads_per_second(one), "two": lambda: reads_per_second(two)}, rounds
        )
    return [
        Result(
            name=NAME,
            value=medians["two"],
            baseline=medians["one"],
            unit="reads/s",
            target=1.3,
            baseline_name="espcrm serve, one worker",
            description="enterprise(id) reads/s, 16 clients: 2 API workers vs 1 (same run)",
            details={
                "reads_per_second_by_round": each,
                "answers_checked_equal": checked,
                "enterprises": enterprises,
                "log_events": seeded.events,
            },
            notes=["2 cores shared by the workers, PostgreSQL and the load generator"],
        )
    ]
