"""What the app builds once and every request shares, kept on `app.state.services`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from infra_mind.auth.passwords import PasswordHasher
from infra_mind.auth.rate_limit import AuthRateLimiter
from infra_mind.auth.tokens import TokenService
from infra_mind.config import Settings
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database


class Runner(Protocol):
    """The slice of a run executor the app's lifespan and `/ready` need; jobs.InProcessRunner fits it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    tokens: TokenService
    passwords: PasswordHasher
    rate_limiter: AuthRateLimiter
    metrics: Metrics
    runner: Runner | None = None
