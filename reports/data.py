"""Everything a report shows, read once so every format shows the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from projections.kpi import KpiReport
from projections.league_table import LeagueTable, Period, league_table
from projections.views import Views
from reports.queries import (
    DepartmentRow,
    OverdueIssue,
    bureau_kpis,
    departments,
    overdue_issues,
)


@dataclass(frozen=True)
class ReportData:
    period: Period
    generated_at: datetime
    kpis: KpiReport
    league: LeagueTable
    departments: list[DepartmentRow]
    overdue: list[OverdueIssue]


def gather(views: Views, period: Period, weights: dict[str, float], now: datetime) -> ReportData:
    overdue = overdue_issues(views, now)
    return ReportData(
        period=period,
        generated_at=now,
        kpis=bureau_kpis(views, period, now),
        league=league_table(views, period, weights, now),
        departments=departments(views, period, now, overdue),
        overdue=overdue,
    )
