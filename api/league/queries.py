"""`leagueTable`: supervisors and the bureau office; a district-narrowed token sees its rows."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.league.types import LeagueTable
from domain.shared import Role
from projections.league_table import configured_weights, league_table, parse_period


@strawberry.type
class LeagueQueries:
    @strawberry.field(
        description="区县晾晒: period is a month (2025-03), a quarter (2025-Q3) or a year (2025)"
    )
    async def league_table(self, info: Info, period: str) -> LeagueTable:
        user = info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        parsed = parse_period(period)
        weights = configured_weights()
        views = info.context.services.views
        table = await info.context.read(league_table, views, parsed, weights, info.context.now())
        # Ranks stay those of the whole league (an airing report is read by every district);
        # a token narrowed to some districts reads only their rows, as with `kpis`.
        rows = [r for r in table.rows if not user.districts or r.district in user.districts]
        return LeagueTable.from_table(table, rows)
