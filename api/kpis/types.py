"""The KPI report (考核指标) of the contract."""

from __future__ import annotations

from datetime import date

import strawberry

from projections.kpi import KpiReport as KpiReportRow


@strawberry.type
class KpiReport:
    from_: date = strawberry.field(name="from")
    to: date
    district: str | None
    enterprises_served: int
    visit_count: int
    enterprises_visited: int
    policy_events: int
    issues_raised: int
    issues_closed: int
    closure_rate: float | None = strawberry.field(
        description="办结率 of a cohort, so never above 1: of the issues due in the period (a"
        " resolution deadline in it), the share closed by the period's end; null when none"
        " was due"
    )
    on_time_accept_rate: float | None
    urgent_hiring_response_rate: float | None
    on_time_resolve_rate: float | None
    satisfaction_rate: float | None
    dispatch_refusals: int
    reworks: int

    @classmethod
    def from_row(cls, row: KpiReportRow) -> KpiReport:
        return cls(**{k: v for k, v in vars(row).items() if k != "samples"})
