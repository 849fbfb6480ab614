"""Rebuilding read models without downtime, on the real PostgreSQL, while the log keeps growing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.projection import BaseProjectionRunner
from psycopg.sql import SQL, Identifier
from typer.testing import CliRunner

from application.enterprises import LogVisit
from application.issues import RaiseDemand
from application.service_package import ServicePackage
from cli.projections import projections_cli
from domain.shared import Actor
from infra.bootstrap import Container, bootstrap, eventsourcing_env
from infra.policy_catalogue_loader import load_policy_catalogue
from infra.postgres_server import PgAddress, ensure_database
from infra.settings import Settings
from infra.working_calendar import ChineseWorkingCalendar
from projection_runtime import admin
from projection_runtime.admin import projection_status, rebuild, rebuild_all, rollback
from projection_runtime.catalogue import PROJECTIONS, Sources, build_view
from projection_runtime.versions import RebuildAlreadyRunning
from projections.enterprise_directory import EnterpriseFilter
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock

COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
HANDLER = Actor("d-001", "就业处经办", "DEPARTMENT")
REPLAY = 1000  # a version number no rebuild reaches in these tests: the from-scratch replay


def _one_enterprises_year(app: ServicePackage, clock: FixedClock, n: int) -> int:
    """Register, assign, visit (half the time correct the visit), raise a demand, dispatch (and
    half the time accept) it."""
    enterprise_id, _ = app.register_enterprise(register_command(), ADMIN)
    app.assign_commissioner(enterprise_id, COMMISSIONER.id, COMMISSIONER.name, None, ADMIN)
    clock.advance(hours=3)
    visit_id, _ = app.log_visit(
        LogVisit(
            enterprise_id=enterprise_id,
            visited_at=clock.now() - timedelta(hours=1),
            channel="ON_SITE",
            attendees=[f"联系人{n}"],
            summary=f"第{n}次走访",
            topics=["用工"],
        ),
        COMMISSIONER,
    )
    if n % 2 == 0:  # every table of every view gets rows: corrections and policy notices too
        app.correct_visit(
            enterprise_id, visit_id, {"summary": f"第{n}次走访（更正）"}, "笔误", COMMISSIONER
        )
        app.notify_policy(enterprise_id, "POL-STABLE-JOB-REFUND", None, COMMISSIONER)
        app.confirm_policy(enterprise_id, "POL-STABLE-JOB-REFUND", f"联系人{n}", COMMISSIONER)
    demand = RaiseDemand(
        enterprise_id=enterprise_id,
        category="RECRUITMENT",
        title=f"招聘技工{n}",
        description="需要数控技工",
        visit_id=visit_id,
    )
    issue_id, _ = app.raise_demand(demand, COMMISSIONER)
    app.dispatch_issue(issue_id, "hrss-employment", ["hrss-talent"], SUPERVISOR)
    if n % 2:  # half of them move on, so open counts and statuses differ
        return app.accept_issue(issue_id, "hrss-employment", HANDLER)
    return app.last_position()


def _seed(app: ServicePackage, clock: FixedClock, enterprises: int) -> int:
    app.register_department("hrss-employment", "就业促进处", None, ADMIN)
    app.register_department("hrss-talent", "人才开发处", None, ADMIN)
    for n in range(enterprises):
        _one_enterprises_year(app, clock, n)
    return app.last_position()


class Background:
    """A loop on its own thread until stopped; what it raised is kept for the test to see."""

    def __init__(self, step: Callable[[int], Any]) -> None:
        self.step = step
        self.errors: list[BaseException] = []
        self.rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step(self.rounds)
            except BaseException as error:  # reported by the test
                self.errors.append(error)
                return
            self.rounds += 1

    def __enter__(self) -> Background:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def _contents(container: Container, prefix: str, suffix: str) -> list[tuple[Any, ...]]:
    """A table's rows in a fixed order, sealed columns opened (their nonces differ)."""
    cipher = container.views.enterprise_directory.cipher
    assert cipher is not None
    with psycopg.connect(container.address.conninfo()) as conn:
        rows = conn.execute(SQL("SELECT * FROM {}").format(Identifier(f"{prefix}_{suffix}")))
        opened = [
            tuple(cipher.decrypt(bytes(v)) if isinstance(v, bytes | memoryview) else v for v in r)
            for r in rows.fetchall()
        ]
    return sorted(opened, key=repr)


