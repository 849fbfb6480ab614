"""The leagueTable query over HTTP (the scoring itself is proven in tests/unit/test_league_table.py).

build_world's enterprise is in 渝北区. Every step happens at the fixed clock's instant (Mon
2025-03-03 17:00 CST), so its demand is accepted and resolved on time: in March 渝北区 has
closure 1/1, on-time accept 1/1, no urgent hiring, on-time resolve 1/1, satisfaction 1/1 and
visit coverage 0/1 (served, never visited): score (20 + 15 + 20 + 25 + 0) ÷ 90 = 88.89 on 0.9.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import openpyxl
import pytest

from domain.districts import DISTRICTS
from projections.league_table import MIN_SAMPLE_VARIABLE
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, DEPT, REPORTER, SUP, SUP2, World, build_world


@pytest.fixture(autouse=True)
def rates_on_a_single_case_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """These histories are a case or two per rate: the ranking is tested here with a minimum
    sample of 1 (the default minimum of 5 and 样本不足 are tested in test_league_table.py)."""
    monkeypatch.setenv(MIN_SAMPLE_VARIABLE, "1")


LEAGUE = """query($p: String!) { leagueTable(period: $p) { period from to rows {
  rank district score measuredWeight rates { kpi label weight rate }
  kpis { district issuesRaised issuesClosed satisfactionRate } } } }"""
HOME = "渝北区"


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def league(world: World, period: str, **who: Any) -> dict[str, Any]:
    return dict(world.ok(LEAGUE, {"p": period}, **(who or SUP))["leagueTable"])


def closed_demand(world: World) -> None:
    issue = world.resolved()
    world.act("approveClosure", f'input: {{issueId: "{issue}", note: "ok"}}', SUP)
    world.act("evaluateIssue", f'input: {{issueId: "{issue}", satisfaction: SATISFIED}}', SUP2)


def test_a_district_with_a_closed_demand_leads_the_months_league(world: World) -> None:
    closed_demand(world)
    table = league(world, "2025-03")
    assert (table["period"], table["from"], table["to"]) == ("2025-03", "2025-03-01", "2025-03-31")
    assert sorted(row["district"] for row in table["rows"]) == sorted(DISTRICTS)
    first, others = table["rows"][0], table["rows"][1:]
    assert (first["rank"], first["district"]) == (1, HOME)
    assert first["score"] == pytest.approx(100 * 80 / 90)
    assert first["measuredWeight"] == pytest.approx(0.9)
    assert first["kpis"] == {
        "district": HOME, "issuesRaised": 1, "issuesClosed": 1, "satisfactionRate": 1.0,
    }  # fmt: skip
    rates = {r["kpi"]: (r["label"], r["weight"], r["rate"]) for r in first["rates"]}
    assert rates["visit_coverage"] == ("走访覆盖率", 10.0, 0.0)
    assert rates["urgent_hiring_response_rate"] == ("紧急用工响应率", 10.0, None)
    assert all(row["rank"] is None and row["score"] is None for row in others)


def test_an_empty_period_lists_every_district_unranked_with_null_scores(world: World) -> None:
    closed_demand(world)  # in March 2025, not in the quarter asked for
    table = league(world, "2024-Q4", as_role="ADMIN", sub="a-001")
    assert [row["district"] for row in table["rows"]] == list(DISTRICTS)
    assert {(row["rank"], row["score"], row["measuredWeight"]) for row in table["rows"]} == {
        (None, None, 0.0)
    }
    assert {r["rate"] for row in table["rows"] for r in row["rates"]} == {None}


def test_a_supervisor_narrowed_to_districts_reads_their_rows_with_their_league_ranks(
    world: World,
) -> None:
    closed_demand(world)
    table = league(world, "2025", as_role="SUPERVISOR", sub="s-009", districts=["渝中区", HOME])
    rows = [(row["rank"], row["district"]) for row in table["rows"]]
    assert rows == [(1, HOME), (None, "渝中区")]


def test_the_weights_come_from_the_environment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed_demand(world)
    monkeypatch.setenv("ESPCRM_LEAGUE_WEIGHTS", '{"visit_coverage": 0}')
    first = league(world, "2025-03")["rows"][0]
    assert first["score"] == pytest.approx(100.0)
    assert first["measuredWeight"] == pytest.approx(80 / 90)  # urgent hiring unmeasured


def test_other_roles_and_unsigned_requests_are_refused(world: World) -> None:
    for who in (COMM, DEPT, REPORTER):
        error = world.error(LEAGUE, {"p": "2025-03"}, **who)
        assert error["extensions"]["code"] == "FORBIDDEN", who
    body = world.api.post(LEAGUE, {"p": "2025-03"}).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_bad_period_is_invalid_input_naming_the_period(world: World) -> None:
    for period in ("2025-13", "2025-Q5", "2025/03", "Q3", ""):
        error = world.error(LEAGUE, {"p": period}, **SUP)
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": "period"}, period
        assert "2025-Q3" in error["message"]  # says what a period looks like


REPORT_FILE = """query($p: String!, $k: ReportKind!) {
  reportFile(period: $p, kind: $k) { filename mediaType sizeBytes contentBase64 } }"""


def test_a_supervisor_downloads_the_airing_report_as_xlsx_and_as_charts(world: World) -> None:
    world.resolved()
    xlsx = world.ok(REPORT_FILE, {"p": "2025-03", "k": "XLSX"}, **SUP)["reportFile"]
    content = base64.b64decode(xlsx["contentBase64"])
    assert (xlsx["filename"], xlsx["sizeBytes"]) == ("区县晾晒通报-2025-03.xlsx", len(content))
    book = openpyxl.load_workbook(io.BytesIO(content))
    league_rows = [row for row in book.worksheets[1].iter_rows(values_only=True) if HOME in row]
    assert len(league_rows) == 1
    chart = world.ok(REPORT_FILE, {"p": "2025-03", "k": "LEAGUE_PNG"}, **SUP)["reportFile"]
    assert chart["mediaType"] == "image/png"
    assert base64.b64decode(chart["contentBase64"]).startswith(b"\x89PNG")


def test_the_report_file_is_refused_to_narrowed_supervisors_departments_and_bad_periods(
    world: World,
) -> None:
    narrowed = {**SUP, "districts": [HOME]}
    assert (
        world.error(REPORT_FILE, {"p": "2025-03", "k": "XLSX"}, **narrowed)["extensions"]["code"]
        == "FORBIDDEN"
    )
    assert (
        world.error(REPORT_FILE, {"p": "2025-03", "k": "XLSX"}, **DEPT)["extensions"]["code"]
        == "FORBIDDEN"
    )
    bad = world.error(REPORT_FILE, {"p": "2025-13", "k": "XLSX"}, **SUP)
    assert bad["extensions"]["code"] == "INVALID_INPUT"
