"""The people and units a caller works with, each with counts (issue 17, reads people need)."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A responsible department (承办部门) and its workload")
class DepartmentOverview:
    id: strawberry.ID
    name: str
    district: str | None
    open_issue_count: int = strawberry.field(
        description="open issues now dispatched to it, as lead or assisting department"
    )
    enterprises_served: int = strawberry.field(
        description="distinct enterprises of the issues now dispatched to it"
    )


@strawberry.type(description="A direct-report point (直报点) and its reports")
class ReportingPointOverview:
    id: strawberry.ID
    name: str
    district: str | None
    open_issue_count: int = strawberry.field(description="its open direct reports")
    enterprises_served: int = strawberry.field(
        description="distinct enterprises its reports concern"
    )


@strawberry.type(description="A service commissioner (服务专员) and the enterprises assigned")
class CommissionerOverview:
    id: strawberry.ID
    name: str
    open_issue_count: int = strawberry.field(
        description="open issues of the enterprises assigned to them"
    )
    enterprises_served: int = strawberry.field(
        description="enterprises assigned to them now (relationships not closed)"
    )
