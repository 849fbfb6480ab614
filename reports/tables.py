"""The report's tables as rows of plain values, shared by the workbook and the markdown.

One place decides the columns and their headings, so the two formats cannot drift apart.
Rates stay numbers here (null when nothing to divide); each format decides how to show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.shared import BEIJING_TIME
from domain.wording import INSUFFICIENT_SAMPLE
from projections.league_table import KPI_LABELS, SCORED_KPIS
from reports.data import ReportData
from reports.queries import OverdueIssue

Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Column:
    zh: str  # the heading in Chinese: the markdown summary's
    en: str  # and in English, beside it in the workbook
    kind: str = "text"  # text, count, rate, score, time, days

    @property
    def heading(self) -> str:
        return f"{self.zh} {self.en}"


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Cell]]


# The plan's targets (DOMAIN.md); counts are targets for a whole year.
TARGETS: dict[str, str] = {
    "enterprises_served": "410 / 年",
    "policy_events": "800 / 年",
    "closure_rate": "≥ 98%",
    "urgent_hiring_response_rate": "100%",
    "satisfaction_rate": "≥ 92%",
}
# The rate a chart draws as the target line, where the plan sets one.
RATE_TARGETS: dict[str, float] = {
    "closure_rate": 0.98,
    "urgent_hiring_response_rate": 1.0,
    "satisfaction_rate": 0.92,
}

# key, 中文, English, kind
KPI_ROWS: list[tuple[str, str, str, str]] = [
    ("enterprises_served", "服务企业数", "enterprises served", "count"),
    ("visit_count", "走访次数", "visits", "count"),
    ("enterprises_visited", "走访企业数", "enterprises visited", "count"),
    ("policy_events", "政策宣传活动", "policy events", "count"),
    ("issues_raised", "诉求受理", "issues raised", "count"),
    ("issues_closed", "诉求办结", "issues closed", "count"),
    ("closure_rate", "结案率", "closure rate", "rate"),
    ("on_time_accept_rate", "按时接单率", "on-time accept rate", "rate"),
    ("urgent_hiring_response_rate", "紧急用工响应率", "urgent hiring response", "rate"),
    ("on_time_resolve_rate", "按时办结率", "on-time resolve rate", "rate"),
    ("satisfaction_rate", "满意率", "satisfaction rate", "rate"),
    ("dispatch_refusals", "退单", "dispatch refusals", "count"),
    ("reworks", "返工", "reworks", "count"),
]

STATUS_LABELS = {"DISPATCHED": "待接单", "IN_PROGRESS": "办理中"}
MISSED_LABELS = {"ACCEPT": "接单超时", "RESOLVE": "办结超时"}


def local(moment: datetime | None) -> datetime | None:
    """The bureau's wall-clock time (CST), without a zone: what a spreadsheet can hold."""
    return moment.astimezone(BEIJING_TIME).replace(tzinfo=None) if moment else None


def kpi_table(data: ReportData, *, bilingual: bool = True) -> Table:
    """The bureau's figures; each KPI named in Chinese, with its English beside when bilingual."""
    columns = [Column("指标", "KPI"), Column("数值", "value", "mixed"), Column("目标", "target")]
    rows: list[list[Cell]] = [
        [f"{zh} {en}" if bilingual else zh, getattr(data.kpis, key), TARGETS.get(key)]
        for key, zh, en, _ in KPI_ROWS
    ]
    return Table(columns, rows)


def kpi_kinds() -> list[str]:
    """The kind of each KPI row's value (the KPI table's value column mixes them)."""
    return [kind for *_, kind in KPI_ROWS]


def league_table(data: ReportData) -> Table:
    rate_columns = [Column(KPI_LABELS[k], k, "rate") for k in SCORED_KPIS]
    columns = [
        Column("排名", "rank", "count"),
        Column("区县", "district"),
        Column("得分", "score", "score"),
        Column("权重覆盖", "measured", "rate"),
        *rate_columns,
        Column("服务企业", "served", "count"),
        Column("走访", "visits", "count"),
        Column("诉求", "raised", "count"),
        Column("办结", "closed", "count"),
        Column("退单", "refusals", "count"),
        Column("返工", "reworks", "count"),
    ]
    rows: list[list[Cell]] = []
    for r in data.league.rows:
        k = r.kpis
        measured = r.measured_weight if r.score is not None else None
        rates: list[Cell] = [
            INSUFFICIENT_SAMPLE if kpi in r.insufficient else r.rates[kpi] for kpi in SCORED_KPIS
        ]
        counts: list[Cell] = [k.enterprises_served, k.visit_count, k.issues_raised]
        counts += [k.issues_closed, k.dispatch_refusals, k.reworks]
        rows.append([r.rank, r.district, r.score, measured, *rates, *counts])
    return Table(columns, rows)


def weights_table(data: ReportData) -> Table:
    total = sum(data.league.weights.values())
    columns = [
        Column("指标", "KPI"),
        Column("权重", "weight", "score"),
        Column("占比", "share", "rate"),
    ]
    rows: list[list[Cell]] = [
        [f"{KPI_LABELS[kpi]} {kpi}", weight, weight / total]
        for kpi, weight in data.league.weights.items()
    ]
    return Table(columns, rows)


def department_table(data: ReportData) -> Table:
    columns = [
        Column("部门", "department"),
        Column("编号", "id"),
        Column("派单", "dispatches", "count"),
        Column("按时接单", "accepted on time", "count"),
        Column("按时接单率", "on-time accept rate", "rate"),
        Column("退单", "refusals", "count"),
        Column("返工", "reworks", "count"),
        Column("在办(当前)", "open now", "count"),
        Column("超期(当前)", "overdue now", "count"),
    ]
    rows: list[list[Cell]] = [
        [
            d.name,
            d.department_id,
            d.dispatches,
            d.accepted_in_time,
            d.on_time_accept_rate,
            d.refusals,
            d.reworks,
            d.open,
            d.overdue,
        ]
        for d in data.departments
    ]
    return Table(columns, rows)


def overdue_table(data: ReportData) -> Table:
    columns = [
        Column("标题", "title"),
        Column("企业", "enterprise"),
        Column("区县", "district"),
        Column("类别", "category"),
        Column("状态", "status"),
        Column("牵头部门", "lead department"),
        Column("超期环节", "missed"),
        Column("时限", "due (CST)", "time"),
        Column("超期天数", "days overdue", "days"),
        Column("诉求编号", "issue id"),
    ]
    rows: list[list[Cell]] = [_overdue_row(o, data.generated_at) for o in data.overdue]
    return Table(columns, rows)


def _overdue_row(o: OverdueIssue, now: datetime) -> list[Cell]:
    issue = o.issue
    return [
        issue.title,
        o.enterprise_name,
        issue.district,
        issue.category,
        STATUS_LABELS.get(issue.status, issue.status),
        o.department_name or issue.lead_department_id,
        MISSED_LABELS[o.missed],
        local(o.due_at),
        round(o.overdue_days(now), 1),
        str(issue.id),
    ]
