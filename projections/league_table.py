"""District league table (区县晾晒): every district scored and ranked from its KPIs. Pure.

The score of a district is a weighted mean of its rates, on a scale of 0 to 100:

    score = 100 × Σ weight(k) × rate(k) / Σ weight(k), over the KPIs k the district has a rate for

The rates scored (weights are relative; the defaults sum to 100):

    closure_rate                 20   办结率 of the issues due in the period (a cohort: never
                                      above 1, see projections/kpi.py)
    on_time_accept_rate          15   按时接单率
    urgent_hiring_response_rate  10   紧急用工响应率
    on_time_resolve_rate         20   按时办结率
    satisfaction_rate            25   满意率
    visit_coverage               10   走访覆盖率 = enterprises visited ÷ enterprises served

Null rates (nothing to divide, see projections/kpi.py) are left out and the remaining weights
re-normalised: a district with no urgent-hiring issue is neither punished (0) nor rewarded (1)
for it. A rate measured on fewer cases than the minimum sample (ESPCRM_LEAGUE_MIN_SAMPLE,
default 5: one satisfied evaluation is not a 100 % satisfaction rate) is shown as 样本不足
(insufficient sample) and left out the same way. `measured_weight` says which share of the
total weight a score rests on.

A district is ranked only when its score rests on at least half of the total weight
(MIN_MEASURED_SHARE); any other is still listed (every district appears in an airing report)
but unranked (rank null, 不参与排名), after every ranked district, in the official order of
DISTRICTS, with its score if it has one.

Ties between ranked districts are broken by this rule, in order:
  1. the higher score (compared rounded to 6 decimals, so float noise never splits a tie);
  2. the larger measured weight (a score resting on more of the weights first);
  3. the more cases measured (the sum of the counted rates' sample sizes);
districts still equal on all three share a rank (competition ranking: 1, 2, 2, 4) and keep
the official order.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.districts import DISTRICTS
from domain.messages import t
from domain.shared import InvalidInput
from projections.kpi import KpiReport
from projections.views import Views

WEIGHTS_VARIABLE = "ESPCRM_LEAGUE_WEIGHTS"
MIN_SAMPLE_VARIABLE = "ESPCRM_LEAGUE_MIN_SAMPLE"
DEFAULT_MIN_SAMPLE = 5
MIN_MEASURED_SHARE = 0.5


def _capped(rate: float | None) -> float | None:
    return None if rate is None else min(rate, 1.0)


def visit_coverage(report: KpiReport) -> float | None:
    """Enterprises visited ÷ enterprises served; null when none was served."""
    if report.enterprises_served <= 0:
        return None
    return min(report.enterprises_visited / report.enterprises_served, 1.0)


# Each scored KPI: how its rate (0..1, or null) is read from a KPI report.
SCORED_KPIS: dict[str, Callable[[KpiReport], float | None]] = {
    "closure_rate": lambda r: _capped(r.closure_rate),
    "on_time_accept_rate": lambda r: r.on_time_accept_rate,
    "urgent_hiring_response_rate": lambda r: r.urgent_hiring_response_rate,
    "on_time_resolve_rate": lambda r: r.on_time_resolve_rate,
    "satisfaction_rate": lambda r: r.satisfaction_rate,
    "visit_coverage": visit_coverage,
}

DEFAULT_WEIGHTS: dict[str, float] = {
    "closure_rate": 20.0,
    "on_time_accept_rate": 15.0,
    "urgent_hiring_response_rate": 10.0,
    "on_time_resolve_rate": 20.0,
    "satisfaction_rate": 25.0,
    "visit_coverage": 10.0,
}

KPI_LABELS: dict[str, str] = {
    "closure_rate": "结案率",
    "on_time_accept_rate": "按时接单率",
    "urgent_hiring_response_rate": "紧急用工响应率",
    "on_time_resolve_rate": "按时办结率",
    "satisfaction_rate": "满意率",
    "visit_coverage": "走访覆盖率",
}


# ------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    """A month ("2025-03"), a quarter ("2025-Q3") or a year ("2025"): calendar dates, inclusive."""

    label: str
    kind: str  # MONTH, QUARTER or YEAR
    first: date
    last: date


_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|[Qq](?P<quarter>\d)))?$")


def parse_period(text: str, field: str = "period") -> Period:
    """The period a label names, or InvalidInput naming the field and the accepted forms."""
    match = _PERIOD.match(text.strip())
    year = int(match["year"]) if match else 0
    if not match or year < 1:
        raise _bad_period(text, field)
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise _bad_period(text, field)
        return Period(f"{year:04d}-{month:02d}", "MONTH", *_months(year, month, month))
    if match["quarter"]:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise _bad_period(text, field)
        first_month = 3 * quarter - 2
        return Period(
            f"{year:04d}-Q{quarter}", "QUARTER", *_months(year, first_month, first_month + 2)
        )
    return Period(f"{year:04d}", "YEAR", date(year, 1, 1), date(year, 12, 31))


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _bad_period(text: str, field: str) -> InvalidInput:
    return InvalidInput("period.invalid", field=field, value=text)


# ------------------------------------------------------------------ weights


class WeightsError(ValueError):
    """The configured weights are unusable; the message (from the catalogue, Chinese unless
    rendered otherwise: `error.text.render(EN)`) says which and why."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.text = t(key, **params)
        super().__init__(self.text.render())


