"""The demand map's rows from enterprises' figures (by district, cluster, occupation, with the
change since the period's start), and the report written from them."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from openpyxl import load_workbook

from infra.occupation_catalogue_loader import load_occupations
from projections.labour_needs import Snapshot, map_rows
from projections.league_table import parse_period
from reports.labour_map import LabourMapData, labour_map_chart, write_labour_workbook

A, B, C = uuid4(), uuid4(), uuid4()
NOW = [
    Snapshot(A, "渝北区", "智能网联新能源汽车", 12, {"OCC-WELDER": 8, "OCC-FITTER": 2}),
    Snapshot(B, "渝北区", None, 0, {}),
    Snapshot(C, "江津区", "智能网联新能源汽车", 5, {"OCC-WELDER": 5}),
]
BEFORE = [Snapshot(A, "渝北区", "智能网联新能源汽车", 20, {"OCC-WELDER": 20})]
FILLS = [{"district": "渝北区", "industry": None, "occupation_code": "OCC-COURIER", "placed": 3}]


def test_rows_by_district_sum_shortfalls_count_short_enterprises_and_show_the_change() -> None:
    rows = {r.key: r for r in map_rows(NOW, BEFORE, FILLS, "DISTRICT")}
    yubei = rows["渝北区"]
    assert (yubei.shortfall, yubei.open_vacancies, yubei.enterprises) == (12, 10, 1)
    assert (yubei.previous_shortfall, yubei.shortfall_change, yubei.placed) == (20, -8, 3)
    assert rows["江津区"].shortfall_change == 5
    assert [r.key for r in map_rows(NOW, BEFORE, FILLS, "DISTRICT")] == ["渝北区", "江津区"]


def test_by_occupation_the_shortfall_is_the_open_vacancies_of_that_occupation() -> None:
    rows = {r.key: r for r in map_rows(NOW, BEFORE, FILLS, "OCCUPATION")}
    assert (rows["OCC-WELDER"].open_vacancies, rows["OCC-WELDER"].previous_open_vacancies) == (
        13,
        20,
    )
    assert rows["OCC-WELDER"].enterprises == 2
    assert rows["OCC-COURIER"].placed == 3 and rows["OCC-COURIER"].open_vacancies == 0


def test_an_enterprise_without_a_cluster_and_without_needs_leaves_no_row() -> None:
    keys = [r.key for r in map_rows(NOW, [], [], "INDUSTRY")]
    assert keys == ["智能网联新能源汽车"]


def test_the_report_has_a_sheet_per_dimension_and_the_top_shortages_and_a_chart(
    tmp_path: Path,
) -> None:
    occupations = load_occupations()
    rows = {d: map_rows(NOW, BEFORE, FILLS, d) for d in ("DISTRICT", "INDUSTRY", "OCCUPATION")}
    data = LabourMapData(parse_period("2025-Q1"), rows, {o.code: o.title for o in occupations})
    book = load_workbook(write_labour_workbook(data, tmp_path / "map.xlsx"))
    assert book.sheetnames == ["按区县", "按产业集群", "按职业（工种）", "全市紧缺职业排行"]
    top = list(book["全市紧缺职业排行"].iter_rows(min_row=2, values_only=True))
    assert top == [(1, "焊工", 13, -7, 0), (2, "装配钳工", 2, 2, 0)]
    assert book["按区县"]["A2"].value == "渝北区" and book["按区县"]["E2"].value == -8
    chart = labour_map_chart(data, tmp_path / "map.png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
