"""The real-model path end to end: SmolLM2-135M under xllamacpp's OpenAI-compatible server on localhost,
through the same client and pipeline as any hosted model. The model's quality is not judged: the path must
work, and whatever the tiny model gets wrong must end in an orderly, recorded outcome."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx2
import pytest
from pydantic import BaseModel

from infra_mind.config import Settings
from infra_mind.domain.agent_result import NarrativeSource
from infra_mind.domain.assessment import RunStatus
from infra_mind.domain.input_rules import load_input_file
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import InvalidReply, LlmMessage, LlmRequest, build_llm
from infra_mind.llm.local_server import LocalModelServer, missing_requirement, smollm2_server

from ..conftest import EXAMPLES, skip_or_fail_in_ci

pytestmark = pytest.mark.slow

AGENT_TIMEOUT_S = 60.0
"""Bounds the assessment's wall time: on 2 CPU cores one agent's call (a prompt of a few thousand tokens)
takes tens of seconds and the model serves one call at a time, so the later agents degrade on it."""
DEGRADED_CODES = ("llm_", "agent_timeout")


class Verdict(BaseModel):
    provider: str
    reason: str


@pytest.fixture(scope="module")
def model_server() -> Iterator[LocalModelServer]:
    missing = missing_requirement()
    if missing:
        skip_or_fail_in_ci(missing)
    with smollm2_server() as server:
        yield server


def settings_for(server: LocalModelServer, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "llm_provider": "openai",
        "llm_base_url": server.base_url,
        "llm_model": server.spec.alias,
        "llm_cache_enabled": False,
        "llm_retries": 0,
        "llm_timeout_s": 300,
        "llm_max_concurrency": server.spec.slots,
    }
    return Settings.model_validate(values | overrides)


def server_counters(server: LocalModelServer) -> dict[str, float]:
    text = httpx2.get(server.base_url.removesuffix("/v1") + "/metrics", timeout=30).text
    pairs = (line.split() for line in text.splitlines() if line and not line.startswith("#"))
    return {name.removeprefix("llamacpp:"): float(value) for name, value in pairs}


def test_server_lists_the_model(model_server: LocalModelServer) -> None:
    models = httpx2.get(f"{model_server.base_url}/models", timeout=30).json()
    assert [m["id"] for m in models["data"]] == ["smollm2-135m"]


async def test_plain_completion_through_the_client(model_server: LocalModelServer) -> None:
    llm = build_llm(settings_for(model_server))
    try:
        reply = await llm.complete(
            LlmRequest(
                agent="cto",
                purpose="real_model_plain",
                system="You answer in one short sentence.",
                messages=(LlmMessage("user", "Name one public cloud provider."),),
                max_tokens=24,
            )
        )
    finally:
        await llm.aclose()
    assert reply.text.strip()
    assert reply.model == "smollm2-135m"
    assert reply.usage.reported
    assert reply.usage.tokens_in > 0
    assert 0 < reply.usage.tokens_out <= 24
    assert reply.cost_usd is None, "a local model has no known price: unknown, never a guessed $0"
    usage = llm.usage()
    assert (usage.calls, usage.tokens_in, usage.tokens_out) == (
        1,
        reply.usage.tokens_in,
        reply.usage.tokens_out,
    )


async def test_structured_completion_is_valid_or_an_orderly_degradation(
    model_server: LocalModelServer,
) -> None:
    llm = build_llm(settings_for(model_server))
    request = LlmRequest(
        agent="cloud_engineer",
        purpose="real_model_structured",
        system="Pick the provider in the data that suits the workload and say why.",
        messages=(LlmMessage("user", "Which provider?"),),
        schema=Verdict,
        data={"providers": ["aws", "azure", "gcp"], "workload": "HIPAA patient records"},
        max_tokens=96,
    )
    try:
        outcome = await llm.complete_or_offline(request)
    finally:
        await llm.aclose()
    (record,) = llm.accountant.records
    if outcome.degraded is None:
        assert outcome.reply is not None
        assert isinstance(outcome.reply.parsed, Verdict)
        assert outcome.reply.structured_mode == "json_schema", "llama.cpp's server takes the JSON schema"
        assert record.outcome == "ok"
    else:
        assert isinstance(outcome.degraded, InvalidReply), outcome.degraded
        assert (record.outcome, record.reason) == (InvalidReply.code, outcome.degraded.message)


async def test_a_reply_cut_at_the_token_limit_is_an_invalid_reply(model_server: LocalModelServer) -> None:
    llm = build_llm(settings_for(model_server))
    request = LlmRequest(
        agent="security",
        purpose="real_model_truncated",
        system="Describe the risk.",
        messages=(LlmMessage("user", "Describe the risk of an unencrypted database."),),
        schema=Verdict,
        max_tokens=3,
    )
    try:
        outcome = await llm.complete_or_offline(request)
    finally:
        await llm.aclose()
    assert isinstance(outcome.degraded, InvalidReply)
    assert "cut off at the token limit" in outcome.degraded.message
    assert [(r.outcome, r.reason) for r in llm.accountant.records] == [
        (InvalidReply.code, outcome.degraded.message)
    ]


def test_full_assessment_with_the_real_model(model_server: LocalModelServer) -> None:
    settings = settings_for(model_server, agent_timeout_s=AGENT_TIMEOUT_S, agent_retries=0)
    before = server_counters(model_server)
    pipeline = build_pipeline(settings, Knowledge.load(), InMemoryEventBus(), llm=build_llm(settings))

    async def run() -> RunOutcome:
        try:
            return await pipeline.run(
                load_input_file(EXAMPLES / "healthtech-hipaa.yaml"), run_id="real-model"
            )
        finally:
            await pipeline.aclose()

    started = time.perf_counter()
    outcome = asyncio.run(run())
    wall_s = time.perf_counter() - started
    result = outcome.result
    after = server_counters(model_server)

    assert result.status is RunStatus.COMPLETED
    assert all(r.ok for r in result.agents.values()), "the LLM must never sink an agent's analysis"
    for name, agent in result.agents.items():
        narrative = agent.narrative
        assert narrative is not None, name
        assert narrative.text.strip(), name
        if narrative.source is NarrativeSource.LLM:
            assert narrative.model == "smollm2-135m"
            assert narrative.degraded is None
        else:
            assert narrative.degraded is not None, name
            assert narrative.degraded.startswith(DEGRADED_CODES), (name, narrative.degraded)
    usage = result.execution_metrics.llm
    assert (usage.provider, usage.model) == ("openai", "smollm2-135m")
    assert usage.calls == len(result.agents), "one call per agent: answered, failed or cut by its timeout"
    reached = after["prompt_tokens_total"] > before["prompt_tokens_total"] or after["requests_processing"] > 0
    assert reached, "no prompt of the run reached the model server"
    assert wall_s < AGENT_TIMEOUT_S + 60