def _replay_from_scratch(container: Container, name: str, head: int) -> str:
    """The projection replayed into a fresh version by the library's own runner."""
    running = container.projections.run_version(name, REPLAY)
    try:
        running.runner.wait(head, timeout=120)
    finally:
        running.stop()
    return f"{name}_v{REPLAY}"


def _assert_same_as_a_replay(container: Container, name: str, head: int) -> None:
    replay = _replay_from_scratch(container, name, head)
    view_class, _ = PROJECTIONS[name]
    for suffix in view_class.tables():
        served = _contents(container, name, suffix)  # the readers' stable names
        assert served, f"{name}_{suffix} is empty"
        assert served == _contents(container, replay, suffix), f"{name}_{suffix} differs"


def test_a_projection_rebuilt_while_writes_continue_equals_a_replay_from_scratch(
    container: Container, clock: FixedClock
) -> None:
    _seed(container.app, clock, 150)
    with Background(lambda n: _one_enterprises_year(container.app, clock, 1000 + n)) as writer:
        time.sleep(0.2)  # the writer is writing before the rebuild reads the log
        for name in ("enterprise_directory", "issue_board"):
            progress: list[tuple[int, int]] = []
            report = rebuild(
                container.catalogue,
                container.versions,
                name,
                on_progress=lambda p, h: progress.append((p, h)),  # noqa: B023
            )
            assert (report.old_version, report.new_version) == (1, 2)
            positions = [p for p, _ in progress]
            assert positions == sorted(positions)
            assert positions[-1] >= progress[0][1]  # past the head it first saw: writes went on
        time.sleep(0.2)  # and writes after the switch, which the moved runner must pick up
    assert not writer.errors and writer.rounds > 0
    head = container.app.last_position()
    container.projections.wait_for(head, timeout=30)

    assert container.versions.active("enterprise_directory") == 2
    assert container.versions.active("issue_board") == 2
    for name in ("enterprise_directory", "issue_board", "visit_history"):
        _assert_same_as_a_replay(container, name, head)


