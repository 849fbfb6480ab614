"""The district league table (区县晾晒): scores and ranks computed by hand from KPI reports."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.messages import EN
from domain.shared import InvalidInput
from projections.kpi import KpiReport
from projections.league_table import (
    DEFAULT_WEIGHTS,
    MIN_SAMPLE_VARIABLE,
    WEIGHTS_VARIABLE,
    Period,
    WeightsError,
    configured_min_sample,
    configured_weights,
    load_weights,
    parse_period,
    rank_districts,
    score,
    validate_weights,
)

Q3 = (date(2025, 7, 1), date(2025, 9, 30))
NOTHING: dict[str, Any] = {
    "enterprises_served": 0, "visit_count": 0, "enterprises_visited": 0, "policy_events": 0,
    "issues_raised": 0, "issues_closed": 0, "closure_rate": None, "on_time_accept_rate": None,
    "urgent_hiring_response_rate": None, "on_time_resolve_rate": None,
    "satisfaction_rate": None, "dispatch_refusals": 0, "reworks": 0,
}  # fmt: skip


def report(district: str, **figures: Any) -> KpiReport:
    return KpiReport(*Q3, district, **{**NOTHING, **figures})


def every_rate(district: str, **overrides: Any) -> KpiReport:
    """closure .9, accept .8, urgent 1, resolve .7, satisfaction .95, 3 of 4 served visited."""
    figures: dict[str, Any] = {
        "closure_rate": 0.9, "on_time_accept_rate": 0.8, "urgent_hiring_response_rate": 1.0,
        "on_time_resolve_rate": 0.7, "satisfaction_rate": 0.95, "enterprises_served": 4,
        "enterprises_visited": 3,
    }  # fmt: skip
    return report(district, **{**figures, **overrides})


def half(district: str, rate: float) -> KpiReport:
    """Closure, resolution and satisfaction at `rate`: 65 of the 100 weight, enough to rank."""
    return report(district, closure_rate=rate, on_time_resolve_rate=rate, satisfaction_rate=rate)


def sampled(district: str, cases: int, **figures: Any) -> KpiReport:
    """A report as the KPI view makes it: every rate given rests on `cases` cases."""
    made = report(district, **figures)
    return replace(made, samples={kpi: cases for kpi in DEFAULT_WEIGHTS})


# ------------------------------------------------------------------ scores


def test_the_default_weights_sum_to_one_hundred() -> None:
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_a_district_scores_the_weighted_mean_of_its_rates() -> None:
    # 20×.9 + 15×.8 + 10×1 + 20×.7 + 25×.95 + 10×.75 = 18 + 12 + 10 + 14 + 23.75 + 7.5
    assert score(every_rate("渝中区"), DEFAULT_WEIGHTS) == pytest.approx((85.25, 1.0))


def test_null_rates_are_left_out_and_the_other_weights_renormalised() -> None:
    district = every_rate("渝中区", urgent_hiring_response_rate=None, satisfaction_rate=None)
    # (18 + 12 + 14 + 7.5) ÷ (20 + 15 + 20 + 10), resting on 65 of the 100 weight
    assert score(district, DEFAULT_WEIGHTS) == pytest.approx((100 * 51.5 / 65, 0.65))


def test_a_rate_of_zero_is_measured_and_counts_against_the_district() -> None:
    district = report("江北区", on_time_accept_rate=0.0, satisfaction_rate=1.0)
    assert score(district, DEFAULT_WEIGHTS) == pytest.approx((100 * 25 / 40, 0.4))


def test_a_closure_rate_above_one_scores_as_one() -> None:
    backlog_cleared = report("渝中区", closure_rate=1.5)
    assert score(backlog_cleared, DEFAULT_WEIGHTS) == pytest.approx((100.0, 0.2))


def test_visit_coverage_is_enterprises_visited_of_those_served() -> None:
    served_not_visited = report("渝中区", enterprises_served=4, enterprises_visited=0)
    assert score(served_not_visited, DEFAULT_WEIGHTS) == pytest.approx((0.0, 0.1))
    nobody_served = report("渝中区", enterprises_served=0, visit_count=0)
    assert score(nobody_served, DEFAULT_WEIGHTS) == (None, 0.0)


def test_a_kpi_weighted_zero_is_left_out_even_when_measured() -> None:
    weights = validate_weights({"satisfaction_rate": 0})
    district = report("渝中区", satisfaction_rate=0.0, on_time_resolve_rate=1.0)
    assert score(district, weights) == pytest.approx((100.0, 20 / 75))


# ------------------------------------------------------------------ ranks


def test_districts_are_ranked_best_score_first() -> None:
    rows = rank_districts(
        [
            every_rate("万州区", satisfaction_rate=0.55),  # 85.25 − 25×.4 = 75.25
            every_rate("渝中区"),  # 85.25
            half("江北区", 0.8),  # 80, on closure, resolution and satisfaction
        ]
    )
    assert [(r.rank, r.district) for r in rows] == [(1, "渝中区"), (2, "江北区"), (3, "万州区")]
    assert [r.score for r in rows] == pytest.approx([85.25, 80.0, 75.25])
    assert [r.measured_weight for r in rows] == pytest.approx([1.0, 0.65, 1.0])


def test_equal_scores_share_a_rank_and_keep_the_given_order() -> None:
    rows = rank_districts(
        [
            half("万州区", 0.5),
            half("黔江区", 0.9),
            half("涪陵区", 0.9),
            # the same 90 on the same weights reached another way: float noise must not split
            # the tie: (20 × 1 + 20 × .8 + 25 × .9) ÷ 65
            report("渝中区", closure_rate=1.0, on_time_resolve_rate=0.8, satisfaction_rate=0.9),
            half("江北区", 0.3),
        ]
    )
    ranks = [(r.rank, r.district) for r in rows]
    assert ranks == [(1, "黔江区"), (1, "涪陵区"), (1, "渝中区"), (4, "万州区"), (5, "江北区")]


def test_a_district_with_nothing_to_measure_is_listed_last_without_rank_or_score() -> None:
    rows = rank_districts(
        [
            report("万州区"),
            half("黔江区", 0.0),
            report("涪陵区", issues_raised=2, dispatch_refusals=1),  # counts, but no rate yet
            half("渝中区", 1.0),
        ]
    )
    assert [(r.rank, r.district, r.score) for r in rows] == [
        (1, "渝中区", 100.0),
        (2, "黔江区", 0.0),  # a measured 0 is ranked, below every measured score
        (None, "万州区", None),
        (None, "涪陵区", None),
    ]
    assert rows[2].measured_weight == rows[3].measured_weight == 0.0


def test_an_empty_period_leaves_every_district_unranked_in_the_given_order() -> None:
    districts = ["万州区", "黔江区", "涪陵区", "渝中区"]
    rows = rank_districts([report(d) for d in districts])
    assert [(r.rank, r.district, r.score) for r in rows] == [(None, d, None) for d in districts]
    assert all(rate is None for r in rows for rate in r.rates.values())


def test_other_weights_can_change_the_order() -> None:
    same = {"closure_rate": 0.7, "on_time_resolve_rate": 0.7}
    fast_but_unloved = report("渝中区", on_time_accept_rate=1.0, satisfaction_rate=0.5, **same)
    slow_but_loved = report("江北区", on_time_accept_rate=0.5, satisfaction_rate=1.0, **same)
    by_default = rank_districts([fast_but_unloved, slow_but_loved])
    speed_first = rank_districts(
        [fast_but_unloved, slow_but_loved], validate_weights({"on_time_accept_rate": 60})
    )
    assert [r.district for r in by_default] == ["江北区", "渝中区"]  # 25 beats 15
    assert [r.district for r in speed_first] == ["渝中区", "江北区"]  # 60 beats 25


# ------------------------------------------------------------------ weights


def test_weights_default_when_nothing_is_configured() -> None:
    assert configured_weights({}) == DEFAULT_WEIGHTS
    assert load_weights("  ") == DEFAULT_WEIGHTS


def test_weights_given_inline_override_only_the_kpis_they_name() -> None:
    weights = configured_weights(
        {WEIGHTS_VARIABLE: '{"satisfaction_rate": 40, "visit_coverage": 0}'}
    )
    assert weights == {**DEFAULT_WEIGHTS, "satisfaction_rate": 40.0, "visit_coverage": 0.0}


def test_weights_can_come_from_a_json_or_a_toml_file(tmp_path: Path) -> None:
    as_json = tmp_path / "weights.json"
    as_json.write_text(json.dumps({"closure_rate": 30}))
    as_toml = tmp_path / "weights.toml"
    as_toml.write_text("urgent_hiring_response_rate = 0\non_time_accept_rate = 12.5\n")
    assert load_weights(str(as_json)) == {**DEFAULT_WEIGHTS, "closure_rate": 30.0}
    assert load_weights(str(as_toml)) == {
        **DEFAULT_WEIGHTS, "urgent_hiring_response_rate": 0.0, "on_time_accept_rate": 12.5,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("given", "complaint"),
    [
        ('{"speed": 10}', "未知的指标 speed"),
        ('{"satisfaction_rate": -1}', "的权重须为不小于 0 的数"),
        ('{"satisfaction_rate": true}', "的权重须为不小于 0 的数"),
        ('{"satisfaction_rate": "25"}', "的权重须为不小于 0 的数"),
        (json.dumps(dict.fromkeys(DEFAULT_WEIGHTS, 0)), "至少一个权重须大于 0"),
        ("{not json", "不是有效的 JSON"),
        ("/nonexistent/weights.toml", "无法读取权重文件 /nonexistent/weights.toml"),
    ],
)
def test_unusable_weights_are_refused_saying_why(given: str, complaint: str) -> None:
    with pytest.raises(WeightsError, match=complaint):
        load_weights(given)


def test_a_weights_refusal_reads_in_english_on_request() -> None:
    with pytest.raises(WeightsError) as refused:
        load_weights('{"speed": 10}')
    assert refused.value.text.render(EN).startswith("ESPCRM_LEAGUE_WEIGHTS: unknown KPI speed")


def test_a_toml_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "weights.toml"
    bad.write_text("satisfaction_rate = = 3")
    with pytest.raises(WeightsError, match="不是有效的 TOML"):
        load_weights(str(bad))


# ------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03", Period("2025-03", "MONTH", date(2025, 3, 1), date(2025, 3, 31))),
        ("2024-02", Period("2024-02", "MONTH", date(2024, 2, 1), date(2024, 2, 29))),
        ("2025-Q3", Period("2025-Q3", "QUARTER", date(2025, 7, 1), date(2025, 9, 30))),
        ("2025-q1", Period("2025-Q1", "QUARTER", date(2025, 1, 1), date(2025, 3, 31))),
        ("2025-Q4", Period("2025-Q4", "QUARTER", date(2025, 10, 1), date(2025, 12, 31))),
        (" 2025 ", Period("2025", "YEAR", date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_a_period_is_a_month_a_quarter_or_a_year(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-00", "2025-Q5", "2025-Q0", "2025-3", "25", "March", "", "0000"]
)
def test_anything_else_is_invalid_input_naming_the_period(text: str) -> None:
    with pytest.raises(InvalidInput, match="2025-Q3") as refused:
        parse_period(text)
    assert refused.value.field == "period"


# ------------------------------------------------------------------ samples and ranking rules


def test_a_rate_on_fewer_cases_than_the_minimum_is_insufficient_and_does_not_count() -> None:
    one_happy_case = sampled("渝中区", 1, satisfaction_rate=1.0)
    assert score(one_happy_case, DEFAULT_WEIGHTS) == (None, 0.0)
    [row] = rank_districts([one_happy_case])
    assert row.insufficient == {"satisfaction_rate"} and row.rank is None
    assert score(one_happy_case, DEFAULT_WEIGHTS, min_sample=1) == pytest.approx((100.0, 0.25))
    mixed = replace(
        every_rate("江北区"),
        samples={kpi: 5 for kpi in DEFAULT_WEIGHTS} | {"satisfaction_rate": 4},
    )
    # satisfaction (25) left out: (18 + 12 + 10 + 14 + 7.5) ÷ 75
    assert score(mixed, DEFAULT_WEIGHTS) == pytest.approx((100 * 61.5 / 75, 0.75))


def test_ten_districts_at_100_on_a_tenth_of_the_weight_are_not_ranked_first() -> None:
    """The defect: ten districts ranked first with 100 points, one resting on 0.1 of the
    weight. Resting on less than half of the weights, they are listed unranked."""
    thin = [sampled(f"区{i}", 9, enterprises_served=9, enterprises_visited=9) for i in range(10)]
    solid = sampled("渝中区", 9, **{k: 0.8 for k in DEFAULT_WEIGHTS if k != "visit_coverage"})
    rows = rank_districts([*thin, solid])
    assert [(r.rank, r.district) for r in rows][:2] == [(1, "渝中区"), (None, "区0")]
    assert all(r.rank is None and r.score == 100.0 for r in rows[1:])
    assert rows[1].measured_weight == pytest.approx(0.1)


def test_ties_are_broken_by_measured_weight_then_by_cases() -> None:
    rows = rank_districts(
        [
            sampled("万州区", 9, closure_rate=0.9, on_time_resolve_rate=0.9, satisfaction_rate=0.9),
            sampled("黔江区", 9, **{k: 0.9 for k in DEFAULT_WEIGHTS if k != "visit_coverage"}),
            sampled(
                "涪陵区", 30, closure_rate=0.9, on_time_resolve_rate=0.9, satisfaction_rate=0.9
            ),
            sampled("江北区", 9, closure_rate=0.9, on_time_resolve_rate=0.9, satisfaction_rate=0.9),
        ]
    )
    # All score 90. 黔江区 rests on 0.9 of the weight, the others on 0.65; of those 涪陵区 on
    # 3 × 30 cases; 万州区 and 江北区 are equal on every rule and share a rank, in given order.
    assert [(r.rank, r.district) for r in rows] == [
        (1, "黔江区"),
        (2, "涪陵区"),
        (3, "万州区"),
        (3, "江北区"),
    ]


def test_the_minimum_sample_is_configurable() -> None:
    assert configured_min_sample({}) == 5
    assert configured_min_sample({MIN_SAMPLE_VARIABLE: "12"}) == 12
    with pytest.raises(WeightsError, match=MIN_SAMPLE_VARIABLE):
        configured_min_sample({MIN_SAMPLE_VARIABLE: "0"})
