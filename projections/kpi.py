"""KPIs (考核指标) for any date range and district, from small per-fact tables.

The `kpis` query never reads the event store: every event leaves a few rows here (one per
fact, with its time, district, department and, where there is one, commissioner), so any
period and district is answered by one statement of SQL aggregates. Rows rather than monthly
counters, because the range is arbitrary and must be exact; grouping them by month, department
or commissioner is a GROUP BY away.

A period is the calendar dates `from`..`to` inclusive, in Beijing time (BEIJING_TIME,
UTC+8, the bureau's day), i.e. the instants [from 00:00 CST, to + 1 day 00:00 CST).
A rate is null when its divisor is 0 ("nothing to divide"): never 0 and never an error.

Definitions (DOMAIN.md's table where it speaks; the rest decided here):

- enterprises served: distinct enterprises whose relationship was ACTIVE at some instant of the
  period (opened on/before `to`, not closed or suspended for the whole period). A SUSPENDED
  relationship (暂停服务) is not served: DOMAIN.md counts an *active* relationship, and no
  visit or notice is allowed while suspended. Each ACTIVE stretch is a row [start, end).
- visit count / enterprises visited / policy events: visits whose actual time (`visited_at`)
  falls in the period, with corrections applied (a corrected date or channel moves the visit);
  enterprises visited counts distinct enterprises; policy events are visits with channel EVENT.
  A visit's district is its enterprise's.
- issues raised / closed: distinct issues raised, resp. closed (CLOSED by a satisfied or
  basically-satisfied evaluation, or closed UNRATED), in the period. An issue reopened and
  closed again in another period counts as closed in both.
- closure rate: a cohort, so that it never exceeds 1 (issue 17: a flow ratio "closed ÷
  (raised − declined) in the period" reached 1.8 where an older backlog was cleared). The
  cohort is the issues due in the period: distinct issues with a resolution cycle whose
  deadline falls in the period (declined issues are never dispatched, so never due). Rate =
  those of the cohort closed (CLOSED by a satisfied or basically-satisfied evaluation, or
  closed UNRATED) before the period's end ÷ the cohort; null when nothing was due. The
  counts `issues raised` and `issues closed` stay flow counts of the period.
- on-time accept rate: dispatches (by dispatch time, each dispatch of an issue separately)
  accepted by their accept deadline ÷ dispatches in the period whose outcome is known at `now`:
  accepted, refused (退单, a refusal is never on time), or still waiting past the deadline. A
  dispatch still inside its limit is not judged yet.
- urgent hiring response rate: URGENT_HIRING issues whose acceptance came within the response
  limit (4 clock hours) of the dispatch it accepted ÷ URGENT_HIRING issues first dispatched in
  the period whose outcome is known at `now`. The domain restarts the clock at each dispatch,
  so a refusal followed by a re-dispatch accepted in time is still a response in time; an
  issue whose every dispatch was refused is a miss.
- on-time resolve rate: per resolution cycle (the clock starts at dispatch and restarts with
  each rework cycle and each reopening; a refused dispatch's cycle is void). A cycle is judged
  once, in the period in which its outcome became certain: at its resolution when resolved
  on/before its deadline (on time), else at the deadline itself (late, whether resolved after
  it or not resolved at all by `now`). Rate = on-time cycles ÷ cycles judged in the period.
  A resolution later returned for rework still counts as made (the rework is counted apart).
  While a cycle is suspended its deadline is unknown and it is not judged.
- satisfaction rate: evaluations (回访) in the period that were SATISFIED or BASICALLY_SATISFIED
  ÷ all evaluations in the period; UNRATED closes are not evaluations and are left out. An
  issue evaluated twice (unsatisfied, then satisfied after rework) counts twice.
- on-time resolve rate (original deadline): the same cycles judged against the deadline the
  time limit set, before any approved extension (延期); the plain rate uses the deadline in
  force (extended where a supervisor approved an extension), as the deadline watcher does.
- extensions requested / approved: extension requests (延期申请) and approvals in the period,
  against the lead department (`extensions_by_department` counts them per department).
- dispatch refusals: refusals (退单) in the period. reworks: returns for rework plus
  unsatisfied evaluations in the period (each starts a rework cycle).

Issues are in the district stored on the issue (its enterprise's, or its direct-report
point's). Every write is an idempotent upsert keyed by the fact, in one transaction with the
tracking position, so replaying an event changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import singledispatch
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.enterprise import EnterpriseRelationship
from domain.issue import Deadlines, Issue, IssueKind, IssueStatus
from domain.shared import BEIJING_TIME, InvalidInput, require_aware
from domain.time_limits import SlaPolicy, WorkingCalendar, is_clock_stopped
from projections.base import Fold, View, rows_of
from projections.enterprise_profile import EnterpriseProfile, fold
from projections.state import ProjectionStates

_ENTERPRISE = EnterpriseRelationship


@dataclass(frozen=True)
class KpiReport:
    """The contract's KpiReport: counts for the period, rates null when nothing to divide."""

    from_: date
    to: date
    district: str | None
    enterprises_served: int
    visit_count: int
    enterprises_visited: int
    policy_events: int
    issues_raised: int
    issues_closed: int
    closure_rate: float | None
    on_time_accept_rate: float | None
    urgent_hiring_response_rate: float | None
    on_time_resolve_rate: float | None
    satisfaction_rate: float | None
    dispatch_refusals: int
    reworks: int
    # The number of cases each rate was measured on (its divisor), by rate name; None for a
    # report made by hand. The league table leaves out a rate measured on too few cases.
    samples: dict[str, int] | None = field(default=None, compare=False)
    # Extensions (延期申请): judged against the original deadline too, and counted.
    on_time_resolve_rate_original: float | None = field(default=None, compare=False)
    extensions_requested: int = field(default=0, compare=False)
    extensions_approved: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DepartmentExtensions:
    """One department's extension requests (延期申请) in a period, and their outcomes."""

    department_id: str
    requested: int
    approved: int
    refused: int


