"""What the app builds once and every request shares, kept on `app.state.services`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from infra_mind.auth.passwords import PasswordHasher
from infra_mind.auth.rate_limit import AuthRateLimiter
from infra_mind.auth.tokens import TokenService
from infra_mind.config import Settings
from infra_mind.domain.events import Event
from infra_mind.domain.input_rules import RegionIndex
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database


class Runner(Protocol):
    """What the API needs of a run executor; jobs.InProcessRunner fits it (see jobs/runner.py)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...

    async def submit(self, run_id: str) -> None: ...

    async def cancel(self, run_id: str) -> str | None: ...

    def subscribe(self, run_id: str, after_seq: int = 0) -> AsyncIterator[Event]: ...

    async def health(self) -> Mapping[str, Literal["ok", "failing"]]: ...


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    tokens: TokenService
    passwords: PasswordHasher
    rate_limiter: AuthRateLimiter
    metrics: Metrics
    knowledge: Knowledge
    regions: RegionIndex
    llm: LlmClient
    runner: Runner
    agent_names: tuple[str, ...]
