"""The report as an Excel workbook: one sheet per table, numbers kept as numbers.

Rates are stored as fractions with a percent format (not as "87.5%" text), so a bureau can
sort, sum and chart them in Excel; a null rate is an empty cell, never 0.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain.messages import label as catalogue_label
from reports import tables
from reports.data import ReportData
from reports.tables import Cell, Table

# Sheet names people read: Chinese, from the catalogue.
SHEETS = tuple(
    catalogue_label(f"report.sheet.{name}")
    for name in ("kpis", "league", "departments", "overdue", "weights")
)

_FORMATS = {
    "rate": "0.0%",
    "score": "0.00",
    "count": "0",
    "time": "yyyy-mm-dd hh:mm",
    "days": "0.0",
}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")


def write_workbook(data: ReportData, path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    book.properties.title = f"区县晾晒通报 {data.period.label}"
    _kpi_sheet(book.create_sheet(SHEETS[0]), data)
    _fill(book.create_sheet(SHEETS[1]), tables.league_table(data))
    _fill(book.create_sheet(SHEETS[2]), tables.department_table(data))
    _fill(book.create_sheet(SHEETS[3]), tables.overdue_table(data))
    _fill(book.create_sheet(SHEETS[4]), tables.weights_table(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _kpi_sheet(sheet: Worksheet, data: ReportData) -> None:
    _fill(sheet, tables.kpi_table(data))
    # The value column mixes counts and rates: each row gets its own format.
    for row, kind in enumerate(tables.kpi_kinds(), start=2):
        sheet.cell(row=row, column=2).number_format = _FORMATS[kind]
    period = data.period
    footer = sheet.max_row + 2
    notes = [
        ("期间 period", f"{period.label} ({period.first} – {period.last})"),
        ("生成时间 generated (CST)", tables.local(data.generated_at)),
    ]
    for offset, (label, value) in enumerate(notes):
        sheet.cell(row=footer + offset, column=1, value=label)
        cell = sheet.cell(row=footer + offset, column=2, value=value)
        cell.number_format = _FORMATS["time"]


def _fill(sheet: Worksheet, table: Table) -> None:
    sheet.append([c.heading for c in table.columns])
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for values in table.rows:
        sheet.append(list(values))
    for index, column in enumerate(table.columns, start=1):
        number_format = _FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        sheet.column_dimensions[get_column_letter(index)].width = _width(
            column.heading, table, index
        )
    sheet.freeze_panes = "A2"


def _width(heading: str, table: Table, index: int) -> float:
    # CJK characters are about two columns wide in Excel's default font.
    def span(value: Cell) -> int:
        text = "" if value is None else str(value)
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    longest = max([span(heading) // 2 + 2, *(span(row[index - 1]) for row in table.rows)])
    return float(min(max(longest + 2, 8), 48))
