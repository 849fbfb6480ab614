"""`publishLeagueTable`: a supervisor records a period's league table as published."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.history.types import PublishedLeagueTable
from domain.shared import Forbidden
from projections.history import row_figures
from projections.league_table import configured_weights, league_table, parse_period


@strawberry.type
class HistoryMutations:
    @strawberry.mutation(
        description="Publish a period's league table (区县晾晒) as it is now: its figures are"
        " recorded and never change; publishing a period twice is refused (CONFLICT)"
    )
    async def publish_league_table(self, info: Info, period: str) -> PublishedLeagueTable:
        user = info.context.may("publishLeagueTable")
        if user.districts:  # a table every district reads: published by a city-wide supervisor
            raise Forbidden("access.districts", districts=list(user.districts))
        parsed = parse_period(period)
        services = info.context.services
        head = await info.context.command(services.app.last_position)
        # The figures include every event recorded so far (the head: not written here).
        info.context.reads_after(head, written_here=False)
        table = await info.context.read(
            league_table, services.views, parsed, configured_weights(), info.context.now()
        )
        figures = [row_figures(r) for r in table.rows]
        await info.context.command(
            services.app.publish_league_table,
            parsed.label, table.weights, figures, head, user.actor,
        )  # fmt: skip
        published = await info.context.command(services.app.published_league_table, parsed.label)
        assert published is not None
        return PublishedLeagueTable.build(published, table.rows, [])
