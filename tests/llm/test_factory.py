from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from infra_mind.config import Settings, load_settings
from infra_mind.errors import ConfigurationError
from infra_mind.llm import LlmMessage, LlmRequest, build_llm
from infra_mind.llm.cache import DiskCache
from infra_mind.llm.offline_provider import OfflineProvider
from infra_mind.llm.openai_provider import OpenAiProvider

from .mock_openai import ScriptedServer, ok

MakeSettings = Callable[..., Settings]


def test_offline_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFRA_MIND_LLM_PROVIDER", raising=False)
    llm = build_llm(load_settings())

    assert isinstance(llm.provider, OfflineProvider)
    assert llm.offline


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"llm_base_url": None}, "INFRA_MIND_LLM_BASE_URL"),
        ({"llm_model": "  "}, "INFRA_MIND_LLM_MODEL"),
        ({"llm_price_input_usd_per_mtok": 1.0}, "INFRA_MIND_LLM_PRICE_OUTPUT_USD_PER_MTOK"),
    ],
)
def test_openai_without_required_settings_names_them(
    openai_settings: MakeSettings, overrides: dict[str, object], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        build_llm(openai_settings(**overrides))


def test_openai_provider_takes_the_settings(openai_settings: MakeSettings, tmp_path: Path) -> None:
    llm = build_llm(openai_settings(llm_max_concurrency=3, llm_cache_dir=tmp_path / "c"))

    assert isinstance(llm.provider, OpenAiProvider)
    assert llm.provider.cache_scope == "gpt-4o-mini@api.openai.com"
    assert llm.provider._semaphore._value == 3
    assert isinstance(llm._cache, DiskCache)
    assert llm._cache.directory == tmp_path / "c"


def test_disk_cache_defaults_under_the_user_cache_dir(
    openai_settings: MakeSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    llm = build_llm(openai_settings(llm_cache_dir=None))

    assert isinstance(llm._cache, DiskCache)
    assert llm._cache.directory == tmp_path / "infra-mind" / "llm"


def test_cache_can_be_disabled(openai_settings: MakeSettings) -> None:
    assert build_llm(openai_settings(llm_cache_enabled=False))._cache is None


async def test_without_a_key_no_authorization_header_is_sent(openai_settings: MakeSettings) -> None:
    server = ScriptedServer(ok("x"))
    llm = build_llm(
        openai_settings(llm_api_key=None, llm_base_url="http://127.0.0.1:11434/v1"),
        http_client=server.client(),
    )

    await llm.complete(LlmRequest(agent="cto", purpose="t", system="s", messages=(LlmMessage("user", "q"),)))

    assert "authorization" not in server.requests[0].headers
    assert str(server.requests[0].url) == "http://127.0.0.1:11434/v1/chat/completions"


async def test_timeout_setting_reaches_the_request(openai_settings: MakeSettings) -> None:
    server = ScriptedServer(ok("x"))
    llm = build_llm(openai_settings(llm_timeout_s=7.5), http_client=server.client())

    await llm.complete(LlmRequest(agent="cto", purpose="t", system="s"))

    assert server.requests[0].extensions["timeout"]["read"] == 7.5


async def test_agent_header_names_the_calling_agent(openai_settings: MakeSettings) -> None:
    server = ScriptedServer(ok("x"))
    llm = build_llm(openai_settings(llm_agent_header="X-Mock-Agent"), http_client=server.client())

    await llm.complete(LlmRequest(agent="security", purpose="t", system="s"))

    assert server.requests[0].headers["x-mock-agent"] == "security"
    assert server.requests[0].headers["authorization"] == "Bearer sk-test"
