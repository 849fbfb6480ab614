"""Fast, valid benchmark data: a synthetic log written in large batches, and its read models.

Events are made by the real domain (aggregate methods, with every check they do), encoded by
the application's own mapper (transcodings, AES), and written with COPY into the
application's own events table under the lock its recorder takes (EXCLUSIVE: positions
follow commit order), 5,000 to a batch, while the next batch is being made. That is the log
the application would have written, without a round trip per command: a million events in
about a minute and a half on two cores (two writer processes, generate_parallel).

Shape: every enterprise is registered and given a commissioner; then in rounds every
enterprise (in a seeded random order) is visited, and now and then a visit raises a demand
that goes dispatched → accepted → resolved → approved → evaluated, one step per round, so the
latest ones are still open. About half the events are visits. The same seed makes the same log.
"""

from __future__ import annotations

import queue
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from psycopg.sql import SQL, Identifier

from application.service_package import ServicePackage
from domain.districts import DISTRICTS
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.registry import Department
from domain.shared import BEIJING_TIME, Actor
from domain.uscc import check_character
from infra.bootstrap import Container
from infra.policy_catalogue_loader import load_policy_catalogue
from projections.enterprise_directory import LATEST_VISIT_FIRST, enterprise_row
from projections.enterprise_profile import EnterpriseProfile
from projections.issue_board import issue_row, timeline_row
from projections.visit_history import logged_visit, visit_row

START = datetime(2025, 1, 6, 9, 0, tzinfo=BEIJING_TIME)
STEP = timedelta(seconds=20)  # between events: 1,000,000 events span about 230 days
ADMIN = Actor("a-001", "管理员", "ADMIN")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
DEPARTMENTS = [f"hrss-dept-{i}" for i in range(1, 9)]
ISSUE_STEPS = ("dispatch", "accept", "resolve", "approve", "evaluate")
APP = "espcrm"


def uscc(n: int) -> str:
    body = f"91500000MB{n:07d}"
    return body + check_character(body)


def commissioner(i: int) -> Actor:
    return Actor(f"c-{i:03d}", f"专员{i}", "COMMISSIONER")


def department_actor(department_id: str) -> Actor:
    return Actor(f"d-{department_id}", f"经办{department_id}", "DEPARTMENT")


