"""Labour needs (用工需求): every enterprise's labour records, their vacancy lines, the demands
raised from them and their placements; the current needs, the history and the demand map.

The map at an instant T counts, per enterprise, its latest record observed before T (as
corrected): the lines of that record not filled before T are its open vacancies, and its
shortfall is the record's less the people placed on those lines before T (never below 0).
tests/integration/test_labour_map.py checks this against a direct count over the events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.enterprise import EnterpriseRelationship as ER
from domain.shared import BEIJING_TIME
from projections.base import Fold, View, columns_of, rows_of
from projections.state import ProjectionStates


@dataclass(frozen=True)
class LineRow:
    record_id: str
    line_id: str
    enterprise_id: UUID
    occupation_code: str
    count: int
    wage_min: int | None
    wage_max: int | None
    skill_level: str
    needed_by: date | None
    n: int  # the line's place in its record


@dataclass(frozen=True)
class RecordRow:
    record_id: str
    enterprise_id: UUID
    district: str
    industry: str | None
    visit_id: str | None
    observed_at: datetime
    employees: int
    shortfall: int
    shortfall_note: str | None
    commissioner_id: str
    position: int
    corrections: int


@dataclass(frozen=True)
class FillRow:
    line_id: str
    enterprise_id: UUID
    placed: int
    channel: str
    issue_id: str | None
    filled_at: datetime


@dataclass(frozen=True)
class DemandRow:
    line_id: str
    issue_id: str
    enterprise_id: UUID
    category: str
    raised_at: datetime


@dataclass(frozen=True)
class VacancyLine:
    """A line as a reader sees it: its record's row, and whether (and how) it was filled."""

    line: LineRow
    fill: FillRow | None
    demand: DemandRow | None


@dataclass(frozen=True)
class LabourRecordView:
    record: RecordRow
    lines: list[VacancyLine]


@dataclass(frozen=True)
class Snapshot:
    """One enterprise's figures at an instant: its shortfall and open lines by occupation."""

    enterprise_id: UUID
    district: str
    industry: str | None
    shortfall: int
    open_by_occupation: dict[str, int]


@dataclass
class MapRow:
    """One row of the demand map: a district, an industry cluster or an occupation."""

    key: str
    enterprises: int = 0
    shortfall: int = 0
    open_vacancies: int = 0
    previous_shortfall: int = 0
    previous_open_vacancies: int = 0
    placed: int = 0

    @property
    def shortfall_change(self) -> int:
        return self.shortfall - self.previous_shortfall

    @property
    def open_vacancies_change(self) -> int:
        return self.open_vacancies - self.previous_open_vacancies


@dataclass(frozen=True)
class MapScope:
    """Which enterprises a reader's map counts (None: no restriction of that kind)."""

    only_enterprise_ids: tuple[UUID, ...] | None = None
    only_districts: tuple[str, ...] | None = None


DIMENSIONS = ("DISTRICT", "INDUSTRY", "OCCUPATION")
UNKNOWN_INDUSTRY = ""

_RECORD, _LINE, _FILL, _DEMAND = (
    columns_of(RecordRow),
    columns_of(LineRow),
    columns_of(FillRow),
    columns_of(DemandRow),
)


