"""Queries behind the airing report (晾晒通报): bureau KPIs, departments, overdue issues.

The league table's own query is projections/league_table.py's `league_table` (the API reads it).

Reads only read models. Period figures follow projections/kpi.py's definitions (a period is
CST calendar dates, inclusive). "Open" and "overdue" are states, not flows: they are counted
as they stand at `now`, whatever the period, because the read models keep no past state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.issue_board import OPEN, IssueFilter, IssueRow
from projections.kpi import KpiReport, day_bounds
from projections.league_table import Period
from projections.views import Views

_PAGE = 500


def bureau_kpis(views: Views, period: Period, now: datetime) -> KpiReport:
    """The period's KPIs for every district together (and issues without a district)."""
    return views.kpi.report(period.first, period.last, None, now)


# ------------------------------------------------------------------ departments


@dataclass(frozen=True)
class DepartmentRow:
    """A lead department's figures: flows of the period, and what is open/overdue at `now`."""

    department_id: str
    name: str
    dispatches: int  # dispatches to it (as lead) in the period
    accepted_in_time: int
    dispatches_judged: int  # accepted, refused, or past the accept limit (kpi.py's rule)
    refusals: int  # its refusals (退单) in the period
    reworks: int  # returns for rework and unsatisfied evaluations of issues it leads
    open: int  # issues it leads that are open now
    overdue: int  # of those, overdue now

    @property
    def on_time_accept_rate(self) -> float | None:
        judged = self.dispatches_judged
        return self.accepted_in_time / judged if judged > 0 else None


# Registered departments and any department a fact names, each joined to its four figures.
_DEPARTMENTS = """
WITH units AS (SELECT id AS department_id, name FROM {ref}_units WHERE kind = 'DEPARTMENT'),
dispatches AS (SELECT department_id, count(*) AS dispatches,
   count(*) FILTER (WHERE accepted_at <= accept_due_at) AS accepted_in_time,
   count(*) FILTER (WHERE accepted_at IS NOT NULL OR refused_at IS NOT NULL
     OR accept_due_at < %(now)s) AS dispatches_judged
  FROM {kpi}_dispatches WHERE dispatched_at >= %(start)s AND dispatched_at < %(end)s
  GROUP BY department_id),
facts AS (SELECT department_id,
   count(*) FILTER (WHERE fact = 'REFUSED') AS refusals,
   count(*) FILTER (WHERE fact = 'REWORK') AS reworks
  FROM {kpi}_issue_facts WHERE at >= %(start)s AND at < %(end)s
  AND department_id IS NOT NULL GROUP BY department_id),
open AS (SELECT lead_department_id AS department_id, count(*) AS open FROM {board}_rows
  WHERE status = ANY(%(open)s) AND lead_department_id IS NOT NULL GROUP BY 1)
SELECT department_id, units.name, coalesce(dispatches, 0) AS dispatches,
  coalesce(accepted_in_time, 0) AS accepted_in_time,
  coalesce(dispatches_judged, 0) AS dispatches_judged, coalesce(refusals, 0) AS refusals,
  coalesce(reworks, 0) AS reworks, coalesce(open, 0) AS open
FROM units FULL JOIN dispatches USING (department_id) FULL JOIN facts USING (department_id)
  FULL JOIN open USING (department_id)
ORDER BY department_id
"""


def departments(
    views: Views, period: Period, now: datetime, overdue: list[OverdueIssue]
) -> list[DepartmentRow]:
    """Every department: registered ones even when idle, so an idle one shows as zeros.

    `overdue` is the overdue list (overdue_issues): counted from it so both agree."""
    start, end = day_bounds(period.first, period.last)
    params = {"start": start, "end": end, "now": now, "open": list(OPEN)}
    sql = _DEPARTMENTS.format(
        ref=views.reference_data.prefix, kpi=views.kpi.prefix, board=views.issue_board.prefix
    )
    with views.kpi.datastore.transaction(commit=False) as curs:
        curs.execute(sql, params)  # type: ignore[arg-type]
        rows = curs.fetchall()
    overdue_by_department: dict[str, int] = {}
    for found in overdue:
        if found.issue.lead_department_id:
            lead = found.issue.lead_department_id
            overdue_by_department[lead] = overdue_by_department.get(lead, 0) + 1
    return [_department(r, overdue_by_department.get(r["department_id"], 0)) for r in rows]


def _department(r: dict[str, Any], overdue: int) -> DepartmentRow:
    return DepartmentRow(
        department_id=r["department_id"],
        name=r["name"] or r["department_id"],  # a fact may name an unregistered id
        dispatches=r["dispatches"],
        accepted_in_time=r["accepted_in_time"],
        dispatches_judged=r["dispatches_judged"],
        refusals=r["refusals"],
        reworks=r["reworks"],
        open=r["open"],
        overdue=overdue,
    )


# ------------------------------------------------------------------ overdue issues


@dataclass(frozen=True)
class OverdueIssue:
    issue: IssueRow
    enterprise_name: str | None
    department_name: str | None
    missed: str  # ACCEPT or RESOLVE: which time limit has passed
    due_at: datetime

    def overdue_days(self, now: datetime) -> float:
        return (now - self.due_at).total_seconds() / 86400


def overdue_issues(views: Views, now: datetime) -> list[OverdueIssue]:
    """Every issue overdue at `now` (the issue board's rule), longest overdue first."""
    rows = _overdue_rows(views, now)
    enterprise_ids = list({r.enterprise_id for r in rows if r.enterprise_id})
    enterprises = {e.id: e.name for e in views.enterprise_directory.get_many(enterprise_ids)}
    department_ids = list({r.lead_department_id for r in rows if r.lead_department_id})
    units = {u.id: u.name for u in views.reference_data.units("DEPARTMENT", department_ids)}
    found = [_overdue(r, now, enterprises, units) for r in rows]
    return sorted(found, key=lambda o: (o.due_at, o.issue.raised_position))


def _overdue_rows(views: Views, now: datetime) -> list[IssueRow]:
    rows: list[IssueRow] = []
    after: str | None = None
    while True:
        page = views.issue_board.page(IssueFilter(overdue=True, now=now), _PAGE, after)
        rows.extend(page.rows)
        if not page.has_next_page or not page.rows:
            return rows
        after = page.rows[-1].cursor


def _overdue(
    row: IssueRow, now: datetime, enterprises: dict[UUID, str], units: dict[str, str]
) -> OverdueIssue:
    # A dispatch past its accept limit is overdue for that first, whatever the resolve limit.
    accept_missed = row.status == "DISPATCHED" and row.accept_due_at and now > row.accept_due_at
    due_at = row.accept_due_at if accept_missed else row.resolve_due_at
    assert due_at is not None  # an overdue row has passed one of its limits
    return OverdueIssue(
        issue=row,
        enterprise_name=enterprises.get(row.enterprise_id) if row.enterprise_id else None,
        department_name=units.get(row.lead_department_id or ""),
        missed="ACCEPT" if accept_missed else "RESOLVE",
        due_at=due_at,
    )
