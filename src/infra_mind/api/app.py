"""`create_app`: builds every object the API uses and hands them to requests through `app.state`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import Depends, FastAPI

from infra_mind.agents.registry import build_agents
from infra_mind.api.errors import install_error_handlers
from infra_mind.api.middleware import install_middleware
from infra_mind.api.nul_guard import refuse_nul
from infra_mind.api.openapi import install_openapi
from infra_mind.api.routers import api_keys, assessments, auth, chat, health, reports, runs
from infra_mind.api.services import Services
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.auth.rate_limit import AuthRateLimiter
from infra_mind.auth.secret import signing_secret
from infra_mind.auth.tokens import Clock, TokenService, utc_now
from infra_mind.config import EmbeddedRunner, RunnerKind, Settings
from infra_mind.engine.validation import region_index
from infra_mind.jobs.factory import build_celery_runner, build_process_runner, build_threaded_runner
from infra_mind.jobs.runner import Runner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient, build_llm
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database, is_in_memory
from infra_mind.store.migrate import upgrade_to_head
from infra_mind.web.install import install_web

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
    knowledge: Knowledge | None = None,
    llm: LlmClient | None = None,
    runner: Runner | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Objects not given are built from `settings`. The runner is the embedded one in a process of its own
    (INFRA_MIND_EMBEDDED_RUNNER=thread: on its own loop thread; either has its own database engine and
    LLM client, and `llm` answers the chat), or with INFRA_MIND_RUNNER=celery the scale-out one. The
    database is migrated when the app starts."""
    owns_database = database is None
    database = database or Database.from_settings(settings)
    metrics = metrics or Metrics()
    knowledge = knowledge or Knowledge.load(settings.knowledge_dir)
    owns_llm = llm is None
    llm = llm or build_llm(settings)
    agent_names = tuple(agent.name for agent in build_agents(knowledge))
    if runner is None and settings.runner is RunnerKind.CELERY:
        runner = build_celery_runner(settings, database, metrics)
    elif (
        runner is None
        and settings.embedded_runner is EmbeddedRunner.PROCESS
        and not is_in_memory(database.url)
    ):
        runner = build_process_runner(settings, database, metrics)
    elif runner is None:
        runner = build_threaded_runner(settings, database, knowledge, metrics)
    services = Services(
        settings=settings,
        database=database,
        tokens=TokenService.from_settings(settings, signing_secret(settings), clock=clock),
        passwords=passwords or PasswordHasher(),
        rate_limiter=rate_limiter or AuthRateLimiter.from_settings(settings),
        metrics=metrics,
        knowledge=knowledge,
        regions=region_index(knowledge),
        llm=llm,
        runner=runner,
        agent_names=agent_names,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await upgrade_to_head(services.database.url)
        await services.runner.start()
        log.info("api.started", dialect=services.database.engine.dialect.name)
        try:
            yield
        finally:
            await services.runner.stop()
            if owns_llm:
                await services.llm.aclose()
            if owns_database:
                await services.database.dispose()
            log.info("api.stopped")

    app = FastAPI(title="Infra Mind", version="1", lifespan=lifespan, dependencies=[Depends(refuse_nul)])
    app.state.services = services
    install_error_handlers(app)
    install_middleware(app, services)
    app.include_router(health.router)
    for router in (
        auth.router,
        api_keys.router,
        assessments.router,
        chat.router,
        runs.router,
        reports.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    install_openapi(app)
    if settings.web_ui:
        install_web(app)
    return app