def test_a_rebuild_ends_though_every_look_at_the_log_finds_new_events(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes that never pause: a rebuild stops chasing the head once it is within a batch of
    it, and the switch catches up the rest. It used to chase as long as the writes went on."""
    _seed(container.app, clock, 30)
    app, looks = container.app, [0]

    def a_write_before(look: Callable[..., Any]) -> Callable[..., Any]:
        def looks_after_a_write(*args: Any, **kwargs: Any) -> Any:
            looks[0] += 1
            assert looks[0] < 100, "the rebuild kept chasing the head"
            app.register_enterprise(register_command(), ADMIN)  # new events every time
            return look(*args, **kwargs)

        return looks_after_a_write

    monkeypatch.setattr(app, "last_position", a_write_before(app.last_position))
    report = rebuild(container.catalogue, container.versions, "enterprise_directory")
    monkeypatch.setattr(admin, "read_batch", a_write_before(admin.read_batch))
    looks[0] = 0
    [report_all] = rebuild_all(container.catalogue, container.versions, ["issue_board"])
    monkeypatch.undo()

    assert (report.name, report.new_version) == ("enterprise_directory", 2)
    assert (report_all.name, report_all.new_version) == ("issue_board", 2)
    head = app.last_position()
    # As the readers see it (the switched names): the host's runner moves to the new version
    # up to a poll later, and until then its wait answers for the old one.
    container.views.wait_for(head, timeout=30)
    for name in ("enterprise_directory", "issue_board"):
        _assert_same_as_a_replay(container, name, head)


def test_readers_keep_answering_during_a_rebuild_and_never_see_a_partial_view(
    container: Container, clock: FixedClock
) -> None:
    seeded = 40
    container.projections.wait_for(_seed(container.app, clock, seeded), timeout=30)
    directory = container.views.enterprise_directory
    answers: list[tuple[int, int]] = []  # (position, total) as the API's view answers
    snapshots: list[tuple[int, frozenset[UUID]]] = []  # position and rows in one snapshot

    def ask_the_api_view(_: int) -> None:
        position = directory.position()
        answers.append((position, directory.page(EnterpriseFilter(), 5, None).total_count))

    snapshot_reader = psycopg.connect(container.address.conninfo(), autocommit=True)

    def take_a_snapshot(_: int) -> None:
        with snapshot_reader.transaction():
            snapshot_reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            row = snapshot_reader.execute(
                "SELECT max(notification_id) FROM enterprise_directory_tracking"
                " WHERE application_name = 'espcrm'"
            ).fetchone()
            rows = snapshot_reader.execute("SELECT id FROM enterprise_directory_rows")
            snapshots.append((int(row[0]) if row else 0, frozenset(r[0] for r in rows)))

    with (
        Background(lambda n: _one_enterprises_year(container.app, clock, 1000 + n)) as writer,
        Background(ask_the_api_view) as api_reader,
        Background(take_a_snapshot) as snapshot_taker,
    ):
        time.sleep(0.2)
        rebuild(container.catalogue, container.versions, "enterprise_directory")
        time.sleep(1.0)  # reading on across the switch and the runner's move
    snapshot_reader.close()
    errors = writer.errors + api_reader.errors + snapshot_taker.errors
    assert not errors, errors
    assert container.versions.active("enterprise_directory") == 2

    totals = [total for _, total in answers]
    assert len(answers) > 20 and min(totals) >= seeded  # never an empty or half-built version
    assert totals == sorted(totals)  # never back in time: the new version starts level
    assert [p for p, _ in answers] == sorted(p for p, _ in answers)
    opened = _opened_by_position(container)
    for position, ids in snapshots:  # each snapshot: exactly the enterprises its position has
        assert ids == {e for at, e in opened if at <= position}, position


def _opened_by_position(container: Container) -> list[tuple[int, UUID]]:
    notifications = container.app.recorder.select_notifications(  # type: ignore[attr-defined]
        start=1, limit=1_000_000, topics=["domain.enterprise:EnterpriseRelationship.Opened"]
    )
    return [(n.id, n.originator_id) for n in notifications]


def test_a_runner_cut_off_from_the_database_starts_again_and_catches_up(
    container: Container, clock: FixedClock
) -> None:
    container.projections.wait_for(_seed(container.app, clock, 2))
    with psycopg.connect(container.address.conninfo(), autocommit=True) as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert cut and cut[0] > 0
    head = _one_enterprises_year(container.app, clock, 7)  # the app's pool reconnects
    container.projections.wait_for(head, timeout=30)
    assert all(view.position() == head for view in container.views.all().values())


def test_a_runner_that_fails_is_started_again_and_processes_the_event_it_failed_on(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    container.projections.wait_for(_seed(container.app, clock, 1))
    from projections.enterprise_directory import EnterpriseDirectoryView

    original = EnterpriseDirectoryView.upsert_enterprise
    failures: list[int] = []

    def fails_once(self: Any, row: Any, tracking: Any) -> None:
        if not failures:
            failures.append(tracking.notification_id)
            raise RuntimeError("a bug in this projection, once")
        original(self, row, tracking)

    monkeypatch.setattr(EnterpriseDirectoryView, "upsert_enterprise", fails_once)
    head = _one_enterprises_year(container.app, clock, 8)
    container.projections.wait_for(head, timeout=30)
    assert failures, "the failure was not injected"
    directory = next(r for r in container.projections.runners if r.name == "enterprise_directory")
    assert isinstance(directory.last_error, RuntimeError)
    assert container.views.enterprise_directory.position() == head
    _assert_same_as_a_replay(container, "enterprise_directory", head)


def _cli_env(container: Container) -> dict[str, str]:
    """The settings a separate `espcrm` process would get, pointing at the test database."""
    a = container.address
    return {
        "ESPCRM_DATABASE_URL": f"postgresql://{a.user}:{a.password}@/{a.dbname}"
        f"?host={a.host}&port={a.port}",
        "ESPCRM_CIPHER_KEY": container.settings.cipher_key or "",
        "ESPCRM_DATA_DIR": str(container.settings.data_dir),
        "ESPCRM_DB_POOL_SIZE": "2",
    }


@pytest.fixture
def idle(settings: Settings, database: PgAddress, clock: FixedClock) -> Iterator[Container]:
    """The system with no projection running: the log grows, the views stay behind."""
    built = bootstrap(settings, clock=clock, address=database)
    yield built
    built.close()


def test_status_shows_each_projections_version_position_and_lag(
    idle: Container, clock: FixedClock
) -> None:
    head = _seed(idle.app, clock, 3)
    result = CliRunner().invoke(projections_cli, ["status"], env=_cli_env(idle))
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines() if line}
    for name in PROJECTIONS:
        assert lines[name][1:5] == ["v1", "0", str(head), str(head)], result.output

    idle.projections.start()
    idle.projections.wait_for(head)
    clock.advance(minutes=5)
    status = {s.name: s for s in projection_status(idle.app, idle.views, idle.versions)}
    assert {s.position for s in status.values()} == {head}
    assert {(s.lag, s.lag_seconds) for s in status.values()} == {(0, 0.0)}


def test_lag_in_seconds_is_the_age_of_the_oldest_unprocessed_event(
    idle: Container, clock: FixedClock
) -> None:
    first_event_at = clock.now()
    _seed(idle.app, clock, 1)
    clock.advance(minutes=5)
    status = {s.name: s for s in projection_status(idle.app, idle.views, idle.versions)}
    expected = (clock.now() - first_event_at).total_seconds()
    assert {s.lag_seconds for s in status.values()} == {expected}


def test_the_rebuild_command_switches_to_a_new_version_and_keeps_one_for_rollback(
    container: Container, clock: FixedClock
) -> None:
    container.projections.wait_for(_seed(container.app, clock, 5))
    env = _cli_env(container)
    first = CliRunner().invoke(projections_cli, ["rebuild", "visit_history"], env=env)
    assert first.exit_code == 0, first.output
    assert "visit_history：v1 → v2" in first.output and "每秒" in first.output
    second = CliRunner().invoke(projections_cli, ["rebuild", "visit_history"], env=env)
    assert second.exit_code == 0, second.output

    versions = container.versions
    assert versions.active("visit_history") == 3
    assert versions.versions("visit_history") == [2, 3]  # v1 dropped once v3 was live
    assert rollback(container.versions, "visit_history") == 2
    assert versions.active("visit_history") == 2
    head = container.app.last_position()
    container.projections.wait_for(head)
    _assert_same_as_a_replay(container, "visit_history", head)


def test_the_hosts_wait_answers_for_the_version_switched_to_not_the_one_it_replaces(
    container: Container, clock: FixedClock
) -> None:
    """After a switch the old runner goes on until its follower notices (a poll): a wait it
    answered said the new version had an event it did not have yet."""
    container.projections.wait_for(_seed(container.app, clock, 3))
    [follower] = [r for r in container.projections.runners if r.name == "visit_history"]
    follower.poll_interval = 3.0  # the follower notices the switch late, as it may
    switched_to = rebuild(container.catalogue, container.versions, "visit_history").new_version
    _, position = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(position, timeout=20)
    view, _ = container.catalogue.projection_at("visit_history", switched_to)
    try:
        assert view.position() >= position
    finally:
        view.datastore.close()


def test_an_unknown_projection_is_refused_by_name(container: Container) -> None:
    result = CliRunner().invoke(projections_cli, ["rebuild", "no_such"], env=_cli_env(container))
    assert result.exit_code != 0
    assert "no_such" in result.output and "enterprise_directory" in result.output


def test_a_second_rebuild_of_the_same_projection_is_refused_while_one_runs(
    container: Container,
) -> None:
    with (
        container.versions.rebuild_lock("issue_board"),
        pytest.raises(RebuildAlreadyRunning),
    ):
        rebuild(container.catalogue, container.versions, "issue_board")
    assert container.versions.active("issue_board") == 1


def test_tables_from_before_versioning_are_adopted_as_version_1_with_their_rows(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> None:
    ensure_database(database)
    env = eventsourcing_env(database, settings)
    app = ServicePackage(env=env, clock=clock, catalogue=load_policy_catalogue())
    head = _seed(app, clock, 4)
    for name, (view_class, make_projection) in PROJECTIONS.items():
        # As start-up did before versions: tables named after the projection, no registry.
        legacy = build_view(env, name, view_class)
        runner = BaseProjectionRunner(
            projection=make_projection(legacy, Sources(app, ChineseWorkingCalendar())),
            application_class=ServicePackage,
            tracking_recorder=legacy,
            topics=(),
            env=env,
        )
        with runner:
            runner.wait(head, timeout=30)
        legacy.datastore.close()
    app.close()

    after = bootstrap(settings, clock=clock, address=database)
    try:
        assert all(after.versions.active(name) == 1 for name in PROJECTIONS)
        assert all(view.position() == head for view in after.views.all().values())
        assert after.views.enterprise_directory.page(EnterpriseFilter(), 10, None).total_count == 4
        _assert_same_as_a_replay(after, "enterprise_directory", head)
        # Indexes renamed with their tables, not built a second time beside them.
        assert _indexes(after, "enterprise_directory_v1_rows") == _indexes(
            after, f"enterprise_directory_v{REPLAY}_rows"
        )
    finally:
        after.close()


def _indexes(container: Container, table: str) -> list[str]:
    with psycopg.connect(container.address.conninfo()) as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,))
        return sorted(str(r[0]).split("_v", 1)[1].split("_", 1)[1] for r in rows.fetchall())


def _restart(container: Container, clock: FixedClock) -> Container:
    container.close()
    again = bootstrap(container.settings, clock=clock, address=container.address)
    again.projections.start()
    return again


def test_a_version_built_by_other_code_is_rebuilt_before_it_is_followed(
    container: Container, clock: FixedClock
) -> None:
    container.projections.wait_for(_seed(container.app, clock, 3))
    with psycopg.connect(container.address.conninfo()) as conn:
        # As if enterprise_directory v1 was built by an older release (other tables, say),
        # and visit_history v1 before definitions were recorded at all.
        conn.execute(
            "UPDATE projection_definitions SET definition = 'older'"
            " WHERE name = 'enterprise_directory'"
        )
        conn.execute("DELETE FROM projection_definitions WHERE name = 'visit_history'")
    again = _restart(container, clock)
    try:
        versions = again.versions
        assert versions.active("enterprise_directory") == 2
        assert versions.active("visit_history") == 2
        assert versions.active("kpi") == 1 and versions.active("issue_board") == 1
        head = _one_enterprises_year(again.app, clock, 99)  # the new version follows the log
        again.projections.wait_for(head)
        _assert_same_as_a_replay(again, "enterprise_directory", head)
        _assert_same_as_a_replay(again, "visit_history", head)
        definition = PROJECTIONS["enterprise_directory"][0].definition()
        assert versions.definition_of("enterprise_directory", 2) == definition
    finally:
        again.close()


def test_a_restart_with_the_same_code_rebuilds_nothing(
    container: Container, clock: FixedClock
) -> None:
    container.projections.wait_for(_seed(container.app, clock, 2))
    again = _restart(container, clock)
    try:
        assert all(again.versions.active(name) == 1 for name in PROJECTIONS)
    finally:
        again.close()


def test_a_change_of_tables_or_of_revision_changes_a_views_definition() -> None:
    view_class = PROJECTIONS["enterprise_directory"][0]
    same = type("EnterpriseDirectoryView", (view_class,), {})
    more_tables = type(
        "EnterpriseDirectoryView", (view_class,), {"create_sql": (*view_class.create_sql, "x")}
    )
    revised = type("EnterpriseDirectoryView", (view_class,), {"revision": view_class.revision + 1})
    assert same.definition() == view_class.definition()
    assert more_tables.definition() != view_class.definition()
    assert revised.definition() != view_class.definition()


def test_readers_keep_working_when_a_new_version_adds_columns(
    container: Container, clock: FixedClock
) -> None:
    """A reader still running older code while a rebuild by newer code switches (a rolling
    deployment) reads the columns it knows, not all there are."""
    container.projections.wait_for(_seed(container.app, clock, 2))
    with psycopg.connect(container.address.conninfo(), autocommit=True) as conn:
        for name, suffix in [("enterprise_directory", "rows"), ("visit_history", "rows"),
                             ("issue_board", "rows"), ("issue_board", "timeline"),
                             ("reference_data", "units")]:  # fmt: skip
            physical, stable = Identifier(f"{name}_v1_{suffix}"), Identifier(f"{name}_{suffix}")
            conn.execute(
                SQL("ALTER TABLE {} ADD COLUMN added_later int DEFAULT 7").format(physical)
            )
            conn.execute(SQL("DROP VIEW {}").format(stable))
            conn.execute(SQL("CREATE VIEW {} AS SELECT * FROM {}").format(stable, physical))
    views = container.views
    page = views.enterprise_directory.page(EnterpriseFilter(), 10, None)
    assert page.total_count == 2
    enterprise_ids = [row.id for row in page.rows]
    assert views.enterprise_directory.get_many(enterprise_ids)
    visits = views.visit_history.pages_for(enterprise_ids, 5, None)
    assert all(p.total_count == 1 for p in visits.values())
    issues = [
        i
        for p in visits.values()
        for v in p.rows
        for i in views.issue_board.by_visit([v.visit_id])[v.visit_id]
    ]
    assert issues and views.issue_board.timelines([issues[0].id])[issues[0].id]
    assert views.reference_data.units("DEPARTMENT", ["hrss-employment"])


def test_every_projection_rebuilt_from_one_read_of_the_log_equals_a_replay(
    container: Container, clock: FixedClock
) -> None:
    _seed(container.app, clock, 4)
    reports = rebuild_all(container.catalogue, container.versions)
    head = container.app.last_position()
    assert sorted(r.name for r in reports) == sorted(PROJECTIONS)
    assert {r.events for r in reports} == {head}  # each saw the whole log, read once
    assert {container.versions.active(name) for name in PROJECTIONS} == {2}
    container.projections.wait_for(head, timeout=30)
    for name in ("visit_history", "issue_board"):
        _assert_same_as_a_replay(container, name, head)


def test_a_folded_stretch_is_not_cut_by_the_idle_in_transaction_timeout(idle: Container) -> None:
    """A fold's transaction is idle from its first statement to its flush (the stretch is
    folded in memory): a view that holds few rows per event (reference_data) folds most of
    the log in one stretch, longer than the pool's idle-in-transaction timeout (5 s), which
    cut such rebuilds. The fold's transaction has none; the view's other transactions keep it."""
    view, _ = idle.catalogue.projection_at("reference_data", 900)
    show = "SHOW idle_in_transaction_session_timeout"
    try:
        with view.folding(empty=True) as fold:
            during = fold.curs.execute(show).fetchone()
        with view.datastore.transaction(commit=False) as curs:
            after = curs.execute(show).fetchone()
    finally:
        view.datastore.close()
    assert during == {"idle_in_transaction_session_timeout": "0"}
    assert after == {"idle_in_transaction_session_timeout": "5s"}


def test_a_view_failing_to_write_its_rows_ends_rebuild_all_with_nothing_switched(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The views' rows are written at the end of a stretch all at once, each in a thread of
    its own: one that fails there fails the whole rebuild, with its error, and no view is
    switched; the next rebuild starts again from the beginning and succeeds."""
    from projections.kpi import KpiFold

    _seed(container.app, clock, 2)
    before = {name: container.versions.active(name) for name in PROJECTIONS}

    def refuse(self: KpiFold) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(KpiFold, "flush", refuse)
    with pytest.raises(RuntimeError, match="disk full"):
        rebuild_all(container.catalogue, container.versions)
    assert {name: container.versions.active(name) for name in PROJECTIONS} == before
    monkeypatch.undo()
    reports = rebuild_all(container.catalogue, container.versions)
    assert {r.name: r.new_version for r in reports} == {  # the failed one's tables dropped
        name: (before[name] or 0) + 1 for name in PROJECTIONS
    }
    head = container.app.last_position()
    container.projections.wait_for(head, timeout=30)
    _assert_same_as_a_replay(container, "kpi", head)
