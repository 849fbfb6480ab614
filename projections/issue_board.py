"""Issue board (诉求看板): each issue's current state, deadlines and counts, plus its timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.personal_data import erase_free_text, erase_free_text_value
from domain.shared import beijing
from domain.time_limits import SlaPolicy, WorkingCalendar, is_clock_stopped
from projections.base import (
    Fold,
    View,
    columns_of,
    decode_cursor,
    encode_cursor,
    json_text,
    rows_of,
)
from projections.state import ProjectionStates

OPEN = ("RAISED", "DISPATCHED", "IN_PROGRESS", "SUSPENDED", "RESOLVED", "AWAITING_EVALUATION")


@dataclass(frozen=True)
class IssueRow:
    id: UUID
    kind: str
    category: str
    status: str
    title: str
    description: str
    enterprise_id: UUID | None
    reporting_point_id: str | None
    visit_id: str | None
    district: str | None
    lead_department_id: str | None
    assisting_department_ids: list[str]
    raised_by_id: str
    raised_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    resolved_at: datetime | None
    approved_at: datetime | None
    closed_at: datetime | None
    accept_due_at: datetime | None
    resolve_due_at: datetime | None
    clock_stopped: bool
    resolution: str | None
    evidence: list[str]
    satisfaction: str | None
    resolver_id: str | None
    rework_count: int
    dispatch_refusal_count: int
    escalation_count: int
    raised_position: int
    position: int

    @property
    def cursor(self) -> str:
        return encode_cursor(self.raised_position)

    def is_overdue(self, now: datetime) -> bool:
        """Overdue depends on the clock, so it is decided when asked, from stored deadlines."""
        if self.status not in OPEN or self.clock_stopped:
            return False
        if self.status == "DISPATCHED" and self.accept_due_at and now > self.accept_due_at:
            return True
        unresolved = self.status in ("DISPATCHED", "IN_PROGRESS")
        return bool(unresolved and self.resolve_due_at and now > self.resolve_due_at)


@dataclass(frozen=True)
class TimelineRow:
    issue_id: UUID
    position: int
    type: str
    at: datetime
    actor_id: str
    actor_name: str
    actor_role: str
    note: str | None
    # A dispatch's departments (派单: the lead and the assisting); none on other entries.
    lead_department_id: str | None = None
    assisting_department_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UnitCounts:
    """A department's or a direct-report point's open issues and the enterprises they concern."""

    open_issues: int = 0
    enterprises_served: int = 0


@dataclass(frozen=True)
class IssueFilter:
    statuses: tuple[str, ...] = ()
    kind: str | None = None
    category: str | None = None
    department_id: str | None = None
    district: str | None = None
    enterprise_id: UUID | None = None
    overdue: bool | None = None
    now: datetime | None = None
    # Row-level access, set from the caller's token (None: no restriction of that kind).
    only_department_id: str | None = None
    only_reporting_point_id: str | None = None
    only_enterprise_ids: tuple[UUID, ...] | None = None
    only_districts: tuple[str, ...] | None = None
    # "raised" (newest last), "resolved" (the audit queue: oldest first) or "deadline" (the
    # next deadline first: accepting a dispatch, else resolving; none last).
    order: str = "raised"


# The deadline running now: accepting while dispatched, resolving while in progress; an issue
# with none running (raised, suspended, resolved, closed) sorts after every dated one (at a far
# date, not 'infinity', which no cursor could carry).
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)
_NEXT_DUE = (
    "coalesce(CASE status WHEN 'DISPATCHED' THEN accept_due_at"
    " WHEN 'IN_PROGRESS' THEN resolve_due_at END,"
    f" '{NO_DEADLINE.isoformat()}'::timestamptz)"
)
_ORDERS = {
    "raised": ("raised_position", "(raised_position)"),
    "resolved": ("resolved_at, raised_position", "(resolved_at, raised_position)"),
    "deadline": (f"{_NEXT_DUE}, raised_position", f"({_NEXT_DUE}, raised_position)"),
}


@dataclass(frozen=True)
class IssuePage:
    rows: list[IssueRow]
    has_next_page: bool
    total_count: int


@dataclass
class _Where:
    clauses: list[str] = field(default_factory=lambda: ["TRUE"])
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses)


_ROW, _TIMELINE = columns_of(IssueRow), columns_of(TimelineRow)


class IssueBoardView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_rows ("
        " id uuid PRIMARY KEY, kind text NOT NULL, category text NOT NULL, status text NOT NULL,"
        " title text NOT NULL, description text NOT NULL, enterprise_id uuid,"
        " reporting_point_id text, visit_id text, district text, lead_department_id text,"
        " assisting_department_ids text[] NOT NULL, raised_by_id text NOT NULL,"
        " raised_at timestamptz NOT NULL, dispatched_at timestamptz, accepted_at timestamptz,"
        " resolved_at timestamptz, approved_at timestamptz, closed_at timestamptz,"
        " accept_due_at timestamptz, resolve_due_at timestamptz, clock_stopped boolean NOT NULL,"
        " resolution text, evidence jsonb NOT NULL, satisfaction text, resolver_id text,"
        " rework_count int NOT NULL, dispatch_refusal_count int NOT NULL,"
        " escalation_count int NOT NULL, raised_position bigint NOT NULL, position bigint NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_status_idx ON {p}_rows (status, raised_position)",
        "CREATE INDEX IF NOT EXISTS {p}_enterprise_idx ON {p}_rows (enterprise_id, raised_position)",
        "CREATE INDEX IF NOT EXISTS {p}_lead_idx ON {p}_rows (lead_department_id, raised_position)",
        "CREATE INDEX IF NOT EXISTS {p}_point_idx ON {p}_rows (reporting_point_id, raised_position)",
        "CREATE INDEX IF NOT EXISTS {p}_audit_idx ON {p}_rows (resolved_at) WHERE status = 'RESOLVED'",
        "CREATE TABLE IF NOT EXISTS {p}_timeline ("
        " issue_id uuid NOT NULL, position bigint NOT NULL, type text NOT NULL,"
        " at timestamptz NOT NULL, actor_id text NOT NULL, actor_name text NOT NULL,"
        " actor_role text NOT NULL, note text, lead_department_id text,"
        " assisting_department_ids text[] NOT NULL DEFAULT '{{}}',"
        " PRIMARY KEY (issue_id, position))",
        # The departments a dispatch ever reached: a department keeps reading issues it handled.
        "CREATE TABLE IF NOT EXISTS {p}_departments ("
        " issue_id uuid NOT NULL, department_id text NOT NULL,"
        " PRIMARY KEY (department_id, issue_id))",
    )

    def record(self, row: dict[str, Any], timeline: dict[str, Any], tracking: Tracking) -> None:
        """The issue's new state, one timeline entry and the position: one transaction."""
        row = {**row, "evidence": json_text(row["evidence"])}
        columns = list(row)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "raised_position")
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_rows ({', '.join(columns)})"
                f" VALUES ({', '.join('%(' + c + ')s' for c in columns)})"
                f" ON CONFLICT (id) DO UPDATE SET {updates}",  # type: ignore[arg-type]
                row,
            )
            curs.execute(
                f"INSERT INTO {self.prefix}_timeline VALUES (%(issue_id)s, %(position)s,"
                " %(type)s, %(at)s, %(actor_id)s, %(actor_name)s, %(actor_role)s, %(note)s,"
                " %(lead_department_id)s, %(assisting_department_ids)s)"
                " ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                timeline,
            )
            departments = [row["lead_department_id"], *row["assisting_department_ids"]]
            for department in filter(None, departments):
                curs.execute(
                    f"INSERT INTO {self.prefix}_departments VALUES (%s, %s) ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                    (row["id"], department),
                )

    def erase_people(self, enterprise_id: UUID, tracking: Tracking) -> None:
        """个人信息删除: personal data in the texts of the enterprise's issues reads （已删除）."""
        with self.tracked(tracking) as curs:
            curs.execute(
                f"SELECT id, title, description, resolution, evidence FROM {self.prefix}_rows"
                " WHERE enterprise_id = %s",  # type: ignore[arg-type]
                (enterprise_id,),
            )
            for r in curs.fetchall():
                curs.execute(
                    f"UPDATE {self.prefix}_rows SET title = %s, description = %s,"
                    " resolution = %s, evidence = %s WHERE id = %s",  # type: ignore[arg-type]
                    (
                        erase_free_text(r["title"]),
                        erase_free_text(r["description"]),
                        erase_free_text(r["resolution"]) if r["resolution"] else r["resolution"],
                        json_text(erase_free_text_value(r["evidence"])),
                        r["id"],
                    ),
                )
                curs.execute(
                    f"SELECT position, note FROM {self.prefix}_timeline"
                    " WHERE issue_id = %s AND note IS NOT NULL",  # type: ignore[arg-type]
                    (r["id"],),
                )
                for n in curs.fetchall():
                    if (note := erase_free_text(n["note"])) != n["note"]:
                        curs.execute(
                            f"UPDATE {self.prefix}_timeline SET note = %s"
                            " WHERE issue_id = %s AND position = %s",  # type: ignore[arg-type]
                            (note, r["id"], n["position"]),
                        )

    # Queries

    def get_many(self, ids: list[UUID]) -> list[IssueRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE id = ANY(%s)",  # type: ignore[arg-type]
                (ids,),
            )
            found = {r["id"]: IssueRow(**r) for r in curs.fetchall()}
        return [found[i] for i in ids if i in found]

    def department_counts(self, districts: tuple[str, ...] | None) -> dict[str, UnitCounts]:
        """Per department, of the issues now dispatched to it (lead or assisting): the open
        ones, and the distinct enterprises they concern; `districts` narrows the issues."""
        return self._unit_counts(
            "SELECT lead_department_id AS unit, id, status, enterprise_id, district"
            f" FROM {self.prefix}_rows WHERE lead_department_id IS NOT NULL UNION ALL"
            " SELECT unnest(assisting_department_ids), id, status, enterprise_id, district"
            f" FROM {self.prefix}_rows",
            districts,
        )

    def reporting_point_counts(self, districts: tuple[str, ...] | None) -> dict[str, UnitCounts]:
        """Per direct-report point, its open reports and the distinct enterprises they name."""
        return self._unit_counts(
            "SELECT reporting_point_id AS unit, id, status, enterprise_id, district"
            f" FROM {self.prefix}_rows WHERE reporting_point_id IS NOT NULL",
            districts,
        )

    def _unit_counts(self, units: str, districts: tuple[str, ...] | None) -> dict[str, UnitCounts]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT unit, count(DISTINCT id) FILTER (WHERE status = ANY(%s)) AS open_issues,"
                " count(DISTINCT enterprise_id) AS enterprises_served"
                f" FROM ({units}) u WHERE %s::text[] IS NULL OR district = ANY(%s)"
                " GROUP BY unit",  # type: ignore[arg-type]
                (list(OPEN), list(districts) if districts else None, list(districts or ())),
            )
            return {
                r["unit"]: UnitCounts(r["open_issues"], r["enterprises_served"])
                for r in curs.fetchall()
            }

    def timelines(self, ids: list[UUID]) -> dict[UUID, list[TimelineRow]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_TIMELINE} FROM {self.prefix}_timeline WHERE issue_id = ANY(%s)"
                " ORDER BY issue_id, position",  # type: ignore[arg-type]
                (ids,),
            )
            grouped: dict[UUID, list[TimelineRow]] = {i: [] for i in ids}
            for r in curs.fetchall():
                grouped[r["issue_id"]].append(TimelineRow(**r))
        return grouped

    def handled_by(self, department_id: str, ids: list[UUID]) -> set[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT issue_id FROM {self.prefix}_departments"
                " WHERE department_id = %s AND issue_id = ANY(%s)",  # type: ignore[arg-type]
                (department_id, ids),
            )
            return {r["issue_id"] for r in curs.fetchall()}

    def enterprise_handled_by(self, department_id: str, enterprise_id: UUID) -> bool:
        """A department may read the basic data of enterprises whose issues it handled."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT 1 FROM {self.prefix}_rows r JOIN {self.prefix}_departments d"
                " ON d.issue_id = r.id WHERE d.department_id = %s AND r.enterprise_id = %s"
                " LIMIT 1",  # type: ignore[arg-type]
                (department_id, enterprise_id),
            )
            return curs.fetchone() is not None

    def by_visit(self, visit_ids: list[str]) -> dict[str, list[IssueRow]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE visit_id = ANY(%s)"
                " ORDER BY raised_position",  # type: ignore[arg-type]
                (visit_ids,),
            )
            grouped: dict[str, list[IssueRow]] = {v: [] for v in visit_ids}
            for r in curs.fetchall():
                grouped[r["visit_id"]].append(IssueRow(**r))
        return grouped

    def page(self, flt: IssueFilter, first: int, after: str | None) -> IssuePage:
        where = self._where(flt)
        order, key_columns = _ORDERS[flt.order]
        key = decode_cursor(after, ("int",) if flt.order == "raised" else ("instant", "int"))
        page = _Where(list(where.clauses), list(where.params))
        if key:
            placeholders = ", ".join(["%s"] * len(key))
            page.add(f"{key_columns} > ({placeholders})", *key)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE {page.sql()} ORDER BY {order} LIMIT %s",  # type: ignore[arg-type]
                [*page.params, first + 1],
            )
            rows = [IssueRow(**r) for r in curs.fetchall()]
            curs.execute(
                f"SELECT count(*) AS n FROM {self.prefix}_rows WHERE {where.sql()}",  # type: ignore[arg-type]
                where.params,
            )
            total = curs.fetchone()
        return IssuePage(rows[:first], len(rows) > first, int(total["n"]) if total else 0)

    def audit_cursor(self, row: IssueRow) -> str:
        return encode_cursor(
            row.resolved_at.isoformat() if row.resolved_at else None, row.raised_position
        )

    @staticmethod
    def deadline_cursor(row: IssueRow) -> str:
        """A row's place in the "deadline" order (as _NEXT_DUE computes it)."""
        due = {"DISPATCHED": row.accept_due_at, "IN_PROGRESS": row.resolve_due_at}.get(row.status)
        return encode_cursor((due or NO_DEADLINE).isoformat(), row.raised_position)

    def _where(self, flt: IssueFilter) -> _Where:
        where = _Where()
        simple = [
            ("kind = %s", flt.kind),
            ("category = %s", flt.category),
            ("district = %s", flt.district),
            ("enterprise_id = %s", flt.enterprise_id),
            ("reporting_point_id = %s", flt.only_reporting_point_id),
        ]
        for clause, value in simple:
            if value is not None:
                where.add(clause, value)
        if flt.statuses:
            where.add("status = ANY(%s)", list(flt.statuses))
        if flt.department_id is not None:
            where.add("(lead_department_id = %s OR %s = ANY(assisting_department_ids))",
                      flt.department_id, flt.department_id)  # fmt: skip
        if flt.only_department_id is not None:
            where.add(
                f"id IN (SELECT issue_id FROM {self.prefix}_departments WHERE department_id = %s)",
                flt.only_department_id,
            )
        if flt.only_districts is not None:
            where.add("district = ANY(%s)", list(flt.only_districts))
        if flt.only_enterprise_ids is not None:
            where.add("enterprise_id = ANY(%s)", list(flt.only_enterprise_ids))
        if flt.overdue is not None and flt.now is not None:
            where.add(f"({_OVERDUE_SQL}) = %s", flt.now, flt.now, flt.overdue)
        return where


