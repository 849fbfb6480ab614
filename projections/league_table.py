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
for it. `measured_weight` says which share of the total weight a score rests on, so a reader
can see a score resting on one KPI. A district with no rate at all has no score: it is still
listed (every district appears in an airing report) but unranked (rank null), after every
ranked district, in the official order of DISTRICTS.

Equal scores share a rank (competition ranking: 1, 2, 2, 4) and keep the order of the input.
Scores are compared rounded to 6 decimals so float noise never splits a real tie.
"""

from __future__ import annotations

import calendar
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
from domain.shared import InvalidInput
from projections.kpi import KpiReport
from projections.views import Views

WEIGHTS_VARIABLE = "ESPCRM_LEAGUE_WEIGHTS"


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
    return InvalidInput(
        f"{field}: {text!r} is not a period; use a month (2025-03), a quarter (2025-Q3)"
        " or a year (2025)",
        field=field,
    )


# ------------------------------------------------------------------ weights


class WeightsError(ValueError):
    """The configured weights are unusable; the message says which and why."""


def validate_weights(given: Mapping[str, Any], source: str = "weights") -> dict[str, float]:
    """The defaults overridden by `given` (a KPI set to 0 is left out of the score)."""
    unknown = sorted(set(given) - set(SCORED_KPIS))
    if unknown:
        known = ", ".join(SCORED_KPIS)
        raise WeightsError(f"{source}: unknown KPI {', '.join(unknown)} (known: {known})")
    weights = dict(DEFAULT_WEIGHTS)
    for kpi, value in given.items():
        # bool is an int to Python, but `true` as a weight is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise WeightsError(f"{source}: the weight of {kpi} must be a number ≥ 0, not {value!r}")
        weights[kpi] = float(value)
    if not any(weights.values()):
        raise WeightsError(f"{source}: at least one weight must be above 0")
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
        raise WeightsError(f"weights file {path}: {error.strerror or error}") from None
    kind = "toml" if path.suffix.lower() == ".toml" else "json"
    return validate_weights(_parse(content, kind, str(path)), str(path))


def configured_weights(environ: Mapping[str, str] = os.environ) -> dict[str, float]:
    """The weights ESPCRM_LEAGUE_WEIGHTS names, read on each call so a change needs no restart."""
    return load_weights(environ.get(WEIGHTS_VARIABLE))


def _parse(text: str, kind: str, source: str) -> dict[str, Any]:
    try:
        value = tomllib.loads(text) if kind == "toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise WeightsError(f"{source}: not valid {kind.upper()}: {error}") from None
    if not isinstance(value, dict):
        raise WeightsError(f"{source}: expected a mapping of KPI name to weight")
    return value


# ------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class LeagueRow:
    rank: int | None  # null: nothing to measure
    district: str
    score: float | None  # 0..100
    measured_weight: float  # the share (0..1) of the total weight the score rests on
    rates: dict[str, float | None]  # each scored KPI's rate as scored (capped, derived)
    kpis: KpiReport


@dataclass(frozen=True)
class LeagueTable:
    period: Period
    weights: dict[str, float]
    rows: list[LeagueRow]


def score(report: KpiReport, weights: Mapping[str, float]) -> tuple[float | None, float]:
    """The district's score and the share of the weight it rests on."""
    total = sum(weights.values())
    measured = [
        (weight, rate)
        for kpi, weight in weights.items()
        if weight > 0 and (rate := SCORED_KPIS[kpi](report)) is not None
    ]
    measured_weight = sum(weight for weight, _ in measured)
    if measured_weight <= 0:
        return None, 0.0
    weighted = sum(weight * rate for weight, rate in measured)
    return 100.0 * weighted / measured_weight, measured_weight / total


def rank_districts(
    reports: Sequence[KpiReport], weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> list[LeagueRow]:
    """Every report's district, best score first; unscored districts last, unranked."""
    scored = [_row(report, weights) for report in reports]
    order = sorted(range(len(scored)), key=lambda i: _sort_key(scored[i], i))
    ranked: list[LeagueRow] = []
    previous: tuple[int, float] | None = None  # (rank, rounded score) of the row before
    for place, i in enumerate(order, start=1):
        row = scored[i]
        if row.score is None:
            ranked.append(row)
            continue
        rounded = round(row.score, 6)
        rank = previous[0] if previous and previous[1] == rounded else place
        previous = (rank, rounded)
        ranked.append(_with_rank(row, rank))
    return ranked


def _row(report: KpiReport, weights: Mapping[str, float]) -> LeagueRow:
    value, measured = score(report, weights)
    rates = {kpi: rate(report) for kpi, rate in SCORED_KPIS.items()}
    return LeagueRow(None, report.district or "", value, measured, rates, report)


def _sort_key(row: LeagueRow, index: int) -> tuple[bool, float, int]:
    return (row.score is None, -round(row.score or 0.0, 6), index)


def _with_rank(row: LeagueRow, rank: int) -> LeagueRow:
    return LeagueRow(rank, row.district, row.score, row.measured_weight, row.rates, row.kpis)


def league_table(
    views: Views, period: Period, weights: dict[str, float], now: datetime
) -> LeagueTable:
    """Every district's KPIs for the period, scored and ranked."""
    reports = views.kpi.report_by_district(period.first, period.last, DISTRICTS, now)
    return LeagueTable(period, dict(weights), rank_districts(reports, weights))
