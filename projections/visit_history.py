"""Visit history (走访记录): one row per visit as last corrected, newest first per enterprise;
beside it each visit's corrections and the policies notified to (告知) and confirmed by (确认)
the enterprise."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.enterprise import CORRECTABLE_FIELDS, EnterpriseRelationship
from domain.personal_data import ERASED, erase_free_text, erase_free_text_value, erase_person
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
class VisitRow:
    visit_id: str
    enterprise_id: UUID
    commissioner_id: str
    commissioner_name: str | None
    visited_at: datetime
    channel: str
    attendees: list[str]
    topics: list[str]
    policies_explained: list[str]
    summary: str
    follow_ups: list[str]
    next_visit_on: date | None
    position: int

    @property
    def cursor(self) -> str:
        return encode_cursor(self.visited_at.isoformat(), self.position)


@dataclass(frozen=True)
class CorrectionRow:
    """A correction of a visit (更正): who made it, when, which fields, and why."""

    visit_id: str
    position: int
    at: datetime
    actor_id: str
    actor_name: str
    actor_role: str
    fields: list[str]
    reason: str


@dataclass(frozen=True)
class PolicyNoticeRow:
    """A policy brought to an enterprise's notice (告知) and, once, confirmed by it (确认)."""

    enterprise_id: UUID
    policy_code: str
    first_notified_at: datetime
    last_notified_at: datetime
    times_notified: int
    notified_by: str  # the commissioner's (or admin's) name
    note: str | None
    confirmed_at: datetime | None
    confirmed_by: str | None  # a person at the enterprise: personal information
    position: int


@dataclass(frozen=True)
class VisitPage:
    rows: list[VisitRow]
    has_next_page: bool
    total_count: int


_LISTS = ("attendees", "topics", "policies_explained", "follow_ups")
# The columns a VisitCorrected may change (the domain's CORRECTABLE_FIELDS): names that reach
# SQL only from this list, never from the event.
_CORRECTABLE = frozenset(CORRECTABLE_FIELDS)


_ROW, _ROW_V = columns_of(VisitRow), columns_of(VisitRow, "v")
_CORRECTION = columns_of(CorrectionRow)
_NOTICE = columns_of(PolicyNoticeRow)


