"""All settings in one place, read from the environment with the prefix INFRA_MIND_."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, get_args

from limits import parse_many
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from infra_mind.errors import ConfigurationError

ENV_PREFIX = "INFRA_MIND_"


ReportFormat = Literal["md", "html", "pdf", "json", "csv"]


class RunnerKind(StrEnum):
    INPROCESS = "inprocess"
    CELERY = "celery"


class EmbeddedRunner(StrEnum):
    """Where the embedded runner executes runs: a process of its own, or a thread of the API's process."""

    PROCESS = "process"
    THREAD = "thread"


class LlmProviderKind(StrEnum):
    OFFLINE = "offline"
    OPENAI = "openai"


class LivePricesKind(StrEnum):
    OFF = "off"
    AZURE = "azure"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    database_url: str = "sqlite+aiosqlite:///infra_mind.db"
    runner: RunnerKind = RunnerKind.INPROCESS
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="Celery's broker (Redis); run events cross processes through its pub/sub",
    )
    worker_concurrency: int = Field(
        default=16, ge=1, le=1000, description="runs one Celery worker executes at once"
    )
    visibility_timeout_s: int = Field(
        default=7200,
        ge=5,
        description="an unacknowledged run is redelivered after this; above the longest run",
    )
    run_soft_time_limit_s: float = Field(default=3600, gt=0, description="a run is cancelled after this")
    run_time_limit_s: float = Field(
        default=3900, gt=0, description="a run is failed after this, whatever it does"
    )
    run_heartbeat_s: float = Field(
        default=10, gt=0, le=600, description="how often a worker renews its run's lease"
    )
    worker_metrics_port: int = Field(
        default=9808, ge=0, le=65_535, description="a worker's Prometheus endpoint; 0: none"
    )
    sequential_percent: float = Field(
        default=0, ge=0, le=100, description="share of runs without an explicit mode that run sequentially"
    )
    llm_provider: LlmProviderKind = LlmProviderKind.OFFLINE
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=60, gt=0)
    llm_max_concurrency: int = Field(default=8, ge=1)
    llm_retries: int = Field(default=3, ge=0, le=10, description="per call: 429, 5xx, timeouts")
    llm_backoff_s: float = Field(default=0.5, ge=0, description="first retry wait; doubles, with jitter")
    llm_max_wait_s: float = Field(default=30, gt=0, description="longest wait; longer Retry-After fails")
    llm_budget_tokens: int | None = Field(default=None, ge=1, description="per run, tokens in + out")
    llm_budget_usd: float | None = Field(default=None, gt=0, description="per run, known costs")
    llm_cache_enabled: bool = True
    llm_cache_dir: Path | None = Field(default=None, description="default $XDG_CACHE_HOME/infra-mind/llm")
    llm_price_input_usd_per_mtok: float | None = Field(default=None, ge=0, description="over genai-prices")
    llm_price_output_usd_per_mtok: float | None = Field(default=None, ge=0, description="over genai-prices")
    llm_max_input_chars: int = Field(default=4000, ge=100, description="per user free-text field in a prompt")
    llm_agent_header: str | None = Field(default=None, description="HTTP header naming the calling agent")

    live_prices: LivePricesKind = LivePricesKind.OFF
    live_prices_timeout_s: float = Field(default=5, gt=0, description="per request to the live price source")
    knowledge_dir: Path | None = Field(default=None, description="override the packaged catalogs")
    gcp_api_key: SecretStr | None = Field(
        default=None, description="key for the GCP Cloud Billing Catalog API (`catalog refresh gcp-billing`)"
    )
    quorum: float = Field(default=0.5, gt=0, le=1, description="share of agents that must complete")
    required_agents: list[str] = Field(default_factory=list)
    agent_timeout_s: float | None = Field(default=None, gt=0, description="override every agent's timeout")
    agent_retries: int = Field(default=2, ge=0, le=10)
    retry_backoff_s: float = Field(default=0.05, ge=0)
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 signing key; embedded mode generates one under DATA_DIR when unset"
    )
    data_dir: Path | None = Field(default=None, description="default $XDG_DATA_HOME/infra-mind")
    access_token_ttl_s: int = Field(default=900, ge=30, le=86_400)
    refresh_token_ttl_s: int = Field(default=14 * 86_400, ge=300)
    web_session_ttl_s: int = Field(default=14 * 86_400, ge=300, description="how long a web UI sign-in lasts")
    web_ui: bool = Field(default=True, description="serve the web UI at / beside the API")
    rate_limit_storage_url: str = Field(default="memory://", description="or redis://host:6379/1")
    login_rate_limit_per_ip: str = "20/minute"
    login_rate_limit_per_account: str = "5/minute"
    registration_rate_limit_per_ip: str = "5/hour"
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024, description="larger bodies get 413")
    max_concurrent_runs: int = Field(
        default=4, ge=1, le=10_000, description="runs one process executes at once"
    )
    report_formats: list[ReportFormat] = Field(
        default_factory=lambda: list(get_args(ReportFormat)),
        min_length=1,
        description="rendered when a run ends; any other format is rendered on its first download",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="database connections the API keeps open; at a peak it opens up to 10 more for the "
        "moment (opening one costs PostgreSQL a new backend process while the request waits)",
    )
    run_database_wait_s: float = Field(
        default=600,
        gt=0,
        le=86_400,
        description="how long a run waits for a database connection or SQLite's write lock before it fails",
    )
    embedded_runner: EmbeddedRunner = Field(
        default=EmbeddedRunner.PROCESS,
        description="with the in-process runner: `process` executes runs in a child process, so requests "
        "never wait for a run's computation; `thread` keeps everything in one process (less memory; "
        "also used for an in-memory SQLite database, which only its own process can open)",
    )
    runner_niceness: int = Field(
        default=10,
        ge=0,
        le=19,
        description="CPU niceness of the processes that execute runs (the embedded runner's and "
        "`infra-mind worker`): on a machine they share with the API, requests are answered before runs "
        "compute",
    )
    runner_poll_interval_s: float = Field(
        default=1.0, gt=0, le=60, description="how often the runner checks the queue and cancel requests"
    )
    log_level: str = Field(default="WARNING", description="DEBUG, INFO, WARNING, ERROR or CRITICAL")
    log_json: bool = False

    @field_validator(
        "login_rate_limit_per_ip", "login_rate_limit_per_account", "registration_rate_limit_per_ip"
    )
    @classmethod
    def _rate_limit_syntax(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit like '5/minute' or '20 per hour'") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown log level {value!r}; choose one of {', '.join(LOG_LEVELS)}")
        return level


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment; a bad value raises ConfigurationError naming its variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            message = error["msg"].removeprefix("Value error, ")
            value = error.get("input")
            shown = (
                f" (got {value!r})"
                if isinstance(value, str | int | float) and str(value) not in message
                else ""
            )
            problems.append(f"{ENV_PREFIX}{field.upper()}: {message}{shown}")
        raise ConfigurationError("; ".join(problems)) from exc
    except SettingsError as exc:
        raise ConfigurationError(_name_variable(str(exc))) from exc


def _name_variable(message: str) -> str:
    """pydantic-settings names the field ('error parsing value for field "x" ...'); show the variable."""
    for name in Settings.model_fields:
        quoted = f'"{name}"'
        if quoted in message:
            return message.replace(quoted, f"{ENV_PREFIX}{name.upper()}")
    return message
