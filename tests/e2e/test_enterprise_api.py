"""registerEnterprise and the enterprise queries over HTTP."""

from __future__ import annotations

from tests.builders import a_valid_uscc, an_invalid_uscc
from tests.e2e.conftest import Client

REGISTER = """
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) {
    position
    enterprise { id uscc name district contacts { name phone } commissioner { id } }
  }
}"""
ASSIGN = """
mutation($input: AssignCommissionerInput!) {
  assignCommissioner(input: $input) { position enterprise { id commissioner { id name } } }
}"""
LIST = "query { enterprises(first: 10) { totalCount edges { cursor node { id name } } } }"
ONE = "query($id: ID!) { enterprise(id: $id) { id name contacts { name phone } } }"


def _register(api: Client, **fields: object) -> dict[str, object]:
    payload = {
        "uscc": a_valid_uscc(),
        "name": "重庆巴渝食品股份有限公司",
        "district": "江北区",
        "contacts": [{"name": "李华", "phone": "139-1234-5678"}],
        **fields,
    }
    return api.gql(REGISTER, {"input": payload})


def test_an_admin_registers_an_enterprise_and_reads_it_back(api: Client) -> None:
    body = _register(api)
    created = body["data"]["registerEnterprise"]  # type: ignore[index]
    assert created["position"] >= 1
    assert created["enterprise"]["contacts"] == [{"name": "李华", "phone": "13912345678"}]
    listed = api.gql(LIST)["data"]["enterprises"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["id"] == created["enterprise"]["id"]


def test_an_invalid_credit_code_is_invalid_input_naming_the_field(api: Client) -> None:
    body = _register(api, uscc=an_invalid_uscc())
    error = body["errors"][0]  # type: ignore[index]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "uscc"
    assert error["message"].startswith("统一社会信用代码校验位错误：应为 ")
    assert api.gql(LIST)["data"]["enterprises"]["totalCount"] == 0


def test_an_error_reads_in_english_when_the_request_asks_for_it(api: Client) -> None:
    token = api.token("ADMIN", "a-001")
    query = (
        'mutation { registerEnterprise(input: {uscc: "%s", name: "重庆示例科技有限公司", '
        'district: "渝中区"}) { position } }' % an_invalid_uscc()
    )
    body = api.post(query, token=token, headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    error = body["errors"][0]
    assert (
        "uscc" in error["message"] and "not a valid unified social credit code" in error["message"]
    )
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "uscc"}


def test_no_token_is_unauthenticated(api: Client) -> None:
    response = api.post(LIST)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_token_signed_with_another_secret_is_unauthenticated(api: Client) -> None:
    forged = Client(api.url, "another-secret-another-secret-another-secret-0123").token(
        "ADMIN", "x"
    )
    response = api.post(LIST, token=forged)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_only_an_admin_registers_enterprises(api: Client) -> None:
    body = api.gql(
        REGISTER,
        {"input": {"uscc": a_valid_uscc(), "name": "x", "district": "渝中区"}},
        as_role="SUPERVISOR",
        sub="s-001",
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_commissioner_sees_only_their_enterprises_and_others_are_not_found(api: Client) -> None:
    mine = _register(api)["data"]["registerEnterprise"]["enterprise"]["id"]  # type: ignore[index]
    theirs = _register(api)["data"]["registerEnterprise"]["enterprise"]["id"]  # type: ignore[index]
    api.gql(
        ASSIGN,
        {"input": {"enterpriseId": mine, "commissionerId": "c-001", "commissionerName": "专员1"}},
    )
    api.gql(
        ASSIGN,
        {"input": {"enterpriseId": theirs, "commissionerId": "c-002", "commissionerName": "专员2"}},
    )
    listed = api.gql(LIST, as_role="COMMISSIONER", sub="c-001")["data"]["enterprises"]
    assert [e["node"]["id"] for e in listed["edges"]] == [mine]
    own = api.gql(ONE, {"id": mine}, as_role="COMMISSIONER", sub="c-001")
    assert own["data"]["enterprise"]["contacts"][0]["phone"] == "13912345678"
    other = api.gql(ONE, {"id": theirs}, as_role="COMMISSIONER", sub="c-001")
    assert other["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_supervisor_sees_contacts_masked(api: Client) -> None:
    enterprise = _register(api)["data"]["registerEnterprise"]["enterprise"]  # type: ignore[index]
    seen = api.gql(ONE, {"id": enterprise["id"]}, as_role="SUPERVISOR", sub="s-001")
    assert seen["data"]["enterprise"]["contacts"] == [{"name": "李*", "phone": "139****5678"}]


def test_first_over_one_hundred_is_refused(api: Client) -> None:
    body = api.gql("query { enterprises(first: 101) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
