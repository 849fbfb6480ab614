"""The district league table (区县晾晒) of the API."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.kpis.types import KpiReport
from domain.wording import UNRANKED
from projections.league_table import KPI_LABELS, sample_of
from projections.league_table import LeagueRow as LeagueRowData
from projections.league_table import LeagueTable as LeagueTableData

if TYPE_CHECKING:
    from api.history.types import PublishedLeagueTable


@strawberry.type(description="One scored KPI: its weight and the district's rate as scored.")
class LeagueRate:
    kpi: str = strawberry.field(description="e.g. satisfaction_rate, visit_coverage")
    label: str = strawberry.field(description="its Chinese name, e.g. 满意率")
    weight: float
    rate: float | None = strawberry.field(description="null when nothing to divide")
    sample: int | None = strawberry.field(
        description="the cases the rate rests on (its divisor); null when not known"
    )
    insufficient_sample: bool = strawberry.field(
        description="insufficient sample (label league.insufficient_sample): fewer cases than the minimum sample (ESPCRM_LEAGUE_MIN_SAMPLE,"
        " default 5), so the rate does not count in the score"
    )


@strawberry.type
class LeagueRow:
    rank: int | None = strawberry.field(
        description="1 is best; ties are broken by measured weight, then by cases measured"
        " (docs/reports.md); null (unranked, label league.unranked) when less than half of the weight was measured"
    )
    district: str
    score: float | None = strawberry.field(
        description="0–100: the weighted mean of the rates that are not null"
    )
    measured_weight: float = strawberry.field(
        description="the share (0–1) of the total weight the score rests on"
    )
    rates: list[LeagueRate]
    kpis: KpiReport
    note: str | None = strawberry.field(
        description="the unranked label (league.unranked) when unranked"
    )

    @classmethod
    def from_row(cls, row: LeagueRowData, weights: dict[str, float]) -> LeagueRow:
        return cls(
            rank=row.rank,
            district=row.district,
            score=row.score,
            measured_weight=row.measured_weight,
            rates=[
                LeagueRate(
                    kpi=kpi,
                    label=KPI_LABELS[kpi],
                    weight=weights[kpi],
                    rate=rate,
                    sample=sample_of(row.kpis, kpi),
                    insufficient_sample=kpi in row.insufficient,
                )
                for kpi, rate in row.rates.items()
            ],
            kpis=KpiReport.from_row(row.kpis),
            note=None if row.ranked else UNRANKED,
        )


@strawberry.type(description="Every district ranked for a period by a weighted score of its KPIs")
class LeagueTable:
    period: str = strawberry.field(description="as normalised: 2025-03, 2025-Q3 or 2025")
    from_: date = strawberry.field(name="from")
    to: date
    rows: list[LeagueRow]
    published: Annotated[PublishedLeagueTable, strawberry.lazy("api.history.types")] | None = (
        strawberry.field(
            default=None,
            description="the table as published (publishLeagueTable), if it was, and which"
            " districts moved since and why; the rows above are the live figures",
        )
    )

    @classmethod
    def from_table(cls, table: LeagueTableData, rows: list[LeagueRowData]) -> LeagueTable:
        return cls(
            period=table.period.label,
            from_=table.period.first,
            to=table.period.last,
            rows=[LeagueRow.from_row(row, table.weights) for row in rows],
        )
