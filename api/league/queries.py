"""`leagueTable`: supervisors and the bureau office; a district-narrowed token sees its rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.history.as_of import check_moment
from api.history.types import AS_OF, PublishedLeagueTable
from api.league.types import LeagueTable
from domain.districts import DISTRICTS
from domain.shared import Role
from projections.history import moves, row_from_figures
from projections.league_table import (
    LeagueTable as LeagueTableData,
)
from projections.league_table import (
    configured_weights,
    league_table,
    parse_period,
    ranked_table,
)


@strawberry.type
class LeagueQueries:
    @strawberry.field(
        description="区县晾晒: period is a month (2025-03), a quarter (2025-Q3) or a year (2025);"
        " `published` beside the live rows once the period's table has been published"
    )
    async def league_table(
        self,
        info: Info,
        period: str,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF)] = None,
    ) -> LeagueTable:
        user = info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        parsed = parse_period(period)
        weights = configured_weights()
        services = info.context.services
        table: LeagueTableData
        if as_of is None:
            table = await info.context.read(
                league_table, services.views, parsed, weights, info.context.now()
            )
        else:
            moment = check_moment(info, as_of)

            def replayed() -> LeagueTableData:
                log = ((r.position, r.event) for r in services.app.log_until(moment))
                reports = services.views.kpi.reports_as_of(
                    log, parsed.first, parsed.last, list(DISTRICTS), moment,
                    services.sla, services.calendar,
                )  # fmt: skip
                return ranked_table(parsed, weights, reports)

            table = await info.context.read(replayed)
        published = await info.context.read(services.app.published_league_table, parsed.label)
        if published is not None and as_of is not None and published.published_at > as_of:
            published = None  # not published yet at that moment
        # Ranks stay those of the whole league (an airing report is read by every district);
        # a token narrowed to some districts reads only their rows, as with `kpis`.
        rows = [r for r in table.rows if not user.districts or r.district in user.districts]
        answer = LeagueTable.from_table(table, rows)
        if published is not None:
            then = [row_from_figures(f) for f in published.rows]
            then = [r for r in then if not user.districts or r.district in user.districts]
            changed = [m for m in moves(then, table) if m.district in {r.district for r in then}]
            answer.published = PublishedLeagueTable.build(published, then, changed)
        return answer
