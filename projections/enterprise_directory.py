"""Enterprise directory (企业名录): one row per relationship, for lists and detail pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from projections.base import (
    Fold,
    View,
    columns_of,
    decode_cursor,
    encode_cursor,
    json_text,
    rows_of,
)
from projections.enterprise_profile import EnterpriseProfile
from projections.state import ProjectionStates


@dataclass(frozen=True)
class EnterpriseFilter:
    district: str | None = None
    commissioner_id: str | None = None
    search: str | None = None
    visit_overdue: bool | None = None
    today: date | None = None
    # Row-level access: a commissioner sees only their own; None means no restriction.
    only_commissioner_id: str | None = None
    only_districts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CommissionerRow:
    """A commissioner (服务专员) as the directory knows them: the enterprises assigned to them
    now (relationships not closed) and those enterprises' open issues."""

    id: str
    name: str
    enterprises_served: int
    open_issues: int


@dataclass(frozen=True)
class EnterpriseRow:
    id: UUID
    uscc: str
    name: str
    district: str
    industry: str | None
    size: str | None
    address: str | None
    contacts: list[dict[str, Any]]
    commissioner_id: str | None
    commissioner_name: str | None
    visit_count: int
    last_visit_at: datetime | None
    next_visit_due_on: date | None
    open_issue_count: int
    opened_at: datetime
    opened_position: int
    status: str = "ACTIVE"

    @property
    def cursor(self) -> str:
        return encode_cursor(self.opened_position)


@dataclass(frozen=True)
class Page:
    rows: list[EnterpriseRow]
    has_next_page: bool
    total_count: int


# The latest visit first, as the aggregate decides (EnterpriseRelationship._latest_visit): by
# when it happened and, of two at the same moment, the one logged later (the higher stream
# version of its VisitLogged). tests/integration/test_latest_visit.py holds the SQL to it.
LATEST_VISIT_FIRST = "visited_at DESC, logged_version DESC"

_VISIT_LOGGED = (
    "INSERT INTO {p}_visit_dates VALUES (%(visit_id)s, %(enterprise_id)s, %(visited_at)s,"
    " %(next_visit_on)s, %(logged_version)s) ON CONFLICT (visit_id) DO NOTHING"
)
_VISIT_CORRECTED = (
    "UPDATE {p}_visit_dates SET visited_at = COALESCE(%(visited_at)s, visited_at),"
    " next_visit_on = CASE WHEN %(next_changed)s THEN %(next_visit_on)s ELSE next_visit_on END"
    " WHERE visit_id = %(visit_id)s"
)


_ROW = columns_of(EnterpriseRow)


