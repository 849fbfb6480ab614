"""Publicity activities (政策宣传服务活动): a row per activity and one per enterprise reached.

Answers the activity list, each enterprise's history of activities (its profile shows them)
and the yearly count against the plan's target (800 in 2025), by district: activities held in
the year (by `held_on`, a Beijing date) and the distinct enterprises they reached. A cancelled
activity counts nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.publicity import PublicityActivity
from projections.base import Fold, View, columns_of


@dataclass(frozen=True)
class ActivityRow:
    id: UUID
    kind: str
    title: str
    held_on: date
    district: str
    policy_codes: list[str]
    enterprise_ids: list[str]
    department_id: str | None
    summary: str | None
    logged_by_id: str
    logged_by_name: str
    position: int


@dataclass(frozen=True)
class PublicityCount:
    """One district's (or all districts', district None) activities and reach in a year."""

    district: str | None
    activities: int
    enterprises_reached: int


class PublicityView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_activities ("
        " id uuid PRIMARY KEY, kind text NOT NULL, title text NOT NULL, held_on date NOT NULL,"
        " district text NOT NULL, policy_codes text[] NOT NULL, enterprise_ids text[] NOT NULL,"
        " department_id text, summary text, logged_by_id text NOT NULL,"
        " logged_by_name text NOT NULL, position bigint NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_activities_held_idx ON {p}_activities (held_on)",
        "CREATE TABLE IF NOT EXISTS {p}_reach ("
        " activity_id uuid NOT NULL, enterprise_id text NOT NULL,"
        " PRIMARY KEY (enterprise_id, activity_id))",
    )

    def logged(self, row: ActivityRow, tracking: Tracking) -> None:
        with self.tracked(tracking) as curs:
            values = {**row.__dict__}
            names = ", ".join(values)
            curs.execute(
                f"INSERT INTO {self.prefix}_activities ({names}) VALUES"  # type: ignore[arg-type]
                f" ({', '.join(f'%({n})s' for n in values)}) ON CONFLICT (id) DO NOTHING",
                values,
            )
            for enterprise_id in row.enterprise_ids:
                curs.execute(
                    f"INSERT INTO {self.prefix}_reach VALUES (%s, %s) ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                    (row.id, enterprise_id),
                )

    def cancelled(self, activity_id: UUID, tracking: Tracking) -> None:
        with self.tracked(tracking) as curs:
            curs.execute(
                f"DELETE FROM {self.prefix}_reach WHERE activity_id = %s",  # type: ignore[arg-type]
                (activity_id,),
            )
            curs.execute(
                f"DELETE FROM {self.prefix}_activities WHERE id = %s",  # type: ignore[arg-type]
                (activity_id,),
            )

    def activities(
        self,
        first: date,
        last: date,
        district: str | None = None,
        enterprise_id: str | None = None,
        limit: int = 100,
    ) -> list[ActivityRow]:
        """Activities held first..last (inclusive), newest first."""
        reach = (
            f"AND id IN (SELECT activity_id FROM {self.prefix}_reach WHERE enterprise_id = %(e)s)"
            if enterprise_id
            else ""
        )
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {columns_of(ActivityRow)} FROM {self.prefix}_activities"  # type: ignore[arg-type]
                " WHERE held_on BETWEEN %(first)s AND %(last)s"
                f" AND (%(d)s::text IS NULL OR district = %(d)s) {reach}"
                " ORDER BY held_on DESC, position DESC LIMIT %(limit)s",
                {"first": first, "last": last, "d": district, "e": enterprise_id, "limit": limit},
            )
            return [ActivityRow(**r) for r in curs.fetchall()]

    def for_enterprises(self, enterprise_ids: Sequence[str]) -> dict[str, list[ActivityRow]]:
        """Each enterprise's activities, newest first (its history)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT r.enterprise_id AS reached, {columns_of(ActivityRow)}"  # type: ignore[arg-type]
                f" FROM {self.prefix}_reach r JOIN {self.prefix}_activities a"
                " ON a.id = r.activity_id WHERE r.enterprise_id = ANY(%s)"
                " ORDER BY held_on DESC, position DESC",
                (list(enterprise_ids),),
            )
            found: dict[str, list[ActivityRow]] = {e: [] for e in enterprise_ids}
            for r in curs.fetchall():
                reached = r.pop("reached")
                found[reached].append(ActivityRow(**r))
            return found

    def counts(self, year: int, districts: Sequence[str] | None) -> list[PublicityCount]:
        """The year's activities and distinct enterprises reached: the total (district None)
        when `districts` is None, else one per district asked for, in that order."""
        first, last = date(year, 1, 1), date(year, 12, 31)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT a.district, count(DISTINCT a.id) AS activities,"  # type: ignore[arg-type]
                " count(DISTINCT r.enterprise_id) AS reached"
                f" FROM {self.prefix}_activities a LEFT JOIN {self.prefix}_reach r"
                " ON r.activity_id = a.id WHERE a.held_on BETWEEN %s AND %s"
                " GROUP BY GROUPING SETS ((a.district), ())",
                (first, last),
            )
            rows = curs.fetchall()
        by: dict[str | None, Any] = {r["district"]: r for r in rows if r["district"]}
        by[None] = next((r for r in rows if r["district"] is None), None)
        wanted: list[str | None] = [None] if districts is None else list(districts)
        counts: list[PublicityCount] = []
        for d in wanted:
            row = by.get(d) or {"activities": 0, "reached": 0}
            counts.append(PublicityCount(d, int(row["activities"]), int(row["reached"])))
        return counts


