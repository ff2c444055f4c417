from __future__ import annotations

import asyncio

import httpx2

from .conftest import MovableClock, bearer, login, register, signed_in


async def test_register_then_login_then_me(client: httpx2.AsyncClient) -> None:
    created = await register(client, "Ada@Example.com")
    assert created.status_code == 201
    assert created.json()["email"] == "ada@example.com"
    assert "password" not in created.text

    pair = (await login(client, "ada@example.com")).json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 900

    me = await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"
    assert me.json()["auth"] == "token"
    assert me.json()["scopes"] is None


async def test_duplicate_email_is_a_conflict(client: httpx2.AsyncClient) -> None:
    await register(client, "ada@example.com")
    again = await register(client, "ADA@example.com")
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"


async def test_password_policy_errors_name_the_password_field(client: httpx2.AsyncClient) -> None:
    response = await register(client, "ada@example.com", password="short")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert {f["path"] for f in body["fields"]} == {"password"}
    assert "12 characters" in body["detail"]


async def test_wrong_password_and_unknown_user_are_indistinguishable(client: httpx2.AsyncClient) -> None:
    await register(client, "ada@example.com")
    wrong = await login(client, "ada@example.com", password="Wrong-password-99")
    unknown = await login(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


async def test_me_needs_a_token(client: httpx2.AsyncClient) -> None:
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_expired_access_token_is_refused(client: httpx2.AsyncClient, clock: MovableClock) -> None:
    pair = await signed_in(client, "ada@example.com")
    clock.advance(901)
    response = await client.get("/api/v1/auth/me", headers=bearer(pair["access_token"]))
    assert response.status_code == 401
    assert response.json()["error"] == "token_expired"


async def test_tampered_access_token_is_refused(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    header, payload, signature = pair["access_token"].split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    response = await client.get("/api/v1/auth/me", headers=bearer(tampered))
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


async def test_refresh_rotates_and_reuse_revokes_the_family(
    client: httpx2.AsyncClient, clock: MovableClock
) -> None:
    first = await signed_in(client, "ada@example.com")
    clock.advance(60)
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert (await client.get("/api/v1/auth/me", headers=bearer(rotated["access_token"]))).status_code == 200

    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    assert reused.json()["error"] == "refresh_token_reused"
    # the thief's reuse also locks out the successor
    successor = await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert successor.status_code == 401
    assert successor.json()["error"] == "authentication_failed"


async def test_expired_refresh_token_is_refused(client: httpx2.AsyncClient, clock: MovableClock) -> None:
    pair = await signed_in(client, "ada@example.com")
    clock.advance(14 * 86_400 + 1)
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 401
    assert response.json()["error"] == "token_expired"


async def test_unknown_refresh_token_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": "not-a-token"})
    assert response.status_code == 401


async def test_logout_revokes_the_refresh_token(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    out = await client.post("/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert out.status_code == 204
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert after.status_code == 401


async def test_a_refresh_token_raced_twice_is_treated_as_reuse(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    body = {"refresh_token": pair["refresh_token"]}
    first, second = await asyncio.gather(
        client.post("/api/v1/auth/refresh", json=body), client.post("/api/v1/auth/refresh", json=body)
    )
    assert sorted([first.status_code, second.status_code]) == [200, 401]
    winner = first if first.status_code == 200 else second
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": winner.json()["refresh_token"]})
    assert after.status_code == 401


async def test_reuse_revokes_only_the_reused_tokens_family(client: httpx2.AsyncClient) -> None:
    first = await signed_in(client, "ada@example.com")
    other_device = (await login(client, "ada@example.com")).json()
    await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    reused = await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    untouched = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": other_device["refresh_token"]}
    )
    assert reused.status_code == 401
    assert untouched.status_code == 200
    assert (
        await client.get("/api/v1/auth/me", headers=bearer(untouched.json()["access_token"]))
    ).status_code == 200
