"""The report as a markdown summary: the headline KPIs, the league table, departments, overdue."""

from __future__ import annotations

from datetime import datetime

from reports import tables
from reports.data import ReportData
from reports.tables import Cell, Column, Table

OVERDUE_SHOWN = 20  # the workbook has them all; a summary names the longest overdue


def render_markdown(data: ReportData, chart: str | None = None) -> str:
    """The summary; `chart` is the league chart's file name, embedded when given."""
    period = data.period
    generated = tables.local(data.generated_at)
    parts = [
        f"# 区县晾晒通报 District league report — {period.label}",
        f"Period {period.first} – {period.last} · generated {_cell(generated, 'time')} CST",
        "## 主要指标 Key figures",
        _table(tables.kpi_table(data), kinds=tables.kpi_kinds()),
        "## 区县晾晒 League table",
        _league_note(data),
        _table(_league_summary(tables.league_table(data))),
    ]
    if chart:
        parts.append(f"![区县晾晒 {period.label}]({chart})")
    parts += ["## 部门 Departments (lead)", _table(tables.department_table(data))]
    parts += ["## 超期诉求 Overdue issues", *_overdue(data)]
    return "\n\n".join(parts) + "\n"


def _league_note(data: ReportData) -> str:
    weights = ", ".join(f"{kpi} {weight:g}" for kpi, weight in data.league.weights.items())
    return (
        f"Score 0–100: the weighted mean of each district's rates (weights: {weights}). "
        "Null rates are left out and the other weights re-normalised; a district with nothing "
        "to measure is listed last, unranked (—)."
    )


def _league_summary(table: Table) -> Table:
    # Rank, district, score, measured share and the six rates: the counts stay in the workbook.
    keep = 4 + 6
    return Table(table.columns[:keep], [row[:keep] for row in table.rows])


def _overdue(data: ReportData) -> list[str]:
    if not data.overdue:
        return ["None (无超期诉求)."]
    table = tables.overdue_table(data)
    shown = Table(table.columns[:-1], [row[:-1] for row in table.rows[:OVERDUE_SHOWN]])
    lines = [f"{len(data.overdue)} overdue at the time of the report, longest overdue first."]
    if len(data.overdue) > OVERDUE_SHOWN:
        lines[0] += f" The first {OVERDUE_SHOWN} (all are in the workbook):"
    return [*lines, _table(shown)]


def _table(table: Table, kinds: list[str] | None = None) -> str:
    header = "| " + " | ".join(c.heading for c in table.columns) + " |"
    rule = "|" + "|".join(_rule(c) for c in table.columns) + "|"
    body = []
    for i, row in enumerate(table.rows):
        cells = [
            _cell(value, kinds[i] if kinds and c.kind == "mixed" else c.kind)
            for value, c in zip(row, table.columns, strict=True)
        ]
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, rule, *body])


def _rule(column: Column) -> str:
    return "---" if column.kind == "text" else "---:"


def _cell(value: Cell, kind: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "rate" and isinstance(value, int | float):
        return f"{100 * value:.1f}%"
    if kind in ("score", "days") and isinstance(value, int | float):
        return f"{value:.1f}" if kind == "days" else f"{value:.2f}"
    return str(value).replace("|", "\\|").replace("\n", " ")
