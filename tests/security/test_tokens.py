"""Forged, altered, expired, misused and reused credentials: every one is a 401 with the error body, and
nothing it asked for happens."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx2
import jwt
import pytest

from infra_mind.auth.tokens import ISSUER

from ..api.conftest import JWT_SECRET, MovableClock, bearer, login, signed_in
from .world import api_key

pytestmark = pytest.mark.security

ME = "/api/v1/auth/me"
ACCESS_TTL_S = 900


def segments(token: str) -> list[str]:
    return token.split(".")


def decoded(segment: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return value


def encoded(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def with_claims(token: str, **changes: Any) -> str:
    """The same header and signature over a changed payload."""
    header, payload, signature = segments(token)
    return ".".join([header, encoded(decoded(payload) | changes), signature])


def unsigned(token: str) -> str:
    """`alg: none`, the claims untouched, no signature."""
    _, payload, _ = segments(token)
    return ".".join([encoded({"alg": "none", "typ": "JWT"}), payload, ""])


def resigned(token: str, secret: str = JWT_SECRET, **changes: Any) -> str:
    claims = decoded(segments(token)[1]) | changes
    return jwt.encode(claims, secret, algorithm="HS256")


async def refused(client: httpx2.AsyncClient, token: str, error: str = "authentication_failed") -> None:
    answer = await client.get(ME, headers=bearer(token))
    assert answer.status_code == 401, (token, answer.text)
    assert answer.json()["error"] == error
    assert answer.json()["detail"]
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_forged_and_altered_access_tokens_are_refused(client: httpx2.AsyncClient) -> None:
    ada = await signed_in(client, "ada@example.com")
    bob = await signed_in(client, "bob@example.com")
    bob_id = (await client.get(ME, headers=bearer(bob["access_token"]))).json()["id"]
    token = ada["access_token"]
    header, payload, signature = segments(token)
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]

    assert (await client.get(ME, headers=bearer(token))).status_code == 200
    await refused(client, ".".join([header, payload, flipped]))
    await refused(client, unsigned(token))
    await refused(client, with_claims(token, sub=bob_id))
    await refused(client, resigned(token, secret="another-secret-" + "y" * 40, sub=bob_id))
    await refused(client, resigned(token, iss="someone-else"))
    await refused(client, resigned(token, type="refresh"))
    await refused(client, resigned(token, sub="no-such-user"))
    for claim in ("exp", "sub", "jti", "type", "iss"):
        claims = {k: v for k, v in decoded(payload).items() if k != claim}
        await refused(client, jwt.encode(claims, JWT_SECRET, algorithm="HS256"))
    await refused(client, resigned(token, exp="never"))
    await refused(client, "not-a-token")
    assert decoded(payload)["iss"] == ISSUER


async def test_an_expired_access_token_is_refused(client: httpx2.AsyncClient, clock: MovableClock) -> None:
    token = (await signed_in(client, "ada@example.com"))["access_token"]
    clock.advance(ACCESS_TTL_S - 1)
    assert (await client.get(ME, headers=bearer(token))).status_code == 200
    clock.advance(1)
    await refused(client, token, "token_expired")


async def test_refresh_and_access_tokens_cannot_stand_in_for_each_other(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    await refused(client, pair["refresh_token"])
    as_refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["access_token"][:200]})
    assert as_refresh.status_code == 401
    assert as_refresh.json()["error"] == "authentication_failed"


async def test_a_reused_refresh_token_revokes_its_whole_family(client: httpx2.AsyncClient) -> None:
    first = await signed_in(client, "ada@example.com")
    other_login = (await login(client, "ada@example.com")).json()
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text

    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    successor = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    unrelated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}
    )

    assert reused.status_code == 401
    assert reused.json()["error"] == "refresh_token_reused"
    assert successor.status_code == 401, "the family must be revoked, the successor with it"
    assert unrelated.status_code == 200, "another login's family is not affected"


async def test_a_revoked_api_key_is_refused(client: httpx2.AsyncClient) -> None:
    token = (await signed_in(client, "ada@example.com"))["access_token"]
    key = await api_key(client, token, ["assessments:read"])
    listed = await client.get("/api/v1/assessments", headers=bearer(key["key"]))
    revoked = await client.delete(f"/api/v1/auth/api-keys/{key['id']}", headers=bearer(token))

    assert listed.status_code == 200
    assert revoked.status_code == 204
    after = await client.get("/api/v1/assessments", headers=bearer(key["key"]))
    assert after.status_code == 401
    assert after.json()["error"] == "authentication_failed"
    tampered = key["key"][:-1] + ("a" if key["key"][-1] != "a" else "b")
    for guess in (tampered, key["key"] + "x", "im_short_key"):
        answer = await client.get("/api/v1/assessments", headers=bearer(guess))
        assert answer.status_code == 401, guess
