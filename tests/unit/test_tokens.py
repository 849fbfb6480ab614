"""Bearer tokens: what is accepted and every way one is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from api.auth import TokenVerifier, Unauthenticated, mint_token
from domain.shared import Role

SECRET = "a-development-secret-that-is-long-enough-0123456789"
CLAIMS = {"sub": "s-001", "name": "督导", "role": "SUPERVISOR", "districts": ["渝中区"]}


def _rsa() -> tuple[rsa.RSAPrivateKey, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


def _claims(**extra: object) -> dict[str, object]:
    return {**CLAIMS, "exp": int(time.time()) + 60, **extra}


def test_a_development_token_names_the_user_and_scope() -> None:
    token = mint_token(SECRET, sub="s-001", role="SUPERVISOR", name="督导", districts=["渝中区"])
    user = TokenVerifier(hs256_secret=SECRET).verify(token)
    assert (user.id, user.role, user.districts) == ("s-001", Role.SUPERVISOR, ("渝中区",))


def test_an_expired_token_is_refused() -> None:
    token = jwt.encode(_claims(exp=int(time.time()) - 5), SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="令牌已过期"):
        TokenVerifier(hs256_secret=SECRET).verify(token)


def test_a_wrongly_signed_token_is_refused() -> None:
    token = jwt.encode(_claims(), "another-secret-another-secret-another-0123", algorithm="HS256")
    with pytest.raises(Unauthenticated, match="令牌无效"):
        TokenVerifier(hs256_secret=SECRET).verify(token)


def test_an_unsigned_alg_none_token_is_refused() -> None:
    token = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(Unauthenticated, match="不接受令牌算法 none"):
        TokenVerifier(hs256_secret=SECRET).verify(token)


def test_a_malformed_token_is_refused() -> None:
    with pytest.raises(Unauthenticated):
        TokenVerifier(hs256_secret=SECRET).verify("not.a.token")


def test_a_token_without_a_role_is_refused() -> None:
    token = jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="role"):
        TokenVerifier(hs256_secret=SECRET).verify(token)


def test_an_unknown_role_is_refused() -> None:
    token = jwt.encode(_claims(role="ROOT"), SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated, match="不是有效角色"):
        TokenVerifier(hs256_secret=SECRET).verify(token)


def test_rs256_with_a_configured_public_key_is_accepted() -> None:
    private, public = _rsa()
    token = jwt.encode(_claims(), private, algorithm="RS256")
    assert TokenVerifier(rs256_public_key=public).verify(token).id == "s-001"


def test_an_hs256_token_signed_with_the_public_key_is_refused() -> None:
    # The classic confusion attack: the server's public key used as an HMAC secret.
    _, public = _rsa()

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(_claims()).encode())
    signature = hmac.new(public.encode(), signing_input.encode(), hashlib.sha256).digest()
    forged = signing_input + "." + b64(signature)
    with pytest.raises(Unauthenticated, match="不接受令牌算法 HS256"):
        TokenVerifier(rs256_public_key=public).verify(forged)


def test_rs256_keys_from_a_jwks_are_chosen_by_kid() -> None:
    private, _ = _rsa()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
    token = jwt.encode(_claims(), private, algorithm="RS256", headers={"kid": "k1"})
    assert TokenVerifier(jwks=jwks).verify(token).id == "s-001"
    other = jwt.encode(_claims(), private, algorithm="RS256", headers={"kid": "k9"})
    with pytest.raises(Unauthenticated, match="JWKS 中没有密钥 k9"):
        TokenVerifier(jwks=jwks).verify(other)


def _verify(**claims: object) -> object:
    token = jwt.encode(_claims(**claims), SECRET, algorithm="HS256")
    return TokenVerifier(hs256_secret=SECRET).verify(token)


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": " d-001"},
        {"sub": "d-001 "},
        {"sub": "d 001"},
        {"sub": "d-001\x00"},
        {"sub": ""},
        {"sub": 5},
        {"sub": ["s-001"]},
        {"role": ["SUPERVISOR"]},
        {"role": {"x": 1}},
        {"name": 5},
        {"districts": 5},
        {"districts": "渝中区"},
        {"districts": [5]},
        {"districts": ["渝中区\x00"]},
        {"role": "DEPARTMENT", "department_id": 5},
        {"role": "DEPARTMENT", "department_id": " d"},
        {"role": "DEPARTMENT"},
        {"role": "REPORTER"},
        {"role": "REPORTER", "reporting_point_id": {"id": "rp"}},
    ],
)
def test_a_claim_missing_or_of_the_wrong_type_is_unauthenticated(claims: dict[str, object]) -> None:
    with pytest.raises(Unauthenticated):
        _verify(**claims)


def test_ids_in_tokens_are_checked_not_rewritten() -> None:
    user = _verify(role="DEPARTMENT", sub="d-001", department_id="hrss-employment")
    assert (user.id, user.department_id) == ("d-001", "hrss-employment")  # type: ignore[attr-defined]


def test_a_token_verified_once_is_not_verified_again_while_it_lasts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = TokenVerifier(hs256_secret=SECRET)
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    decoded: list[str] = []
    decode = jwt.decode

    def counted(*args: Any, **kwargs: Any) -> Any:
        decoded.append(args[0])
        return decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    assert verifier.verify(token) == verifier.verify(token)
    assert decoded == [token]


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    verifier = TokenVerifier(hs256_secret=SECRET)
    token = jwt.encode(_claims(exp=int(time.time()) + 1), SECRET, algorithm="HS256")
    verifier.verify(token)
    time.sleep(max(0.0, jwt.decode(token, SECRET, algorithms=["HS256"])["exp"] - time.time()) + 0.2)
    with pytest.raises(Unauthenticated, match="令牌已过期"):
        verifier.verify(token)


def test_a_token_differing_from_a_remembered_one_is_checked_in_full() -> None:
    verifier = TokenVerifier(hs256_secret=SECRET)
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    verifier.verify(token)
    header, _payload, signature = token.split(".")
    forged = jwt.encode(_claims(role="ADMIN"), "another-secret-another-secret-another-0123")
    with pytest.raises(Unauthenticated, match="令牌无效"):
        verifier.verify(".".join((header, forged.split(".")[1], signature)))
