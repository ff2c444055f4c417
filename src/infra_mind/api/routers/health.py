"""Liveness, readiness and Prometheus metrics, at the root (not under /api/v1)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from infra_mind.api.dependencies import AppServices

router = APIRouter(tags=["health"])

CheckState = Literal["ok", "failing", "not configured"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, CheckState]


@router.get("/health", response_model=Health)
async def health() -> Health:
    """Liveness: the process answers. Touches nothing else, so a slow database never restarts it."""
    return Health()


@router.get("/ready", response_model=Readiness, responses={503: {"model": Readiness}})
async def ready(services: AppServices) -> JSONResponse:
    """Readiness: the database answers a query, and runs can be executed: the in-process runner is up,
    or (scale-out) the broker answers and at least one worker answered a ping."""
    checks: dict[str, CheckState] = {
        "database": "ok" if await services.database.ping() else "failing",
        **await services.runner.health(),
    }
    is_ready = "failing" not in checks.values()
    body = Readiness(status="ready" if is_ready else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if is_ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus exposition format"}},
)
async def metrics(services: AppServices) -> Response:
    content, media_type = services.metrics.render()
    return Response(content, media_type=media_type)
