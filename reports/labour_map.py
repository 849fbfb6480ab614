"""The demand map (用工需求地图) as a workbook and a chart with Chinese labels: shortfall and open
vacancies at the period's end by district, industry cluster and occupation, the change since
the period's start, and the top shortage occupations city-wide."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.labour import OccupationCatalogue
from projections.labour_needs import DIMENSIONS, LabourNeedsView, MapRow, MapScope
from projections.league_table import Period
from reports.charts import _chinese

SHEET_TITLES = {"DISTRICT": "按区县", "INDUSTRY": "按产业集群", "OCCUPATION": "按职业（工种）"}
KEY_TITLES = {"DISTRICT": "区县", "INDUSTRY": "产业集群", "OCCUPATION": "职业（工种）"}
UNKNOWN_INDUSTRY = "未填产业"
TOP = 10
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_DPI = 120


@dataclass(frozen=True)
class LabourMapData:
    period: Period
    rows: dict[str, list[MapRow]]  # dimension → rows, largest shortfall first
    titles: dict[str, str]  # occupation code → title

    def label(self, dimension: str, key: str) -> str:
        if dimension == "OCCUPATION":
            return self.titles.get(key, key)
        if dimension == "INDUSTRY" and not key:
            return UNKNOWN_INDUSTRY
        return key

    def top_shortages(self, count: int = TOP) -> list[MapRow]:
        rows = [r for r in self.rows["OCCUPATION"] if r.open_vacancies > 0]
        return sorted(rows, key=lambda r: (-r.open_vacancies, r.key))[:count]


def gather_labour_map(
    view: LabourNeedsView,
    period: Period,
    occupations: OccupationCatalogue,
    scope: MapScope | None = None,
) -> LabourMapData:
    rows = {
        dimension: view.demand_map(period.first, period.last, scope or MapScope(), dimension)
        for dimension in DIMENSIONS
    }
    return LabourMapData(period, rows, {o.code: o.title for o in occupations})


def write_labour_workbook(data: LabourMapData, path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    book.properties.title = f"企业用工需求地图 {data.period.label}"
    header = ["缺工企业数", "缺工人数", "上期缺工人数", "较上期变化", "在招岗位人数",
              "上期在招岗位人数", "较上期变化", "本期安置人数"]  # fmt: skip
    for dimension in DIMENSIONS:
        sheet = book.create_sheet(SHEET_TITLES[dimension])
        sheet.append([KEY_TITLES[dimension], *header])
        for r in data.rows[dimension]:
            sheet.append([
                data.label(dimension, r.key), r.enterprises, r.shortfall, r.previous_shortfall,
                r.shortfall_change, r.open_vacancies, r.previous_open_vacancies,
                r.open_vacancies_change, r.placed,
            ])  # fmt: skip
        _style(sheet)
    sheet = book.create_sheet("全市紧缺职业排行")
    sheet.append(["排名", "职业（工种）", "在招岗位人数", "较上期变化", "本期安置人数"])
    for rank, r in enumerate(data.top_shortages(), start=1):
        sheet.append([rank, data.label("OCCUPATION", r.key), r.open_vacancies,
                      r.open_vacancies_change, r.placed])  # fmt: skip
    _style(sheet)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _style(sheet: object) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for column in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 16 if column == 1 else 13
    sheet.freeze_panes = "B2"


def labour_map_chart(data: LabourMapData, path: Path) -> Path:
    """Three panels: shortfall by district (top 15), by industry cluster, and the top shortage
    occupations; each bar beside a marker for the period's start, its change written out."""
    panels = [
        ("DISTRICT", "缺工人数：按区县（前15）", data.rows["DISTRICT"][:15], "shortfall"),
        ("INDUSTRY", "缺工人数：按产业集群", data.rows["INDUSTRY"], "shortfall"),
        ("OCCUPATION", f"全市紧缺职业（工种）前{TOP}：在招岗位人数", data.top_shortages(),
         "open_vacancies"),
    ]  # fmt: skip
    heights = [max(2.0, 0.32 * len(rows) + 1.0) for _, _, rows, _ in panels]
    with _chinese():
        figure = Figure(figsize=(10, sum(heights) + 1.2), dpi=_DPI)
        grid = figure.add_gridspec(len(panels), 1, height_ratios=heights)
        for n, (dimension, title, rows, measure) in enumerate(panels):
            axes = figure.add_subplot(grid[n])
            values = [getattr(r, measure) for r in rows]
            before = [getattr(r, f"previous_{measure}") for r in rows]
            positions = list(range(len(rows)))
            axes.barh(positions, values, color="#2E75B6", height=0.6, label="期末")
            axes.scatter(
                before, positions, color="#C00000", marker="|", s=120, label="期初", zorder=3
            )
            top = max([*values, *before, 1])
            for y, (value, was) in enumerate(zip(values, before, strict=True)):
                change = value - was
                axes.text(value + top * 0.01, y, f"{value}（{change:+d}）", va="center", fontsize=8)
            axes.set_yticks(positions, [data.label(dimension, r.key) for r in rows], fontsize=9)
            axes.set_ylim(len(rows) - 0.5, -0.5)
            axes.set_xlim(0, top * 1.18)
            axes.set_title(title, fontsize=11, loc="left")
            axes.grid(axis="x", alpha=0.3)
            axes.set_axisbelow(True)
            if n == 0:
                axes.legend(loc="lower right", fontsize=8)
        figure.suptitle(
            f"企业用工需求地图 {data.period.label}（括号内为较期初变化）", fontsize=14, x=0.01,
            ha="left",
        )  # fmt: skip
        figure.tight_layout(rect=(0, 0, 1, 0.98))
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=_DPI)
    return path
