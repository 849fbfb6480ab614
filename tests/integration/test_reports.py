"""`espcrm report` files from a small real history, with the figures computed by hand.

The history (China Standard Time; the official calendar: no holiday in July or August 2025).
Departments D1 = hrss-employment, D2 = hrss-talent, D3 = hrss-labour (never dispatched to).
The report is for 2025-Q3, written at NOW = Fri 2025-08-15 12:00.

  A 渝中区  EA opened Jul 1, visited Jul 2.
            IA raised Mon Jul 7, dispatched to D1 10:00, accepted 11:00, resolved Jul 8,
            approved, SATISFIED Jul 9.
            → closure 1/1, accept 1/1, urgent –, resolve 1/1, satisfaction 1/1, visits 1/1
            → score 100 on 90 of the 100 weight (no urgent-hiring issue)
  B 江北区  EB opened Jul 1, never visited.
            IB1 raised Mon Jul 14, dispatched to D1 10:00, refused 11:00; dispatched to D2
            14:00 (accept due Jul 15 14:00), accepted Jul 16 (late); resolve due Jul 28 14:00,
            never resolved: overdue, in progress, D2's.
            IB2 raised Mon Jul 21, dispatched to D1 10:00, accepted 10:30, resolved Jul 22,
            approved, BASICALLY_SATISFIED Jul 23.
            → closure 1/2, accept 1/3, urgent –, resolve 1/2, satisfaction 1/1, visits 0/1
            → score (20×½ + 15×⅓ + 20×½ + 25×1 + 10×0) ÷ 90 = 50/90 → 55.56, on 0.9
  C 万州区  EC opened Jul 1, never visited.
            IC URGENT_HIRING raised Thu Aug 14, dispatched to D1 10:00 (accept due 14:00),
            never accepted: overdue (accept). Its resolve limit (Aug 19) has not passed.
            → closure 0/1, accept 0/1, urgent 0/1, resolve –, satisfaction –, visits 0/1
            → score 0 on (20 + 15 + 10 + 10) = 55 of the weight
  Every other district: nothing to measure, unranked.

Departments (Q3): D1 dispatches IA, IB1, IB2, IC = 4, accepted in time IA, IB2 = 2 of 4 judged,
1 refusal (IB1), open now IC (overdue); D2 dispatch IB1 (late) 0 of 1, open now IB1 (overdue).
"""

from __future__ import annotations

import re
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

import matplotlib.image
import numpy as np
import pytest
from matplotlib.ft2font import FT2Font
from openpyxl import load_workbook

from application.enterprises import LogVisit
from application.issues import RaiseDemand
from application.service_package import ServicePackage
from cli.report import write_reports
from domain.districts import DISTRICTS
from domain.shared import BEIJING_TIME, Actor
from infra.bootstrap import Container, bootstrap
from infra.postgres_server import PgAddress, drop_database
from infra.settings import Settings
from projections.league_table import DEFAULT_WEIGHTS, MIN_SAMPLE_VARIABLE
from reports.charts import cjk_font
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock

