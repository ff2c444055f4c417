"""What the app builds once and every request shares, kept on `app.state.services`."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.auth.passwords import PasswordHasher
from infra_mind.auth.rate_limit import AuthRateLimiter
from infra_mind.auth.tokens import TokenService
from infra_mind.config import Settings
from infra_mind.domain.input_rules import RegionIndex
from infra_mind.jobs.runner import Runner
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database


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
