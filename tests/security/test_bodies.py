"""Bodies the API must refuse cleanly: too large (declared or streamed), not JSON, not declared as JSON,
nested past reason, or with overlong text. Each is a 4xx with the error body naming what is wrong, and no
assessment is written or changed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from copy import deepcopy
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI

from ..api.conftest import bearer, client_for, signed_in

pytestmark = pytest.mark.security

LIMIT = 16_384
ASSESSMENTS = "/api/v1/assessments"


@pytest.fixture
def small_limit_app(app_for: Callable[..., FastAPI]) -> FastAPI:
    return app_for(max_request_body_bytes=LIMIT)


@pytest.fixture
async def signed(small_limit_app: FastAPI) -> AsyncIterator[tuple[httpx2.AsyncClient, dict[str, str]]]:
    async with client_for(small_limit_app) as client:
        yield client, bearer((await signed_in(client, "ada@example.com"))["access_token"])


def padded(spec: dict[str, Any], size: int) -> bytes:
    """The spec as JSON, grown past `size` bytes with whitespace: valid JSON, only too large."""
    body = json.dumps(spec).encode()
    return body + b" " * (size - len(body) + 1)


def error_of(answer: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text[:500]
    assert answer.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = answer.json()
    assert body["error"] == code
    assert body["detail"]
    return body


def field_paths(body: dict[str, Any]) -> set[str]:
    return {f["path"] for f in body.get("fields", [])}


async def stored_assessments(client: httpx2.AsyncClient, auth: dict[str, str]) -> int:
    total: int = (await client.get(ASSESSMENTS, headers=auth)).json()["total"]
    return total


async def test_a_body_over_the_limit_is_413_declared_or_streamed(
    signed: tuple[httpx2.AsyncClient, dict[str, str]], healthtech: dict[str, Any]
) -> None:
    client, auth = signed
    json_auth = auth | {"content-type": "application/json"}
    declared = await client.post(ASSESSMENTS, content=padded(healthtech, LIMIT), headers=json_auth)

    async def chunks() -> AsyncIterator[bytes]:
        body = padded(healthtech, LIMIT)
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    streamed = await client.post(ASSESSMENTS, content=chunks(), headers=json_auth)
    login_form = await client.post("/api/v1/auth/token", data={"username": "a" * LIMIT, "password": "x"})

    for answer in (declared, streamed, login_form):
        body = error_of(answer, 413, "payload_too_large")
        assert str(LIMIT) in body["detail"]
    assert "transfer-encoding" not in declared.request.headers
    assert streamed.request.headers["transfer-encoding"] == "chunked"
    assert await stored_assessments(client, auth) == 0


async def test_an_update_over_the_limit_changes_nothing(
    signed: tuple[httpx2.AsyncClient, dict[str, str]], healthtech: dict[str, Any]
) -> None:
    client, auth = signed
    created = (await client.post(ASSESSMENTS, json=healthtech, headers=auth)).json()
    changed = deepcopy(healthtech) | {"notes": "n" * (LIMIT + 1)}
    refused = await client.put(f"{ASSESSMENTS}/{created['id']}", json=changed, headers=auth)
    after = (await client.get(f"{ASSESSMENTS}/{created['id']}", headers=auth)).json()

    error_of(refused, 413, "payload_too_large")
    assert after["version"] == created["version"]
    assert after["input"] == created["input"]


async def test_malformed_or_undeclared_json_is_a_clear_4xx(
    signed: tuple[httpx2.AsyncClient, dict[str, str]], healthtech: dict[str, Any]
) -> None:
    client, auth = signed
    text = json.dumps(healthtech)
    broken = await client.post(
        ASSESSMENTS, content=text[:-5], headers=auth | {"content-type": "application/json"}
    )
    as_plain = await client.post(ASSESSMENTS, content=text, headers=auth | {"content-type": "text/plain"})
    undeclared = await client.post(ASSESSMENTS, content=text, headers=auth)
    as_form = await client.post(ASSESSMENTS, data={"company": "x"}, headers=auth)
    not_an_object = await client.post(ASSESSMENTS, json=[healthtech], headers=auth)
    empty = await client.post(ASSESSMENTS, content=b"", headers=auth | {"content-type": "application/json"})
    binary = await client.post(
        ASSESSMENTS, content=b"\xff\xfe\x00{", headers=auth | {"content-type": "application/json"}
    )

    for answer in (broken, as_plain, undeclared, as_form, not_an_object, empty, binary):
        assert 400 <= answer.status_code < 500, answer.text[:300]
        assert answer.json()["error"] in ("invalid_input", "input_unreadable"), answer.text[:300]
        assert answer.json()["detail"]
    assert await stored_assessments(client, auth) == 0


async def test_deeply_nested_json_is_refused_without_a_server_error(
    signed: tuple[httpx2.AsyncClient, dict[str, str]], healthtech: dict[str, Any]
) -> None:
    client, auth = signed
    depth = 3000  # past the interpreter's recursion limit, within the body limit
    nested = "[" * depth + "]" * depth
    in_a_field = json.dumps(healthtech)[:-1] + f', "notes": {nested}}}'
    json_header = auth | {"content-type": "application/json"}
    at_top = await client.post(ASSESSMENTS, content=nested, headers=json_header)
    as_field = await client.post(ASSESSMENTS, content=in_a_field, headers=json_header)
    as_question = await client.post(
        "/api/v1/auth/refresh", content='{"refresh_token": ' + nested + "}", headers=json_header
    )

    shallow = json.dumps(healthtech | {"notes": json.loads("[" * 50 + "]" * 50)})
    in_a_field_shallow = await client.post(ASSESSMENTS, content=shallow, headers=json_header)

    for answer in (at_top, as_field):
        error_of(answer, 400, "input_unreadable")
    error_of(as_question, 400, "bad_request")
    assert "notes" in field_paths(error_of(in_a_field_shallow, 422, "invalid_input"))
    assert await stored_assessments(client, auth) == 0


async def test_overlong_text_fields_are_named_in_the_error(
    signed: tuple[httpx2.AsyncClient, dict[str, str]], healthtech: dict[str, Any]
) -> None:
    client, auth = signed
    spec = deepcopy(healthtech)
    spec["company"]["name"] = "N" * 201
    spec["notes"] = "n" * 4001
    spec["goals"][0]["description"] = "g" * 201
    spec["workloads"][0]["name"] = "w" * 81
    refused = await client.post(ASSESSMENTS, json=spec, headers=auth)
    long_email = await client.post(
        "/api/v1/auth/register", json={"email": "a" * 400 + "@example.com", "password": "x" * 2000}
    )

    body = error_of(refused, 422, "invalid_input")
    assert {"company.name", "notes", "goals.0.description", "workloads.0.name"} <= {
        path.replace("[", ".").replace("]", "") for path in field_paths(body)
    }, body
    assert {"email", "password"} <= field_paths(error_of(long_email, 422, "invalid_input"))
    assert await stored_assessments(client, auth) == 0
