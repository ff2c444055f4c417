from __future__ import annotations

from typing import Annotated

import httpx2
from fastapi import APIRouter, Depends, FastAPI

from infra_mind.api.app import API_PREFIX
from infra_mind.api.dependencies import Principal, require_scopes
from infra_mind.auth.api_keys import Scope

from .conftest import bearer, client_for, signed_in

KEYS = "/api/v1/auth/api-keys"


def _add_scoped_route(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/scoped-probe")
    async def probe(principal: Annotated[Principal, Depends(require_scopes(Scope.RUNS_READ))]) -> str:
        return principal.user.email

    app.include_router(router, prefix=API_PREFIX)


async def test_a_key_is_shown_once_and_authenticates_with_its_scopes(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    created = await client.post(
        KEYS, json={"name": "ci", "scopes": ["assessments:read"]}, headers=bearer(pair["access_token"])
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("im_")

    listed = await client.get(KEYS, headers=bearer(pair["access_token"]))
    assert [k["name"] for k in listed.json()] == ["ci"]
    assert "key" not in listed.json()[0]

    me = await client.get("/api/v1/auth/me", headers=bearer(key))
    assert me.status_code == 200
    assert me.json()["auth"] == "api_key"
    assert me.json()["scopes"] == ["assessments:read"]
    assert (await client.get(KEYS, headers=bearer(pair["access_token"]))).json()[0]["last_used_at"]


async def test_a_key_without_the_scope_gets_403(app_for: object) -> None:
    assert callable(app_for)
    app = app_for()
    _add_scoped_route(app)
    async with client_for(app) as client:
        pair = await signed_in(client, "ada@example.com")
        token = bearer(pair["access_token"])
        reader = (await client.post(KEYS, json={"name": "r", "scopes": ["runs:read"]}, headers=token)).json()
        writer = (await client.post(KEYS, json={"name": "w", "scopes": ["runs:write"]}, headers=token)).json()

        assert (await client.get("/api/v1/scoped-probe", headers=bearer(reader["key"]))).status_code == 200
        assert (await client.get("/api/v1/scoped-probe", headers=token)).status_code == 200
        refused = await client.get("/api/v1/scoped-probe", headers=bearer(writer["key"]))
        assert refused.status_code == 403
        assert refused.json()["error"] == "permission_denied"
        assert "runs:read" in refused.json()["detail"]


async def test_a_key_cannot_manage_keys(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    key = (
        await client.post(
            KEYS, json={"name": "ci", "scopes": ["runs:read"]}, headers=bearer(pair["access_token"])
        )
    ).json()["key"]
    response = await client.post(KEYS, json={"name": "more", "scopes": ["runs:read"]}, headers=bearer(key))
    assert response.status_code == 403


async def test_a_revoked_key_no_longer_authenticates(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    token = bearer(pair["access_token"])
    created = (await client.post(KEYS, json={"name": "ci", "scopes": ["runs:read"]}, headers=token)).json()
    assert (await client.delete(f"{KEYS}/{created['id']}", headers=token)).status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=bearer(created["key"]))).status_code == 401
    again = await client.delete(f"{KEYS}/{created['id']}", headers=token)
    assert again.status_code == 404
    assert again.json()["error"] == "not_found"


async def test_another_users_key_cannot_be_revoked(client: httpx2.AsyncClient) -> None:
    ada = await signed_in(client, "ada@example.com")
    bob = await signed_in(client, "bob@example.com")
    created = (
        await client.post(
            KEYS, json={"name": "ci", "scopes": ["runs:read"]}, headers=bearer(ada["access_token"])
        )
    ).json()
    response = await client.delete(f"{KEYS}/{created['id']}", headers=bearer(bob["access_token"]))
    assert response.status_code == 404
    assert (await client.get("/api/v1/auth/me", headers=bearer(created["key"]))).status_code == 200


async def test_malformed_and_unknown_keys_are_401(client: httpx2.AsyncClient) -> None:
    for key in ("im_short", "im_ABCDEFGH_" + "a" * 32):
        response = await client.get("/api/v1/auth/me", headers=bearer(key))
        assert response.status_code == 401


async def test_unknown_scope_names_the_field(client: httpx2.AsyncClient) -> None:
    pair = await signed_in(client, "ada@example.com")
    response = await client.post(
        KEYS, json={"name": "ci", "scopes": ["everything"]}, headers=bearer(pair["access_token"])
    )
    assert response.status_code == 422
    assert [f["path"] for f in response.json()["fields"]] == ["scopes.0"]
