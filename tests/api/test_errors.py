from __future__ import annotations

from collections.abc import Callable

import httpx2
import pytest
from fastapi import APIRouter, FastAPI

from .conftest import client_for


def _add_failing_route(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/explode")
    async def explode() -> None:
        raise RuntimeError("secret-internal-detail at /srv/app.py line 12")

    app.include_router(router)


async def test_validation_errors_name_each_field(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json={"email": "not-an-email"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    messages = {f["path"]: f["message"] for f in body["fields"]}
    assert messages == {
        "email": "must be an email address like name@example.com",
        "password": "Field required",
    }
    assert "email" in body["detail"]
    assert "password" in body["detail"]


async def test_a_form_missing_fields_names_them(client: httpx2.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/token", data={"username": "ada@example.com"})
    assert response.status_code == 422
    assert [f["path"] for f in response.json()["fields"]] == ["password"]


async def test_an_oversized_body_is_413(app_for: Callable[..., FastAPI]) -> None:
    app = app_for(max_request_body_bytes=2048)
    async with client_for(app) as client:
        payload = {"email": "ada@example.com", "password": "x" * 4096}
        declared = await client.post("/api/v1/auth/register", json=payload)
        assert declared.status_code == 413
        assert declared.json()["error"] == "payload_too_large"

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(4):
                yield b"x" * 1024

        streamed = await client.post(
            "/api/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert streamed.json()["error"] == "payload_too_large"


async def test_an_unexpected_error_is_a_generic_500_with_the_request_id(
    app_for: Callable[..., FastAPI], capsys: pytest.CaptureFixture[str]
) -> None:
    app = app_for()
    _add_failing_route(app)
    async with client_for(app) as client:
        response = await client.get("/explode", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "internal error; quote the request id when reporting it",
    }
    assert "secret-internal-detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] == "req-123"
    assert response.headers["x-content-type-options"] == "nosniff"
    logged = "".join(capsys.readouterr())
    assert "api.unhandled_error" in logged
    assert "req-123" in logged
    assert "secret-internal-detail" in logged


async def test_unknown_routes_and_methods_keep_the_error_shape(client: httpx2.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "detail": "Not Found"}
    wrong_method = await client.delete("/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"


async def test_request_ids_are_taken_when_well_formed_and_made_otherwise(client: httpx2.AsyncClient) -> None:
    kept = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    replaced = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_security_headers_are_on_every_response(client: httpx2.AsyncClient) -> None:
    for response in (await client.get("/health"), await client.get("/api/v1/auth/me")):
        assert response.headers["content-security-policy"] == "default-src 'self'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
