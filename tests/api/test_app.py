from __future__ import annotations

from pathlib import Path

import httpx2
from fastapi import FastAPI

from infra_mind.api.app import create_app
from infra_mind.api.services import Services
from infra_mind.config import Settings
from infra_mind.store.migrate import head_revision

from .conftest import JWT_SECRET, client_for, register

ROOT_ROUTES = {"/health", "/ready", "/metrics"}


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}", jwt_secret=JWT_SECRET, data_dir=tmp_path
    )


async def test_startup_migrates_a_new_database_and_builds_every_service(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    assert isinstance(app.state.services, Services)
    async with app.router.lifespan_context(app):
        async with client_for(app) as client:
            assert (await register(client, "ada@example.com")).status_code == 201
        revision = await _current_revision(app)
    assert revision == head_revision()


async def _current_revision(app: FastAPI) -> str | None:
    from sqlalchemy import text

    async with app.state.services.database.session() as session:
        value = await session.scalar(text("SELECT version_num FROM alembic_version"))
    return str(value) if value is not None else None


async def test_two_apps_share_no_state(tmp_path: Path) -> None:
    first = create_app(_settings(tmp_path))
    second = create_app(_settings(tmp_path))
    assert first.state.services.metrics is not second.state.services.metrics
    assert first.state.services.rate_limiter is not second.state.services.rate_limiter


async def test_embedded_mode_generates_the_signing_secret(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path)
    create_app(settings)
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0


def test_every_route_documents_its_errors(app: FastAPI) -> None:
    schema = app.openapi()
    assert "ErrorBody" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        if path in ROOT_ROUTES:
            continue
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
            assert errors, f"{method.upper()} {path} documents no error response"
            assert "500" in errors
            for code in errors:
                content = operation["responses"][code]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, code)


def test_the_token_route_is_the_oauth2_password_flow(app: FastAPI) -> None:
    schema = app.openapi()
    flows = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == "/api/v1/auth/token"
    token = schema["paths"]["/api/v1/auth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]


async def test_docs_get_a_csp_that_lets_swagger_load(client: httpx2.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_routes_that_take_the_input_document_its_schema(app: FastAPI) -> None:
    schema = app.openapi()
    components = schema["components"]["schemas"]
    assert {"AssessmentInput", "Company"} <= components.keys()
    for path, method in (("/api/v1/assessments", "post"), ("/api/v1/assessments/{assessment_id}", "put")):
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/AssessmentInput"}
    refs = _refs(components["AssessmentInput"])
    assert refs
    assert all(ref.removeprefix("#/components/schemas/") in components for ref in refs)


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()