@dataclass
class Change:
    """The rows one event writes (each part optional), all in the event's transaction."""

    activity_start: dict[str, Any] | None = None
    activity_end: dict[str, Any] | None = None
    visit: dict[str, Any] | None = None
    visit_correction: dict[str, Any] | None = None
    facts: list[dict[str, Any]] = field(default_factory=list)
    refusal: dict[str, Any] | None = None
    dispatch: dict[str, Any] | None = None
    cycle: dict[str, Any] | None = None


# ------------------------------------------------------------------ writes (idempotent)

_START_ACTIVITY = (
    "INSERT INTO {p}_activity (enterprise_id, started_version, district, started_at)"
    " VALUES (%(enterprise_id)s, %(version)s, %(district)s, %(at)s) ON CONFLICT DO NOTHING"
)
# Ends the stretch begun before this event; COALESCE keeps the first end, so closing a
# suspended relationship does not move the end of its last ACTIVE stretch to the close.
_END_ACTIVITY = (
    "UPDATE {p}_activity SET ended_at = COALESCE(ended_at, %(at)s)"
    " WHERE enterprise_id = %(enterprise_id)s AND started_version = (SELECT max(started_version)"
    " FROM {p}_activity WHERE enterprise_id = %(enterprise_id)s"
    " AND started_version < %(version)s)"
)
_UPSERT_VISIT = (
    "INSERT INTO {p}_visits VALUES (%(visit_id)s, %(enterprise_id)s, %(district)s,"
    " %(commissioner_id)s, %(visited_at)s, %(channel)s) ON CONFLICT (visit_id) DO UPDATE SET"
    " visited_at = EXCLUDED.visited_at, channel = EXCLUDED.channel"
)
_CORRECT_VISIT = (
    "UPDATE {p}_visits SET visited_at = COALESCE(%(visited_at)s, visited_at),"
    " channel = COALESCE(%(channel)s, channel) WHERE visit_id = %(visit_id)s"
)
_INSERT_FACT = (
    "INSERT INTO {p}_issue_facts VALUES (%(issue_id)s, %(version)s, %(fact)s, %(at)s,"
    " %(district)s, %(department_id)s, %(commissioner_id)s, %(category)s, %(satisfaction)s)"
    " ON CONFLICT DO NOTHING"
)
# The refused dispatch is the issue's latest one before the refusal: named by its time, so a
# replay touches the same row whatever happened to the issue since.
_REFUSED_DISPATCH = (
    "(SELECT max(dispatched_at) FROM {p}_dispatches"
    " WHERE issue_id = %(issue_id)s AND dispatched_at <= %(at)s)"
)
_MARK_REFUSED = (
    "UPDATE {p}_dispatches SET refused_at = %(at)s"
    f" WHERE issue_id = %(issue_id)s AND dispatched_at = {_REFUSED_DISPATCH}"
)
# A refused dispatch leaves the issue undispatched: its resolution clock never really ran.
_VOID_CYCLE = (
    "DELETE FROM {p}_resolutions WHERE issue_id = %(issue_id)s AND resolved_at IS NULL"
    f" AND started_at = {_REFUSED_DISPATCH}"
)
_UPSERT_DISPATCH = (
    "INSERT INTO {p}_dispatches (issue_id, dispatched_at, district, department_id, category,"
    " accept_due_at, accepted_at) VALUES (%(issue_id)s, %(dispatched_at)s, %(district)s,"
    " %(department_id)s, %(category)s, %(accept_due_at)s, %(accepted_at)s)"
    " ON CONFLICT (issue_id, dispatched_at) DO UPDATE SET accepted_at = EXCLUDED.accepted_at"
)
_UPSERT_CYCLE = (
    "INSERT INTO {p}_resolutions VALUES (%(issue_id)s, %(started_at)s, %(district)s,"
    " %(department_id)s, %(due_at)s, %(resolved_at)s, %(original_due_at)s)"
    " ON CONFLICT (issue_id, started_at)"
    " DO UPDATE SET department_id = EXCLUDED.department_id, due_at = EXCLUDED.due_at,"
    " resolved_at = EXCLUDED.resolved_at, original_due_at = EXCLUDED.original_due_at"
)