class EnterpriseDirectoryView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_rows ("
        " id uuid PRIMARY KEY, uscc text NOT NULL UNIQUE, name text NOT NULL,"
        " district text NOT NULL, industry text, size text, address text,"
        " contacts bytea, commissioner_id text, commissioner_name text,"
        " status text NOT NULL DEFAULT 'ACTIVE',"
        " visit_count int NOT NULL DEFAULT 0, last_visit_at timestamptz,"
        " next_visit_due_on date, open_issue_count int NOT NULL DEFAULT 0,"
        " opened_at timestamptz NOT NULL, opened_position bigint NOT NULL UNIQUE)",
        "CREATE INDEX IF NOT EXISTS {p}_district_idx ON {p}_rows (district, opened_position)",
        "CREATE INDEX IF NOT EXISTS {p}_commissioner_idx"
        " ON {p}_rows (commissioner_id, opened_position)",
        # Which of an enterprise's issues are open: the count is derived, never incremented,
        # so replaying an event cannot double count.
        "CREATE TABLE IF NOT EXISTS {p}_issue_status ("
        " issue_id uuid PRIMARY KEY, enterprise_id uuid NOT NULL, open boolean NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_issue_status_idx ON {p}_issue_status (enterprise_id)",
        # Each visit's date and planned next visit, as last corrected: the row's visit columns
        # are derived from these (a correction can move the latest visit), never incremented.
        "CREATE TABLE IF NOT EXISTS {p}_visit_dates ("
        " visit_id text PRIMARY KEY, enterprise_id uuid NOT NULL,"
        " visited_at timestamptz NOT NULL, next_visit_on date, logged_version int NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_visit_dates_idx"
        f" ON {{p}}_visit_dates (enterprise_id, {LATEST_VISIT_FIRST})",
    )

    def _seal(self, contacts: list[dict[str, Any]]) -> bytes:
        plain = json_text(contacts).encode()
        return self.cipher.encrypt(plain) if self.cipher else plain

    def _open(self, sealed: bytes | None) -> list[dict[str, Any]]:
        if not sealed:
            return []
        plain = self.cipher.decrypt(bytes(sealed)) if self.cipher else bytes(sealed)
        return list(json.loads(plain))

    # Writes: each is one transaction with the tracking position.

    def upsert_enterprise(self, row: dict[str, Any], tracking: Tracking) -> None:
        """The row as the aggregate now is; `opened_position` is kept from the first insert."""
        row = {**row, "contacts": self._seal(row["contacts"])}
        columns = list(row)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "opened_position")
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_rows ({', '.join(columns)})"
                f" VALUES ({', '.join('%(' + c + ')s' for c in columns)})"
                f" ON CONFLICT (id) DO UPDATE SET {updates}",  # type: ignore[arg-type]
                row,
            )

    def visit_changed(self, visit: dict[str, Any], tracking: Tracking) -> None:
        """A visit logged or corrected (see visit_dates), then the row's visit columns."""
        statement = (_VISIT_LOGGED if visit["logged"] else _VISIT_CORRECTED).format(p=self.prefix)
        with self.tracked(tracking) as curs:
            curs.execute(statement, visit)  # type: ignore[arg-type]
            # The row's visit columns: the count, and the latest visit's date and plan.
            curs.execute(
                f"UPDATE {self.prefix}_rows r SET visit_count = (SELECT count(*)"
                f" FROM {self.prefix}_visit_dates WHERE enterprise_id = %(enterprise_id)s),"
                " last_visit_at = l.visited_at, next_visit_due_on = l.next_visit_on"
                f" FROM (SELECT visited_at, next_visit_on FROM {self.prefix}_visit_dates"
                "  WHERE enterprise_id = %(enterprise_id)s"
                f"  ORDER BY {LATEST_VISIT_FIRST} LIMIT 1) l"
                " WHERE r.id = %(enterprise_id)s",  # type: ignore[arg-type]
                visit,
            )

    def issue_changed(
        self, issue_id: UUID, enterprise_id: UUID, is_open: bool, tracking: Tracking
    ) -> None:
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_issue_status VALUES (%s, %s, %s)"
                " ON CONFLICT (issue_id) DO UPDATE SET open = EXCLUDED.open",  # type: ignore[arg-type]
                (issue_id, enterprise_id, is_open),
            )
            curs.execute(
                f"UPDATE {self.prefix}_rows SET open_issue_count = (SELECT count(*)"
                f" FROM {self.prefix}_issue_status WHERE enterprise_id = %s AND open)"
                " WHERE id = %s",  # type: ignore[arg-type]
                (enterprise_id, enterprise_id),
            )

    # Queries: what the API calls.

    def get(self, enterprise_id: UUID) -> EnterpriseRow | None:
        rows = self.get_many([enterprise_id])
        return rows[0] if rows else None

    def get_many(self, ids: list[UUID]) -> list[EnterpriseRow]:
        """In the order asked, missing ones left out: one statement for a DataLoader batch."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE id = ANY(%s)",  # type: ignore[arg-type]
                (ids,),
            )
            found = {r["id"]: self._row(r) for r in curs.fetchall()}
        return [found[i] for i in ids if i in found]

    def ids_of_commissioner(self, commissioner_id: str) -> tuple[UUID, ...]:
        """The enterprises currently assigned to a commissioner (their whole scope)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT id FROM {self.prefix}_rows WHERE commissioner_id = %s",  # type: ignore[arg-type]
                (commissioner_id,),
            )
            return tuple(r["id"] for r in curs.fetchall())

    def served(self) -> list[EnterpriseRow]:
        """Every relationship under service with a commissioner (the commissioner's reminders)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE status = 'ACTIVE'"
                " AND commissioner_id IS NOT NULL ORDER BY opened_position"  # type: ignore[arg-type]
            )
            return [self._row(r) for r in curs.fetchall()]

    def page(self, flt: EnterpriseFilter, first: int, after: str | None) -> Page:
        where, params = self._where(flt)
        key = decode_cursor(after)
        page_where = [*where, "opened_position > %s"] if key else where
        page_params = [*params, int(key[0])] if key else params
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE {' AND '.join(page_where)}"
                " ORDER BY opened_position LIMIT %s",  # type: ignore[arg-type]
                [*page_params, first + 1],
            )
            rows = [self._row(r) for r in curs.fetchall()]
            curs.execute(
                f"SELECT count(*) AS n FROM {self.prefix}_rows WHERE {' AND '.join(where)}",  # type: ignore[arg-type]
                params,
            )
            total = curs.fetchone()
        return Page(rows[:first], len(rows) > first, int(total["n"]) if total else 0)

    @staticmethod
    def _where(flt: EnterpriseFilter) -> tuple[list[str], list[Any]]:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        conditions: list[tuple[str, Any]] = [
            ("district = %s", flt.district),
            ("commissioner_id = %s", flt.commissioner_id),
            ("commissioner_id = %s", flt.only_commissioner_id),
            ("district = ANY(%s)", list(flt.only_districts) if flt.only_districts else None),
        ]
        for clause, value in conditions:
            if value is not None:
                where.append(clause)
                params.append(value)
        if flt.search:
            like = "%" + flt.search.replace("%", r"\%").replace("_", r"\_") + "%"
            where.append("(name ILIKE %s OR uscc ILIKE %s)")
            params.extend([like, like])
        if flt.visit_overdue is not None and flt.today is not None:
            op = "<" if flt.visit_overdue else ">="
            where.append(f"COALESCE(next_visit_due_on {op} %s, {not flt.visit_overdue})")
            params.append(flt.today)
        return where, params

    def commissioners(
        self, only_id: str | None, districts: tuple[str, ...] | None
    ) -> list[CommissionerRow]:
        """Every commissioner with an enterprise assigned (`only_id`: just that one), counted
        over the enterprises of `districts` when given."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT commissioner_id AS id, max(commissioner_name) AS name,"
                " count(*) AS enterprises_served, coalesce(sum(open_issue_count), 0) AS open_issues"
                f" FROM {self.prefix}_rows WHERE commissioner_id IS NOT NULL AND status <> 'CLOSED'"
                " AND (%s::text IS NULL OR commissioner_id = %s)"
                " AND (%s::text[] IS NULL OR district = ANY(%s))"
                " GROUP BY commissioner_id ORDER BY commissioner_id",  # type: ignore[arg-type]
                (only_id, only_id, list(districts) if districts else None, list(districts or ())),
            )
            return [
                CommissionerRow(
                    r["id"], r["name"] or r["id"], r["enterprises_served"], int(r["open_issues"])
                )
                for r in curs.fetchall()
            ]

    def _row(self, r: dict[str, Any]) -> EnterpriseRow:
        return EnterpriseRow(**{**r, "contacts": self._open(r["contacts"])})


