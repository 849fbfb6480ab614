"""One file of a period's airing report, in memory: what the console downloads through the API
(`reportFile`), made by the same code as `espcrm report` writes to disk."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from projections.league_table import configured_weights, parse_period
from projections.views import Views
from reports.data import ReportData, gather

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "league_png": "image/png",
    "kpi_png": "image/png",
    "md": "text/markdown; charset=utf-8",
}


class AiringReportFiles:
    """The API's ReportFiles port over these read models (weights read per report, as the
    league table's query reads them)."""

    def __init__(
        self, views: Views, weights: Callable[[], dict[str, float]] = configured_weights
    ) -> None:
        self.views = views
        self.weights = weights

    def __call__(self, period: str, kind: str, now: datetime) -> tuple[str, str, bytes]:
        data = gather(self.views, parse_period(period), self.weights(), now)
        with tempfile.TemporaryDirectory(prefix="espcrm-report-") as folder:
            path = _write(data, kind, Path(folder))
            return path.name, MEDIA_TYPES[kind], path.read_bytes()


def _write(data: ReportData, kind: str, folder: Path) -> Path:
    # Imported here: matplotlib and openpyxl cost a second of start-up nobody else should pay.
    from reports.charts import kpi_chart, league_chart
    from reports.markdown import render_markdown
    from reports.xlsx import write_workbook

    label = data.period.label
    if kind == "xlsx":
        return write_workbook(data, folder / f"区县晾晒通报-{label}.xlsx")
    if kind == "league_png":
        return league_chart(data, folder / f"区县晾晒-{label}.png")
    if kind == "kpi_png":
        return kpi_chart(data, folder / f"主要指标-{label}.png")
    if kind == "md":
        path = folder / f"区县晾晒通报-{label}.md"
        path.write_text(render_markdown(data), encoding="utf-8")
        return path
    raise ValueError(f"unknown report kind {kind!r}")
