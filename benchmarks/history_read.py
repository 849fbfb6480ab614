"""8. Reading one stream as of a moment (`issue(id, asOf:)`, `enterprise(id, asOf:)`): an
issue of 300 events and an enterprise relationship of 300 events (299 visits), each read as of
a moment two thirds into its history, in process (application/history.py `as_of`: one
statement for the stream's rows with their positions, decode, fold up to the moment).

Baseline: the library's own `repository.get(id)` of the whole stream (no positions, no
moment). Target: p99 well under 100 ms (≤ 50 ms) for the as-of read.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from benchmarks.data import uscc
from benchmarks.env import BenchEnv
from benchmarks.harness import Result, percentile
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import Actor

NAME = "history_read"
EVENTS = 300
ADMIN = Actor("a-001", "admin", "ADMIN")
COMMISSIONER = Actor("c-001", "c", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "s", "SUPERVISOR")
START = datetime(2025, 1, 6, 1, 0, tzinfo=UTC)


def long_streams(app: Any) -> tuple[UUID, UUID, datetime]:
    """An issue and an enterprise of EVENTS events each; the moment two thirds in."""
    at = [START + timedelta(minutes=i) for i in range(EVENTS + 1)]
    enterprise = EnterpriseRelationship.open(
        uscc=uscc(1), name="bench", district="渝中区", industry=None, size=None, address=None,
        contacts=[{"name": "王小明", "phone": "13812345678"}], actor=ADMIN, timestamp=at[0],
    )  # fmt: skip
    enterprise.assign_commissioner("c-001", "c", None, actor=ADMIN, timestamp=at[0])
    catalogue = PolicyCatalogue()
    for i in range(EVENTS - 2):
        enterprise.log_visit(
            f"v-{i}", at[i], "PHONE", ["李四"], ["用工"], [], "电话回访", [], date(2025, 6, 1),
            catalogue, actor=COMMISSIONER, timestamp=at[i + 1],
        )  # fmt: skip
    issue = Issue.raise_issue(
        kind="DIRECT_REPORT", category="OTHER", title="t", description="d", enterprise_id=None,
        visit_id=None, reporting_point_id="rp-x", district="渝中区", actor=SUPERVISOR,
        timestamp=at[0],
    )  # fmt: skip
    for i in range(EVENTS - 1):
        issue.escalate("URGE", f"催办{i}", actor=SUPERVISOR, timestamp=at[i + 1])
    app.save(enterprise)
    app.save(issue)
    return issue.id, enterprise.id, at[2 * EVENTS // 3]


def timed(read: Any, repeats: int, clock: Any = time.perf_counter) -> list[float]:
    """Wall time per read; `clock=time.thread_time`: this thread's CPU time (what a busy
    shared machine does not inflate: decoding and folding, not the wait for the database)."""
    read()  # warm: the pool's connection, the mapper's topics
    seconds = []
    for _ in range(repeats):
        t0 = clock()
        read()
        seconds.append(clock() - t0)
    return seconds


def run(env: BenchEnv) -> list[Result]:
    repeats = 20 if env.quick else 100
    container = env.container(env.fresh_database(NAME))
    try:
        app = container.app
        issue_id, enterprise_id, moment = long_streams(app)
        results = []
        for what, stream_id in (("issue", issue_id), ("enterprise", enterprise_id)):
            then = app.as_of(stream_id, moment)
            version = then.aggregate.version if then.aggregate is not None else 0
            if not EVENTS // 2 < version < EVENTS:  # two thirds in, give or take a step
                raise AssertionError(f"{what} as of the moment is at version {version}")
            as_of = timed(lambda s=stream_id: app.as_of(s, moment), repeats)
            whole = timed(lambda s=stream_id: app.repository.get(s), repeats)
            cpu = timed(lambda s=stream_id: app.as_of(s, moment), repeats, time.thread_time)
            results.append(
                Result(
                    name=f"{NAME}_{what}",
                    value=percentile(as_of, 99) * 1000,
                    baseline=percentile(whole, 99) * 1000,
                    unit="ms",
                    target=50.0,
                    op="<=",
                    target_on="value",
                    baseline_name="repository.get (whole stream)",
                    description=f"{what} of {EVENTS} events read as of a moment two thirds in,"
                    " p99 in process",
                    details={
                        "p50_ms": percentile(as_of, 50) * 1000,
                        "cpu_p50_ms": percentile(cpu, 50) * 1000,
                        "baseline_p50_ms": percentile(whole, 50) * 1000,
                        "repeats": repeats,
                        "events": EVENTS,
                    },
                )
            )
        return results
    finally:
        container.close()
