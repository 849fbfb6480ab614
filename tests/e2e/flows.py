"""Shared steps for API tests: a world with departments, a point, an enterprise and its commissioner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.builders import a_valid_uscc
from tests.e2e.conftest import Client

DEPT = {"as_role": "DEPARTMENT", "sub": "d-001", "department_id": "hrss-employment"}
OTHER_DEPT = {"as_role": "DEPARTMENT", "sub": "d-002", "department_id": "hrss-talent"}
SUP = {"as_role": "SUPERVISOR", "sub": "s-001"}
SUP2 = {"as_role": "SUPERVISOR", "sub": "s-002"}
COMM = {"as_role": "COMMISSIONER", "sub": "c-001"}
REPORTER = {"as_role": "REPORTER", "sub": "r-001", "reporting_point_id": "rp-liangjiang"}

ISSUE_FIELDS = (
    "id status reworkCount dispatchRefusalCount satisfaction overdue acceptDueAt resolveDueAt"
)


@dataclass
class World:
    api: Client
    enterprise_id: str

    def ok(self, query: str, variables: dict[str, Any] | None = None, **who: Any) -> dict[str, Any]:
        body = self.api.gql(query, variables, **(who or {"as_role": "ADMIN", "sub": "a-001"}))
        assert "errors" not in body, body
        return dict(body["data"])

    def error(
        self, query: str, variables: dict[str, Any] | None = None, **who: Any
    ) -> dict[str, Any]:
        body = self.api.gql(query, variables, **(who or {"as_role": "ADMIN", "sub": "a-001"}))
        assert body.get("errors"), body
        return dict(body["errors"][0])

    def raise_demand(self, **extra: Any) -> str:
        data = self.ok(
            "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { position issue { id status } } }",
            {"i": {"enterpriseId": self.enterprise_id, "category": "RECRUITMENT",
                   "title": "招聘技工", "description": "需要20名数控技工", **extra}},
            **COMM,
        )  # fmt: skip
        return str(data["raiseDemand"]["issue"]["id"])

    def act(
        self, mutation: str, argument: str, who: dict[str, Any], **variables: Any
    ) -> dict[str, Any]:
        query = f"mutation {{ {mutation}({argument}) {{ position issue {{ {ISSUE_FIELDS} }} }} }}"
        return dict(self.ok(query, variables or None, **who)[mutation])

    def dispatched_and_accepted(self) -> str:
        issue = self.raise_demand()
        self.act(
            "dispatchIssue",
            f'input: {{issueId: "{issue}", leadDepartmentId: "hrss-employment", assistingDepartmentIds: ["hrss-talent"]}}',
            SUP,
        )
        self.act("acceptIssue", f'issueId: "{issue}"', DEPT)
        return issue

    def resolved(self) -> str:
        issue = self.dispatched_and_accepted()
        self.act(
            "resolveIssue",
            f'input: {{issueId: "{issue}", resolution: "已推荐18名技工", evidence: ["名单.xlsx"]}}',
            DEPT,
        )
        return issue


def build_world(api: Client) -> World:
    admin = {"as_role": "ADMIN", "sub": "a-001"}
    for dept, name in (("hrss-employment", "就业促进处"), ("hrss-talent", "人才开发处")):
        api.gql(
            f'mutation {{ registerDepartment(input: {{id: "{dept}", name: "{name}"}}) {{ position }} }}',
            **admin,
        )
    api.gql(
        'mutation { registerReportingPoint(input: {id: "rp-liangjiang", name: "两江新区直报点", district: "两江新区"}) { position } }',
        **admin,
    )
    body = api.gql(
        "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } } }",
        {"i": {"uscc": a_valid_uscc(), "name": "重庆渝新精密制造有限公司", "district": "渝北区",
               "contacts": [{"name": "王小明", "phone": "13812345678"}]}},
        **admin,
    )  # fmt: skip
    enterprise_id = body["data"]["registerEnterprise"]["enterprise"]["id"]
    api.gql(
        "mutation($i: AssignCommissionerInput!) { assignCommissioner(input: $i) { position } }",
        {
            "i": {
                "enterpriseId": enterprise_id,
                "commissionerId": "c-001",
                "commissionerName": "专员1",
            }
        },
        **admin,
    )
    return World(api, enterprise_id)