class LabourNeedsView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_records ("
        " record_id text PRIMARY KEY, enterprise_id uuid NOT NULL, district text NOT NULL,"
        " industry text, visit_id text, observed_at timestamptz NOT NULL,"
        " employees integer NOT NULL, shortfall integer NOT NULL, shortfall_note text,"
        " commissioner_id text NOT NULL, position bigint NOT NULL,"
        " corrections integer NOT NULL DEFAULT 0)",
        "CREATE INDEX IF NOT EXISTS {p}_records_enterprise_idx"
        " ON {p}_records (enterprise_id, observed_at DESC, position DESC)",
        "CREATE TABLE IF NOT EXISTS {p}_lines ("
        " record_id text NOT NULL, line_id text NOT NULL, enterprise_id uuid NOT NULL,"
        " occupation_code text NOT NULL, count integer NOT NULL, wage_min integer,"
        " wage_max integer, skill_level text NOT NULL, needed_by date, n integer NOT NULL,"
        " PRIMARY KEY (record_id, line_id))",
        "CREATE TABLE IF NOT EXISTS {p}_fills ("
        " line_id text PRIMARY KEY, enterprise_id uuid NOT NULL, placed integer NOT NULL,"
        " channel text NOT NULL, issue_id text, filled_at timestamptz NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {p}_demands ("
        " issue_id text PRIMARY KEY, line_id text NOT NULL, enterprise_id uuid NOT NULL,"
        " category text NOT NULL, raised_at timestamptz NOT NULL)",
    )

    # ------------------------------------------------------------ writes

    def put_record(
        self, record: dict[str, Any], lines: list[dict[str, Any]], tracking: Tracking
    ) -> None:
        """A record (or its correction: the same record id) with all its lines."""
        with self.tracked(tracking) as curs:
            columns = list(record)
            keep = ("position", "visit_id", "observed_at", "corrections")
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keep)
            curs.execute(
                f"INSERT INTO {self.prefix}_records ({', '.join(columns)})"
                f" VALUES ({', '.join('%(' + c + ')s' for c in columns)})"
                f" ON CONFLICT (record_id) DO UPDATE SET {updates},"
                f" corrections = {self.prefix}_records.corrections + 1",  # type: ignore[arg-type]
                record,
            )
            curs.execute(
                f"DELETE FROM {self.prefix}_lines WHERE record_id = %s",  # type: ignore[arg-type]
                (record["record_id"],),
            )
            for line in lines:
                curs.execute(
                    f"INSERT INTO {self.prefix}_lines ({_LINE})"
                    f" VALUES ({', '.join('%(' + c + ')s' for c in _LINE.split(', '))})",  # type: ignore[arg-type]
                    {
                        **line,
                        "record_id": record["record_id"],
                        "enterprise_id": record["enterprise_id"],
                    },
                )

    def put_fill(self, row: FillRow, tracking: Tracking) -> None:
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_fills ({_FILL}) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                (
                    row.line_id,
                    row.enterprise_id,
                    row.placed,
                    row.channel,
                    row.issue_id,
                    row.filled_at,
                ),
            )

    def put_demand(self, row: DemandRow, tracking: Tracking) -> None:
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_demands ({_DEMAND}) VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                (row.line_id, row.issue_id, row.enterprise_id, row.category, row.raised_at),
            )

    # ------------------------------------------------------------ reads

    def history(self, enterprise_id: UUID, limit: int = 100) -> list[LabourRecordView]:
        """The enterprise's records, newest first (the first is its current situation)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_RECORD} FROM {self.prefix}_records WHERE enterprise_id = %s"
                " ORDER BY observed_at DESC, position DESC LIMIT %s",  # type: ignore[arg-type]
                (enterprise_id, limit),
            )
            records = [RecordRow(**r) for r in curs.fetchall()]
            curs.execute(
                f"SELECT {_LINE} FROM {self.prefix}_lines WHERE enterprise_id = %s"
                " ORDER BY record_id, n",  # type: ignore[arg-type]
                (enterprise_id,),
            )
            lines = [LineRow(**r) for r in curs.fetchall()]
            curs.execute(
                f"SELECT {_FILL} FROM {self.prefix}_fills WHERE enterprise_id = %s",  # type: ignore[arg-type]
                (enterprise_id,),
            )
            fills = {r["line_id"]: FillRow(**r) for r in curs.fetchall()}
            curs.execute(
                f"SELECT {_DEMAND} FROM {self.prefix}_demands WHERE enterprise_id = %s",  # type: ignore[arg-type]
                (enterprise_id,),
            )
            demands = {r["line_id"]: DemandRow(**r) for r in curs.fetchall()}
        by_record: dict[str, list[VacancyLine]] = defaultdict(list)
        for line in lines:
            by_record[line.record_id].append(
                VacancyLine(line, fills.get(line.line_id), demands.get(line.line_id))
            )
        return [LabourRecordView(r, by_record.get(r.record_id, [])) for r in records]

    def snapshots(self, at: datetime, scope: MapScope) -> list[Snapshot]:
        """Every enterprise's figures at the instant `at` (see the module's rule)."""
        where, params = _scope_sql(scope)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"WITH latest AS (SELECT DISTINCT ON (enterprise_id) record_id, enterprise_id,"
                f" district, industry, shortfall FROM {self.prefix}_records"
                f" WHERE observed_at < %s {where}"
                " ORDER BY enterprise_id, observed_at DESC, position DESC)"
                " SELECT t.enterprise_id, t.district, t.industry, t.shortfall,"
                " l.occupation_code, l.count, (f.filled_at IS NOT NULL AND f.filled_at < %s)"
                " AS filled, coalesce(f.placed, 0) AS placed"
                f" FROM latest t LEFT JOIN {self.prefix}_lines l ON l.record_id = t.record_id"
                f" LEFT JOIN {self.prefix}_fills f ON f.line_id = l.line_id",  # type: ignore[arg-type]
                [at, *params, at],
            )
            rows = curs.fetchall()
        found: dict[UUID, dict[str, Any]] = {}
        for r in rows:
            e = found.setdefault(
                r["enterprise_id"],
                {"district": r["district"], "industry": r["industry"], "shortfall": r["shortfall"],
                 "placed": 0, "open": defaultdict(int)},
            )  # fmt: skip
            if r["occupation_code"] is None:
                continue
            if r["filled"]:
                e["placed"] += r["placed"]
            else:
                e["open"][r["occupation_code"]] += r["count"]
        return [
            Snapshot(
                enterprise_id,
                e["district"],
                e["industry"],
                max(0, e["shortfall"] - e["placed"]),
                dict(e["open"]),
            )
            for enterprise_id, e in found.items()
        ]

    def placements(self, start: datetime, end: datetime, scope: MapScope) -> list[dict[str, Any]]:
        """The fills in [start, end), with their enterprise's district, industry, occupation."""
        where, params = _scope_sql(scope, "r.")
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT DISTINCT ON (f.line_id) f.line_id, f.placed, r.district, r.industry,"
                f" l.occupation_code FROM {self.prefix}_fills f"
                f" JOIN {self.prefix}_lines l ON l.line_id = f.line_id"
                f" JOIN {self.prefix}_records r ON r.record_id = l.record_id"
                f" WHERE f.filled_at >= %s AND f.filled_at < %s {where}"
                " ORDER BY f.line_id",  # type: ignore[arg-type]
                [start, end, *params],
            )
            return [dict(r) for r in curs.fetchall()]

    def demand_map(self, first: date, last: date, scope: MapScope, dimension: str) -> list[MapRow]:
        """The map for the period [first, last] (Beijing dates): the figures at its end beside
        those at its start (the previous period's end), and the placements within it."""
        start, end = instant(first), instant(last + timedelta(days=1))
        now = self.snapshots(end, scope)
        before = self.snapshots(start, scope)
        fills = self.placements(start, end, scope)
        return map_rows(now, before, fills, dimension)


