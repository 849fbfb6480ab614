"""Bearer tokens: HS256 with a shared secret in development, RS256 with a public key in deployment."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import jwt

from domain.shared import Actor, DomainError, Role

# A user, department or reporting-point id in a token: no spaces (around or inside), no control
# characters, nothing that looks like another id once trimmed. Separation of duties compares
# these ids, so " d-001" must never pass as someone other than "d-001".
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}")


VERIFIED_KEPT = 10_000  # tokens a verifier remembers (TokenVerifier.verify)


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
    # The request this principal acts in (api/app.py): recorded on the events it causes.
    request_id: str | None = None
    client_app: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(
            id=self.id,
            name=self.name,
            role=self.role.value,
            request_id=self.request_id,
            client_app=self.client_app,
        )


@dataclass(frozen=True)
class TokenVerifier:
    """HS256 with a shared secret (development), RS256 with a PEM key or a JWKS (deployment)."""

    hs256_secret: str | None = None
    rs256_public_key: str | None = None
    jwks: str | None = None  # the text of a JWKS document: keys chosen by `kid`

    # Tokens verified already, until they expire: a signature check and the claims' parsing
    # were 116 µs of every request's CPU with HS256 (more with RS256 and a JWKS, parsed per
    # request). Only the very same token text is answered from here, and never past its exp.
    _verified: dict[str, tuple[Principal, float]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_KEPT:
            self._verified.clear()  # a bound, not a policy: cleared tokens are checked again
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        self._verified.pop(token, None)
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
        return principal_from_claims(claims), float(claims["exp"])

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
    """The principal a verified token names; any claim missing or of the wrong type is
    UNAUTHENTICATED here, never an error deeper in a request."""
    try:
        role = Role(_text(claims, "role"))
    except ValueError:
        raise Unauthenticated("auth.unknown_role", role=claims["role"]) from None
    if role is Role.SYSTEM:
        raise Unauthenticated("auth.system_role")
    sub = _id(claims, "sub")
    department_id = (
        _id(claims, "department_id") if claims.get("department_id") is not None else None
    )
    point_id = (
        _id(claims, "reporting_point_id") if claims.get("reporting_point_id") is not None else None
    )
    if role is Role.DEPARTMENT and not department_id:
        raise Unauthenticated("auth.department_missing")
    if role is Role.REPORTER and not point_id:
        raise Unauthenticated("auth.point_missing")
    districts = claims.get("districts")
    if districts is None:
        districts = []
    if not isinstance(districts, list) or not all(
        isinstance(d, str) and d.strip() and "\x00" not in d for d in districts
    ):
        raise Unauthenticated("auth.claim_not_a_list", claim="districts")
    name = _text(claims, "name") if claims.get("name") is not None else sub
    return Principal(
        id=sub,
        name=name.strip() or sub,
        role=role,
        department_id=department_id,
        reporting_point_id=point_id,
        districts=tuple(d.strip() for d in districts),
    )


def _text(claims: dict[str, Any], claim: str) -> str:
    value = claims.get(claim)
    if not isinstance(value, str) or "\x00" in value or len(value) > 200:
        raise Unauthenticated("auth.claim_not_text", claim=claim)
    return value


def _id(claims: dict[str, Any], claim: str) -> str:
    value = _text(claims, claim)
    if not ID_PATTERN.fullmatch(value):
        raise Unauthenticated("auth.claim_not_an_id", claim=claim)
    return value


def mint_token(
    secret: str, *, sub: str, role: str, ttl_seconds: int = 8 * 3600, **extra: Any
) -> str:
    """A development token (HS256); claims other than sub/role/name only when given."""
    now = int(time.time())
    claims = {"sub": sub, "role": role, "iat": now, "exp": now + ttl_seconds}
    claims.update({k: v for k, v in extra.items() if v not in (None, (), [])})
    return jwt.encode(claims, secret, algorithm="HS256")
