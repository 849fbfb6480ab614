"""History read models built on demand, by the same pure row builders as the projections:
an issue's or an enterprise's row as of a moment, a league table's figures as published
(kept in its event) and what changed since. Pure: no SQL here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking

from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.time_limits import SlaPolicy, WorkingCalendar
from projections.enterprise_directory import EnterpriseRow, enterprise_row
from projections.enterprise_profile import EnterpriseProfile
from projections.issue_board import IssueRow, issue_row
from projections.kpi import KpiReport
from projections.league_table import SCORED_KPIS, LeagueRow, LeagueTable

APPLICATION = "espcrm"


def issue_row_as_of(
    issue: Issue, position: int, first_position: int, sla: SlaPolicy, calendar: WorkingCalendar
) -> IssueRow:
    """The issue board's row of an issue folded up to a moment (`position`: its last event's
    then, `first_position`: its first event's)."""
    row = issue_row(issue, sla, calendar, Tracking(APPLICATION, position))
    return IssueRow(**{**row, "raised_position": first_position})


def enterprise_row_as_of(
    enterprise: EnterpriseRelationship, first_position: int, issues: Iterable[Issue | None]
) -> EnterpriseRow:
    """The directory's row of a relationship folded up to a moment; `issues`: its issues
    folded up to the same moment (None: not raised yet), for the open-issue count."""
    row = enterprise_row(EnterpriseProfile.of(enterprise), Tracking(APPLICATION, first_position))
    return EnterpriseRow(
        **row,
        visit_count=enterprise.visit_count,
        last_visit_at=enterprise.last_visit_at,
        next_visit_due_on=enterprise.next_visit_due_on,
        open_issue_count=sum(1 for i in issues if i is not None and i.is_open),
    )


# ------------------------------------------------------------------ published league tables


def row_figures(row: LeagueRow) -> dict[str, Any]:
    """A league row as plain JSON values: what a publication records for each district."""
    kpis = dataclasses.asdict(row.kpis)
    kpis["from_"], kpis["to"] = row.kpis.from_.isoformat(), row.kpis.to.isoformat()
    return {
        "rank": row.rank,
        "district": row.district,
        "score": row.score,
        "measured_weight": row.measured_weight,
        "rates": dict(row.rates),
        "insufficient": sorted(row.insufficient),
        "cases": row.cases,
        "kpis": kpis,
    }


def row_from_figures(figures: dict[str, Any]) -> LeagueRow:
    """A published row as the league table's own row (the inverse of row_figures)."""
    kpis = dict(figures["kpis"])
    kpis["from_"], kpis["to"] = date.fromisoformat(kpis["from_"]), date.fromisoformat(kpis["to"])
    return LeagueRow(
        rank=figures["rank"],
        district=figures["district"],
        score=figures["score"],
        measured_weight=figures["measured_weight"],
        rates=dict(figures["rates"]),
        kpis=KpiReport(**kpis),
        insufficient=frozenset(figures["insufficient"]),
        cases=int(figures["cases"]),
    )


@dataclass(frozen=True)
class RateChange:
    kpi: str
    published: float | None
    live: float | None


@dataclass(frozen=True)
class DistrictMove:
    """What changed for one district between the published table and the live one: its
    rank and score, and which scored rates changed (why it moved)."""

    district: str
    published_rank: int | None
    live_rank: int | None
    published_score: float | None
    live_score: float | None
    rates: list[RateChange]

    @property
    def moved(self) -> bool:
        return self.published_rank != self.live_rank


def moves(published: list[LeagueRow], live: LeagueTable) -> list[DistrictMove]:
    """Every district whose rank, score or a scored rate differs (rounded to 6 decimals, so
    float noise is no change), in the live table's order."""
    before = {r.district: r for r in published}
    changed: list[DistrictMove] = []
    for now in live.rows:
        then = before.get(now.district)
        if then is None:
            continue
        rates = [
            RateChange(kpi, then.rates.get(kpi), now.rates.get(kpi))
            for kpi in SCORED_KPIS
            if _round(then.rates.get(kpi)) != _round(now.rates.get(kpi))
        ]
        if rates or then.rank != now.rank or _round(then.score) != _round(now.score):
            changed.append(
                DistrictMove(now.district, then.rank, now.rank, then.score, now.score, rates)
            )
    return changed


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