def _statements(change: Change) -> Iterator[tuple[str, dict[str, Any]]]:
    if change.activity_start:
        yield _START_ACTIVITY, change.activity_start
    if change.activity_end:
        yield _END_ACTIVITY, change.activity_end
    if change.visit:
        yield _UPSERT_VISIT, change.visit
    if change.visit_correction:
        yield _CORRECT_VISIT, change.visit_correction
    for fact in change.facts:
        yield _INSERT_FACT, fact
    if change.refusal:
        yield _VOID_CYCLE, change.refusal
        yield _MARK_REFUSED, change.refusal
    if change.dispatch:
        yield _UPSERT_DISPATCH, change.dispatch
    if change.cycle:
        yield _UPSERT_CYCLE, change.cycle


# ------------------------------------------------------------------ the query

_IN_DISTRICT = "(%(district)s::text IS NULL OR district = %(district)s)"
_IN_PERIOD = "{col} >= %(start)s AND {col} < %(end)s"
# A dispatch's outcome is known once it is accepted or refused, or its deadline has passed.
_DISPATCH_DECIDED = "(accepted_at IS NOT NULL OR refused_at IS NOT NULL OR accept_due_at < %(now)s)"
_ACCEPTED_IN_TIME = "accepted_at <= accept_due_at"

# Each part of the report as a subquery. For one district (or all, district NULL) each returns
# one row; for the league table each returns a row per district ({key} and {group} below), so
# that every district's figures come from one statement and one snapshot.
_PARTS = {
    "served": """SELECT {key} count(DISTINCT enterprise_id) AS enterprises_served
   FROM {{p}}_activity WHERE started_at < %(end)s AND (ended_at IS NULL OR ended_at > %(start)s)
   AND {filter} {group}""",
    "visits": f"""SELECT {{key}} count(*) AS visit_count,
   count(DISTINCT enterprise_id) AS enterprises_visited,
   count(*) FILTER (WHERE channel = 'EVENT') AS policy_events FROM {{{{p}}}}_visits
   WHERE {_IN_PERIOD.format(col="visited_at")} AND {{filter}} {{group}}""",
    "facts": f"""SELECT {{key}} count(DISTINCT issue_id) FILTER (WHERE fact = 'RAISED') AS issues_raised,
   count(DISTINCT issue_id) FILTER (WHERE fact = 'DECLINED') AS issues_declined,
   count(DISTINCT issue_id) FILTER (WHERE fact = 'CLOSED') AS issues_closed,
   count(*) FILTER (WHERE fact = 'RATED') AS rated,
   count(*) FILTER (WHERE fact = 'RATED'
     AND satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED')) AS satisfied,
   count(*) FILTER (WHERE fact = 'REFUSED') AS dispatch_refusals,
   count(*) FILTER (WHERE fact = 'REWORK') AS reworks,
   count(*) FILTER (WHERE fact = 'EXTENSION_REQUESTED') AS extensions_requested,
   count(*) FILTER (WHERE fact = 'EXTENSION_APPROVED') AS extensions_approved
   FROM {{{{p}}}}_issue_facts WHERE {_IN_PERIOD.format(col="at")} AND {{filter}} {{group}}""",
    "accepts": f"""SELECT {{key}} count(*) FILTER (WHERE {_ACCEPTED_IN_TIME}) AS accepted_in_time,
   count(*) FILTER (WHERE {_DISPATCH_DECIDED}) AS dispatches_judged FROM {{{{p}}}}_dispatches
   WHERE {_IN_PERIOD.format(col="dispatched_at")} AND {{filter}} {{group}}""",
    # An issue's dispatches all carry the issue's district: grouping by it changes nothing.
    "urgent": f"""SELECT {{key}} count(*) FILTER (WHERE responded) AS urgent_responded,
   count(*) FILTER (WHERE responded OR decided) AS urgent_judged FROM
   (SELECT {{key}} min(dispatched_at) AS first_dispatched_at,
     bool_or({_ACCEPTED_IN_TIME}) AS responded, bool_and({_DISPATCH_DECIDED}) AS decided
    FROM {{{{p}}}}_dispatches WHERE category = 'URGENT_HIRING' AND {{filter}}
    GROUP BY {{key}} issue_id) urgent_issues
   WHERE {_IN_PERIOD.format(col="first_dispatched_at")} {{group}}""",
    # The closure cohort: issues with a resolution cycle due in the period, and whether each
    # was closed before the period's end.
    "closure": f"""SELECT {{key}} count(*) AS closure_due,
   count(*) FILTER (WHERE closed) AS closure_closed FROM
   (SELECT {{key}} bool_or(EXISTS (SELECT 1 FROM {{{{p}}}}_issue_facts f
      WHERE f.issue_id = r.issue_id AND f.fact = 'CLOSED' AND f.at < %(end)s)) AS closed
    FROM {{{{p}}}}_resolutions r WHERE {_IN_PERIOD.format(col="r.due_at")} AND {{filter}}
    GROUP BY {{key}} r.issue_id) due_issues {{group}}""",
    "resolves": f"""SELECT {{key}} count(*) FILTER (WHERE on_time) AS resolved_in_time,
   count(*) AS cycles_judged FROM
   (SELECT {{key}} resolved_at <= due_at AS on_time,
     CASE WHEN resolved_at <= due_at THEN resolved_at ELSE due_at END AS judged_at
    FROM {{{{p}}}}_resolutions WHERE due_at IS NOT NULL
    AND (resolved_at IS NOT NULL OR due_at < %(now)s) AND {{filter}}) cycles
   WHERE {_IN_PERIOD.format(col="judged_at")} {{group}}""",
    # The same cycles against the deadline before any extension.
    "originals": f"""SELECT {{key}} count(*) FILTER (WHERE on_time) AS resolved_in_original_time,
   count(*) AS cycles_judged_original FROM
   (SELECT {{key}} resolved_at <= original_due_at AS on_time,
     CASE WHEN resolved_at <= original_due_at THEN resolved_at ELSE original_due_at END
       AS judged_at
    FROM {{{{p}}}}_resolutions WHERE original_due_at IS NOT NULL
    AND (resolved_at IS NOT NULL OR original_due_at < %(now)s) AND {{filter}}) cycles
   WHERE {_IN_PERIOD.format(col="judged_at")} {{group}}""",
}
_ONE = {"key": "", "group": "", "filter": _IN_DISTRICT}
_EACH = {
    "key": "district,",
    "group": "GROUP BY district",
    "filter": "district = ANY(%(districts)s)",
}
_COUNTS = (
    "enterprises_served", "visit_count", "enterprises_visited", "policy_events", "issues_raised",
    "issues_declined", "issues_closed", "rated", "satisfied", "dispatch_refusals", "reworks",
    "accepted_in_time", "dispatches_judged", "urgent_responded", "urgent_judged",
    "resolved_in_time", "cycles_judged", "closure_due", "closure_closed",
    "extensions_requested", "extensions_approved", "resolved_in_original_time",
    "cycles_judged_original",
)  # fmt: skip

