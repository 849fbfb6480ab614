"""`kpis`: supervisors and the bureau office see any district; a supervisor's token may narrow it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from api.context import Info
from api.history.as_of import check_moment
from api.history.types import AS_OF
from api.kpis.types import KpiReport
from domain.districts import validate_district
from domain.shared import Forbidden, InvalidInput, Role
from projections.kpi import KpiReport as KpiReportData

MAX_DAYS = 3 * 366


@strawberry.type
class KpiQueries:
    @strawberry.field
    async def kpis(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        district: str | None = None,
        as_of: Annotated[datetime | None, strawberry.argument(description=AS_OF)] = None,
    ) -> KpiReport:
        user = info.context.require_role(Role.ADMIN, Role.SUPERVISOR)
        if to < from_:
            raise InvalidInput("input.period_reversed", field="to")
        if (to - from_).days > MAX_DAYS:
            raise InvalidInput("input.period_too_long", field="to", days=MAX_DAYS)
        name = validate_district(district) if district else None
        if user.districts and name not in user.districts:
            raise Forbidden("access.districts", districts=list(user.districts))
        view = info.context.services.views.kpi
        if as_of is None:
            row = await info.context.read(view.report, from_, to, name, info.context.now())
            return KpiReport.from_row(row)
        moment = check_moment(info, as_of)
        services = info.context.services

        def replayed() -> list[KpiReportData]:
            log = ((r.position, r.event) for r in services.app.log_until(moment))
            return view.reports_as_of(
                log, from_, to, [name], moment, services.sla, services.calendar
            )

        return KpiReport.from_row((await info.context.read(replayed))[0])