_PROFILE_COLUMNS = (
    "id", "uscc", "name", "district", "industry", "size", "address", "contacts",
    "commissioner_id", "commissioner_name", "status", "opened_at", "opened_position",
)  # fmt: skip
_VISIT_DATE_COLUMNS = ("visit_id", "enterprise_id", "visited_at", "next_visit_on", "logged_version")
_ISSUE_STATUS_COLUMNS = ("issue_id", "enterprise_id", "open")
# The derived columns of the enterprises a stretch touched, from their visit dates and issue
# statuses once the stretch is written: what the last of visit_changed's and issue_changed's
# statements for each would have left (both derive, neither increments).
_DERIVE_VISITS = (
    "UPDATE {p}_rows r SET visit_count = c.n, last_visit_at = l.visited_at,"
    " next_visit_due_on = l.next_visit_on"
    " FROM (SELECT DISTINCT ON (enterprise_id) enterprise_id, visited_at, next_visit_on"
    "  FROM {p}_visit_dates WHERE enterprise_id = ANY(%(ids)s)"
    f"  ORDER BY enterprise_id, {LATEST_VISIT_FIRST}) l,"
    " (SELECT enterprise_id, count(*) AS n FROM {p}_visit_dates"
    "  WHERE enterprise_id = ANY(%(ids)s) GROUP BY enterprise_id) c"
    " WHERE r.id = l.enterprise_id AND c.enterprise_id = l.enterprise_id"
)
_DERIVE_ISSUES = (
    "UPDATE {p}_rows r SET open_issue_count = (SELECT count(*) FROM {p}_issue_status s"
    " WHERE s.enterprise_id = r.id AND s.open) WHERE r.id = ANY(%(ids)s)"
)