_RECORD_COLUMNS = tuple(_RECORD.split(", "))
_LINE_COLUMNS = tuple(_LINE.split(", "))
_FILL_COLUMNS = tuple(_FILL.split(", "))
_DEMAND_COLUMNS = tuple(_DEMAND.split(", "))
# What a correction of a record leaves as it was first written (put_record's statement).
_RECORD_KEPT = ("position", "visit_id", "observed_at", "corrections")


class LabourNeedsFold(Fold):
    """LabourNeedsView's writes folded in memory for a rebuild (see projections/base.py
    Fold). A record put again within the stretch is updated as put_record's ON CONFLICT
    updates it (its first position, visit and time kept, one more correction) and its lines
    replaced; a record already written by an earlier stretch merges the same way (its
    corrections plus this stretch's puts) after its old lines are deleted. A fill or a demand
    already held (or written) is kept: the statements' ON CONFLICT DO NOTHING."""

    view: LabourNeedsView

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.records: dict[str, dict[str, Any]] = {}
        self.lines: dict[str, list[tuple[Any, ...]]] = {}  # by record: its current lines
        self.line_count = 0
        self.fills: dict[str, tuple[Any, ...]] = {}
        self.demands: dict[str, tuple[Any, ...]] = {}

    def size(self) -> int:
        return len(self.records) + self.line_count + len(self.fills) + len(self.demands)

    def put_record(
        self, record: dict[str, Any], lines: list[dict[str, Any]], tracking: Tracking
    ) -> None:
        record_id = record["record_id"]
        held = self.records.get(record_id)
        if held is None:
            # corrections: the puts after the first (a row already written adds its own + 1)
            self.records[record_id] = {**record, "corrections": 0}
        else:
            held.update({c: v for c, v in record.items() if c not in _RECORD_KEPT})
            held["corrections"] += 1
        extra = {"record_id": record_id, "enterprise_id": record["enterprise_id"]}
        rows = [tuple({**line, **extra}[c] for c in _LINE_COLUMNS) for line in lines]
        self.line_count += len(rows) - len(self.lines.get(record_id, ()))
        self.lines[record_id] = rows

    def put_fill(self, row: FillRow, tracking: Tracking) -> None:
        self.fills.setdefault(row.line_id, tuple(getattr(row, c) for c in _FILL_COLUMNS))

    def put_demand(self, row: DemandRow, tracking: Tracking) -> None:
        self.demands.setdefault(row.issue_id, tuple(getattr(row, c) for c in _DEMAND_COLUMNS))

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        records, lines, fills, demands = self.records, self.lines, self.fills, self.demands
        self.records, self.lines, self.fills, self.demands = {}, {}, {}, {}
        self.line_count = 0
        updated = [c for c in _RECORD_COLUMNS if c not in _RECORD_KEPT]
        return [
            ("records", _RECORD_COLUMNS,
             rows_of(records.values(), _RECORD_COLUMNS),
             "ON CONFLICT (record_id) DO UPDATE SET "
             + ", ".join(f"{c} = EXCLUDED.{c}" for c in updated)
             + ", corrections = {t}.corrections + EXCLUDED.corrections + 1"),
            ("lines", _LINE_COLUMNS, [row for rows in lines.values() for row in rows], ""),
            ("fills", _FILL_COLUMNS, list(fills.values()), "ON CONFLICT DO NOTHING"),
            ("demands", _DEMAND_COLUMNS, list(demands.values()), "ON CONFLICT DO NOTHING"),
        ]  # fmt: skip

    def flush(self) -> None:
        if not self.empty and self.lines:  # put_record's DELETE: the lines written before go
            self.curs.execute(
                f"DELETE FROM {self.view.prefix}_lines WHERE record_id = ANY(%s)",  # type: ignore[arg-type]
                (list(self.lines),),
            )
        super().flush()


