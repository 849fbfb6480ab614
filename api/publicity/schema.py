"""Publicity activities (政策宣传服务活动): log and cancel (commissioners, departments, ADMIN);
the list, each enterprise's history and the yearly count against the target (signed-in staff,
a supervisor within the districts of their token)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Annotated

import strawberry

from api.access import publicity_district
from api.auth import Principal
from api.common.types import LABEL, label_of
from api.context import Info
from api.ids import parse_uuid
from application.publicity import LogActivity
from domain.districts import DISTRICTS
from domain.shared import InvalidInput, Role
from projections.publicity import ActivityRow

MAX_DAYS = 3 * 366


@strawberry.enum(description="座谈会, 招聘会, 志愿服务, 政策宣讲")
class ActivityKind(Enum):
    SEMINAR = "SEMINAR"
    JOB_FAIR = "JOB_FAIR"
    VOLUNTEER_SERVICE = "VOLUNTEER_SERVICE"
    POLICY_BRIEFING = "POLICY_BRIEFING"


@strawberry.type(description="政策宣传服务活动")
class PublicityActivity:
    id: strawberry.ID
    kind: ActivityKind
    title: str
    held_on: date
    district: str
    policy_codes: list[str]
    enterprise_ids: list[strawberry.ID]
    summary: str | None
    department_id: str | None

    @strawberry.field(description="The kind's label (JOB_FAIR: 招聘会): " + LABEL)
    def kind_label(self, info: Info) -> str:
        return label_of(info, f"activity.{self.kind.value}")

    @strawberry.field
    def enterprise_count(self) -> int:
        return len(self.enterprise_ids)

    @classmethod
    def from_row(cls, row: ActivityRow) -> PublicityActivity:
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=ActivityKind(row.kind),
            title=row.title,
            held_on=row.held_on,
            district=row.district,
            policy_codes=list(row.policy_codes),
            enterprise_ids=[strawberry.ID(e) for e in row.enterprise_ids],
            summary=row.summary,
            department_id=row.department_id,
        )


@strawberry.type
class PublicityDistrictCount:
    district: str
    activities: int
    enterprises_reached: int


@strawberry.type(description="政策宣传服务活动 in a year against the plan's target")
class PublicityReport:
    year: int
    district: str | None
    target: int = strawberry.field(description="The yearly target (setting; 800 in 2025)")
    activities: int
    enterprises_reached: int
    by_district: list[PublicityDistrictCount]

    @strawberry.field(description="activities ÷ target; null when the target is 0")
    def progress(self) -> float | None:
        return self.activities / self.target if self.target else None


@strawberry.input
class LogActivityInput:
    kind: ActivityKind
    title: str
    held_on: date
    district: str
    policy_codes: list[str] | None = None
    enterprise_ids: list[strawberry.ID] | None = None
    summary: str | None = None


@strawberry.input
class CancelActivityInput:
    activity_id: strawberry.ID
    reason: str


@strawberry.type
class PublicityActivityPayload:
    position: int
    activity: PublicityActivity | None


@strawberry.type
class PublicityQueries:
    @strawberry.field(description="政策宣传服务活动 held from..to, newest first (at most 100)")
    async def publicity_activities(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        district: str | None = None,
    ) -> list[PublicityActivity]:
        if to < from_:
            raise InvalidInput("input.period_reversed", field="to")
        if (to - from_).days > MAX_DAYS:
            raise InvalidInput("input.period_too_long", field="to", days=MAX_DAYS)
        name = publicity_district(_staff(info), district)
        view = info.context.services.views.publicity
        rows = await info.context.read(view.activities, from_, to, name)
        return [PublicityActivity.from_row(r) for r in rows]

    @strawberry.field(description="The year's activities and enterprises reached, by district")
    async def publicity_report(
        self, info: Info, year: int, district: str | None = None
    ) -> PublicityReport:
        if not 2000 <= year <= 2100:
            raise InvalidInput("input.unknown_value", field="year", value=year, allowed="2000-2100")
        name = publicity_district(_staff(info), district)
        view = info.context.services.views.publicity
        user = info.context.user
        districts = [name] if name else list(user.districts or DISTRICTS)
        rows = await info.context.read(view.counts, year, districts)
        total = await info.context.read(view.counts, year, None)
        if name or user.districts:
            activities = sum(r.activities for r in rows)
            reached = sum(r.enterprises_reached for r in rows)
        else:
            activities, reached = total[0].activities, total[0].enterprises_reached
        return PublicityReport(
            year=year,
            district=name,
            target=info.context.services.publicity_target,
            activities=activities,
            enterprises_reached=reached,
            by_district=[
                PublicityDistrictCount(
                    district=str(r.district),
                    activities=r.activities,
                    enterprises_reached=r.enterprises_reached,
                )
                for r in rows
            ],
        )


@strawberry.type
class PublicityMutations:
    @strawberry.mutation(description="Log a 政策宣传服务活动 and the enterprises that attended")
    async def log_activity(self, info: Info, input: LogActivityInput) -> PublicityActivityPayload:
        user = info.context.may("logActivity")
        cmd = LogActivity(
            kind=input.kind.value,
            title=input.title,
            held_on=input.held_on,
            district=input.district,
            policy_codes=list(input.policy_codes or []),
            enterprise_ids=[str(e) for e in input.enterprise_ids or []],
            summary=input.summary,
            department_id=user.department_id,
        )
        app = info.context.services.app
        activity_id, position = await info.context.command(app.log_activity, cmd, user.actor)
        return await _payload(info, activity_id, position, input.held_on)

    @strawberry.mutation(description="Cancel a wrong entry, with a reason")
    async def cancel_activity(
        self, info: Info, input: CancelActivityInput
    ) -> PublicityActivityPayload:
        user = info.context.may("cancelActivity")
        activity_id = parse_uuid(input.activity_id, "activityId")
        app = info.context.services.app
        position = await info.context.command(
            app.cancel_activity, activity_id, input.reason, user.actor
        )
        info.context.reads_after(position)
        return PublicityActivityPayload(position=position, activity=None)


def _staff(info: Info) -> Principal:
    return info.context.require_role(
        Role.ADMIN, Role.SUPERVISOR, Role.COMMISSIONER, Role.DEPARTMENT
    )


async def _payload(
    info: Info, activity_id: object, position: int, held_on: date
) -> PublicityActivityPayload:
    info.context.reads_after(position)
    view = info.context.services.views.publicity
    rows = await info.context.read(view.activities, held_on, held_on + timedelta(days=0))
    found = [r for r in rows if r.id == activity_id]
    return PublicityActivityPayload(
        position=position, activity=PublicityActivity.from_row(found[0]) if found else None
    )
