"""Bearer tokens: HS256 with a shared secret in development, RS256 with a public key in deployment."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt

from domain.shared import Actor, DomainError, Role


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


@dataclass(frozen=True)
class Principal:
    """The user behind a request, with the scope their role needs."""

    id: str
    name: str
    role: Role
    department_id: str | None = None
    reporting_point_id: str | None = None
    districts: tuple[str, ...] = ()

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, name=self.name, role=self.role.value)


@dataclass(frozen=True)
class TokenVerifier:
    """HS256 with a shared secret (development), RS256 with a PEM key or a JWKS (deployment)."""

    hs256_secret: str | None = None
    rs256_public_key: str | None = None
    jwks: str | None = None  # the text of a JWKS document: keys chosen by `kid`

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            alg = header.get("alg")
            key = self._key_for(alg, header.get("kid"))
            claims = jwt.decode(
                token, key, algorithms=[str(alg)], options={"require": ["sub", "exp", "role"]}
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("auth.expired") from None
        except jwt.PyJWTError as error:
            raise Unauthenticated("auth.invalid", reason=str(error)) from None
        return principal_from_claims(claims)

    def _key_for(self, alg: object, kid: object) -> Any:
        """Only the algorithms configured here; `none` and anything else are refused."""
        if alg == "HS256" and self.hs256_secret:
            return self.hs256_secret
        if alg == "RS256" and self.jwks:
            for key in jwt.PyJWKSet.from_json(self.jwks).keys:
                if kid is None or key.key_id == kid:
                    return key
            raise Unauthenticated("auth.unknown_kid", kid=kid)
        if alg == "RS256" and self.rs256_public_key:
            return self.rs256_public_key
        raise Unauthenticated("auth.algorithm", alg=alg)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError:
        raise Unauthenticated("auth.unknown_role", role=claims["role"]) from None
    if role is Role.SYSTEM:
        raise Unauthenticated("auth.system_role")
    districts = claims.get("districts") or ()
    return Principal(
        id=str(claims["sub"]),
        name=str(claims.get("name") or claims["sub"]),
        role=role,
        department_id=claims.get("department_id"),
        reporting_point_id=claims.get("reporting_point_id"),
        districts=tuple(str(d) for d in districts),
    )


def mint_token(
    secret: str, *, sub: str, role: str, ttl_seconds: int = 8 * 3600, **extra: Any
) -> str:
    """A development token (HS256); claims other than sub/role/name only when given."""
    now = int(time.time())
    claims = {"sub": sub, "role": role, "iat": now, "exp": now + ttl_seconds}
    claims.update({k: v for k, v in extra.items() if v not in (None, (), [])})
    return jwt.encode(claims, secret, algorithm="HS256")
