"""Every bad input is a 4xx or INVALID_INPUT naming the argument, never INTERNAL or a 500."""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Client

LOG_VISIT = "mutation LogIt($i: LogVisitInput!) { logVisit(input: $i) { position } }"
VISIT = {"enterpriseId": "00000000-0000-0000-0000-000000000001", "visitedAt": "2025-03-03T10:00:00+08:00",
         "channel": "PHONE", "attendees": ["王小明"], "topics": [], "summary": "s"}  # fmt: skip


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("unknown enum", LOG_VISIT, {"i": {**VISIT, "channel": "NOPE"}}, "i.channel"),
    ("garbage DateTime", LOG_VISIT, {"i": {**VISIT, "visitedAt": "garbage"}}, "i.visitedAt"),
    ("+99:00 offset", LOG_VISIT, {"i": {**VISIT, "visitedAt": "2025-03-03T10:00:00+99:00"}}, "i.visitedAt"),
    ("2025-02-30", 'query($f: Date!) { kpis(from: $f, to: "2025-03-01") { __typename } }', {"f": "2025-02-30"}, "f"),
    ("Int as a string", "query($n: Int) { issues(first: $n) { totalCount } }", {"n": "5"}, "n"),
    ("ID as an object", "query($n: ID!) { issue(id: $n) { id } }", {"n": {"a": 1}}, "n"),
    ("forged cursor [x]", "query($a: String) { issues(after: $a) { totalCount } }", {"a": _cursor('["x"]')}, "after"),
    ("forged cursor [0,0]", "query($a: String) { issues(after: $a) { totalCount } }", {"a": _cursor("[0,0]")}, "after"),
    ("forged enterprise cursor", "query($a: String) { enterprises(after: $a) { totalCount } }", {"a": _cursor("[0,0]")}, "after"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "query", "variables", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_invalid_input_naming_the_argument(
    api: Client, case: str, query: str, variables: dict[str, Any], field: str
) -> None:
    body = api.gql(query, variables, as_role="COMMISSIONER", sub="c-001")
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, error


@pytest.mark.parametrize(
    "body",
    [
        # in a variable: JSON's \ud800 escape, a lone surrogate no text encoding can store
        '{"query": "mutation($i: RegisterDepartmentInput!) { registerDepartment(input: $i)'
        ' { position } }", "variables": {"i": {"id": "d-x", "name": "\\ud800"}}}',
        # in the document: a GraphQL escape of the same, and a plain syntax error
        '{"query": "mutation { registerDepartment(input: {id: \\"d\\", name: \\"\\\\ud800\\"}) { position } }"}',
        '{"query": "{ me { id } "}',
    ],
)
def test_a_lone_surrogate_or_a_syntax_error_is_invalid_input(api: Client, body: str) -> None:
    response = httpx.post(
        api.url,
        content=body.encode(),
        headers={"Authorization": f"Bearer {api.token('ADMIN', 'a-001')}",
                 "Content-Type": "application/json"},
        timeout=30,
    )  # fmt: skip
    assert response.status_code in (200, 400), response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT", response.text


def test_a_body_that_is_not_utf8_is_a_400_with_a_json_error(api: Client) -> None:
    response = httpx.post(
        api.url,
        content=b'{"query": "{ me { id } }", "x": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_a_failed_mutation_logs_its_name_and_a_hash_never_the_document(
    api: Client, caplog: pytest.LogCaptureFixture
) -> None:
    query = (
        'mutation Register { registerEnterprise(input: {uscc: "bad", name: "x", district: "渝中区",'
        ' contacts: [{name: "王小明", phone: "13812345678"}]}) { position } }'
    )
    with caplog.at_level(logging.INFO):
        body = api.gql(query)
    assert body["errors"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Register" in logged and "sha256" in logged
    assert "13812345678" not in logged and "王小明" not in logged
    assert "13812345678" not in caplog.text


def test_ten_thousand_contacts_are_refused_naming_the_field_and_the_limit(api: Client) -> None:
    contacts = [{"name": f"联系人{n}", "phone": "13812345678"} for n in range(10_000)]
    body = api.gql(
        "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { position } }",
        {
            "i": {
                "uscc": "91350100M000100Y43",
                "name": "x",
                "district": "渝中区",
                "contacts": contacts,
            }
        },
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "input.contacts"}
    assert "20" in error["message"]
    # and the store still takes writes at once
    ok = api.gql('mutation { registerDepartment(input: {id: "d-after", name: "处"}) { position } }')
    assert "errors" not in ok


def test_a_query_over_the_cost_budget_is_refused_and_every_answer_reports_its_cost(
    api: Client,
) -> None:
    nested = (
        "enterprises(first: 100) { edges { node { visits(first: 100) { edges { node {"
        " enterprise { visits(first: 100) { totalCount } } } } } } } }"
    )
    query = "{ " + " ".join(f"a{n}: {nested}" for n in range(30)) + " }"
    body = api.gql(query)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert body["extensions"]["cost"]["estimatedRows"] > body["extensions"]["cost"]["budget"]
    small = api.gql("{ enterprises(first: 10) { totalCount } }")
    assert small["extensions"]["cost"]["estimatedRows"] == 10
