"""Labour mutations: role gate → command → read your own write (the enterprise's needs)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from api.context import Info
from api.ids import parse_uuid
from api.issues.mutations import payload
from api.issues.types import IssuePayload
from api.labour.queries import needs_of
from api.labour.types import (
    CorrectLabourInput,
    FillVacancyInput,
    LabourPayload,
    RaiseVacancyDemandInput,
    RecordLabourInput,
    ResolveHiringDemandInput,
    VacancyLineInput,
)
from application.labour import RecordLabour
from domain.shared import InvalidInput


def _lines(lines: list[VacancyLineInput]) -> list[dict[str, Any]]:
    return [
        {
            "line_id": line.line_id,
            "occupation_code": line.occupation_code,
            "count": line.count,
            "wage_min": line.wage_min,
            "wage_max": line.wage_max,
            "skill_level": line.skill_level.value if line.skill_level else None,
            "needed_by": line.needed_by,
        }
        for line in lines
    ]


async def _answer(
    info: Info, enterprise_id: strawberry.ID, position: int, record_id: str | None = None
) -> LabourPayload:
    info.context.reads_after(position)
    needs = await needs_of(info, enterprise_id)
    return LabourPayload(
        position=position,
        needs=needs,
        record_id=strawberry.ID(record_id) if record_id else None,
    )


@strawberry.type
class LabourMutations:
    @strawberry.mutation(description="用工情况: record an enterprise's labour situation")
    async def record_labour(self, info: Info, input: RecordLabourInput) -> LabourPayload:
        user = info.context.may("recordLabour")
        cmd = RecordLabour(
            enterprise_id=parse_uuid(input.enterprise_id, "enterpriseId"),
            employees=input.employees, shortfall=input.shortfall, lines=_lines(input.lines),
            shortfall_note=input.shortfall_note, visit_id=input.visit_id,
            observed_at=input.observed_at,
        )  # fmt: skip
        app = info.context.services.app
        record_id, position = await info.context.command(app.record_labour, cmd, user.actor)
        return await _answer(info, input.enterprise_id, position, record_id)

    @strawberry.mutation(description="更正: correct the current labour record, with a reason")
    async def correct_labour(self, info: Info, input: CorrectLabourInput) -> LabourPayload:
        user = info.context.may("correctLabour")
        cmd = RecordLabour(
            enterprise_id=parse_uuid(input.enterprise_id, "enterpriseId"),
            employees=input.employees, shortfall=input.shortfall, lines=_lines(input.lines),
            shortfall_note=input.shortfall_note, record_id=input.record_id,
        )  # fmt: skip
        app = info.context.services.app
        position = await info.context.command(app.correct_labour, cmd, input.reason, user.actor)
        return await _answer(info, input.enterprise_id, position, input.record_id)

    @strawberry.mutation(description="安置: record a vacancy line filled")
    async def fill_vacancy(self, info: Info, input: FillVacancyInput) -> LabourPayload:
        user = info.context.may("fillVacancy")
        app = info.context.services.app
        position = await info.context.command(
            app.fill_vacancy, parse_uuid(input.enterprise_id, "enterpriseId"),
            input.line_id, input.placed, input.channel.value, user.actor,
        )  # fmt: skip
        return await _answer(info, input.enterprise_id, position)

    @strawberry.mutation(description="One step from a vacancy line to a hiring demand")
    async def raise_vacancy_demand(
        self, info: Info, input: RaiseVacancyDemandInput
    ) -> IssuePayload:
        user = info.context.may("raiseVacancyDemand")
        app = info.context.services.app
        issue_id, position = await info.context.command(
            app.raise_vacancy_demand, parse_uuid(input.enterprise_id, "enterpriseId"),
            input.line_id, input.category.value, user.actor, input.idempotency_key,
        )  # fmt: skip
        return await payload(info, issue_id, position)

    @strawberry.mutation(description="办结 of a demand from a vacancy, recording its placements")
    async def resolve_hiring_demand(
        self, info: Info, input: ResolveHiringDemandInput
    ) -> IssuePayload:
        user = info.context.may("resolveHiringDemand")
        department = user.department_id
        if not department:
            raise InvalidInput("token.no_department", field="department_id")
        issue_id: UUID = parse_uuid(input.issue_id, "issueId")
        app = info.context.services.app
        position = await info.context.command(
            app.resolve_hiring_demand, issue_id, department, input.resolution,
            input.placed, input.channel.value, user.actor,
        )  # fmt: skip
        return await payload(info, issue_id, position)