_OVERDUE_SQL = (
    "status IN ('DISPATCHED', 'IN_PROGRESS') AND NOT clock_stopped AND ("
    "(status = 'DISPATCHED' AND accept_due_at IS NOT NULL AND %s > accept_due_at) OR "
    "(resolve_due_at IS NOT NULL AND %s > resolve_due_at))"
)


_TIMELINE_COLUMNS = (
    "issue_id", "position", "type", "at", "actor_id", "actor_name", "actor_role", "note",
    "lead_department_id", "assisting_department_ids",
)  # fmt: skip


class IssueBoardFold(Fold):
    """IssueBoardView's writes folded in memory for a rebuild (see projections/base.py Fold):
    each issue's row as last recorded (its first raised position kept), its timeline entries
    and the departments it reached; an erasure writes what is held, then runs the view's
    statements."""

    view: IssueBoardView

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.timeline: dict[tuple[UUID, int], dict[str, Any]] = {}
        self.departments: set[tuple[UUID, str]] = set()

    def size(self) -> int:
        return len(self.rows) + len(self.timeline) + len(self.departments)

    def record(self, row: dict[str, Any], timeline: dict[str, Any], tracking: Tracking) -> None:
        row = {**row, "evidence": json_text(row["evidence"])}
        held = self.rows.get(row["id"])
        if held is None:
            self.rows[row["id"]] = row
        else:
            held.update({c: v for c, v in row.items() if c != "raised_position"})
        self.timeline.setdefault((timeline["issue_id"], timeline["position"]), timeline)
        departments = [row["lead_department_id"], *row["assisting_department_ids"]]
        self.departments.update((row["id"], d) for d in departments if d)

    def erase_people(self, enterprise_id: UUID, tracking: Tracking) -> None:
        self.flush()
        self.view.erase_people(enterprise_id, tracking)

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        rows, timeline, departments = self.rows, self.timeline, self.departments
        self.rows, self.timeline, self.departments = {}, {}, set()
        columns = tuple(next(iter(rows.values()), {}))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "raised_position")
        return [
            ("rows", columns, rows_of(rows.values(), columns),
             f"ON CONFLICT (id) DO UPDATE SET {updates}"),
            ("timeline", _TIMELINE_COLUMNS,
             rows_of(timeline.values(), _TIMELINE_COLUMNS),
             "ON CONFLICT DO NOTHING"),
            ("departments", ("issue_id", "department_id"), sorted(departments, key=repr),
             "ON CONFLICT DO NOTHING"),
        ]  # fmt: skip


