"""开发登录: a development-only route that mints a token for a chosen role and person.

The one non-GraphQL endpoint the console uses, and only in development: create_app mounts it
when the composition root asks (the generated development secret is in use) and never when
RS256 keys (a PEM key or a JWKS) are configured, whatever it is asked. A deployment signs in
through the bureau's sign-on, which issues RS256 tokens.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from api.auth import TokenVerifier, mint_token
from api.context import Services
from domain.messages import language_of, render
from domain.shared import Role

# Who a developer can be at once; any other id and name can be typed in the form.
PEOPLE: tuple[dict[str, Any], ...] = (
    {"role": "ADMIN", "sub": "a-001", "name": "营商办管理员"},
    {"role": "SUPERVISOR", "sub": "s-001", "name": "督导员甲"},
    {"role": "SUPERVISOR", "sub": "s-002", "name": "督导员乙"},
    {"role": "COMMISSIONER", "sub": "c-001", "name": "专员1"},
    {"role": "COMMISSIONER", "sub": "c-002", "name": "专员2"},
    {"role": "DEPARTMENT", "sub": "d-001", "name": "就业处经办", "departmentId": "hrss-employment"},
    {"role": "REPORTER", "sub": "r-001", "name": "两江直报点", "reportingPointId": "rp-liangjiang"},
)

USER_ROLES = frozenset(r.value for r in Role) - {"SYSTEM"}


class TokenRequest(BaseModel):
    role: str
    sub: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    departmentId: str | None = Field(default=None, max_length=64)
    reportingPointId: str | None = Field(default=None, max_length=64)
    districts: list[str] | None = Field(default=None, max_length=50)


def allowed(verifier: TokenVerifier) -> bool:
    """Only with the HS256 secret alone: never beside RS256 keys."""
    return bool(verifier.hs256_secret) and not verifier.rs256_public_key and not verifier.jwks


def dev_login_router(services: Services, verifier: TokenVerifier) -> APIRouter:
    secret = verifier.hs256_secret
    assert secret and allowed(verifier), "development login needs the HS256 secret alone"
    router = APIRouter(prefix="/dev", include_in_schema=False)

    @router.get("/token")
    async def people() -> dict[str, Any]:
        """The people to pick from, and the departments and points a token can name."""
        view = services.views.reference_data
        departments = await asyncio.to_thread(view.all_of, "DEPARTMENT")
        points = await asyncio.to_thread(view.all_of, "REPORTING_POINT")
        return {
            "people": list(PEOPLE),
            "departments": [_unit(u) for u in departments],
            "reportingPoints": [_unit(u) for u in points],
        }

    @router.post("/token")
    async def token(request: TokenRequest, http: Request) -> dict[str, str]:
        language = language_of(http.headers.get("accept-language"))
        if request.role not in USER_ROLES:
            raise HTTPException(422, render("dev_login.unknown_role", language, role=request.role))
        if request.role == "DEPARTMENT" and not request.departmentId:
            raise HTTPException(422, render("dev_login.department_needed", language))
        if request.role == "REPORTER" and not request.reportingPointId:
            raise HTTPException(422, render("dev_login.point_needed", language))
        minted = mint_token(
            secret,
            sub=request.sub.strip(),
            role=request.role,
            name=request.name.strip(),
            department_id=request.departmentId if request.role == "DEPARTMENT" else None,
            reporting_point_id=request.reportingPointId if request.role == "REPORTER" else None,
            districts=[d.strip() for d in request.districts or [] if d.strip()] or None,
        )
        return {"token": minted}

    return router


def _unit(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "district": row.district}
