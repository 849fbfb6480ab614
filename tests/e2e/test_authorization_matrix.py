"""Every mutation × every role: the role gate of DOMAIN.md, generated from one table."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import Client

MISSING = str(uuid.uuid4())
ISSUE = f'"{MISSING}"'
ROLES = ("ADMIN", "COMMISSIONER", "DEPARTMENT", "SUPERVISOR", "REPORTER")

# mutation → (who may call it, a call with inputs that pass the schema)
TABLE: dict[str, tuple[set[str], str]] = {
    "registerDepartment": ({"ADMIN"}, 'registerDepartment(input: {id: "d-x", name: "处"}) { position }'),
    "registerReportingPoint": ({"ADMIN"}, 'registerReportingPoint(input: {id: "rp-x", name: "点"}) { position }'),
    "registerEnterprise": ({"ADMIN"}, 'registerEnterprise(input: {uscc: "bad", name: "x", district: "渝中区"}) { position }'),
    "assignCommissioner": ({"ADMIN"}, f'assignCommissioner(input: {{enterpriseId: {ISSUE}, commissionerId: "c", commissionerName: "c"}}) {{ position }}'),
    "logVisit": ({"COMMISSIONER"}, f'logVisit(input: {{enterpriseId: {ISSUE}, visitedAt: "2025-01-01T00:00:00+08:00", channel: PHONE, attendees: ["a"], topics: [], summary: "s"}}) {{ position }}'),
    "raiseDemand": ({"COMMISSIONER"}, f'raiseDemand(input: {{enterpriseId: {ISSUE}, category: OTHER, title: "t", description: "d"}}) {{ position }}'),
    "submitDirectReport": ({"REPORTER"}, 'submitDirectReport(input: {category: OTHER, title: "t", description: "d"}) { position }'),
    "dispatchIssue": ({"SUPERVISOR", "ADMIN"}, f'dispatchIssue(input: {{issueId: {ISSUE}, leadDepartmentId: "d-x"}}) {{ position }}'),
    "acceptIssue": ({"DEPARTMENT"}, f"acceptIssue(issueId: {ISSUE}) {{ position }}"),
    "refuseDispatch": ({"DEPARTMENT"}, f'refuseDispatch(input: {{issueId: {ISSUE}, reason: "r"}}) {{ position }}'),
    "declineIssue": ({"SUPERVISOR", "ADMIN"}, f'declineIssue(input: {{issueId: {ISSUE}, reason: "r"}}) {{ position }}'),
    "recordProgress": ({"DEPARTMENT"}, f'recordProgress(input: {{issueId: {ISSUE}, note: "n"}}) {{ position }}'),
    "suspendIssue": ({"DEPARTMENT"}, f'suspendIssue(input: {{issueId: {ISSUE}, reason: "r"}}) {{ position }}'),
    "resumeIssue": ({"DEPARTMENT"}, f"resumeIssue(issueId: {ISSUE}) {{ position }}"),
    "resolveIssue": ({"DEPARTMENT"}, f'resolveIssue(input: {{issueId: {ISSUE}, resolution: "r", evidence: []}}) {{ position }}'),
    "approveClosure": ({"SUPERVISOR", "ADMIN"}, f'approveClosure(input: {{issueId: {ISSUE}, note: "n"}}) {{ position }}'),
    "returnForRework": ({"SUPERVISOR", "ADMIN"}, f'returnForRework(input: {{issueId: {ISSUE}, reason: "r"}}) {{ position }}'),
    "evaluateIssue": ({"SUPERVISOR", "ADMIN"}, f"evaluateIssue(input: {{issueId: {ISSUE}, satisfaction: SATISFIED}}) {{ position }}"),
    "reopenIssue": ({"SUPERVISOR", "ADMIN"}, f'reopenIssue(input: {{issueId: {ISSUE}, reason: "r"}}) {{ position }}'),
    "escalateIssue": ({"SUPERVISOR", "ADMIN"}, f'escalateIssue(input: {{issueId: {ISSUE}, level: URGE, note: "n"}}) {{ position }}'),
}  # fmt: skip

CLAIMS = {
    "DEPARTMENT": {"department_id": "d-x"},
    "REPORTER": {"reporting_point_id": "rp-none"},
}


def test_the_table_covers_every_mutation_of_the_contract() -> None:
    from pathlib import Path

    from graphql import build_schema

    contract_file = Path(__file__).resolve().parents[2] / "docs" / "api-contract.graphql"
    contract = build_schema(contract_file.read_text())
    assert set(TABLE) == set(contract.mutation_type.fields)  # type: ignore[union-attr]


@pytest.mark.parametrize("mutation", sorted(TABLE))
def test_each_role_is_allowed_or_forbidden_as_the_table_says(api: Client, mutation: str) -> None:
    allowed, call = TABLE[mutation]
    for role in ROLES:
        body = api.gql(
            f"mutation {{ {call} }}", as_role=role, sub=f"{role.lower()}-1", **CLAIMS.get(role, {})
        )
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        if role in allowed:
            assert "FORBIDDEN" not in codes, (mutation, role, body)
        else:
            assert codes == {"FORBIDDEN"}, (mutation, role, body)
