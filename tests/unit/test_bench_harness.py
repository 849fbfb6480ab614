"""The benchmark harness's arithmetic and summary format (no servers, no timing)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks.harness import (
    Result,
    alternate,
    latency_summary,
    meets,
    percentile,
    ratio,
    summary,
    summary_markdown,
    write_results,
)


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    assert percentile(values, 99) == pytest.approx(3.97)
    assert percentile([5.0], 99) == 5.0
    assert percentile(reversed(values), 50) == 2.5  # any order, any iterable


def test_percentile_refuses_nothing_and_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_ratio_and_targets_in_both_directions() -> None:
    assert ratio(30, 120) == 0.25
    assert ratio(0, 0) == 0.0
    assert math.isinf(ratio(1, 0))
    assert meets(0.5, 0.5, ">=") and not meets(0.49, 0.5, ">=")
    assert meets(4.0, 4.0, "<=") and not meets(4.01, 4.0, "<=")
    with pytest.raises(ValueError):
        meets(1, 1, "==")


def test_a_result_judges_its_ratio_or_its_value() -> None:
    throughput = Result("t", value=300, baseline=1000, unit="ops/s", target=0.25)
    assert throughput.ratio == 0.3 and throughput.meets
    latency = Result("l", value=50, baseline=10, unit="ms", target=4, op="<=")
    assert latency.ratio == 5 and not latency.meets
    lag = Result("g", value=200, baseline=5, unit="ms", target=1000, op="<=", target_on="value")
    assert lag.meets  # a ratio of 40, but the target bounds the value
    assert "MISSES" in latency.line() and "meets" in throughput.line()


def test_the_summary_maps_each_name_to_exactly_the_agreed_fields() -> None:
    results = [
        Result("a", value=300, baseline=1000, unit="ops/s", target=0.25, details={"x": 1}),
        Result("b", value=50, baseline=10, unit="ms", target=4, op="<="),
    ]
    data = summary(results)
    assert list(data) == ["a", "b"]
    assert data["a"] == {
        "value": 300, "baseline": 1000, "ratio": 0.3, "target": 0.25, "meets": True,
        "unit": "ops/s",
    }  # fmt: skip
    assert data["b"]["meets"] is False
    json.dumps(data)  # plain JSON


def test_results_are_written_as_json_and_markdown(tmp_path: Path) -> None:
    results = [Result("a", value=2, baseline=4, unit="ops/s", target=0.5, notes=["small"])]
    written = write_results(tmp_path, results, {"mode": "quick", "total_seconds": 12.0})
    assert json.loads(written["summary.json"].read_text())["a"]["ratio"] == 0.5
    assert json.loads(written["a"].read_text())["details"] == {}
    markdown = written["summary.md"].read_text()
    assert "| a | 2 ops/s" in markdown and "quick run" in markdown and "small" in markdown
    assert summary_markdown(results, {}).startswith("# Benchmark summary")


def test_latency_summary_is_in_milliseconds() -> None:
    summary_ = latency_summary([0.001, 0.002, 0.003])
    assert summary_["count"] == 3
    assert summary_["p50_ms"] == 2.0
    assert summary_["max_ms"] == 3.0


def test_alternate_interleaves_runs_and_keeps_medians() -> None:
    calls: list[str] = []
    values = {"a": iter([1.0, 5.0, 3.0]), "b": iter([2.0, 2.0, 8.0])}

    def run(name: str):  # type: ignore[no-untyped-def]
        def go() -> float:
            calls.append(name)
            return next(values[name])

        return go

    medians, each = alternate({"a": run("a"), "b": run("b")}, rounds=3)
    assert calls == ["a", "b", "a", "b", "a", "b"]
    assert medians == {"a": 3.0, "b": 2.0}
    assert each["b"] == [2.0, 2.0, 8.0]
