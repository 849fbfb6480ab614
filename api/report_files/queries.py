"""`reportFile`: the airing report's xlsx and charts for the console's downloads."""

from __future__ import annotations

import asyncio
import base64

import strawberry

from api.context import Info
from api.errors import ServiceUnavailable
from api.report_files.types import ReportFile, ReportKind
from domain.shared import Forbidden, Role
from projections.league_table import parse_period


@strawberry.type
class ReportFileQueries:
    @strawberry.field(
        description="晾晒通报 as a file (xlsx, the league or KPI chart as PNG, markdown) for a"
        " month (2025-03), quarter (2025-Q3) or year (2025). ADMIN and city-wide SUPERVISOR"
        " only: the report names every district's late items."
    )
    async def report_file(self, info: Info, period: str, kind: ReportKind) -> ReportFile:
        user = info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        if user.districts:
            raise Forbidden("report.city_wide_only")
        parse_period(period)  # a bad period is INVALID_INPUT before any work
        make = info.context.services.report_files
        if make is None:
            raise ServiceUnavailable("report.unavailable")
        await info.context.read(lambda: None)  # caught up to X-Min-Position, breaker checked
        name, media_type, content = await asyncio.to_thread(
            make, period, kind.value, info.context.now()
        )
        return ReportFile(
            filename=name,
            media_type=media_type,
            size_bytes=len(content),
            content_base64=base64.b64encode(content).decode("ascii"),
        )