class VisitHistoryView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_rows ("
        " visit_id text PRIMARY KEY, enterprise_id uuid NOT NULL, commissioner_id text NOT NULL,"
        " commissioner_name text, visited_at timestamptz NOT NULL, channel text NOT NULL,"
        " attendees bytea NOT NULL, topics jsonb NOT NULL, policies_explained jsonb NOT NULL,"
        " summary text NOT NULL, follow_ups jsonb NOT NULL, next_visit_on date,"
        " position bigint NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_enterprise_idx"
        " ON {p}_rows (enterprise_id, visited_at DESC, position DESC)",
        "CREATE TABLE IF NOT EXISTS {p}_corrections ("
        " visit_id text NOT NULL, position bigint NOT NULL, at timestamptz NOT NULL,"
        " actor_id text NOT NULL, actor_name text NOT NULL, actor_role text NOT NULL,"
        " fields text[] NOT NULL, reason text NOT NULL, PRIMARY KEY (visit_id, position))",
        "CREATE TABLE IF NOT EXISTS {p}_policy_notices ("
        " enterprise_id uuid NOT NULL, policy_code text NOT NULL,"
        " first_notified_at timestamptz NOT NULL, last_notified_at timestamptz NOT NULL,"
        " times_notified int NOT NULL, notified_by text NOT NULL, note text,"
        " confirmed_at timestamptz, confirmed_by bytea, position bigint NOT NULL,"
        " PRIMARY KEY (enterprise_id, policy_code))",
    )

    def policy_notified(self, e: EnterpriseRelationship.PolicyNotified, tracking: Tracking) -> None:
        """告知; a notice repeated (a reminder) counts again and keeps its first date."""
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_policy_notices (enterprise_id, policy_code,"
                " first_notified_at, last_notified_at, times_notified, notified_by, note, position)"
                " VALUES (%s, %s, %s, %s, 1, %s, %s, %s) ON CONFLICT (enterprise_id, policy_code)"
                f" DO UPDATE SET last_notified_at = EXCLUDED.last_notified_at,"
                f" times_notified = {self.prefix}_policy_notices.times_notified + 1,"
                " notified_by = EXCLUDED.notified_by, note = EXCLUDED.note",  # type: ignore[arg-type]
                (e.originator_id, e.policy_code, e.timestamp, e.timestamp, e.actor.name, e.note,
                 tracking.notification_id),
            )  # fmt: skip

    def policy_confirmed(
        self, e: EnterpriseRelationship.PolicyConfirmed, tracking: Tracking
    ) -> None:
        """确认: who at the enterprise confirmed it, sealed like attendees (a person's name)."""
        plain = e.confirmed_by.encode()
        sealed = self.cipher.encrypt(plain) if self.cipher else plain
        with self.tracked(tracking) as curs:
            curs.execute(
                f"UPDATE {self.prefix}_policy_notices SET confirmed_at = %s, confirmed_by = %s"
                " WHERE enterprise_id = %s AND policy_code = %s",  # type: ignore[arg-type]
                (e.timestamp, sealed, e.originator_id, e.policy_code),
            )

    def upsert_visit(self, row: dict[str, Any], tracking: Tracking) -> None:
        row = self._encode(row)
        columns = list(row)
        keep = ("position", "commissioner_name")  # as first logged
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keep)
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_rows ({', '.join(columns)})"
                f" VALUES ({', '.join('%(' + c + ')s' for c in columns)})"
                f" ON CONFLICT (visit_id) DO UPDATE SET {updates}",  # type: ignore[arg-type]
                row,
            )

    def correct_visit(
        self,
        visit_id: str,
        changes: dict[str, Any],
        tracking: Tracking,
        correction: dict[str, Any] | None = None,
    ) -> None:
        """A correction changes only the columns it names; the rest stay as logged. The
        correction itself (who, when, which fields, why) is kept beside the row."""
        row = self._encode({c: v for c, v in changes.items() if c in _CORRECTABLE})
        assignments = ", ".join(f"{c} = %({c})s" for c in row)
        with self.tracked(tracking) as curs:
            if correction is not None:
                curs.execute(
                    f"INSERT INTO {self.prefix}_corrections ({_CORRECTION})"
                    f" VALUES ({', '.join('%(' + c + ')s' for c in _CORRECTION.split(', '))})"
                    " ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                    correction,
                )
            if assignments:
                curs.execute(
                    f"UPDATE {self.prefix}_rows SET {assignments} WHERE visit_id = %(visit_id)s",  # type: ignore[arg-type]
                    {**row, "visit_id": visit_id},
                )

    def erase_people(self, enterprise_id: Any, tracking: Tracking) -> None:
        """个人信息删除: the enterprise's visits keep their dates and counts; the attendees read
        （已删除）, and personal data in their texts and correction reasons is erased."""
        erased_name = str(ERASED).encode()
        with self.tracked(tracking) as curs:
            curs.execute(
                f"SELECT policy_code, note FROM {self.prefix}_policy_notices"
                " WHERE enterprise_id = %s",  # type: ignore[arg-type]
                (enterprise_id,),
            )
            for n in curs.fetchall():
                curs.execute(
                    f"UPDATE {self.prefix}_policy_notices SET note = %s, confirmed_by ="
                    " CASE WHEN confirmed_by IS NULL THEN NULL ELSE %s END"
                    " WHERE enterprise_id = %s AND policy_code = %s",  # type: ignore[arg-type]
                    (
                        erase_free_text(n["note"]) if n["note"] else n["note"],
                        self.cipher.encrypt(erased_name) if self.cipher else erased_name,
                        enterprise_id,
                        n["policy_code"],
                    ),
                )
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE enterprise_id = %s",  # type: ignore[arg-type]
                (enterprise_id,),
            )
            for r in [self._decode(r) for r in curs.fetchall()]:
                erased = self._encode(
                    {
                        "attendees": erase_person(r.attendees),
                        "summary": erase_free_text(r.summary),
                        "topics": erase_free_text_value(r.topics),
                        "follow_ups": erase_free_text_value(r.follow_ups),
                    }
                )
                curs.execute(
                    f"UPDATE {self.prefix}_rows SET attendees = %(attendees)s,"
                    " summary = %(summary)s, topics = %(topics)s, follow_ups = %(follow_ups)s"
                    " WHERE visit_id = %(visit_id)s",  # type: ignore[arg-type]
                    {**erased, "visit_id": r.visit_id},
                )
                curs.execute(
                    f"SELECT position, reason FROM {self.prefix}_corrections WHERE visit_id = %s",  # type: ignore[arg-type]
                    (r.visit_id,),
                )
                for c in curs.fetchall():
                    if (reason := erase_free_text(c["reason"])) != c["reason"]:
                        curs.execute(
                            f"UPDATE {self.prefix}_corrections SET reason = %s"
                            " WHERE visit_id = %s AND position = %s",  # type: ignore[arg-type]
                            (reason, r.visit_id, c["position"]),
                        )

    def _encode(self, row: dict[str, Any]) -> dict[str, Any]:
        encoded = {k: json_text(v) if k in _LISTS else v for k, v in row.items()}
        if "attendees" in row:  # absent from a correction that leaves them as they were
            # Attendees are people's names: personal information, sealed like contacts.
            plain = encoded["attendees"].encode()
            encoded["attendees"] = self.cipher.encrypt(plain) if self.cipher else plain
        return encoded

    def _decode(self, r: dict[str, Any]) -> VisitRow:
        sealed = bytes(r["attendees"])
        attendees = json.loads(self.cipher.decrypt(sealed) if self.cipher else sealed)
        return VisitRow(**{**r, "attendees": attendees})

    # Queries

    def corrections_of(self, visit_ids: list[str]) -> dict[str, list[CorrectionRow]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_CORRECTION} FROM {self.prefix}_corrections WHERE visit_id = ANY(%s)"
                " ORDER BY visit_id, position",  # type: ignore[arg-type]
                (visit_ids,),
            )
            grouped: dict[str, list[CorrectionRow]] = {v: [] for v in visit_ids}
            for r in curs.fetchall():
                grouped[r["visit_id"]].append(CorrectionRow(**r))
        return grouped

    def notices_of(self, enterprise_ids: list[UUID]) -> dict[UUID, list[PolicyNoticeRow]]:
        """Each enterprise's policy notices, the latest notified first."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_NOTICE} FROM {self.prefix}_policy_notices WHERE enterprise_id = ANY(%s)"
                " ORDER BY enterprise_id, last_notified_at DESC, policy_code",  # type: ignore[arg-type]
                (enterprise_ids,),
            )
            grouped: dict[UUID, list[PolicyNoticeRow]] = {e: [] for e in enterprise_ids}
            for r in curs.fetchall():
                sealed = r["confirmed_by"]
                if sealed is not None:
                    plain = self.cipher.decrypt(bytes(sealed)) if self.cipher else bytes(sealed)
                    r = {**r, "confirmed_by": plain.decode()}
                grouped[r["enterprise_id"]].append(PolicyNoticeRow(**r))
        return grouped

    def get_many(self, visit_ids: list[str]) -> list[VisitRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_ROW} FROM {self.prefix}_rows WHERE visit_id = ANY(%s)",  # type: ignore[arg-type]
                (visit_ids,),
            )
            found = {r["visit_id"]: self._decode(r) for r in curs.fetchall()}
        return [found[v] for v in visit_ids if v in found]

    def pages_for(
        self, enterprise_ids: list[UUID], first: int, after: str | None
    ) -> dict[UUID, VisitPage]:
        """A page of visits for each enterprise in one statement (for DataLoader batches)."""
        key = decode_cursor(after, ("instant", "int"))
        after_clause = "AND (visited_at, position) < (%s::timestamptz, %s)" if key else ""
        params: list[Any] = [enterprise_ids, *(key or [])]
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT * FROM (SELECT {_ROW_V}, count(*) OVER (PARTITION BY enterprise_id) AS total,"
                " row_number() OVER (PARTITION BY enterprise_id ORDER BY visited_at DESC,"
                f" position DESC) AS n FROM {self.prefix}_rows v WHERE enterprise_id = ANY(%s)"
                f" {after_clause}) ranked WHERE n <= %s ORDER BY enterprise_id, n",  # type: ignore[arg-type]
                [*params, first + 1],
            )
            rows = curs.fetchall()
            curs.execute(
                f"SELECT enterprise_id, count(*) AS total FROM {self.prefix}_rows"
                " WHERE enterprise_id = ANY(%s) GROUP BY enterprise_id",  # type: ignore[arg-type]
                (enterprise_ids,),
            )
            totals = {r["enterprise_id"]: int(r["total"]) for r in curs.fetchall()}
        grouped: dict[UUID, list[VisitRow]] = {e: [] for e in enterprise_ids}
        for r in rows:
            r = dict(r)
            r.pop("total"), r.pop("n")
            grouped[r["enterprise_id"]].append(self._decode(r))
        return {
            e: VisitPage(visits[:first], len(visits) > first, totals.get(e, 0))
            for e, visits in grouped.items()
        }


_ROW_COLUMNS = tuple(_ROW.split(", "))
_CORRECTION_COLUMNS = tuple(_CORRECTION.split(", "))
_NOTICE_COLUMNS = tuple(_NOTICE.split(", "))


class VisitHistoryFold(Fold):
    """VisitHistoryView's writes folded in memory for a rebuild (see projections/base.py Fold).

    A row is in memory from its first write in the stretch on; what was written before (in
    the table) is changed by the view's own statements. A staged row merges as the
    statements would have merged it: a visit logged again keeps its first position and
    commissioner name; a notice adds its count and keeps its first date and any
    confirmation. An erasure writes what is held and then runs the view's statements.
    """

    view: VisitHistoryView

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.rows: dict[str, dict[str, Any]] = {}
        self.corrections: dict[tuple[str, int], dict[str, Any]] = {}
        self.notices: dict[tuple[Any, str], dict[str, Any]] = {}

    def size(self) -> int:
        return len(self.rows) + len(self.corrections) + len(self.notices)

    def upsert_visit(self, row: dict[str, Any], tracking: Tracking) -> None:
        row = self.view._encode(row)
        held = self.rows.get(row["visit_id"])
        if held is None:
            self.rows[row["visit_id"]] = row
        else:  # as the upsert: all but the first position and commissioner name
            held.update(
                {c: v for c, v in row.items() if c not in ("position", "commissioner_name")}
            )

    def correct_visit(
        self,
        visit_id: str,
        changes: dict[str, Any],
        tracking: Tracking,
        correction: dict[str, Any] | None = None,
    ) -> None:
        if correction is not None:
            self.corrections.setdefault((visit_id, correction["position"]), correction)
        held = self.rows.get(visit_id)
        if held is None:  # written before this stretch: the view's UPDATE
            self.view.correct_visit(visit_id, changes, tracking)
        else:
            held.update(self.view._encode({c: v for c, v in changes.items() if c in _CORRECTABLE}))

    def policy_notified(self, e: EnterpriseRelationship.PolicyNotified, tracking: Tracking) -> None:
        key = (e.originator_id, e.policy_code)
        held = self.notices.get(key)
        if held is None:
            self.notices[key] = {
                "enterprise_id": e.originator_id, "policy_code": e.policy_code,
                "first_notified_at": e.timestamp, "last_notified_at": e.timestamp,
                "times_notified": 1, "notified_by": e.actor.name, "note": e.note,
                "confirmed_at": None, "confirmed_by": None,
                "position": tracking.notification_id,
            }  # fmt: skip
        else:
            held["last_notified_at"] = e.timestamp
            held["times_notified"] += 1
            held["notified_by"], held["note"] = e.actor.name, e.note

    def policy_confirmed(
        self, e: EnterpriseRelationship.PolicyConfirmed, tracking: Tracking
    ) -> None:
        held = self.notices.get((e.originator_id, e.policy_code))
        if held is None:  # notified before this stretch, or never: the view's UPDATE
            self.view.policy_confirmed(e, tracking)
            return
        plain = e.confirmed_by.encode()
        held["confirmed_at"] = e.timestamp
        held["confirmed_by"] = self.view.cipher.encrypt(plain) if self.view.cipher else plain

    def erase_people(self, enterprise_id: Any, tracking: Tracking) -> None:
        self.flush()
        self.view.erase_people(enterprise_id, tracking)

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        rows, corrections, notices = self.rows, self.corrections, self.notices
        self.rows, self.corrections, self.notices = {}, {}, {}
        keep = ("visit_id", "position", "commissioner_name")
        return [
            (
                "rows",
                _ROW_COLUMNS,
                rows_of(rows.values(), _ROW_COLUMNS),
                "ON CONFLICT (visit_id) DO UPDATE SET "
                + ", ".join(f"{c} = EXCLUDED.{c}" for c in _ROW_COLUMNS if c not in keep),
            ),
            (
                "corrections",
                _CORRECTION_COLUMNS,
                rows_of(corrections.values(), _CORRECTION_COLUMNS),
                "ON CONFLICT DO NOTHING",
            ),
            (
                "policy_notices",
                _NOTICE_COLUMNS,
                rows_of(notices.values(), _NOTICE_COLUMNS),
                "ON CONFLICT (enterprise_id, policy_code) DO UPDATE SET"
                " last_notified_at = EXCLUDED.last_notified_at,"
                " times_notified = {t}.times_notified + EXCLUDED.times_notified,"
                " notified_by = EXCLUDED.notified_by, note = EXCLUDED.note,"
                " confirmed_at = COALESCE(EXCLUDED.confirmed_at, {t}.confirmed_at),"
                " confirmed_by = CASE WHEN EXCLUDED.confirmed_at IS NULL"
                " THEN {t}.confirmed_by ELSE EXCLUDED.confirmed_by END",
            ),
        ]


VisitHistoryView.fold_class = VisitHistoryFold


class VisitHistoryProjection(Projection[VisitHistoryView]):
    name = "visit_history"
    topics = ()

    def __init__(self, view: VisitHistoryView, states: ProjectionStates) -> None:
        super().__init__(view)
        self.states = states

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: EnterpriseRelationship.Event, tracking: Tracking) -> None:
        # Every enterprise event keeps the profile current; only visit events write rows.
        enterprise = self.states.enterprise(e)
        if isinstance(e, EnterpriseRelationship.VisitLogged):
            self.view.upsert_visit(visit_row(enterprise, logged_visit(e), tracking), tracking)
        elif isinstance(e, EnterpriseRelationship.VisitCorrected):
            self.view.correct_visit(e.visit_id, e.changes, tracking, correction_row(e, tracking))
        elif isinstance(e, EnterpriseRelationship.PolicyNotified):
            self.view.policy_notified(e, tracking)
        elif isinstance(e, EnterpriseRelationship.PolicyConfirmed):
            self.view.policy_confirmed(e, tracking)
        elif isinstance(e, EnterpriseRelationship.PersonalDataErased):
            self.view.erase_people(e.originator_id, tracking)
        else:
            self.view.insert_tracking(tracking)


def correction_row(e: EnterpriseRelationship.VisitCorrected, tracking: Tracking) -> dict[str, Any]:
    return {
        "visit_id": e.visit_id,
        "position": tracking.notification_id,
        "at": e.timestamp,
        "actor_id": e.actor.id,
        "actor_name": e.actor.name,
        "actor_role": e.actor.role,
        "fields": sorted(e.changes),
        "reason": e.reason,
    }


def logged_visit(e: EnterpriseRelationship.VisitLogged) -> dict[str, Any]:
    """The visit as its VisitLogged event records it."""
    return {column: getattr(e, column) for column in _LOGGED}


_LOGGED = (
    "visit_id", "commissioner_id", "visited_at", "channel", "attendees", "topics",
    "policies_explained", "summary", "follow_ups", "next_visit_on",
)  # fmt: skip


def visit_row(
    enterprise: EnterpriseProfile, visit: dict[str, Any], tracking: Tracking
) -> dict[str, Any]:
    return {
        "visit_id": visit["visit_id"],
        "enterprise_id": enterprise.id,
        "commissioner_id": visit["commissioner_id"],
        "commissioner_name": enterprise.commissioner_name
        if enterprise.commissioner_id == visit["commissioner_id"]
        else None,
        "visited_at": visit["visited_at"],
        "channel": visit["channel"],
        "attendees": visit["attendees"],
        "topics": visit["topics"],
        "policies_explained": visit["policies_explained"],
        "summary": visit["summary"],
        "follow_ups": visit["follow_ups"],
        "next_visit_on": visit["next_visit_on"],
        "position": tracking.notification_id,
    }