def validate_weights(given: Mapping[str, Any], source: str = "weights") -> dict[str, float]:
    """The defaults overridden by `given` (a KPI set to 0 is left out of the score)."""
    unknown = sorted(set(given) - set(SCORED_KPIS))
    if unknown:
        known = ", ".join(SCORED_KPIS)
        raise WeightsError(
            "weights.unknown_kpi", source=source, kpis=", ".join(unknown), known=known
        )
    weights = dict(DEFAULT_WEIGHTS)
    for kpi, value in given.items():
        # bool is an int to Python, but `true` as a weight is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise WeightsError("weights.not_a_weight", source=source, kpi=kpi, value=repr(value))
        weights[kpi] = float(value)
    if not any(weights.values()):
        raise WeightsError("weights.all_zero", source=source)
    return weights


def load_weights(spec: str | None, source: str = WEIGHTS_VARIABLE) -> dict[str, float]:
    """Weights from inline JSON ({"satisfaction_rate": 30}), a .json or a .toml file, else
    the defaults. A file holds the same flat mapping of KPI name to weight; `source` names
    where inline JSON came from in an error."""
    if spec is None or not spec.strip():
        return dict(DEFAULT_WEIGHTS)
    text = spec.strip()
    if text.startswith("{"):
        return validate_weights(_parse(text, "json", source), source)
    path = Path(text)
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as error:
        raise WeightsError(
            "weights.unreadable", path=path, reason=error.strerror or error
        ) from None
    kind = "toml" if path.suffix.lower() == ".toml" else "json"
    return validate_weights(_parse(content, kind, str(path)), str(path))


def configured_weights(environ: Mapping[str, str] = os.environ) -> dict[str, float]:
    """The weights ESPCRM_LEAGUE_WEIGHTS names, read on each call so a change needs no restart."""
    return load_weights(environ.get(WEIGHTS_VARIABLE))


def configured_min_sample(environ: Mapping[str, str] = os.environ) -> int:
    """The fewest cases a rate must rest on to count (ESPCRM_LEAGUE_MIN_SAMPLE, default 5)."""
    text = environ.get(MIN_SAMPLE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MIN_SAMPLE
    if not text.isdigit() or int(text) < 1:
        raise WeightsError("weights.min_sample", name=MIN_SAMPLE_VARIABLE, value=repr(text))
    return int(text)


def _parse(text: str, kind: str, source: str) -> dict[str, Any]:
    try:
        value = tomllib.loads(text) if kind == "toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise WeightsError(
            "weights.not_parsed", source=source, kind=kind.upper(), error=error
        ) from None
    if not isinstance(value, dict):
        raise WeightsError("weights.not_a_mapping", source=source)
    return value


# ------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class LeagueRow:
    rank: int | None  # null: unranked (less than half of the weight measured)
    district: str
    score: float | None  # 0..100
    measured_weight: float  # the share (0..1) of the total weight the score rests on
    rates: dict[str, float | None]  # each scored KPI's rate as scored (capped, derived)
    kpis: KpiReport
    # The rates left out for resting on fewer cases than the minimum sample (样本不足).
    insufficient: frozenset[str] = frozenset()
    cases: int = 0  # the cases the counted rates rest on (the third tie-break)

    @property
    def ranked(self) -> bool:
        return self.score is not None and self.measured_weight >= MIN_MEASURED_SHARE - 1e-9