A, B, C = "渝中区", "江北区", "万州区"
D1, D2, D3 = "hrss-employment", "hrss-talent", "hrss-labour"
C1 = Actor("c-001", "专员1", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导1", "SUPERVISOR")
EVALUATOR = Actor("s-002", "督导2", "SUPERVISOR")
HANDLER = Actor("d-001", "经办人", "DEPARTMENT")
NOW = datetime(2025, 8, 15, 12, 0, tzinfo=BEIJING_TIME)
CIPHER_KEY = "ZyFL3l2E6vj2iQsmO6zYvSNYwpKzMvSnAufWqqBvhyU="


class History:
    def __init__(self, app: ServicePackage, clock: FixedClock) -> None:
        self.app, self.clock = app, clock

    def at(self, when: str) -> None:
        self.clock.current = datetime.fromisoformat(when).replace(tzinfo=BEIJING_TIME)

    def enterprise(self, district: str) -> UUID:
        self.at("2025-07-01 09:00")
        enterprise_id, _ = self.app.register_enterprise(register_command(district=district), ADMIN)
        self.app.assign_commissioner(enterprise_id, C1.id, C1.name, None, ADMIN)
        return enterprise_id

    def demand(self, when: str, enterprise_id: UUID, title: str, category: str) -> UUID:
        self.at(when)
        cmd = RaiseDemand(enterprise_id, category, title, "企业诉求")
        return self.app.raise_demand(cmd, C1)[0]

    def dispatch(self, when: str, issue_id: UUID, department: str) -> None:
        self.at(when)
        self.app.dispatch_issue(issue_id, department, [], SUPERVISOR)

    def accept(self, when: str, issue_id: UUID, department: str) -> None:
        self.at(when)
        self.app.accept_issue(issue_id, department, HANDLER)

    def close(self, resolved: str, evaluated: str, issue_id: UUID, satisfaction: str) -> None:
        # Every issue closed in this history is D1's.
        self.at(resolved)
        self.app.resolve_issue(issue_id, D1, "已解决", [], HANDLER)
        self.app.approve_closure(issue_id, "核实属实", SUPERVISOR)
        self.at(evaluated)
        self.app.evaluate_issue(issue_id, satisfaction, None, EVALUATOR)


def write_history(app: ServicePackage, clock: FixedClock) -> None:
    h = History(app, clock)
    h.at("2025-07-01 08:00")
    for department, name in ((D1, "就业促进处"), (D2, "人才开发处"), (D3, "劳动关系处")):
        app.register_department(department, name, None, ADMIN)
    ea, eb, ec = h.enterprise(A), h.enterprise(B), h.enterprise(C)
    h.at("2025-07-02 10:00")
    app.log_visit(LogVisit(ea, h.clock.current, "ON_SITE", ["王小明"], "走访了解需求"), C1)

    ia = h.demand("2025-07-07 09:00", ea, "招聘数控技工", "RECRUITMENT")
    h.dispatch("2025-07-07 10:00", ia, D1)
    h.accept("2025-07-07 11:00", ia, D1)
    h.close("2025-07-08 09:00", "2025-07-09 09:00", ia, "SATISFIED")

    ib1 = h.demand("2025-07-14 09:00", eb, "人才公寓申请", "TALENT_AND_TITLES")
    h.dispatch("2025-07-14 10:00", ib1, D1)
    h.at("2025-07-14 11:00")
    app.refuse_dispatch(ib1, D1, "不属于本处职能", HANDLER)
    h.dispatch("2025-07-14 14:00", ib1, D2)
    h.accept("2025-07-16 09:00", ib1, D2)

    ib2 = h.demand("2025-07-21 09:00", eb, "稳岗返还咨询", "POLICY_CONSULTATION")
    h.dispatch("2025-07-21 10:00", ib2, D1)
    h.accept("2025-07-21 10:30", ib2, D1)
    h.close("2025-07-22 09:00", "2025-07-23 09:00", ib2, "BASICALLY_SATISFIED")

    ic = h.demand("2025-08-14 09:00", ec, "紧急招聘装卸工", "URGENT_HIRING")
    h.dispatch("2025-08-14 10:00", ic, D1)


@dataclass
class Written:
    container: Container
    out: Path


@pytest.fixture(scope="module")
def written(pg_server: PgAddress, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    """The history and its 2025-Q3 report, written once for the module's tests (each only
    reads): the conftest `container`, built at module scope."""
    address = pg_server.with_dbname(f"t_{uuid.uuid4().hex[:12]}")
    data_dir = tmp_path_factory.mktemp("report-data")
    settings = Settings(data_dir=data_dir, cipher_key=CIPHER_KEY, jwt_secret="-" * 64)
    clock = FixedClock()
    container = bootstrap(settings, clock=clock, address=address)
    container.projections.start()
    try:
        write_history(container.app, clock)
        container.views.wait_for(container.app.last_position(), timeout=10)
        out = tmp_path_factory.mktemp("reports")
        # A case or two per rate: the ranking is tested here with a minimum sample of 1 (the
        # default minimum of 5 and 样本不足 are tested in tests/unit/test_league_table.py).
        with pytest.MonkeyPatch.context() as env:
            env.setenv(MIN_SAMPLE_VARIABLE, "1")
            write_reports(
                container.views, "2025-Q3", ["xlsx", "md", "png"], out, DEFAULT_WEIGHTS, NOW
            )
        yield Written(container, out)
    finally:
        container.close()
        drop_database(address)


@pytest.fixture
def report_dir(written: Written) -> Path:
    return written.out


# ------------------------------------------------------------------ the workbook


def test_the_workbook_has_a_sheet_per_table(report_dir: Path) -> None:
    book = load_workbook(report_dir / "espcrm-report-2025-Q3.xlsx")
    assert book.sheetnames == ["主要指标", "区县晾晒", "承办部门", "超期事项", "权重"]


def test_the_league_sheet_ranks_every_district_with_the_hand_computed_scores(
    report_dir: Path,
) -> None:
    sheet = load_workbook(report_dir / "espcrm-report-2025-Q3.xlsx")["区县晾晒"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("排名 rank", "区县 district", "得分 score", "权重覆盖 measured")
    assert len(rows) == 1 + len(DISTRICTS)
    top = [row[:4] for row in rows[1:4]]
    assert top == [
        (1, A, pytest.approx(100.0), pytest.approx(0.9)),
        (2, B, pytest.approx(100 * 50 / 90), pytest.approx(0.9)),
        (3, C, pytest.approx(0.0), pytest.approx(0.55)),
    ]
    # B's six rates as scored: closure, accept, urgent, resolve, satisfaction, visit coverage
    assert rows[2][4:10] == (0.5, pytest.approx(1 / 3), None, 0.5, 1.0, 0.0)
    unranked = rows[4:]
    assert {row[1] for row in unranked} == set(DISTRICTS) - {A, B, C}
    assert all(row[0] is None and row[2] is None for row in unranked)
    assert sheet["C2"].number_format == "0.00" and sheet["E2"].number_format == "0.0%"


def test_the_department_sheet_counts_each_lead_departments_dispatches(report_dir: Path) -> None:
    sheet = load_workbook(report_dir / "espcrm-report-2025-Q3.xlsx")["承办部门"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    # name, id, dispatches, accepted in time, on-time accept rate, refusals, reworks, open, overdue
    assert rows == {
        D1: ("就业促进处", D1, 4, 2, 0.5, 1, 0, 1, 1),
        D2: ("人才开发处", D2, 1, 0, 0.0, 0, 0, 1, 1),
        D3: ("劳动关系处", D3, 0, 0, None, 0, 0, 0, 0),
    }


def test_the_overdue_sheet_lists_what_is_late_longest_overdue_first(report_dir: Path) -> None:
    sheet = load_workbook(report_dir / "espcrm-report-2025-Q3.xlsx")["超期事项"]
    rows = [row[:9] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [
        ("人才公寓申请", "重庆渝新精密制造有限公司", B, "TALENT_AND_TITLES", "办理中",
         "人才开发处", "办结超时", datetime(2025, 7, 28, 14, 0), 17.9),
        ("紧急招聘装卸工", "重庆渝新精密制造有限公司", C, "URGENT_HIRING", "待接单",
         "就业促进处", "接单超时", datetime(2025, 8, 14, 14, 0), 0.9),
    ]  # fmt: skip


def test_the_kpi_sheet_holds_the_bureaus_figures_for_the_quarter(report_dir: Path) -> None:
    sheet = load_workbook(report_dir / "espcrm-report-2025-Q3.xlsx")["主要指标"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert values["服务企业数 enterprises served"] == 3
    assert values["诉求受理 issues raised"] == 4
    assert values["诉求办结 issues closed"] == 2
    assert values["结案率 closure rate"] == 0.5
    assert values["紧急用工响应率 urgent hiring response"] == 0.0
    assert values["满意率 satisfaction rate"] == 1.0
    assert values["期间 period"] == "2025-Q3 (2025-07-01 – 2025-09-30)"


# ------------------------------------------------------------------ the markdown


def test_the_markdown_summary_contains_the_league_table(report_dir: Path) -> None:
    text = (report_dir / "espcrm-report-2025-Q3.md").read_text(encoding="utf-8")
    assert text.startswith("# 区县晾晒通报 — 2025-Q3\n\n统计期 2025-07-01 至 2025-09-30 · 生成于 ")
    assert "| 排名 | 区县 | 得分 | 权重覆盖 | 结案率 |" in text
    assert (
        "| 1 | 渝中区 | 100.00 | 90.0% | 100.0% | 100.0% | — | 100.0% | 100.0% | 100.0% |" in text
    )
    assert "| 2 | 江北区 | 55.56 | 90.0% | 50.0% | 33.3% | — | 50.0% | 100.0% | 0.0% |" in text
    assert "| 不参与排名 | 黔江区 | — | — |" in text
    assert "![区县晾晒 2025-Q3](league-2025-Q3.png)" in text
    assert "| 就业促进处 | hrss-employment | 4 | 2 | 50.0% | 1 | 0 | 1 | 1 |" in text
    assert "报告生成时共有 2 件超期诉求" in text


def test_the_markdown_summary_writes_no_english_sentence(report_dir: Path) -> None:
    """Its prose and headings come from the catalogue in Chinese; ASCII is left to data (ids,
    categories, numbers) inside the tables."""
    text = (report_dir / "espcrm-report-2025-Q3.md").read_text(encoding="utf-8")
    prose = [line for line in text.splitlines() if line and not line.startswith("|")]
    assert prose and all(not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", line) for line in prose)
    header_rows = [
        line for line in text.splitlines() if line.startswith("| ") and "---" not in line
    ]
    headings = [row for row in header_rows if "排名" in row or "指标" in row or "部门" in row]
    assert headings and not any(re.search(r"[A-Za-z]{3,}", row) for row in headings)


# ------------------------------------------------------------------ the charts


def test_the_league_chart_is_a_sizeable_picture_with_real_content(report_dir: Path) -> None:
    pixels = matplotlib.image.imread(report_dir / "league-2025-Q3.png")
    height, width = pixels.shape[:2]
    assert width >= 900 and height >= 1200  # 41 districts need the height
    rgb = (pixels[..., :3] * 255).round().astype(np.uint8).reshape(-1, 3)
    not_white = (rgb < 250).any(axis=1).mean()
    assert 0.03 < not_white < 0.6, not_white  # bars and text, not blank, not a solid fill
    assert len(np.unique(rgb, axis=0)) > 50  # anti-aliased text and coloured bars


def test_the_kpi_chart_is_written_beside_it(report_dir: Path) -> None:
    pixels = matplotlib.image.imread(report_dir / "kpis-2025-Q3.png")
    rgb = pixels[..., :3].reshape(-1, 3)
    assert pixels.shape[1] >= 900 and (rgb < 0.98).any(axis=1).mean() > 0.03


def test_charts_draw_every_district_name_in_a_font_that_has_its_characters() -> None:
    family = cjk_font()
    assert family is not None, "no CJK font: run infra/ensure_fonts.sh (fonts-noto-cjk)"
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=family))
    font = FT2Font(path)
    missing = {ch for name in DISTRICTS for ch in name if font.get_char_index(ord(ch)) == 0}
    assert missing == set()


def test_drawing_the_charts_reports_no_missing_glyph(written: Written, tmp_path: Path) -> None:
    # matplotlib warns "Glyph … missing from font(s)" where it would draw a box instead.
    views = written.container.views
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        charts = write_reports(views, "2025-07", ["png"], tmp_path, DEFAULT_WEIGHTS, NOW)
    assert [p.name for p in charts] == ["league-2025-07.png", "kpis-2025-07.png"]