@dataclass
class Generated:
    """What was written, and what benchmarks need to find their way around it."""

    events: int = 0
    seconds: float = 0.0
    head: int = 0
    enterprises: list[UUID] = field(default_factory=list)
    commissioner_of: dict[UUID, str] = field(default_factory=dict)
    # Kept only when asked (keep_state=True): the read models are loaded from these.
    aggregates: dict[UUID, EnterpriseRelationship] = field(default_factory=dict)
    issues: dict[UUID, Issue] = field(default_factory=dict)
    positions: dict[tuple[UUID, int], int] = field(default_factory=dict)
    # Each enterprise's visits as logged (the lean aggregate keeps no visit in full).
    visits: dict[UUID, list[dict[str, Any]]] = field(default_factory=dict)
    last_event: dict[UUID, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def tick(self) -> datetime:
        self.now += STEP
        return self.now


class LogWriter:
    """Encodes and inserts batches on a thread of its own while the caller makes the next."""

    def __init__(
        self,
        app: ServicePackage,
        batch_size: int,
        track: Callable[[list[Any], list[int]], None] | None,
    ) -> None:
        self.app = app
        self.batch_size = batch_size
        self.track = track
        self.pending: list[Any] = []
        self.written = 0
        self.head = 0
        self._queue: queue.Queue[list[Any] | None] = queue.Queue(maxsize=2)
        self._error: list[BaseException] = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def add(self, aggregate: Any) -> None:
        self.pending.extend(aggregate.collect_events())
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self._error:
            raise self._error[0]
        if self.pending:
            self._queue.put(self.pending)
            self.pending = []

    def close(self) -> None:
        self.flush()
        self._queue.put(None)
        self._thread.join()
        if self._error:
            raise self._error[0]

    def _drain(self) -> None:
        mapper = self.app.mapper
        while (events := self._queue.get()) is not None:
            if self._error:
                continue
            try:
                ids = self._copy([mapper.to_stored_event(e) for e in events])
                if self.track is not None:
                    self.track(events, ids)
                self.written += len(ids)
                self.head = max(self.head, ids[-1])
            except BaseException as error:
                self._error.append(error)

    def _copy(self, stored: list[Any]) -> list[int]:
        """COPY into the recorder's table under the lock its insert_events takes (EXCLUSIVE:
        positions are given in commit order, so followers never pass a gap). Under that lock
        the batch's positions are consecutive: the last is the sequence's current value."""
        recorder: Any = self.app.recorder
        table = SQL("{}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
            with curs.copy(
                SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN").format(
                    table
                )
            ) as copy:
                for s in stored:
                    copy.write_row((s.originator_id, s.originator_version, s.topic, s.state))
            curs.execute(
                "SELECT currval(pg_get_serial_sequence(%s, 'notification_id')) AS last",
                (f"{recorder.datastore.schema}.{recorder.events_table_name}",),
            )
            row = curs.fetchone()
        last = int(row["last"])  # type: ignore[index]
        return list(range(last - len(stored) + 1, last + 1))


def generate(
    app: ServicePackage,
    *,
    enterprises: int,
    events: int,
    seed: int = 6,
    keep_state: bool = False,
    batch_size: int = 5000,
    issue_chance: float = 0.15,
    first_enterprise: int = 1,
    commissioners: int | None = None,
    departments: bool = True,
) -> Generated:
    """Write about `events` events (never fewer than the registrations need) for
    `enterprises` enterprises; see the module docstring for the shape."""
    rng = random.Random(seed)
    catalogue = load_policy_catalogue()
    policy_codes = [p.code for p in catalogue][:12]
    clock = _Clock()
    out = Generated()
    started = time.perf_counter()

    def track(batch: list[Any], ids: list[int]) -> None:
        for event, position in zip(batch, ids, strict=True):
            out.positions[(event.originator_id, event.originator_version)] = position

    writer = LogWriter(app, batch_size, track if keep_state else None)
    budget = max(events, enterprises * 2 + (len(DEPARTMENTS) if departments else 0))
    made = 0

    def emit(aggregate: Any) -> None:
        nonlocal made
        made += len(aggregate.pending_events)
        if keep_state and aggregate.pending_events:
            out.last_event[aggregate.id] = aggregate.pending_events[-1]
            for e in aggregate.pending_events:
                if isinstance(e, EnterpriseRelationship.VisitLogged):
                    visit = logged_visit(e) | {"logged_version": e.originator_version}
                    out.visits.setdefault(e.originator_id, []).append(visit)
        writer.add(aggregate)

    for department_id in DEPARTMENTS if departments else ():
        emit(Department.register(department_id=department_id, name=f"处室{department_id[-1]}",
                                 district=None, actor=ADMIN, timestamp=clock.tick()))  # fmt: skip
    n_commissioners = commissioners or max(1, enterprises // 50)
    live: list[EnterpriseRelationship] = []
    for n in range(first_enterprise, first_enterprise + enterprises):
        who = commissioner(n % n_commissioners)
        e = EnterpriseRelationship.open(
            uscc=uscc(n), name=f"重庆测试企业{n}有限公司", district=DISTRICTS[n % len(DISTRICTS)],
            industry="制造业", size="中型", address=f"渝中区测试路{n}号",
            contacts=[{"name": "王小明", "phone": f"138{n:08d}", "title": "人事经理"}],
            actor=ADMIN, timestamp=clock.tick(),
        )  # fmt: skip
        e.assign_commissioner(who.id, who.name, None, actor=ADMIN, timestamp=clock.tick())
        emit(e)
        live.append(e)
        out.enterprises.append(e.id)
        out.commissioner_of[e.id] = who.id

    open_issues: dict[UUID, list[tuple[Issue, int]]] = {e.id: [] for e in live}
    all_issues: dict[UUID, Issue] = {}
    while made < budget:
        order = list(live)
        rng.shuffle(order)
        for e in order:
            if made >= budget:
                break
            who = Actor(e.commissioner_id or "", e.commissioner_name or "", "COMMISSIONER")
            now = clock.tick()
            visit_id = str(uuid.UUID(int=rng.getrandbits(128)))
            e.log_visit(
                visit_id, now, rng.choice(("ON_SITE", "PHONE", "VIDEO")),
                ["王小明", who.name], ["用工", "社保"], rng.sample(policy_codes, 2),
                "了解企业用工需求，宣讲稳岗返还政策。", ["跟进招聘需求"], None, catalogue,
                actor=who, timestamp=now,
            )  # fmt: skip
            emit(e)
            if rng.random() < issue_chance:
                issue = Issue.raise_issue(
                    kind="ENTERPRISE_DEMAND", category=rng.choice(("RECRUITMENT", "SOCIAL_INSURANCE")),
                    title="招聘技工", description="需要20名数控技工", enterprise_id=str(e.id),
                    visit_id=visit_id, district=e.district, actor=who, timestamp=clock.tick(),
                )  # fmt: skip
                emit(issue)
                open_issues[e.id].append((issue, 0))
                all_issues[issue.id] = issue
            # One step of one of this enterprise's open issues.
            if open_issues[e.id] and made < budget:
                issue, step = open_issues[e.id][0]
                _advance(issue, ISSUE_STEPS[step], rng, clock.tick())
                emit(issue)
                if step + 1 == len(ISSUE_STEPS):
                    open_issues[e.id].pop(0)
                else:
                    open_issues[e.id][0] = (issue, step + 1)
    writer.close()
    out.events = writer.written
    out.head = writer.head
    out.seconds = time.perf_counter() - started
    if keep_state:
        out.aggregates = {e.id: e for e in live}
        out.issues = all_issues
    return out


def _advance(issue: Issue, step: str, rng: random.Random, now: datetime) -> None:
    lead = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
    if step == "dispatch":
        issue.dispatch(lead, [], actor=SUPERVISOR, timestamp=now)
    elif step == "accept":
        lead = issue.lead_department_id or lead
        issue.accept(lead, actor=department_actor(lead), timestamp=now)
    elif step == "resolve":
        lead = issue.lead_department_id or lead
        issue.resolve(
            "已推荐18名技工", ["推荐名单.xlsx"], actor=department_actor(lead), timestamp=now
        )
    elif step == "approve":
        issue.approve_closure("核实属实", actor=SUPERVISOR, timestamp=now)
    else:
        issue.evaluate("SATISFIED", None, actor=SUPERVISOR, timestamp=now)


# -- read models, loaded directly --------------------------------------------------------


def load_read_models(
    container: Container,
    data: Generated,
    *,
    set_positions: bool = True,
    writers: dict[str, Any] | None = None,
) -> dict[str, float]:
    """The rows the enterprise read needs, as the projections would have left them at the
    head of the log: built by the projections' own row functions and the views' own
    encoders (sealed contacts and attendees), written in bulk (COPY for visits), each view's
    position set to the head. Only the final state is written: issue timelines keep their
    last entry, and the kpi and reference_data views stay empty (the read uses neither).
    """
    from domain.time_limits import SlaPolicy
    from infra.working_calendar import ChineseWorkingCalendar

    timings: dict[str, float] = {}
    head = Tracking(APP, data.head)
    writers = writers or writer_views(container)
    t0 = time.perf_counter()
    directory = writers["enterprise_directory"]
    with directory.batch():  # type: ignore[attr-defined]
        for e in data.aggregates.values():
            opened = Tracking(APP, data.positions[(e.id, 1)])
            row = enterprise_row(EnterpriseProfile.of(e), opened)
            directory.upsert_enterprise(row, opened)  # type: ignore[attr-defined]
        for issue in data.issues.values():
            if issue.enterprise_id:
                directory.issue_changed(issue.id, UUID(issue.enterprise_id), issue.is_open, head)  # type: ignore[attr-defined]
        directory._batch_tracking = None  # positions: set_read_model_positions, once
    _load_visit_dates(directory, data)
    directory.datastore.close()
    timings["enterprise_directory_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    visits = writers["visit_history"]
    columns: list[str] | None = None
    with visits.datastore.transaction(commit=True) as curs:
        rows = _visit_rows(visits, data)
        first = next(rows)
        columns = list(first)
        copy_sql = f"COPY {visits.prefix}_rows ({', '.join(columns)}) FROM STDIN"  # type: ignore[attr-defined]
        with curs.copy(copy_sql) as copy:  # type: ignore[arg-type]
            copy.write_row([first[c] for c in columns])
            for row in rows:
                copy.write_row([row[c] for c in columns])
    visits.datastore.close()
    timings["visit_history_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    board = writers["issue_board"]
    sla, calendar = SlaPolicy(), ChineseWorkingCalendar(container.settings.calendar_dir)
    with board.batch():  # type: ignore[attr-defined]
        for issue in data.issues.values():
            last = Tracking(APP, data.positions[(issue.id, issue.version)])
            row = issue_row(issue, sla, calendar, last)
            row["raised_position"] = data.positions[(issue.id, 1)]
            board.record(row, timeline_row(data.last_event[issue.id], last), last)  # type: ignore[attr-defined]
        board._batch_tracking = None
    board.datastore.close()
    timings["issue_board_s"] = time.perf_counter() - t0
    if set_positions:
        set_read_model_positions(container, data.head)
    return timings


def writer_views(container: Container) -> dict[str, Any]:
    """Version 1 of the three views the enterprise read uses, as their writers see them."""
    return {
        name: container.catalogue.projection_at(name, 1)[0]
        for name in ("enterprise_directory", "visit_history", "issue_board")
    }


def _visit_rows(view: Any, data: Generated) -> Iterator[dict[str, Any]]:
    for e in data.aggregates.values():
        profile = EnterpriseProfile.of(e)
        for visit in data.visits.get(e.id, []):
            position = data.positions[(e.id, visit["logged_version"])]
            yield view._encode(visit_row(profile, visit, Tracking(APP, position)))


def _load_visit_dates(directory: Any, data: Generated) -> None:
    """The directory's visit dates (COPY), then every row's visit columns in one statement."""
    p = directory.prefix
    with directory.datastore.transaction(commit=True) as curs:
        with curs.copy(f"COPY {p}_visit_dates FROM STDIN") as copy:
            for e in data.aggregates.values():
                for v in data.visits.get(e.id, []):
                    copy.write_row(
                        [v["visit_id"], e.id, v["visited_at"], v["next_visit_on"],
                         v["logged_version"]]
                    )  # fmt: skip
        curs.execute(
            f"UPDATE {p}_rows r SET visit_count = s.n, last_visit_at = s.last_at,"
            " next_visit_due_on = s.next_on FROM (SELECT enterprise_id, count(*) AS n,"
            f" (array_agg(visited_at ORDER BY {LATEST_VISIT_FIRST}))[1] AS last_at,"
            f" (array_agg(next_visit_on ORDER BY {LATEST_VISIT_FIRST}))[1]"
            f" AS next_on FROM {p}_visit_dates GROUP BY enterprise_id) s WHERE r.id = s.enterprise_id"
        )


# -- in parallel ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """One worker's part of a parallel generation (a slice of the enterprises)."""

    conninfo: dict[str, Any]
    enterprises: int
    events: int
    first_enterprise: int
    seed: int
    departments: bool
    load: bool


def _work(share: Share) -> dict[str, Any]:
    """In a worker process: generate a share and, when asked, load its read-model rows."""
    import psycopg

    from benchmarks.env import BenchEnv
    from infra.postgres_server import PgAddress

    env = BenchEnv(quick=True)
    address = PgAddress(**share.conninfo)
    # Start-up runs CREATE … IF NOT EXISTS: concurrent ones can clash, so one at a time.
    with psycopg.connect(address.conninfo(), autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(hashtext('espcrm.bench.generate'))")
        container = env.container(address)
        writers = writer_views(container) if share.load else {}
        lock.execute("SELECT pg_advisory_unlock(hashtext('espcrm.bench.generate'))")
    try:
        out = generate(
            container.app, enterprises=share.enterprises, events=share.events,
            seed=share.seed, keep_state=share.load, first_enterprise=share.first_enterprise,
            departments=share.departments,
        )  # fmt: skip
        timings = (
            load_read_models(container, out, set_positions=False, writers=writers)
            if share.load
            else {}
        )
    finally:
        container.close()
    return {
        "events": out.events, "head": out.head, "seconds": out.seconds, "timings": timings,
        "enterprises": [str(e) for e in out.enterprises],
        "commissioner_of": {str(k): v for k, v in out.commissioner_of.items()},
    }  # fmt: skip


def generate_parallel(
    container: Container, *, enterprises: int, events: int, workers: int = 2,
    load: bool = False, seed: int = 6,
) -> Generated:  # fmt: skip
    """generate() split over `workers` processes by enterprise (each its own application,
    the same mapper and recorder), positions interleaving batch by batch as concurrent
    writers' do; with `load`, each also loads its enterprises' read-model rows, and the views'
    positions are then set to the head of the whole log."""
    import json
    import subprocess
    import sys
    from dataclasses import asdict

    per = -(-enterprises // workers)
    shares = []
    for i in range(workers):
        count = min(per, enterprises - i * per)
        if count > 0:
            shares.append(Share(asdict(container.address), count, events * count // enterprises,
                                1 + i * per, seed + i, i == 0, load))  # fmt: skip
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.data", json.dumps(asdict(share))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    parts = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"a generator worker failed:\n{err[-3000:]}")
        parts.append(json.loads(out.strip().splitlines()[-1]))
    result = Generated(seconds=time.perf_counter() - started)
    result.events = sum(p["events"] for p in parts)
    result.head = container.app.last_position()
    for part in parts:
        result.enterprises += [UUID(e) for e in part["enterprises"]]
        result.commissioner_of.update({UUID(k): v for k, v in part["commissioner_of"].items()})
    if load:
        set_read_model_positions(container, result.head)
    return result


def set_read_model_positions(container: Container, head: int) -> None:
    """Every view's position at `head`, then ANALYZE (fresh statistics for the planner)."""
    for name in ("enterprise_directory", "visit_history", "issue_board", "kpi", "reference_data"):
        view, _ = container.catalogue.projection_at(name, 1)
        view.insert_tracking(Tracking(APP, head))
        view.datastore.close()
    with container.app.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        conn.execute("ANALYZE")


if __name__ == "__main__":  # a worker of generate_parallel
    import json
    import sys

    print(json.dumps(_work(Share(**json.loads(sys.argv[1])))), flush=True)
