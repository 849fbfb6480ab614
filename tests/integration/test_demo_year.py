"""The demo year on the real store: every lifecycle path, believable times, one log per seed.

The full 410-enterprise year is measured by tests/integration/demo_year_timing.py, run by name
(it takes longer than `make test` should).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import Aggregate
from typer.testing import CliRunner

from application.feed import FeedEnvelope
from cli.main import cli
from demo import (
    DemoScale,
    DemoSummary,
    StoreNotEmpty,
    seed_demo,
    seed_demo_if_empty,
)
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.shared import BEIJING_TIME
from infra.bootstrap import Container, bootstrap
from infra.postgres_server import PgAddress, drop_database
from infra.settings import Settings
from infra.working_calendar import ChineseWorkingCalendar
from projection_runtime.catalogue import PROJECTIONS
from tests.integration.test_enterprise_import import point_the_cli_at

SMALL = DemoScale(enterprises=24, commissioners=4, reporting_points=3)
SEED = 7


class Store:
    """A fresh database of its own (the module shares one seeded store between tests)."""

    def __init__(self, pg_server: PgAddress, data_dir: Path) -> None:
        self.address = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:12]}")
        self.settings = Settings(
            data_dir=data_dir,
            cipher_key="ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU=",
            jwt_secret="test-secret-that-is-long-enough-for-hs256-0123456789",
            kafka_bootstrap=None,
        )
        self.container = bootstrap(self.settings, address=self.address)

    def seed(self, seed: int = SEED) -> DemoSummary:
        return seed_demo(self.container.env, ChineseWorkingCalendar(), seed=seed, scale=SMALL)

    def close(self) -> None:
        self.container.close()
        drop_database(self.address)


@pytest.fixture(scope="module")
def seeded(
    pg_server: PgAddress, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Container, DemoSummary]]:
    store = Store(pg_server, tmp_path_factory.mktemp("demo"))
    summary = store.seed()
    yield store.container, summary
    store.close()


@pytest.fixture
def fresh_store(pg_server: PgAddress, tmp_path: Path) -> Iterator[Store]:
    store = Store(pg_server, tmp_path)
    yield store
    store.close()


def feed(container: Container) -> list[FeedEnvelope]:
    return container.app.read_feed(0, 1_000_000)


def event_types(aggregate: type[Aggregate]) -> set[str]:
    """The stream's own event classes (not the library's generic Created and Event)."""
    return {
        name
        for name, value in vars(aggregate).items()
        if isinstance(value, type)
        and issubclass(value, Aggregate.Event)
        and name not in ("Created", "Event")
    }


# The demo drives people's commands; these the deadline watcher appends by itself (its own
# tests, tests/integration/test_deadline_watcher.py, run a simulated month of them).
WRITTEN_BY_THE_WATCHER = {"Issue.DeadlineWarned", "Issue.DeadlineEscalated"}


def values_of(envelopes: list[FeedEnvelope], event_type: str, key: str) -> set[Any]:
    return {e.data[key] for e in envelopes if e.type == event_type}


def test_a_small_year_records_every_kind_of_issue_and_relationship_event(
    seeded: tuple[Container, DemoSummary],
) -> None:
    _, summary = seeded
    counts = summary.log.counts
    missing = [
        f"{stream.__name__}.{name}"
        for stream in (Issue, EnterpriseRelationship)
        for name in sorted(event_types(stream))
        if not counts.get(f"{stream.__name__}.{name}")
        and f"{stream.__name__}.{name}" not in WRITTEN_BY_THE_WATCHER
    ]
    assert not missing, f"the demo never records {missing}"
    assert counts["Department.Registered"] == 52
    assert counts["ReportingPoint.Registered"] == 3
    assert counts["EnterpriseRelationship.Opened"] == 24


def test_issues_walk_every_lifecycle_path(seeded: tuple[Container, DemoSummary]) -> None:
    envelopes = feed(seeded[0])
    assert values_of(envelopes, "Evaluated", "satisfaction") == {
        "SATISFIED",
        "BASICALLY_SATISFIED",
        "UNSATISFIED",
    }
    assert values_of(envelopes, "Escalated", "level") == {"URGE", "SUPERVISE", "NOTIFY"}
    assert values_of(envelopes, "Reopened", "to_status") == {"IN_PROGRESS", "RAISED"}
    assert values_of(envelopes, "Raised", "kind") == {"ENTERPRISE_DEMAND", "DIRECT_REPORT"}
    assert "URGENT_HIRING" in values_of(envelopes, "Raised", "category")
    assert seeded[1].log.visit_channels.keys() == {"ON_SITE", "PHONE", "VIDEO", "EVENT"}


def test_some_issues_are_resolved_late_and_some_are_still_open_and_overdue_at_the_years_end(
    seeded: tuple[Container, DemoSummary],
) -> None:
    streams: dict[str, list[FeedEnvelope]] = defaultdict(list)
    for envelope in feed(seeded[0]):
        if envelope.stream_type == "Issue":
            streams[envelope.stream_id].append(envelope)
    late = open_overdue = 0
    for events in streams.values():
        times = {e.type: e.occurred_at for e in events}  # the last of each type
        if "Dispatched" in times and "Resolved" in times:
            late += times["Resolved"] - times["Dispatched"] > timedelta(days=14)
        if events[-1].type == "Escalated" and events[-1].data["level"] == "NOTIFY":
            open_overdue += 1
    assert late > 0
    assert open_overdue > 0


def test_events_carry_the_years_times_in_the_order_they_happened(
    seeded: tuple[Container, DemoSummary],
) -> None:
    times = [e.occurred_at for e in feed(seeded[0])]
    assert times == sorted(times)
    assert times[0] >= datetime(2025, 1, 2, tzinfo=BEIJING_TIME)
    assert times[-1] < datetime(2026, 1, 1, tzinfo=BEIJING_TIME)
    calendar = ChineseWorkingCalendar()
    opened = [e.occurred_at.astimezone(BEIJING_TIME) for e in feed(seeded[0]) if e.type == "Opened"]
    assert all(calendar.is_working_day(t.date()) and 9 <= t.hour < 17 for t in opened)


def test_the_development_tokens_users_have_work_to_see(
    seeded: tuple[Container, DemoSummary],
) -> None:
    """`espcrm run` prints tokens for c-001, d-001 of hrss-employment and r-001 of
    rp-liangjiang: the demo gives each of them something, through the read models too."""
    container, _ = seeded
    envelopes = feed(container)
    assert "hrss-employment" in values_of(envelopes, "Dispatched", "lead_department_id")
    assert "rp-liangjiang" in values_of(envelopes, "Raised", "reporting_point_id")
    container.projections.start()
    container.projections.wait_for(container.app.last_position(), timeout=120)
    assert container.views.enterprise_directory.ids_of_commissioner("c-001")


def test_the_same_seed_writes_the_same_log(
    seeded: tuple[Container, DemoSummary], fresh_store: Store
) -> None:
    again = fresh_store.seed()
    assert again.log.digest == seeded[1].log.digest
    assert again.log.counts == seeded[1].log.counts


def test_another_seed_writes_another_year(
    seeded: tuple[Container, DemoSummary], fresh_store: Store
) -> None:
    assert fresh_store.seed(seed=SEED + 1).log.digest != seeded[1].log.digest


def test_a_store_that_has_events_is_not_seeded(seeded: tuple[Container, DemoSummary]) -> None:
    container, _ = seeded
    before = container.app.last_position()
    with pytest.raises(StoreNotEmpty):
        seed_demo(container.env, ChineseWorkingCalendar(), seed=SEED, scale=SMALL)
    assert container.app.last_position() == before


def test_run_seeds_an_empty_store_once(fresh_store: Store) -> None:
    container = fresh_store.container
    first = seed_demo_if_empty(container, seed=SEED, scale=SMALL)
    assert first is not None and first.log.events == container.app.last_position()
    assert seed_demo_if_empty(container, seed=SEED, scale=SMALL) is None


def test_the_command_seeds_then_refuses_a_store_with_events(
    fresh_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_the_cli_at(monkeypatch, fresh_store.address, fresh_store.settings)
    small = ["seed-demo", "--enterprises", "12", "--commissioners", "2", "--reporting-points", "1"]
    runner = CliRunner()

    seeded = runner.invoke(cli, small)
    again = runner.invoke(cli, small)

    assert seeded.exit_code == 0, seeded.output
    assert "Issue.Raised" in seeded.output and "日志摘要" in seeded.output
    assert again.exit_code == 1 and "already has events" in again.output
    opened = [e for e in feed(fresh_store.container) if e.type == "Opened"]
    assert len(opened) == 12


def test_every_districts_kpis_from_one_statement_equal_each_districts_own_report(
    seeded: tuple[Container, DemoSummary],
) -> None:
    """The league table's single query and the per-district query agree on a realistic year,
    quarter by quarter, a district with no activity included."""
    from datetime import date

    from domain.districts import DISTRICTS

    container, _ = seeded
    if not container.projections.leaders:  # not started yet by an earlier test of the module
        container.projections.start()
    container.projections.wait_for(container.app.last_position(), timeout=60)
    kpi = container.views.kpi
    now = datetime(2026, 1, 15, 12, 0, tzinfo=BEIJING_TIME)
    districts = [*DISTRICTS, "无此区"]
    for first, last in [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 7, 1), date(2025, 12, 31)),
    ]:
        together = kpi.report_by_district(first, last, districts, now)
        one_by_one = [kpi.report(first, last, d, now) for d in districts]
        assert together == one_by_one
        assert sum(r.visit_count for r in together) > 0  # the year did happen
        assert together[-1].visit_count == 0 and together[-1].issues_raised == 0


def direct_labour_map(events: list[Any], first: Any, last: Any, dimension: str) -> dict[str, Any]:
    """The demand map counted straight from the events, as the read model's rule says: at an
    instant, each enterprise's latest record observed before it (as corrected), its lines not
    filled before it open, its shortfall less those filled (never below 0)."""
    from datetime import time

    start = datetime.combine(first, time(0), BEIJING_TIME)
    end = datetime.combine(last + timedelta(days=1), time(0), BEIJING_TIME)
    where: dict[Any, tuple[str, str]] = {}
    records: dict[str, dict[str, Any]] = {}
    fills: dict[str, tuple[datetime, int]] = {}
    occupation_of: dict[str, str] = {}
    owner: dict[str, Any] = {}
    for n, e in enumerate(events):
        if isinstance(e, EnterpriseRelationship.Opened):
            where[e.originator_id] = (e.district, e.industry or "")
        elif isinstance(e, EnterpriseRelationship.LabourRecorded):
            records[e.record_id] = {"enterprise": e.originator_id, "at": e.observed_at, "n": n,
                                    "shortfall": e.shortfall, "lines": e.lines}  # fmt: skip
        elif isinstance(e, EnterpriseRelationship.LabourCorrected):
            records[e.record_id].update(shortfall=e.shortfall, lines=e.lines)
        elif isinstance(e, EnterpriseRelationship.VacancyFilled):
            fills[e.line_id] = (e.timestamp, e.placed)
            owner[e.line_id] = e.originator_id
        for line in getattr(e, "lines", None) or []:
            occupation_of[line["line_id"]] = line["occupation_code"]

    def at(moment: datetime) -> dict[str, tuple[int, int, int]]:
        latest: dict[Any, dict[str, Any]] = {}
        for r in records.values():
            if r["at"] < moment:
                held = latest.get(r["enterprise"])
                if held is None or (r["at"], r["n"]) > (held["at"], held["n"]):
                    latest[r["enterprise"]] = r
        figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for enterprise, r in latest.items():
            filled = [line for line in r["lines"] if line["line_id"] in fills
                      and fills[line["line_id"]][0] < moment]  # fmt: skip
            placed = sum(fills[line["line_id"]][1] for line in filled)
            shortfall = max(0, r["shortfall"] - placed)
            open_lines = [line for line in r["lines"] if line not in filled]
            if dimension == "OCCUPATION":
                by_code: dict[str, int] = defaultdict(int)
                for line in open_lines:
                    by_code[line["occupation_code"]] += line["count"]
                for code, count in by_code.items():
                    figures[code][0] += count
                    figures[code][1] += count
                    figures[code][2] += 1 if count else 0
                continue
            district, industry = where[enterprise]
            key = district if dimension == "DISTRICT" else industry
            figures[key][0] += shortfall
            figures[key][1] += sum(line["count"] for line in open_lines)
            figures[key][2] += 1 if shortfall else 0
        return {k: (v[0], v[1], v[2]) for k, v in figures.items()}

    now, before = at(end), at(start)
    placed: dict[str, int] = defaultdict(int)
    for line_id, (moment, count) in fills.items():
        if start <= moment < end:
            district, industry = where[owner[line_id]]
            key = {"DISTRICT": district, "INDUSTRY": industry}.get(dimension)
            placed[key or occupation_of[line_id]] += count
    rows = {}
    for key in set(now) | set(before) | set(placed):
        shortfall, open_count, enterprises = now.get(key, (0, 0, 0))
        previous_shortfall, previous_open, _ = before.get(key, (0, 0, 0))
        row = (enterprises, shortfall, open_count, previous_shortfall, previous_open, placed[key])
        if any(row[1:]):
            rows[key] = row
    return rows


def test_the_years_demand_map_equals_a_direct_count_over_the_events(
    seeded: tuple[Container, DemoSummary],
) -> None:
    """用工需求地图 from the read model, by district, industry cluster and occupation, for a
    month, a quarter and the year, equals the count made here from the events themselves."""
    from projections.labour_needs import MapScope
    from projections.league_table import parse_period

    container, summary = seeded
    counts = summary.log.counts
    assert counts["EnterpriseRelationship.LabourRecorded"] > 20
    if not container.projections.leaders:  # not started yet by an earlier test of the module
        container.projections.start()
    container.projections.wait_for(container.app.last_position(), timeout=120)
    app = container.app
    notifications = app.recorder.select_notifications(start=1, limit=1_000_000)  # type: ignore[attr-defined]
    events = [app.mapper.to_domain_event(n) for n in notifications]
    view = container.views.labour_needs
    for label in ("2025-03", "2025-Q3", "2025"):
        period = parse_period(label)
        for dimension in ("DISTRICT", "INDUSTRY", "OCCUPATION"):
            rows = view.demand_map(period.first, period.last, MapScope(), dimension)
            from_view = {
                r.key: (r.enterprises, r.shortfall, r.open_vacancies, r.previous_shortfall,
                        r.previous_open_vacancies, r.placed)
                for r in rows
            }  # fmt: skip
            expected = direct_labour_map(events, period.first, period.last, dimension)
            assert from_view == expected, (label, dimension)
            assert any(row[1] for row in expected.values()), (label, dimension)


def test_a_set_based_rebuild_writes_every_row_an_event_by_event_replay_writes(
    seeded: tuple[Container, DemoSummary], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each view with a fold (projections/base.py Fold) built from the small year folded in
    one stretch (COPY into empty tables) and in stretches of a few rows (staged and merged
    into rows already written; corrections, refusals and erasures of earlier stretches' rows
    run as the view's statements): every table equal, row by row, to the live version the
    host built event by event."""
    from projection_runtime.runners import fold_up
    from projections.base import Fold
    from tests.integration.test_projection_rebuild import _contents

    container, summary = seeded
    assert summary.log.counts["EnterpriseRelationship.PersonalDataErased"] > 0
    assert summary.log.counts["Issue.DispatchRefused"] > 0
    folded = [name for name, (view_class, _) in PROJECTIONS.items() if view_class.fold_class]
    assert {"visit_history", "kpi", "enterprise_directory", "issue_board", "labour_needs",
            "publicity", "reference_data"} <= set(folded)  # fmt: skip
    assert summary.log.counts["EnterpriseRelationship.LabourCorrected"] > 0
    # The directory opens the personal data of these only (personal_data_events): its rows
    # must still equal the live version's, which opened every event's.
    assert summary.log.counts["EnterpriseRelationship.ContactsChanged"] > 0
    if not container.projections.leaders:  # not started yet by an earlier test of the module
        container.projections.start()
    _add_what_the_year_lacks(container)
    head = container.app.last_position()
    container.projections.wait_for(head, timeout=120)
    for name in folded:
        built: dict[str, int] = {}
        for number, (how, max_rows) in enumerate(
            (("one stretch", None), ("small stretches", 20)), 600
        ):
            if max_rows is not None:
                monkeypatch.setattr(Fold, "MAX_ROWS", max_rows)
            view, projection = container.catalogue.projection_at(name, number)
            try:  # a stretch ends between batches (of 100 here): some 50 stretches a view
                assert fold_up(container.app, projection, view, batch_size=100) == head
                assert view.position() == head
            finally:
                view.datastore.close()
            built[how] = number
            monkeypatch.undo()
        for suffix in PROJECTIONS[name][0].tables():
            live = _contents(container, name, suffix)  # the readers' names: the live version
            assert live or suffix == "corrections", f"{name}_{suffix} is empty"
            for how in ("one stretch", "small stretches"):
                assert _contents(container, f"{name}_v{built[how]}", suffix) == live, (
                    f"{name}_{suffix} folded in {how} differs from the event-by-event version"
                )


