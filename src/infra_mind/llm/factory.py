"""`build_llm(settings)`: the LlmClient the settings describe."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import httpx2

from infra_mind.config import LlmProviderKind, Settings
from infra_mind.errors import ConfigurationError
from infra_mind.llm.accounting import Budget, ConfiguredPrice, Pricer
from infra_mind.llm.cache import DiskCache, LlmCache, default_cache_dir
from infra_mind.llm.client import LlmClient
from infra_mind.llm.offline_provider import OfflineProvider
from infra_mind.llm.retry import BackoffPolicy
from infra_mind.llm.safety import SafetyPolicy

NO_KEY = "no-key-configured"
"""The SDK insists on a key; servers without auth (Ollama, llama.cpp, vLLM) get none: the provider then
omits the Authorization header, so this value never leaves the process."""


def build_llm(
    settings: Settings,
    *,
    http_client: httpx2.AsyncClient | None = None,
    cache: LlmCache | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> LlmClient:
    """`http_client` and `cache` let tests (and the app) supply their own; `sleep` and `rng` make retry
    waits observable and reproducible."""
    budget = Budget(max_tokens=settings.llm_budget_tokens, max_usd=settings.llm_budget_usd)
    safety = SafetyPolicy(max_field_chars=settings.llm_max_input_chars)
    if settings.llm_provider == LlmProviderKind.OFFLINE:
        return LlmClient(OfflineProvider(), safety=safety, budget=budget)
    # The SDK takes half a second to import: an offline run never pays for it.
    from openai import AsyncOpenAI

    from infra_mind.llm.openai_provider import OpenAiProvider

    base_url, model = _required(settings)
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else ""
    client = AsyncOpenAI(
        base_url=base_url,
        api_key=api_key or NO_KEY,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        http_client=http_client,
    )
    provider = OpenAiProvider(
        client,
        model=model,
        max_concurrency=settings.llm_max_concurrency,
        backoff=BackoffPolicy(
            max_attempts=settings.llm_retries + 1,
            base_s=settings.llm_backoff_s,
            max_wait_s=settings.llm_max_wait_s,
        ),
        attempt_timeout_s=settings.llm_timeout_s,
        send_api_key=bool(api_key),
        agent_header=settings.llm_agent_header,
        sleep=sleep,
        rng=rng,
    )
    pricer = Pricer.with_genai_prices(configured=_configured_price(settings), base_url=base_url)
    if cache is None and settings.llm_cache_enabled:
        cache = DiskCache(settings.llm_cache_dir or default_cache_dir())
    return LlmClient(provider, pricer=pricer, safety=safety, budget=budget, cache=cache)


def _required(settings: Settings) -> tuple[str, str]:
    base_url = (settings.llm_base_url or "").strip()
    model = (settings.llm_model or "").strip()
    missing = [
        name
        for name, value in (("INFRA_MIND_LLM_BASE_URL", base_url), ("INFRA_MIND_LLM_MODEL", model))
        if not value
    ]
    if missing:
        raise ConfigurationError(f"{' and '.join(missing)} must be set when INFRA_MIND_LLM_PROVIDER=openai")
    return base_url, model


def _configured_price(settings: Settings) -> ConfiguredPrice | None:
    price_in, price_out = settings.llm_price_input_usd_per_mtok, settings.llm_price_output_usd_per_mtok
    if price_in is not None and price_out is not None:
        return ConfiguredPrice(price_in, price_out)
    if price_in is None and price_out is None:
        return None
    given, other = ("INPUT", "OUTPUT") if price_in is not None else ("OUTPUT", "INPUT")
    raise ConfigurationError(
        f"INFRA_MIND_LLM_PRICE_{other}_USD_PER_MTOK must be set together with "
        f"INFRA_MIND_LLM_PRICE_{given}_USD_PER_MTOK"
    )