IssueBoardView.fold_class = IssueBoardFold


class IssueBoardProjection(Projection[IssueBoardView]):
    name = "issue_board"
    topics = ()

    def __init__(
        self,
        view: IssueBoardView,
        states: ProjectionStates,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
    ) -> None:
        super().__init__(view)
        self.states = states
        self.sla = sla
        self.calendar = calendar

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: EnterpriseRelationship.PersonalDataErased, tracking: Tracking) -> None:
        self.states.forget_issues_of(e.originator_id)
        self.view.erase_people(e.originator_id, tracking)

    @process_event.register
    def _(self, e: Issue.Event, tracking: Tracking) -> None:
        issue = self.states.issue(e)
        self.view.record(
            issue_row(issue, self.sla, self.calendar, tracking), timeline_row(e, tracking), tracking
        )


def issue_row(
    issue: Issue, sla: SlaPolicy, calendar: WorkingCalendar, tracking: Tracking
) -> dict[str, Any]:
    deadlines = issue.deadlines(sla, calendar)
    resolve_due = deadlines.resolve_due_at
    stopped = resolve_due is not None and is_clock_stopped(resolve_due)
    return {
        "id": issue.id,
        "kind": issue.kind.value,
        "category": issue.category.value,
        "status": issue.status.value,
        "title": issue.title,
        "description": issue.description,
        "enterprise_id": UUID(issue.enterprise_id) if issue.enterprise_id else None,
        "reporting_point_id": issue.reporting_point_id,
        "visit_id": issue.visit_id,
        "district": issue.district,
        "lead_department_id": issue.lead_department_id,
        "assisting_department_ids": list(issue.assisting_department_ids),
        "raised_by_id": issue.raised_by.id,
        "raised_at": issue.raised_at,
        "dispatched_at": issue.dispatched_at,
        "accepted_at": issue.accepted_at,
        "resolved_at": issue.resolved_at,
        "approved_at": issue.approved_at,
        "closed_at": issue.closed_at,
        "accept_due_at": deadlines.accept_due_at,
        "resolve_due_at": None if stopped else resolve_due,
        "clock_stopped": stopped,
        "resolution": issue.resolution,
        "evidence": list(issue.evidence),
        "satisfaction": issue.satisfaction.value if issue.satisfaction else None,
        "resolver_id": issue.resolver_id,
        "rework_count": issue.rework_count,
        "dispatch_refusal_count": issue.dispatch_refusal_count,
        "escalation_count": issue.escalation_count,
        "raised_position": tracking.notification_id if issue.version == 1 else 0,
        "position": tracking.notification_id,
    }


_NOTE_FIELDS = ("reason", "note", "resolution", "comment", "level")


def timeline_row(e: Any, tracking: Tracking) -> dict[str, Any]:
    notes = [f"{getattr(e, f)}" for f in _NOTE_FIELDS if getattr(e, f, None)]
    if isinstance(e, Issue.ExtensionApproved):  # the new deadline, as people read times
        notes.insert(0, beijing(e.new_due_at))
    return {
        "issue_id": e.originator_id,
        "position": tracking.notification_id,
        "type": type(e).__name__,
        "at": e.timestamp,
        "actor_id": e.actor.id,
        "actor_name": e.actor.name,
        "actor_role": e.actor.role,
        "note": " · ".join(notes) or None,
        "lead_department_id": getattr(e, "lead_department_id", None),
        "assisting_department_ids": list(getattr(e, "assisting_department_ids", None) or []),
    }
