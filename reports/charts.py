"""The report's charts as PNG (matplotlib), with Chinese district names in a CJK font.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: every district name would be
drawn as boxes (tofu). So a CJK font is looked up first; the set-up installs one
(infra/ensure_fonts.sh). Without one the charts are still written, with a warning.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from projections.league_table import KPI_LABELS, SCORED_KPIS
from reports.data import ReportData
from reports.tables import RATE_TARGETS

log = logging.getLogger("espcrm.reports")

# Simplified-Chinese faces first; the others share the glyphs of every district name.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
)
_FONT_FILES = (
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/*CJK*.tt[cf]",
    "/usr/share/fonts/**/wqy*.tt[cf]",
)
_UNSCORED = "#BFBFBF"
_DPI = 120


@cache
def cjk_font() -> str | None:
    """A CJK font family matplotlib can use, or None (charts will show boxes)."""
    family = _known_family()
    if family is None:
        # Installed after matplotlib built its font cache: the cache does not rescan by itself.
        for pattern in _FONT_FILES:
            for path in glob.glob(pattern, recursive=True):
                font_manager.fontManager.addfont(path)
        family = _known_family()
    if family is None:
        log.warning("no CJK font found: Chinese in charts will show as boxes; see ensure_fonts.sh")
    return family


def _known_family() -> str | None:
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in available), None)


@contextmanager
def _chinese() -> Iterator[None]:
    family = cjk_font()
    sans = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    # A CJK font's minus sign may be missing: keep the ASCII hyphen.
    with matplotlib.rc_context(
        {"font.family": "sans-serif", "font.sans-serif": sans, "axes.unicode_minus": False}
    ):
        yield


def write_charts(data: ReportData, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    label = data.period.label
    return [
        league_chart(data, out / f"league-{label}.png"),
        kpi_chart(data, out / f"kpis-{label}.png"),
    ]


def league_chart(data: ReportData, path: Path) -> Path:
    """Every district's score, best at the top; unscored districts greyed, marked 无数据."""
    rows = data.league.rows
    with _chinese():
        figure = Figure(figsize=(9, 1.6 + 0.27 * len(rows)), dpi=_DPI)
        axes = figure.add_subplot()
        colour = matplotlib.colormaps["RdYlGn"]
        scale = Normalize(vmin=40, vmax=100)  # below 40 all the same red: it is the bottom
        positions = range(len(rows))
        scores = [r.score or 0.0 for r in rows]
        colours = [colour(scale(r.score)) if r.score is not None else _UNSCORED for r in rows]
        axes.barh(positions, scores, color=colours, edgecolor="#404040", linewidth=0.4)
        for y, row in zip(positions, rows, strict=True):
            text = f"{row.score:.1f}" if row.score is not None else "无数据 no data"
            axes.text((row.score or 0.0) + 1, y, text, va="center", fontsize=8)
        axes.set_yticks(list(positions), [_tick(r.rank, r.district) for r in rows], fontsize=9)
        axes.set_ylim(len(rows) - 0.5, -0.5)  # rank 1 at the top, no empty margin
        axes.set_xlim(0, 110)
        axes.set_xlabel("综合得分 score (0–100)")
        axes.set_title(f"区县晾晒 {data.period.label} 综合得分", fontsize=14, loc="left")
        figure.text(0.01, 0.005, _weights_note(data), fontsize=7.5, color="#595959")
        axes.grid(axis="x", alpha=0.3)
        axes.set_axisbelow(True)
        figure.tight_layout(rect=(0, 0.015, 1, 1))  # room for the note
        figure.savefig(path, dpi=_DPI)
    return path


def kpi_chart(data: ReportData, path: Path) -> Path:
    """The bureau's rates for the period, against the plan's targets where it sets one."""
    names = list(SCORED_KPIS)
    rates = [SCORED_KPIS[k](data.kpis) for k in names]
    with _chinese():
        figure = Figure(figsize=(9, 4.8), dpi=_DPI)
        axes = figure.add_subplot()
        positions = range(len(names))
        values = [100 * (r or 0.0) for r in rates]
        axes.bar(positions, values, color="#2E75B6", width=0.6)
        for x, (kpi, rate) in enumerate(zip(names, rates, strict=True)):
            text = f"{100 * rate:.1f}%" if rate is not None else "无数据"
            axes.text(x, 100 * (rate or 0.0) + 2, text, ha="center", fontsize=9)
            if kpi in RATE_TARGETS:
                target = 100 * RATE_TARGETS[kpi]
                axes.hlines(target, x - 0.4, x + 0.4, colors="#C00000", linestyles="--")
        axes.set_xticks(list(positions), [KPI_LABELS[k] for k in names], fontsize=10)
        axes.set_ylim(0, 115)
        axes.set_ylabel("%")
        axes.set_title(f"全市主要指标 {data.period.label}（红虚线：目标）", fontsize=13, loc="left")
        axes.grid(axis="y", alpha=0.3)
        axes.set_axisbelow(True)
        figure.tight_layout()
        figure.savefig(path, dpi=_DPI)
    return path


def _weights_note(data: ReportData) -> str:
    weights = " · ".join(
        f"{KPI_LABELS[kpi]} {weight:g}" for kpi, weight in data.league.weights.items() if weight
    )
    return f"权重 weights: {weights}；无数据的指标不计入，其余权重按比例折算。"


def _tick(rank: int | None, district: str) -> str:
    return f"{rank:>2}  {district}" if rank is not None else f"—  {district}"