LabourNeedsView.fold_class = LabourNeedsFold


def instant(day: date) -> datetime:
    """Midnight at the start of a Beijing day."""
    return datetime.combine(day, time(0), BEIJING_TIME)


def _scope_sql(scope: MapScope, alias: str = "") -> tuple[str, list[Any]]:
    where, params = "", list[Any]()
    if scope.only_enterprise_ids is not None:
        where += f" AND {alias}enterprise_id = ANY(%s)"
        params.append(list(scope.only_enterprise_ids))
    if scope.only_districts is not None:
        where += f" AND {alias}district = ANY(%s)"
        params.append(list(scope.only_districts))
    return where, params


def _keys(snapshot: Snapshot, dimension: str) -> dict[str, tuple[int, int]]:
    """Where a snapshot counts in a dimension: key → (shortfall, open vacancies). By
    occupation, an enterprise's shortfall is its open vacancies of that occupation."""
    if dimension == "OCCUPATION":
        return {code: (n, n) for code, n in snapshot.open_by_occupation.items()}
    key = snapshot.district if dimension == "DISTRICT" else (snapshot.industry or UNKNOWN_INDUSTRY)
    return {key: (snapshot.shortfall, sum(snapshot.open_by_occupation.values()))}


def map_rows(
    now: list[Snapshot], before: list[Snapshot], fills: list[dict[str, Any]], dimension: str
) -> list[MapRow]:
    """The map's rows, largest shortfall first; a key with nothing now or before is left out."""
    rows: dict[str, MapRow] = {}
    for snapshot in now:
        for key, (shortfall, open_count) in _keys(snapshot, dimension).items():
            row = rows.setdefault(key, MapRow(key))
            row.shortfall += shortfall
            row.open_vacancies += open_count
            row.enterprises += 1 if shortfall > 0 else 0
    for snapshot in before:
        for key, (shortfall, open_count) in _keys(snapshot, dimension).items():
            row = rows.setdefault(key, MapRow(key))
            row.previous_shortfall += shortfall
            row.previous_open_vacancies += open_count
    field_of = {"DISTRICT": "district", "INDUSTRY": "industry", "OCCUPATION": "occupation_code"}
    for fill in fills:
        key = fill[field_of[dimension]] or UNKNOWN_INDUSTRY
        rows.setdefault(key, MapRow(key)).placed += fill["placed"]
    kept = [r for r in rows.values() if r.shortfall or r.previous_shortfall or r.placed
            or r.open_vacancies or r.previous_open_vacancies]  # fmt: skip
    return sorted(kept, key=lambda r: (-r.shortfall, -r.open_vacancies, r.key))


