"""All settings in one place, read from the environment with the prefix INFRA_MIND_."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class RunnerKind(StrEnum):
    INPROCESS = "inprocess"
    CELERY = "celery"


class LlmProviderKind(StrEnum):
    OFFLINE = "offline"
    OPENAI = "openai"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INFRA_MIND_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///infra_mind.db"
    runner: RunnerKind = RunnerKind.INPROCESS
    broker_url: str = "redis://127.0.0.1:6379/0"
    llm_provider: LlmProviderKind = LlmProviderKind.OFFLINE
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=60, gt=0)
    llm_max_concurrency: int = Field(default=8, ge=1)

    knowledge_dir: Path | None = Field(default=None, description="override the packaged catalogs")
    quorum: float = Field(default=0.5, gt=0, le=1, description="share of agents that must complete")
    required_agents: list[str] = Field(default_factory=list)
    agent_timeout_s: float | None = Field(default=None, gt=0, description="override every agent's timeout")
    agent_retries: int = Field(default=2, ge=0, le=10)
    retry_backoff_s: float = Field(default=0.05, ge=0)
    log_level: str = "WARNING"
    log_json: bool = False
