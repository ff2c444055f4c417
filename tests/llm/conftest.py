from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from openai import AsyncOpenAI

from infra_mind.config import Settings, load_settings
from infra_mind.llm.openai_provider import OpenAiProvider
from infra_mind.llm.retry import BackoffPolicy

from .mock_openai import ScriptedServer

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class RecordedSleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def make_provider(sleeps: RecordedSleeps) -> Callable[..., OpenAiProvider]:
    def build(
        server: ScriptedServer,
        *,
        max_concurrency: int = 4,
        backoff: BackoffPolicy | None = None,
        api_key: str = "sk-test",
        base_url: str = "https://api.openai.com/v1",
        attempt_timeout_s: float | None = None,
    ) -> OpenAiProvider:
        client = AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, http_client=server.client())
        return OpenAiProvider(
            client,
            model="gpt-4o-mini",
            max_concurrency=max_concurrency,
            attempt_timeout_s=attempt_timeout_s,
            backoff=backoff or BackoffPolicy(max_attempts=3, base_s=0.5, max_wait_s=10),
            sleep=sleeps,
            now=lambda: NOW,
            rng=random.Random(7),
        )

    return build


@pytest.fixture
def openai_settings(tmp_path: Any) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "llm_provider": "openai",
            "llm_base_url": "https://api.openai.com/v1",
            "llm_model": "gpt-4o-mini",
            "llm_api_key": "sk-test",
            "llm_retries": 2,
            "llm_backoff_s": 0.01,
            "llm_cache_dir": tmp_path / "llm-cache",
        }
        values.update(overrides)
        return load_settings(**values)

    return build