_REPORT = "SELECT * FROM " + ",\n".join(
    f"({part.format(**_ONE)}) {name}" for name, part in _PARTS.items()
)
# A row per district asked for, a district without any rows counting zeros.
_REPORT_BY_DISTRICT = (
    "SELECT d.district, "
    + ", ".join(f"coalesce({c}, 0) AS {c}" for c in _COUNTS)
    + " FROM unnest(%(districts)s::text[]) AS d(district) "
    + " ".join(
        f"LEFT JOIN ({part.format(**_EACH)}) {name} USING (district)"
        for name, part in _PARTS.items()
    )
)


def _rate(numerator: int, divisor: int) -> float | None:
    return numerator / divisor if divisor > 0 else None


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants of the dates first..last (inclusive) in Beijing time: [first 00:00,
    the day after last 00:00)."""
    start = datetime.combine(first, time.min, tzinfo=BEIJING_TIME)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=BEIJING_TIME)
    return start, end


def _period(from_: date, to: date) -> tuple[datetime, datetime]:
    if to < from_:
        raise InvalidInput(
            "input.period_order", field="to", to=to.isoformat(), from_=from_.isoformat()
        )
    return day_bounds(from_, to)


class KpiView(View):
    create_sql = (
        # One row per ACTIVE stretch of a relationship: [started_at, ended_at).
        "CREATE TABLE IF NOT EXISTS {p}_activity ("
        " enterprise_id uuid NOT NULL, started_version int NOT NULL, district text NOT NULL,"
        " started_at timestamptz NOT NULL, ended_at timestamptz,"
        " PRIMARY KEY (enterprise_id, started_version))",
        "CREATE TABLE IF NOT EXISTS {p}_visits ("
        " visit_id text PRIMARY KEY, enterprise_id uuid NOT NULL, district text NOT NULL,"
        " commissioner_id text NOT NULL, visited_at timestamptz NOT NULL, channel text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_visits_at_idx ON {p}_visits (visited_at)",
        # Point facts of issues: RAISED, DECLINED, CLOSED, RATED, REFUSED, REWORK.
        "CREATE TABLE IF NOT EXISTS {p}_issue_facts ("
        " issue_id uuid NOT NULL, version int NOT NULL, fact text NOT NULL,"
        " at timestamptz NOT NULL, district text, department_id text, commissioner_id text,"
        " category text NOT NULL, satisfaction text, PRIMARY KEY (issue_id, version, fact))",
        "CREATE INDEX IF NOT EXISTS {p}_issue_facts_at_idx ON {p}_issue_facts (at)",
        "CREATE TABLE IF NOT EXISTS {p}_dispatches ("
        " issue_id uuid NOT NULL, dispatched_at timestamptz NOT NULL, district text,"
        " department_id text NOT NULL, category text NOT NULL,"
        " accept_due_at timestamptz NOT NULL, accepted_at timestamptz, refused_at timestamptz,"
        " PRIMARY KEY (issue_id, dispatched_at))",
        # One row per resolution cycle; due_at is null while the clock is stopped (suspended).
        "CREATE TABLE IF NOT EXISTS {p}_resolutions ("
        " issue_id uuid NOT NULL, started_at timestamptz NOT NULL, district text,"
        " department_id text, due_at timestamptz, resolved_at timestamptz,"
        " original_due_at timestamptz, PRIMARY KEY (issue_id, started_at))",
    )

    def record(self, change: Change, tracking: Tracking) -> None:
        """The event's rows and the position: one transaction (the position alone when the
        event writes no row: a batch of such events then needs no transaction)."""
        statements = list(_statements(change))
        if not statements:
            self.insert_tracking(tracking)
            return
        with self.tracked(tracking) as curs:
            for statement, params in statements:
                curs.execute(statement.format(p=self.prefix), params)  # type: ignore[arg-type]

    def report(self, from_: date, to: date, district: str | None, now: datetime) -> KpiReport:
        """The KPIs of the dates from_..to (CST, inclusive); `now` decides which deadlines
        have passed. One statement, so every figure comes from the same snapshot."""
        with self.datastore.transaction(commit=False) as curs:
            return _one_report(curs, self.prefix, from_, to, district, now)

    def report_by_district(
        self, from_: date, to: date, districts: Sequence[str], now: datetime
    ) -> list[KpiReport]:
        """report() for each district, in the order given, from one statement."""
        with self.datastore.transaction(commit=False) as curs:
            return _reports_by_district(curs, self.prefix, from_, to, districts, now)

    def reports_as_of(
        self,
        log: Iterable[tuple[int, Any]],
        from_: date,
        to: date,
        districts: Sequence[str | None],
        now: datetime,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
    ) -> list[KpiReport]:
        """The reports as a prefix of the log (`log`: (position, event) pairs, from the first)
        makes them: its events folded in memory by the same row builders as the projection,
        their rows written to temporary tables of this view's shape, and the same statements
        run on those. Nothing is kept: the transaction rolls back. `districts`: one report
        each (None: every district together)."""
        prefix = "pg_temp.kpi_as_of"
        with self.datastore.transaction(commit=False) as curs:
            for statement in self.create_sql:
                if statement.startswith("CREATE TABLE"):
                    curs.execute(statement.format(p=prefix))  # type: ignore[arg-type]
            with curs.connection.pipeline():
                for change in _changes(log, sla, calendar):
                    for statement, params in _statements(change):
                        curs.execute(statement.format(p=prefix), params)  # type: ignore[arg-type]
            named = [d for d in districts if d is not None]
            by_name = dict(
                zip(named, _reports_by_district(curs, prefix, from_, to, named, now), strict=True)
            )
            return [
                by_name[d] if d is not None else _one_report(curs, prefix, from_, to, None, now)
                for d in districts
            ]

    def extensions_by_department(
        self, from_: date, to: date, district: str | None
    ) -> list[DepartmentExtensions]:
        """Extension requests in the period per (lead) department, most requests first."""
        start, end = _period(from_, to)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT department_id,"  # type: ignore[arg-type]
                " count(*) FILTER (WHERE fact = 'EXTENSION_REQUESTED') AS requested,"
                " count(*) FILTER (WHERE fact = 'EXTENSION_APPROVED') AS approved,"
                " count(*) FILTER (WHERE fact = 'EXTENSION_REFUSED') AS refused"
                f" FROM {self.prefix}_issue_facts WHERE fact LIKE 'EXTENSION_%%'"
                f" AND {_IN_PERIOD.format(col='at')} AND {_IN_DISTRICT}"
                " AND department_id IS NOT NULL"
                " GROUP BY department_id ORDER BY requested DESC, department_id",
                {"start": start, "end": end, "district": district},
            )
            return [DepartmentExtensions(**r) for r in curs.fetchall()]


def _one_report(
    curs: Any, prefix: str, from_: date, to: date, district: str | None, now: datetime
) -> KpiReport:
    require_aware(now, "now")
    start, end = _period(from_, to)
    params = {"start": start, "end": end, "now": now, "district": district}
    curs.execute(_REPORT.format(p=prefix), params)
    row = curs.fetchone()
    assert row is not None  # aggregates without GROUP BY always return one row
    return _report(from_, to, district, row)


def _reports_by_district(
    curs: Any, prefix: str, from_: date, to: date, districts: Sequence[str], now: datetime
) -> list[KpiReport]:
    require_aware(now, "now")
    if not districts:
        return []
    start, end = _period(from_, to)
    params = {"start": start, "end": end, "now": now, "districts": list(districts)}
    curs.execute(_REPORT_BY_DISTRICT.format(p=prefix), params)
    rows = {r["district"]: r for r in curs.fetchall()}
    return [_report(from_, to, d, rows[d]) for d in districts]


def _changes(
    log: Iterable[tuple[int, Any]], sla: SlaPolicy, calendar: WorkingCalendar
) -> Iterator[Change]:
    """The rows each event of a log prefix writes, its streams' states folded in memory
    (every stream from its first event: no loading, nothing dropped)."""
    profiles: dict[Any, EnterpriseProfile] = {}
    issues: dict[Any, Issue] = {}
    for _position, e in log:
        if isinstance(e, EnterpriseRelationship.Event):
            profile = fold(profiles.get(e.originator_id), e)
            profiles[e.originator_id] = profile
            yield enterprise_change(e, profile)
        elif isinstance(e, Issue.Event):
            issue: Any = e.mutate(issues.get(e.originator_id))
            issues[e.originator_id] = issue
            yield issue_change(e, issue, sla, calendar)


def _report(from_: date, to: date, district: str | None, r: dict[str, Any]) -> KpiReport:
    return KpiReport(
        from_=from_,
        to=to,
        district=district,
        enterprises_served=r["enterprises_served"],
        visit_count=r["visit_count"],
        enterprises_visited=r["enterprises_visited"],
        policy_events=r["policy_events"],
        issues_raised=r["issues_raised"],
        issues_closed=r["issues_closed"],
        closure_rate=_rate(r["closure_closed"], r["closure_due"]),
        on_time_accept_rate=_rate(r["accepted_in_time"], r["dispatches_judged"]),
        urgent_hiring_response_rate=_rate(r["urgent_responded"], r["urgent_judged"]),
        on_time_resolve_rate=_rate(r["resolved_in_time"], r["cycles_judged"]),
        satisfaction_rate=_rate(r["satisfied"], r["rated"]),
        dispatch_refusals=r["dispatch_refusals"],
        reworks=r["reworks"],
        samples={
            "closure_rate": r["closure_due"],
            "on_time_accept_rate": r["dispatches_judged"],
            "urgent_hiring_response_rate": r["urgent_judged"],
            "on_time_resolve_rate": r["cycles_judged"],
            "satisfaction_rate": r["rated"],
            "visit_coverage": r["enterprises_served"],
        },
        on_time_resolve_rate_original=_rate(
            r["resolved_in_original_time"], r["cycles_judged_original"]
        ),
        extensions_requested=r["extensions_requested"],
        extensions_approved=r["extensions_approved"],
    )


# ------------------------------------------------------------------ the projection


_ACTIVITY_COLUMNS = ("enterprise_id", "started_version", "district", "started_at", "ended_at")
_VISIT_COLUMNS = (
    "visit_id",
    "enterprise_id",
    "district",
    "commissioner_id",
    "visited_at",
    "channel",
)
_FACT_COLUMNS = (
    "issue_id", "version", "fact", "at", "district", "department_id", "commissioner_id",
    "category", "satisfaction",
)  # fmt: skip
_DISPATCH_COLUMNS = (
    "issue_id", "dispatched_at", "district", "department_id", "category", "accept_due_at",
    "accepted_at",
)  # fmt: skip
_CYCLE_COLUMNS = (
    "issue_id", "started_at", "district", "department_id", "due_at", "resolved_at",
    "original_due_at",
)  # fmt: skip
_CYCLE_UPDATED = ("department_id", "due_at", "resolved_at", "original_due_at")


class KpiFold(Fold):
    """KpiView's writes folded in memory for a rebuild (see projections/base.py Fold).

    Each statement of `_statements` has its in-memory twin on the rows written in the
    stretch; a row written before (in the table) is changed by the statement itself, and a
    staged row merges as the statements would have merged it. A refusal (its statements look
    for the issue's latest dispatch wherever it is) writes what is held first, then runs its
    statements.
    """

    view: KpiView

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.activity: dict[tuple[Any, int], dict[str, Any]] = {}
        self.visits: dict[str, dict[str, Any]] = {}
        self.facts: dict[tuple[Any, int, str], dict[str, Any]] = {}
        self.dispatches: dict[tuple[Any, datetime], dict[str, Any]] = {}
        self.cycles: dict[tuple[Any, datetime], dict[str, Any]] = {}

    def size(self) -> int:
        held = self.activity, self.visits, self.facts, self.dispatches, self.cycles
        return sum(len(table) for table in held)

    def _sql(self, statement: str, params: dict[str, Any]) -> None:
        self.curs.execute(statement.format(p=self.view.prefix), params)  # type: ignore[arg-type]

    def record(self, change: Change, tracking: Tracking) -> None:
        if change.refusal:
            self.flush()
            self._sql(_VOID_CYCLE, change.refusal)
            self._sql(_MARK_REFUSED, change.refusal)
        if (start := change.activity_start) is not None:
            self.activity.setdefault(
                (start["enterprise_id"], start["version"]),
                {"enterprise_id": start["enterprise_id"], "started_version": start["version"],
                 "district": start["district"], "started_at": start["at"], "ended_at": None},
            )  # fmt: skip
        if (end := change.activity_end) is not None:
            self._end_activity(end)
        if (visit := change.visit) is not None:
            if (held := self.visits.get(visit["visit_id"])) is None:
                self.visits[visit["visit_id"]] = dict(visit)
            else:
                held["visited_at"], held["channel"] = visit["visited_at"], visit["channel"]
        if (correction := change.visit_correction) is not None:
            if (held := self.visits.get(correction["visit_id"])) is None:
                self._sql(_CORRECT_VISIT, correction)
            else:
                for column in ("visited_at", "channel"):
                    if correction[column] is not None:
                        held[column] = correction[column]
        for fact in change.facts:
            self.facts.setdefault((fact["issue_id"], fact["version"], fact["fact"]), fact)
        if (dispatch := change.dispatch) is not None:
            key = (dispatch["issue_id"], dispatch["dispatched_at"])
            if (held := self.dispatches.get(key)) is None:
                self.dispatches[key] = dict(dispatch)
            else:
                held["accepted_at"] = dispatch["accepted_at"]
        if (cycle := change.cycle) is not None:
            key = (cycle["issue_id"], cycle["started_at"])
            if (held := self.cycles.get(key)) is None:
                self.cycles[key] = dict(cycle)
            else:
                held.update({c: cycle[c] for c in _CYCLE_UPDATED})

    def _end_activity(self, end: dict[str, Any]) -> None:
        """The stretch begun last before this event ends (its first end kept). A stream's
        events come in order: a stretch held here is later than any in the table."""
        held = [
            version
            for enterprise_id, version in self.activity
            if enterprise_id == end["enterprise_id"] and version < end["version"]
        ]
        if not held:
            self._sql(_END_ACTIVITY, end)
            return
        row = self.activity[(end["enterprise_id"], max(held))]
        if row["ended_at"] is None:
            row["ended_at"] = end["at"]

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        held = self.activity, self.visits, self.facts, self.dispatches, self.cycles
        self.activity, self.visits, self.facts, self.dispatches, self.cycles = {}, {}, {}, {}, {}
        activity, visits, facts, dispatches, cycles = held

        def rows(table: dict[Any, dict[str, Any]], columns: tuple[str, ...]) -> list[Any]:
            return rows_of(table.values(), columns)

        return [
            ("activity", _ACTIVITY_COLUMNS, rows(activity, _ACTIVITY_COLUMNS),
             "ON CONFLICT (enterprise_id, started_version)"
             " DO UPDATE SET ended_at = COALESCE({t}.ended_at, EXCLUDED.ended_at)"),
            ("visits", _VISIT_COLUMNS, rows(visits, _VISIT_COLUMNS),
             "ON CONFLICT (visit_id) DO UPDATE SET"
             " visited_at = EXCLUDED.visited_at, channel = EXCLUDED.channel"),
            ("issue_facts", _FACT_COLUMNS, rows(facts, _FACT_COLUMNS), "ON CONFLICT DO NOTHING"),
            ("dispatches", _DISPATCH_COLUMNS, rows(dispatches, _DISPATCH_COLUMNS),
             "ON CONFLICT (issue_id, dispatched_at) DO UPDATE SET accepted_at = EXCLUDED.accepted_at"),
            ("resolutions", _CYCLE_COLUMNS, rows(cycles, _CYCLE_COLUMNS),
             "ON CONFLICT (issue_id, started_at) DO UPDATE SET "
             + ", ".join(f"{c} = EXCLUDED.{c}" for c in _CYCLE_UPDATED)),
        ]  # fmt: skip


KpiView.fold_class = KpiFold
KpiView.reads_personal_data = False  # counts, times, districts, departments: no one's data


class KpiProjection(Projection[KpiView]):
    name = "kpi"
    topics = ()

    def __init__(
        self,
        view: KpiView,
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
        """Events this view ignores still advance its position."""
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: EnterpriseRelationship.Event, tracking: Tracking) -> None:
        # Every event of the stream keeps the cached state current, even those writing no row.
        enterprise = self.states.enterprise(e)
        self.view.record(enterprise_change(e, enterprise), tracking)

    @process_event.register
    def _(self, e: Issue.Event, tracking: Tracking) -> None:
        issue = self.states.issue(e)
        self.view.record(issue_change(e, issue, self.sla, self.calendar), tracking)


# ------------------------------------------------------------------ enterprise events


@singledispatch
def enterprise_change(e: Any, enterprise: EnterpriseProfile) -> Change:
    return Change()


@enterprise_change.register(_ENTERPRISE.Opened)
@enterprise_change.register(_ENTERPRISE.Resumed)
def _(e: Any, enterprise: EnterpriseProfile) -> Change:
    return Change(activity_start=_activity(e, enterprise))


@enterprise_change.register(_ENTERPRISE.Suspended)
@enterprise_change.register(_ENTERPRISE.Closed)
def _(e: Any, enterprise: EnterpriseProfile) -> Change:
    return Change(activity_end=_activity(e, enterprise))


@enterprise_change.register(_ENTERPRISE.VisitLogged)
def _(e: Any, enterprise: EnterpriseProfile) -> Change:
    return Change(
        visit={
            "visit_id": e.visit_id,
            "enterprise_id": enterprise.id,
            "district": enterprise.district,
            "commissioner_id": e.commissioner_id,
            "visited_at": e.visited_at,
            "channel": e.channel,
        }
    )


@enterprise_change.register(_ENTERPRISE.VisitCorrected)
def _(e: Any, enterprise: EnterpriseProfile) -> Change:
    # A correction of its date or channel moves the visit; other corrections change nothing here.
    return Change(
        visit_correction={
            "visit_id": e.visit_id,
            "visited_at": e.changes.get("visited_at"),
            "channel": e.changes.get("channel"),
        }
    )


def _activity(e: Any, enterprise: EnterpriseProfile) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise.id,
        "version": e.originator_version,
        "district": enterprise.district,
        "at": e.timestamp,
    }


# ------------------------------------------------------------------ issue events

_FACTS: dict[type[Any], tuple[str, ...]] = {
    Issue.Raised: ("RAISED",),
    Issue.Declined: ("DECLINED",),
    Issue.DispatchRefused: ("REFUSED",),
    Issue.ReturnedForRework: ("REWORK",),
    Issue.ClosedUnrated: ("CLOSED",),
    Issue.ExtensionRequested: ("EXTENSION_REQUESTED",),
    Issue.ExtensionApproved: ("EXTENSION_APPROVED",),
    Issue.ExtensionRefused: ("EXTENSION_REFUSED",),
}


def issue_change(e: Any, issue: Issue, sla: SlaPolicy, calendar: WorkingCalendar) -> Change:
    """The facts the event adds, and the current dispatch and resolution cycle as they now are
    (rewritten on every event: suspensions move a deadline without a fact of their own)."""
    deadlines, original = issue.deadlines_and_original(sla, calendar)
    refused = isinstance(e, Issue.DispatchRefused)
    return Change(
        facts=[_fact(e, issue, fact) for fact in _facts_of(e, issue)],
        refusal={"issue_id": issue.id, "at": e.timestamp} if refused else None,
        dispatch=_dispatch_row(issue, deadlines),
        cycle=_cycle_row(issue, deadlines, original),
    )


def _facts_of(e: Any, issue: Issue) -> tuple[str, ...]:
    if isinstance(e, Issue.Evaluated):
        # Satisfied or basically satisfied closes the issue; unsatisfied starts a rework cycle.
        return ("RATED", "CLOSED" if issue.status is IssueStatus.CLOSED else "REWORK")
    return _FACTS.get(type(e), ())


def _fact(e: Any, issue: Issue, fact: str) -> dict[str, Any]:
    # A refusal counts against the department that refused, the rest against the lead.
    department = e.department_id if fact == "REFUSED" else issue.lead_department_id
    is_demand = issue.kind is IssueKind.ENTERPRISE_DEMAND
    return {
        "issue_id": issue.id,
        "version": e.originator_version,
        "fact": fact,
        "at": e.timestamp,
        "district": issue.district,
        "department_id": department,
        "commissioner_id": issue.raised_by.id if is_demand else None,
        "category": issue.category.value,
        "satisfaction": e.satisfaction if fact == "RATED" else None,
    }


def _dispatch_row(issue: Issue, deadlines: Deadlines) -> dict[str, Any] | None:
    dispatched_at = issue.dispatched_at
    if dispatched_at is None or deadlines.accept_due_at is None:
        return None
    accepted_at = issue.accepted_at
    return {
        "issue_id": issue.id,
        "dispatched_at": dispatched_at,
        "district": issue.district,
        "department_id": issue.lead_department_id,
        "category": issue.category.value,
        "accept_due_at": deadlines.accept_due_at,
        # Only an acceptance of this dispatch (not one from before a re-dispatch).
        "accepted_at": accepted_at if accepted_at and accepted_at >= dispatched_at else None,
    }


def _cycle_row(
    issue: Issue, deadlines: Deadlines, original: datetime | None = None
) -> dict[str, Any] | None:
    started_at = issue.resolution_clock_started_at
    due_at = deadlines.resolve_due_at
    if started_at is None or due_at is None:
        return None
    return {
        "issue_id": issue.id,
        "started_at": started_at,
        "district": issue.district,
        "department_id": issue.lead_department_id,
        "due_at": None if is_clock_stopped(due_at) else due_at,
        "resolved_at": issue.resolved_at,
        "original_due_at": None if original is None or is_clock_stopped(original) else original,
    }
