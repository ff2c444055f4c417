"""`create_app`: builds every object the API uses and hands them to requests through `app.state`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from infra_mind.api.errors import install_error_handlers
from infra_mind.api.middleware import install_middleware
from infra_mind.api.routers import api_keys, auth, health
from infra_mind.api.services import Runner, Services
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.auth.rate_limit import AuthRateLimiter
from infra_mind.auth.secret import signing_secret
from infra_mind.auth.tokens import Clock, TokenService, utc_now
from infra_mind.config import Settings
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database
from infra_mind.store.migrate import upgrade_to_head

API_PREFIX = "/api/v1"

log = structlog.get_logger(__name__)


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    metrics: Metrics | None = None,
    clock: Clock = utc_now,
    passwords: PasswordHasher | None = None,
    rate_limiter: AuthRateLimiter | None = None,
    runner: Runner | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Objects not given are built from `settings`; the database is migrated when the app starts."""
    services = Services(
        settings=settings,
        database=database or Database.from_settings(settings),
        tokens=TokenService.from_settings(settings, signing_secret(settings), clock=clock),
        passwords=passwords or PasswordHasher(),
        rate_limiter=rate_limiter or AuthRateLimiter.from_settings(settings),
        metrics=metrics or Metrics(),
        runner=runner,
    )
    owns_database = database is None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await upgrade_to_head(services.database.url)
        if services.runner is not None:
            await services.runner.start()
        log.info("api.started", dialect=services.database.engine.dialect.name)
        try:
            yield
        finally:
            if services.runner is not None:
                await services.runner.stop()
            if owns_database:
                await services.database.dispose()
            log.info("api.stopped")

    app = FastAPI(title="Infra Mind", version="1", lifespan=lifespan)
    app.state.services = services
    install_error_handlers(app)
    install_middleware(app, services)
    app.include_router(health.router)
    app.include_router(auth.router, prefix=API_PREFIX)
    app.include_router(api_keys.router, prefix=API_PREFIX)
    return app