class LabourNeedsProjection(Projection[LabourNeedsView]):
    name = "labour_needs"
    topics = ()

    def __init__(self, view: LabourNeedsView, states: ProjectionStates) -> None:
        super().__init__(view)
        self.states = states

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: ER.Event, tracking: Tracking) -> None:
        enterprise = self.states.enterprise(e)  # every event keeps the profile current
        if isinstance(e, ER.LabourRecorded | ER.LabourCorrected):
            record = {
                "record_id": e.record_id,
                "enterprise_id": enterprise.id,
                "district": enterprise.district,
                "industry": enterprise.industry,
                "employees": e.employees,
                "shortfall": e.shortfall,
                "shortfall_note": e.shortfall_note,
                "commissioner_id": enterprise.commissioner_id or e.actor.id,
                "position": tracking.notification_id,
            }
            if isinstance(e, ER.LabourRecorded):
                record.update(visit_id=e.visit_id, observed_at=e.observed_at)
            else:  # only read on a first insert, which a correction never is
                record.update(visit_id=None, observed_at=e.timestamp)
            self.view.put_record(
                record, [line_row(line, n) for n, line in enumerate(e.lines)], tracking
            )
        elif isinstance(e, ER.VacancyFilled):
            fill = FillRow(e.line_id, enterprise.id, e.placed, e.channel, e.issue_id, e.timestamp)
            self.view.put_fill(fill, tracking)
        elif isinstance(e, ER.VacancyDemandRaised):
            demand = DemandRow(e.line_id, e.issue_id, enterprise.id, e.category, e.timestamp)
            self.view.put_demand(demand, tracking)
        else:
            self.view.insert_tracking(tracking)


def line_row(line: dict[str, Any], n: int) -> dict[str, Any]:
    needed_by = line.get("needed_by")
    return {
        "line_id": line["line_id"],
        "occupation_code": line["occupation_code"],
        "count": line["count"],
        "wage_min": line.get("wage_min"),
        "wage_max": line.get("wage_max"),
        "skill_level": line["skill_level"],
        "needed_by": date.fromisoformat(needed_by) if needed_by else None,
        "n": n,
    }
