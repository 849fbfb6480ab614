"""How the API serves the console: built files at /, client routes fall back to index.html,
the offline GraphiQL at /graphql, and the development login that a deployment never has."""

from __future__ import annotations

import warnings
from pathlib import Path

import jwt
import pytest

with warnings.catch_warnings():  # "install httpx2 instead": starlette's notice, not ours
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import TokenVerifier
from api.context import Services
from domain.shared import Actor
from infra.bootstrap import Container
from infra.settings import Settings

SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
ADMIN = Actor("a-001", "营商办管理员", "ADMIN")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A stand-in for console/dist: what `npm run build` writes."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>控制台</title>", encoding="utf-8")
    (tmp_path / "graphiql.html").write_text("<title>GraphiQL 离线</title>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def _app(container: Container, verifier: TokenVerifier, console_dir: Path, dev: bool) -> TestClient:
    services = Services(container.app, container.views, calendar=container.catalogue.calendar)
    return TestClient(
        create_app(services, verifier, dev_login_enabled=dev, console_dir=console_dir)
    )


def test_client_routes_fall_back_to_the_console_page(container: Container, built: Path) -> None:
    client = _app(container, TokenVerifier(hs256_secret=SECRET), built, dev=False)
    for path in ("/", "/commissioner/enterprises", "/issues/5b0c/anything"):
        page = client.get(path)
        assert page.status_code == 200 and "控制台" in page.text, path
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    asset = client.get("/assets/index-abc123.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    assert client.get("/assets/missing.js").status_code == 404
    assert client.get("/favicon.svg").text == "<svg/>"
    assert client.get("/healthz").json()["ok"] is True


def test_graphiql_is_the_bundled_page_and_graphql_still_answers(
    container: Container, built: Path
) -> None:
    client = _app(container, TokenVerifier(hs256_secret=SECRET), built, dev=False)
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "GraphiQL 离线" in page.text
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()
    answer = client.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json()["data"] == {"__typename": "Query"}


def test_without_a_built_console_the_api_says_so(container: Container, tmp_path: Path) -> None:
    client = _app(container, TokenVerifier(hs256_secret=SECRET), tmp_path / "none", dev=False)
    page = client.get("/")
    assert page.status_code == 404 and "make install" in page.text
    # GraphiQL falls back to Strawberry's own page (which needs the internet).
    assert client.get("/graphql", headers={"Accept": "text/html"}).status_code == 200
    assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 200


def test_development_login_mints_a_token_for_the_chosen_person(
    container: Container, built: Path
) -> None:
    _, position = container.app.register_department(
        "hrss-employment", "市人力社保局就业促进和失业保险处", None, ADMIN
    )
    container.projections.wait_for(position, timeout=30)
    client = _app(container, TokenVerifier(hs256_secret=SECRET), built, dev=True)
    choices = client.get("/dev/token").json()
    assert {"role": "SUPERVISOR", "sub": "s-002", "name": "督导员乙"} in choices["people"]
    assert choices["departments"] == [
        {"id": "hrss-employment", "name": "市人力社保局就业促进和失业保险处", "district": None}
    ]
    minted = client.post(
        "/dev/token",
        json={"role": "DEPARTMENT", "sub": "d-001", "name": "就业处经办",
              "departmentId": "hrss-employment"},
    )  # fmt: skip
    token = minted.json()["token"]
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["department_id"] == "hrss-employment"
    me = client.post(
        "/graphql",
        json={"query": "{ me { name role } departments { name } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]
    assert me["me"] == {"name": "就业处经办", "role": "DEPARTMENT"}
    assert me["departments"] == [{"name": "市人力社保局就业促进和失业保险处"}]
    refused = client.post("/dev/token", json={"role": "DEPARTMENT", "sub": "d-9", "name": "无部门"})
    assert refused.status_code == 422 and "部门" in refused.json()["detail"]
    assert (
        client.post("/dev/token", json={"role": "SYSTEM", "sub": "x", "name": "x"}).status_code
        == 422
    )


def test_http_errors_outside_graphql_are_told_in_chinese_or_in_english_on_request(
    container: Container, built: Path
) -> None:
    client = _app(container, TokenVerifier(hs256_secret=SECRET), built, dev=True)
    assert client.get("/assets/missing.js").json() == {"detail": "未找到该地址"}
    assert client.post("/healthz").json() == {"detail": "该地址不支持此请求方法"}
    english = client.post("/healthz", headers={"Accept-Language": "en"})
    assert english.status_code == 405 and english.json() == {"detail": "method not allowed"}
    unreadable = client.post("/dev/token", json={"role": "ADMIN"})
    assert unreadable.status_code == 422
    assert unreadable.json() == {"detail": "请求内容无效：name、sub"}
    assert client.post("/dev/token", json={"role": "SYSTEM", "sub": "x", "name": "x"}).json() == {
        "detail": "未知角色：SYSTEM"
    }


def test_no_development_login_in_a_deployment(container: Container, built: Path) -> None:
    rs256 = TokenVerifier(hs256_secret=SECRET, rs256_public_key="-----BEGIN PUBLIC KEY-----")
    jwks = TokenVerifier(hs256_secret=SECRET, jwks='{"keys": []}')
    for verifier, asked in (
        (rs256, True),
        (jwks, True),
        (TokenVerifier(hs256_secret=SECRET), False),
    ):
        client = _app(container, verifier, built, dev=asked)
        # No token: at most the console's page for a client route, or 405 for a POST.
        minted = client.post("/dev/token", json={"role": "ADMIN", "sub": "a", "name": "a"})
        assert minted.status_code == 405 and "token" not in minted.text
        assert "token" not in client.get("/dev/token").text


def test_only_the_generated_development_secret_turns_the_login_on(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).development_login
    assert not Settings(data_dir=tmp_path, jwt_secret="configured-secret").development_login
    assert not Settings(data_dir=tmp_path, jwt_public_key_file=tmp_path / "k.pem").development_login
    assert not Settings(data_dir=tmp_path, jwks_file=tmp_path / "jwks.json").development_login
