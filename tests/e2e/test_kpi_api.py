"""The kpis query over HTTP (the figures themselves are proven in tests/integration/test_kpi.py)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, SUP, SUP2, World, build_world

KPIS = """query($f: Date!, $t: Date!, $d: String) { kpis(from: $f, to: $t, district: $d) {
  from to district enterprisesServed issuesRaised issuesClosed closureRate satisfactionRate
  dispatchRefusals reworks } }"""


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def test_a_closed_demand_counts_in_its_month(world: World) -> None:
    issue = world.resolved()
    world.act("approveClosure", f'input: {{issueId: "{issue}", note: "ok"}}', SUP)
    world.act("evaluateIssue", f'input: {{issueId: "{issue}", satisfaction: SATISFIED}}', SUP2)
    report = world.ok(KPIS, {"f": "2025-03-01", "t": "2025-03-31"}, **SUP)["kpis"]
    assert report["from"] == "2025-03-01" and report["district"] is None
    assert (report["issuesRaised"], report["issuesClosed"]) == (1, 1)
    assert report["closureRate"] == 1.0 and report["satisfactionRate"] == 1.0
    assert report["enterprisesServed"] == 1
    other = world.ok(KPIS, {"f": "2025-03-01", "t": "2025-03-31", "d": "渝中区"}, **SUP)["kpis"]
    assert other["issuesRaised"] == 0 and other["closureRate"] is None


def test_an_empty_period_has_null_rates_not_zero(world: World) -> None:
    report = world.ok(KPIS, {"f": "2024-01-01", "t": "2024-01-31"}, **SUP)["kpis"]
    assert report["issuesRaised"] == 0
    assert report["closureRate"] is None and report["satisfactionRate"] is None


def test_kpis_are_for_supervisors_and_refuse_a_backwards_period(world: World) -> None:
    assert (
        world.error(KPIS, {"f": "2025-03-01", "t": "2025-03-31"}, **COMM)["extensions"]["code"]
        == "FORBIDDEN"
    )
    backwards = world.error(KPIS, {"f": "2025-03-31", "t": "2025-03-01"}, **SUP)
    assert backwards["extensions"]["code"] == "INVALID_INPUT"
    unknown = world.error(KPIS, {"f": "2025-03-01", "t": "2025-03-31", "d": "火星区"}, **SUP)
    assert unknown["extensions"]["code"] == "INVALID_INPUT"
