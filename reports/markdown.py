"""The report as a markdown summary: the headline KPIs, the league table, departments, overdue."""

from __future__ import annotations

from datetime import datetime

from domain.messages import render
from domain.wording import UNRANKED
from projections.league_table import KPI_LABELS
from reports import tables
from reports.data import ReportData
from reports.tables import Cell, Column, Table

OVERDUE_SHOWN = 20  # the workbook has them all; a summary names the longest overdue


def render_markdown(data: ReportData, chart: str | None = None) -> str:
    """The summary, in Chinese; `chart` is the league chart's file name, embedded when given."""
    period = data.period
    generated = _cell(tables.local(data.generated_at), "time")
    parts = [
        "# " + render("report.title", period=period.label),
        render("report.period", first=period.first, last=period.last, generated=generated),
        "## " + render("report.section.kpis"),
        _table(tables.kpi_table(data, bilingual=False), kinds=tables.kpi_kinds()),
        "## " + render("report.section.league"),
        _league_note(data),
        _table(_league_summary(tables.league_table(data)), unranked=True),
    ]
    if chart:
        parts.append(f"![{render('report.chart', period=period.label)}]({chart})")
    parts += ["## " + render("report.section.departments"), _table(tables.department_table(data))]
    parts += ["## " + render("report.section.overdue"), *_overdue(data)]
    return "\n\n".join(parts) + "\n"


def _league_note(data: ReportData) -> str:
    weights = "、".join(
        f"{KPI_LABELS.get(kpi, kpi)} {weight:g}" for kpi, weight in data.league.weights.items()
    )
    return render("report.league_note", weights=weights)


def _league_summary(table: Table) -> Table:
    # Rank, district, score, measured share and the six rates: the counts stay in the workbook.
    keep = 4 + 6
    return Table(table.columns[:keep], [row[:keep] for row in table.rows])


def _overdue(data: ReportData) -> list[str]:
    if not data.overdue:
        return [render("report.overdue.none")]
    table = tables.overdue_table(data)
    shown = Table(table.columns[:-1], [row[:-1] for row in table.rows[:OVERDUE_SHOWN]])
    lines = [render("report.overdue.count", count=len(data.overdue))]
    if len(data.overdue) > OVERDUE_SHOWN:
        lines[0] += render("report.overdue.first", shown=OVERDUE_SHOWN)
    return [*lines, _table(shown)]


def _table(table: Table, kinds: list[str] | None = None, *, unranked: bool = False) -> str:
    """A markdown table with Chinese headings; with `unranked`, a row without a rank (its first
    cell) says 不参与排名 there."""
    header = "| " + " | ".join(c.zh for c in table.columns) + " |"
    rule = "|" + "|".join(_rule(c) for c in table.columns) + "|"
    body = []
    for i, row in enumerate(table.rows):
        cells = [
            _cell(value, kinds[i] if kinds and c.kind == "mixed" else c.kind)
            for value, c in zip(row, table.columns, strict=True)
        ]
        if unranked and row[0] is None:
            cells[0] = UNRANKED
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