_ACTIVITY_COLUMNS = tuple(columns_of(ActivityRow).split(", "))


class PublicityFold(Fold):
    """PublicityView's writes folded in memory for a rebuild (see projections/base.py Fold):
    an activity's first row kept and every enterprise it reached (the statements' ON
    CONFLICT DO NOTHING). A cancellation drops what the fold holds of the activity and, when
    earlier stretches wrote rows, runs the view's DELETEs for theirs."""

    view: PublicityView

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.activities: dict[UUID, tuple[Any, ...]] = {}
        self.reach: dict[UUID, dict[str, None]] = {}  # by activity: the enterprises reached
        self.reach_count = 0

    def size(self) -> int:
        return len(self.activities) + self.reach_count

    def logged(self, row: ActivityRow, tracking: Tracking) -> None:
        self.activities.setdefault(row.id, tuple(getattr(row, c) for c in _ACTIVITY_COLUMNS))
        reached = self.reach.setdefault(row.id, {})
        before = len(reached)
        reached.update(dict.fromkeys(row.enterprise_ids))
        self.reach_count += len(reached) - before

    def cancelled(self, activity_id: UUID, tracking: Tracking) -> None:
        self.activities.pop(activity_id, None)
        self.reach_count -= len(self.reach.pop(activity_id, {}))
        if not self.empty:  # rows an earlier stretch wrote: the view's statements
            self.view.cancelled(activity_id, tracking)

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        activities, reach = self.activities, self.reach
        self.activities, self.reach, self.reach_count = {}, {}, 0
        return [
            ("activities", _ACTIVITY_COLUMNS, list(activities.values()),
             "ON CONFLICT (id) DO NOTHING"),
            ("reach", ("activity_id", "enterprise_id"),
             [(a, e) for a, reached in reach.items() for e in reached],
             "ON CONFLICT DO NOTHING"),
        ]  # fmt: skip


PublicityView.fold_class = PublicityFold


class PublicityProjection(Projection[PublicityView]):
    name = "publicity"
    topics = ()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: PublicityActivity.Logged, tracking: Tracking) -> None:
        row = ActivityRow(
            id=e.originator_id,
            kind=e.kind,
            title=e.title,
            held_on=e.held_on,
            district=e.district,
            policy_codes=list(e.policy_codes),
            enterprise_ids=list(e.enterprise_ids),
            department_id=e.department_id,
            summary=e.summary,
            logged_by_id=e.actor.id,
            logged_by_name=e.actor.name,
            position=tracking.notification_id,
        )
        self.view.logged(row, tracking)

    @process_event.register
    def _(self, e: PublicityActivity.Cancelled, tracking: Tracking) -> None:
        self.view.cancelled(e.originator_id, tracking)