def test_every_view_rebuilt_from_one_read_writes_every_row_each_view_rebuilt_alone_writes(
    seeded: tuple[Container, DemoSummary], monkeypatch: pytest.MonkeyPatch
) -> None:
    """rebuild_all folds every view from one read of the small year, each event given to
    every view before the next, the views sharing one cache of enterprise and issue states
    (closed issues, reopenings and erasures included), in stretches of a few rows: every
    table of every view equal, row by row, to the view rebuilt alone (which the test above
    holds equal to the live version)."""
    from projection_runtime.admin import rebuild_all
    from projection_runtime.runners import fold_up
    from projections.base import Fold
    from tests.integration.test_projection_rebuild import _contents

    container, summary = seeded
    assert summary.log.counts["EnterpriseRelationship.PersonalDataErased"] > 0
    head = container.app.last_position()
    monkeypatch.setattr(Fold, "MAX_ROWS", 50)
    reports = rebuild_all(container.catalogue, container.versions, batch_size=100)
    for number, report in enumerate(reports, 700):
        # Each switch caught its version up to where the version it replaced stood (the
        # live host's position, the log's head once the host has caught up): compared there.
        rebuilt, _ = container.catalogue.projection_at(report.name, report.new_version)
        reached = rebuilt.position()
        rebuilt.datastore.close()
        assert report.events == reached and head - 100 <= reached <= head
        view, projection = container.catalogue.projection_at(report.name, number)
        try:
            assert (
                fold_up(container.app, projection, view, until=reached, batch_size=100) == reached
            )
        finally:
            view.datastore.close()
        for suffix in PROJECTIONS[report.name][0].tables():
            if suffix == "tracking":
                continue
            together = _contents(container, f"{report.name}_v{report.new_version}", suffix)
            # The year holds no publicity activities until the test above adds them.
            assert together or suffix == "corrections" or report.name == "publicity", suffix
            assert together == _contents(container, f"{report.name}_v{number}", suffix), (
                f"{report.name}_{suffix} rebuilt with every view differs from it rebuilt alone"
            )


