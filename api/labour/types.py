"""Labour data types (用工需求): records, vacancy lines, placements and the demand map."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry

from api.common.types import LABEL, label_of
from api.context import Info
from api.issues.types import IssueCategory
from domain.labour import PlacementChannel as DomainPlacementChannel
from domain.labour import SkillLevel as DomainSkillLevel
from domain.messages import label
from projections.labour_needs import LabourRecordView, MapRow, VacancyLine

strawberry.enum(DomainPlacementChannel, name="PlacementChannel")
strawberry.enum(DomainSkillLevel, name="SkillLevel")
PlacementChannel = DomainPlacementChannel
SkillLevel = DomainSkillLevel


@strawberry.enum
class LabourDimension(StrEnum):
    DISTRICT = "DISTRICT"
    INDUSTRY = "INDUSTRY"
    OCCUPATION = "OCCUPATION"


@strawberry.type(description="职业（工种）: an entry of the occupation catalogue")
class Occupation:
    code: str
    title: str
    group: str


@strawberry.type(description="安置: how many were placed on a line, by which channel, when")
class Placement:
    placed: int
    channel: PlacementChannel
    issue_id: strawberry.ID | None
    filled_at: datetime

    @strawberry.field(description="The channel's label (招聘会, 劳务协作, …): " + LABEL)
    def channel_label(self, info: Info) -> str:
        return label_of(info, f"placement_channel.{self.channel.value}")


@strawberry.type(description="岗位空缺: one line of a labour record")
class VacancyLineType:
    line_id: strawberry.ID
    occupation_code: str
    count: int
    wage_min: int | None
    wage_max: int | None
    skill_level: SkillLevel
    needed_by: date | None
    demand_issue_id: strawberry.ID | None
    placement: Placement | None

    @strawberry.field(description="The occupation's title (焊工, 数控车工, …)")
    def occupation(self, info: Info) -> str:
        return info.context.services.app.occupations.title_of(self.occupation_code)

    @strawberry.field(description="Open: not filled (安置) yet")
    def open(self) -> bool:
        return self.placement is None

    @classmethod
    def of(cls, item: VacancyLine) -> VacancyLineType:
        line, fill = item.line, item.fill
        return cls(
            line_id=strawberry.ID(line.line_id),
            occupation_code=line.occupation_code,
            count=line.count,
            wage_min=line.wage_min,
            wage_max=line.wage_max,
            skill_level=DomainSkillLevel(line.skill_level),
            needed_by=line.needed_by,
            demand_issue_id=strawberry.ID(item.demand.issue_id) if item.demand else None,
            placement=Placement(
                placed=fill.placed,
                channel=DomainPlacementChannel(fill.channel),
                issue_id=strawberry.ID(fill.issue_id) if fill.issue_id else None,
                filled_at=fill.filled_at,
            )
            if fill
            else None,
        )


@strawberry.type(
    description="用工情况: an enterprise's labour situation as recorded (and corrected)"
)
class LabourRecord:
    record_id: strawberry.ID
    enterprise_id: strawberry.ID
    visit_id: strawberry.ID | None
    observed_at: datetime
    employees: int
    shortfall: int
    shortfall_note: str | None
    corrections: int
    lines: list[VacancyLineType]

    @classmethod
    def of(cls, view: LabourRecordView) -> LabourRecord:
        r = view.record
        return cls(
            record_id=strawberry.ID(r.record_id),
            enterprise_id=strawberry.ID(str(r.enterprise_id)),
            visit_id=strawberry.ID(r.visit_id) if r.visit_id else None,
            observed_at=r.observed_at,
            employees=r.employees,
            shortfall=r.shortfall,
            shortfall_note=r.shortfall_note,
            corrections=r.corrections,
            lines=[VacancyLineType.of(line) for line in view.lines],
        )


@strawberry.type(description="用工需求: the current situation and every record before it")
class LabourNeeds:
    current: LabourRecord | None
    history: list[LabourRecord]


@strawberry.type
class LabourPayload:
    position: int
    needs: LabourNeeds
    record_id: strawberry.ID | None = None


@strawberry.type(
    description="One row of the demand map: a district, an industry cluster or an occupation"
)
class LabourMapRow:
    key: str
    enterprises: int
    shortfall: int
    open_vacancies: int
    previous_shortfall: int
    previous_open_vacancies: int
    shortfall_change: int
    open_vacancies_change: int
    placed: int
    dimension: strawberry.Private[str]

    @strawberry.field(description="The district, cluster or occupation as people read it: " + LABEL)
    def label(self, info: Info) -> str:
        return map_label(info, self.dimension, self.key)

    @classmethod
    def of(cls, row: MapRow, dimension: str) -> LabourMapRow:
        return cls(
            key=row.key, enterprises=row.enterprises, shortfall=row.shortfall,
            open_vacancies=row.open_vacancies, previous_shortfall=row.previous_shortfall,
            previous_open_vacancies=row.previous_open_vacancies,
            shortfall_change=row.shortfall_change,
            open_vacancies_change=row.open_vacancies_change, placed=row.placed,
            dimension=dimension,
        )  # fmt: skip


def map_label(info: Info, dimension: str, key: str) -> str:
    if dimension == "OCCUPATION":
        return info.context.services.app.occupations.title_of(key)
    if dimension == "INDUSTRY" and not key:
        return label("labour_map.unknown_industry", info.context.language)
    return key


@strawberry.type(description="用工需求地图: figures at the period's end, change since its start")
class LabourMap:
    period: str
    dimension: LabourDimension
    rows: list[LabourMapRow]


@strawberry.input
class VacancyLineInput:
    line_id: strawberry.ID | None = strawberry.field(
        default=None, description="To carry a line over from the current record"
    )
    occupation_code: str
    count: int
    wage_min: int | None = None
    wage_max: int | None = None
    skill_level: SkillLevel | None = None
    needed_by: date | None = None


@strawberry.input(description="用工情况: on a visit (visitId) or between visits")
class RecordLabourInput:
    enterprise_id: strawberry.ID
    employees: int
    shortfall: int
    lines: list[VacancyLineInput]
    shortfall_note: str | None = None
    visit_id: strawberry.ID | None = None
    observed_at: datetime | None = None


@strawberry.input(description="A correction of the current record: the whole situation, and why")
class CorrectLabourInput:
    enterprise_id: strawberry.ID
    record_id: strawberry.ID
    employees: int
    shortfall: int
    lines: list[VacancyLineInput]
    reason: str
    shortfall_note: str | None = None


@strawberry.input
class FillVacancyInput:
    enterprise_id: strawberry.ID
    line_id: strawberry.ID
    placed: int
    channel: PlacementChannel


@strawberry.input(
    description="One step from a vacancy line to an URGENT_HIRING or RECRUITMENT demand"
)
class RaiseVacancyDemandInput:
    enterprise_id: strawberry.ID
    line_id: strawberry.ID
    category: IssueCategory
    idempotency_key: str | None = None


@strawberry.input(description="办结 of a demand raised from a vacancy, with its placements")
class ResolveHiringDemandInput:
    issue_id: strawberry.ID
    resolution: str
    placed: int
    channel: PlacementChannel
