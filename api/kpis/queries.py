"""`kpis`: supervisors and the bureau office see any district; a supervisor's token may narrow it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from api.context import Info
from api.kpis.types import KpiReport
from domain.districts import validate_district
from domain.shared import Forbidden, InvalidInput, Role

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
        row = await info.context.read(view.report, from_, to, name, info.context.now())
        return KpiReport.from_row(row)