class EnterpriseDirectoryFold(Fold):
    """EnterpriseDirectoryView's writes folded in memory for a rebuild (see
    projections/base.py Fold): profile rows, visit dates and issue statuses as the
    statements would leave them; a correction of a visit written before runs as the view's
    statement. The derived columns (visit count, latest visit, open issues) are derived once
    per stretch for the enterprises it touched, in one statement each. A visit id is logged
    once (the relationship refuses a repeat), so a staged visit date is new."""

    view: EnterpriseDirectoryView

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.rows: dict[UUID, dict[str, Any]] = {}
        self.visit_dates: dict[str, dict[str, Any]] = {}
        self.issue_status: dict[UUID, tuple[UUID, UUID, bool]] = {}
        self.visited: set[UUID] = set()
        self.issued: set[UUID] = set()

    def size(self) -> int:
        return len(self.rows) + len(self.visit_dates) + len(self.issue_status)

    def upsert_enterprise(self, row: dict[str, Any], tracking: Tracking) -> None:
        row = {**row, "contacts": self.view._seal(row["contacts"])}
        held = self.rows.get(row["id"])
        if held is None:
            self.rows[row["id"]] = row
        else:
            held.update({c: v for c, v in row.items() if c != "opened_position"})

    def visit_changed(self, visit: dict[str, Any], tracking: Tracking) -> None:
        self.visited.add(visit["enterprise_id"])
        held = self.visit_dates.get(visit["visit_id"])
        if visit["logged"]:
            if held is None:
                self.visit_dates[visit["visit_id"]] = {c: visit[c] for c in _VISIT_DATE_COLUMNS}
        elif held is None:  # written before this stretch: the view's UPDATE
            self.curs.execute(_VISIT_CORRECTED.format(p=self.view.prefix), visit)  # type: ignore[arg-type]
        else:
            if visit["visited_at"] is not None:
                held["visited_at"] = visit["visited_at"]
            if visit["next_changed"]:
                held["next_visit_on"] = visit["next_visit_on"]

    def issue_changed(
        self, issue_id: UUID, enterprise_id: UUID, is_open: bool, tracking: Tracking
    ) -> None:
        self.issued.add(enterprise_id)
        self.issue_status[issue_id] = (issue_id, enterprise_id, is_open)

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        rows, dates, issues = self.rows, self.visit_dates, self.issue_status
        self.rows, self.visit_dates, self.issue_status = {}, {}, {}
        return [
            ("rows", _PROFILE_COLUMNS, rows_of(rows.values(), _PROFILE_COLUMNS),
             "ON CONFLICT (id) DO UPDATE SET " + ", ".join(
                 f"{c} = EXCLUDED.{c}" for c in _PROFILE_COLUMNS if c != "opened_position")),
            ("visit_dates", _VISIT_DATE_COLUMNS,
             rows_of(dates.values(), _VISIT_DATE_COLUMNS),
             "ON CONFLICT (visit_id) DO NOTHING"),
            ("issue_status", _ISSUE_STATUS_COLUMNS, list(issues.values()),
             "ON CONFLICT (issue_id) DO UPDATE SET open = EXCLUDED.open"),
        ]  # fmt: skip

    def flush(self) -> None:
        super().flush()
        for statement, touched in ((_DERIVE_VISITS, self.visited), (_DERIVE_ISSUES, self.issued)):
            if touched:
                self.curs.execute(statement.format(p=self.view.prefix), {"ids": list(touched)})  # type: ignore[arg-type]
        self.visited, self.issued = set(), set()