def _add_what_the_year_lacks(container: Container) -> None:
    """Rows the small year leaves out, spread so that stretches of 100 events split them
    (saved a few stretches at a time, not command by command): 25 departments; 150 publicity
    activities, each reaching one to three of the year's enterprises, one of them cancelled
    at once; 25 direct-report points; then every seventh activity cancelled (most of them
    written by an earlier stretch)."""
    from domain.publicity import PublicityActivity
    from domain.registry import Department, ReportingPoint
    from domain.shared import Actor

    app, admin = container.app, Actor("admin-fold", "管理员", "ADMIN")
    commissioner, now = Actor("c-fold", "专员", "COMMISSIONER"), container.app.now()
    container.projections.wait_for(app.last_position(), timeout=120)  # the year's rows read
    with psycopg.connect(container.address.conninfo()) as conn:
        rows = conn.execute("SELECT id FROM enterprise_directory_rows ORDER BY id").fetchall()
    enterprises = [str(r[0]) for r in rows]
    app.save(*(
        Department.register(department_id=f"fold-dept-{n}", name=f"处室{n}",
                            district="渝中区" if n % 2 else None, actor=admin, timestamp=now)
        for n in range(25)
    ))  # fmt: skip
    activities = [
        PublicityActivity.log(
            kind="SEMINAR", title=f"宣讲{n}", held_on=date(2025, 3, 1 + n % 28),
            district="渝中区", policy_codes=[], catalogue=app.catalogue_for([]),
            enterprise_ids=[enterprises[(n + k) % len(enterprises)] for k in range(1 + n % 3)],
            actor=commissioner, timestamp=now,
        )
        for n in range(150)
    ]  # fmt: skip
    activities[40].cancel("重复登记", actor=commissioner, timestamp=now)
    app.save(*activities)
    app.save(*(
        ReportingPoint.register(point_id=f"fold-point-{n}", name=f"直报点{n}",
                                district="江北区", actor=admin, timestamp=now)
        for n in range(25)
    ))  # fmt: skip
    for activity in activities[::7]:
        activity.cancel("重复登记", actor=commissioner, timestamp=now)
    app.save(*activities[::7])
    _correct_three_records_of_the_year(container, admin)