@dataclass(frozen=True)
class LeagueTable:
    period: Period
    weights: dict[str, float]
    rows: list[LeagueRow]


def sample_of(report: KpiReport, kpi: str) -> int | None:
    """The cases a rate rests on; None when the report does not say (made by hand)."""
    return None if report.samples is None else report.samples.get(kpi)


def insufficient_samples(report: KpiReport, min_sample: int = DEFAULT_MIN_SAMPLE) -> frozenset[str]:
    """The rates measured on fewer cases than `min_sample`: shown as 样本不足, not counted."""
    return frozenset(
        kpi
        for kpi, rate in SCORED_KPIS.items()
        if rate(report) is not None and (n := sample_of(report, kpi)) is not None and n < min_sample
    )


def score(
    report: KpiReport, weights: Mapping[str, float], min_sample: int = DEFAULT_MIN_SAMPLE
) -> tuple[float | None, float]:
    """The district's score and the share of the weight it rests on."""
    total = sum(weights.values())
    left_out = insufficient_samples(report, min_sample)
    measured = [
        (weight, rate)
        for kpi, weight in weights.items()
        if weight > 0 and kpi not in left_out and (rate := SCORED_KPIS[kpi](report)) is not None
    ]
    measured_weight = sum(weight for weight, _ in measured)
    if measured_weight <= 0:
        return None, 0.0
    weighted = sum(weight * rate for weight, rate in measured)
    return 100.0 * weighted / measured_weight, measured_weight / total


def rank_districts(
    reports: Sequence[KpiReport],
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> list[LeagueRow]:
    """Every report's district: the ranked best first (ties broken as the module says), then
    the unranked in the order given."""
    scored = [_row(report, weights, min_sample) for report in reports]
    order = sorted(range(len(scored)), key=lambda i: _sort_key(scored[i], i))
    ranked: list[LeagueRow] = []
    previous: tuple[int, tuple[float, float, int]] | None = None  # the row before: rank, key
    for place, i in enumerate(order, start=1):
        row = scored[i]
        if not row.ranked:
            ranked.append(row)
            continue
        key = _tie_key(row)
        rank = previous[0] if previous and previous[1] == key else place
        previous = (rank, key)
        ranked.append(dataclasses.replace(row, rank=rank))
    return ranked


def _row(report: KpiReport, weights: Mapping[str, float], min_sample: int) -> LeagueRow:
    value, measured = score(report, weights, min_sample)
    rates = {kpi: rate(report) for kpi, rate in SCORED_KPIS.items()}
    left_out = insufficient_samples(report, min_sample)
    cases = sum(
        sample_of(report, kpi) or 0
        for kpi, weight in weights.items()
        if weight > 0 and kpi not in left_out and rates[kpi] is not None
    )
    return LeagueRow(None, report.district or "", value, measured, rates, report, left_out, cases)


def _tie_key(row: LeagueRow) -> tuple[float, float, int]:
    """Best first: score, then measured weight, then cases measured."""
    return (-round(row.score or 0.0, 6), -round(row.measured_weight, 6), -row.cases)


def _sort_key(row: LeagueRow, index: int) -> tuple[bool, tuple[float, float, int], int]:
    return (not row.ranked, _tie_key(row) if row.ranked else (0.0, 0.0, 0), index)


def league_table(
    views: Views,
    period: Period,
    weights: dict[str, float],
    now: datetime,
    min_sample: int | None = None,
) -> LeagueTable:
    """Every district's KPIs for the period, scored and ranked."""
    reports = views.kpi.report_by_district(period.first, period.last, DISTRICTS, now)
    return ranked_table(period, weights, reports, min_sample)


def ranked_table(
    period: Period,
    weights: dict[str, float],
    reports: Sequence[KpiReport],
    min_sample: int | None = None,
) -> LeagueTable:
    """The league table of these district reports (live, or as of a moment)."""
    minimum = configured_min_sample() if min_sample is None else min_sample
    return LeagueTable(period, dict(weights), rank_districts(reports, weights, minimum))