EnterpriseDirectoryView.fold_class = EnterpriseDirectoryFold
# Its only personal data is the contacts, set by these two (a visit's attendees and texts,
# an issue's, are not on its rows).
EnterpriseDirectoryView.personal_data_events = (
    EnterpriseRelationship.Opened,
    EnterpriseRelationship.ContactsChanged,
)


class EnterpriseDirectoryProjection(Projection[EnterpriseDirectoryView]):
    """Rows follow the enterprise's profile; visit and issue events keep the derived columns."""

    name = "enterprise_directory"
    topics = ()

    def __init__(self, view: EnterpriseDirectoryView, states: ProjectionStates) -> None:
        super().__init__(view)
        self.states = states

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view ignores still advance its position."""
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: EnterpriseRelationship.Event, tracking: Tracking) -> None:
        enterprise = self.states.enterprise(e)
        visit = visit_dates(e)
        if visit is not None:
            self.view.visit_changed(visit, tracking)
        elif isinstance(e, _POLICY_EVENTS):
            self.view.insert_tracking(tracking)  # nothing on the row changes
        else:
            self.view.upsert_enterprise(enterprise_row(enterprise, tracking), tracking)

    @process_event.register
    def _(self, e: Issue.Event, tracking: Tracking) -> None:
        issue = self.states.issue(e)
        if issue.enterprise_id is None:
            self.view.insert_tracking(tracking)
            return
        self.view.issue_changed(issue.id, UUID(issue.enterprise_id), issue.is_open, tracking)


_POLICY_EVENTS = (EnterpriseRelationship.PolicyNotified, EnterpriseRelationship.PolicyConfirmed)


def visit_dates(e: EnterpriseRelationship.Event) -> dict[str, Any] | None:
    """What a visit event says about the visit's dates, or None for other events."""
    if isinstance(e, EnterpriseRelationship.VisitLogged):
        return {
            "visit_id": e.visit_id,
            "enterprise_id": e.originator_id,
            "visited_at": e.visited_at,
            "next_visit_on": e.next_visit_on,
            "logged": True,
            "logged_version": e.originator_version,
        }
    if isinstance(e, EnterpriseRelationship.VisitCorrected):
        return {
            "visit_id": e.visit_id,
            "enterprise_id": e.originator_id,
            "visited_at": e.changes.get("visited_at"),
            # None is a value here (the plan was dropped), so its presence is said apart.
            "next_visit_on": e.changes.get("next_visit_on"),
            "next_changed": "next_visit_on" in e.changes,
            "logged": False,
        }
    return None


def enterprise_row(enterprise: EnterpriseProfile, tracking: Tracking) -> dict[str, Any]:
    """Every column the profile decides (the visit and issue columns are derived apart)."""
    return {
        "id": enterprise.id,
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "district": enterprise.district,
        "industry": enterprise.industry,
        "size": enterprise.size,
        "address": enterprise.address,
        "contacts": enterprise.contacts,
        "commissioner_id": enterprise.commissioner_id,
        "commissioner_name": enterprise.commissioner_name,
        "status": enterprise.status,
        "opened_at": enterprise.created_on,
        "opened_position": tracking.notification_id,
    }