def _correct_three_records_of_the_year(container: Container, admin: Any) -> None:
    """Three enterprises' current labour records, written early in the log, corrected twice
    each at its end: their open lines (neither filled nor raised as a demand) less the last
    (the first kept alone if it was the only one), one more person wanted on the first."""
    from application.labour import RecordLabour

    line_columns = "line_id, occupation_code, count, wage_min, wage_max, skill_level, needed_by"
    with psycopg.connect(container.address.conninfo()) as conn:
        records = conn.execute(
            "SELECT * FROM (SELECT DISTINCT ON (r.enterprise_id) r.enterprise_id, r.record_id,"
            " r.employees, r.position FROM labour_needs_records r JOIN enterprise_directory_rows d"
            " ON d.id = r.enterprise_id WHERE d.status = 'ACTIVE'"
            " ORDER BY r.enterprise_id, r.position DESC) c WHERE EXISTS (SELECT FROM"
            " labour_needs_lines l WHERE l.record_id = c.record_id AND l.line_id NOT IN"
            " (SELECT line_id FROM labour_needs_fills UNION SELECT line_id FROM"
            " labour_needs_demands)) ORDER BY position LIMIT 3"
        ).fetchall()
        lines = {
            record_id: [
                dict(zip(line_columns.split(", "), line, strict=True))
                for line in conn.execute(
                    f"SELECT {line_columns} FROM labour_needs_lines WHERE record_id = %s"
                    " AND line_id NOT IN (SELECT line_id FROM labour_needs_fills UNION"
                    " SELECT line_id FROM labour_needs_demands) ORDER BY n",
                    (record_id,),
                ).fetchall()
            ]
            for _, record_id, _, _ in records
        }
    assert len(records) == 3
    for enterprise_id, record_id, employees, _ in records:
        kept = lines[record_id][: max(1, len(lines[record_id]) - 1)]
        for _ in range(2):
            kept[0]["count"] += 1
            cmd = RecordLabour(enterprise_id=enterprise_id, employees=employees,
                               shortfall=sum(line["count"] for line in kept), lines=kept,
                               record_id=record_id)  # fmt: skip
            container.app.correct_labour(cmd, "补记：企业追加岗位需求", admin)
