"""In LLM mode, against the mock OpenAI-compatible server: every request the code sends keeps the input's
free text and the chat question inside `<data>` blocks, under the data rules of the system prompt, and
never in the system prompt or outside a block."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
from bench.mockllm import MockLlm

from infra_mind.agents.llm_step import free_text
from infra_mind.api.app import create_app
from infra_mind.api.nul_guard import NUL
from infra_mind.auth.passwords import PasswordHasher
from infra_mind.config import Settings, load_settings
from infra_mind.domain.input_rules import parse_input
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import build_llm
from infra_mind.llm.safety import DATA_RULES
from infra_mind.observability.metrics import Metrics
from infra_mind.store.db import Database

from ..api.conftest import JWT_SECRET, bearer, client_for, running, signed_in
from .injection import Injection, concrete_paths, corpus, dotted, free_text_templates, placement
from .test_prompt_injection import SEEDED_LISTS, injected

pytestmark = pytest.mark.security

DATA_BLOCK = re.compile(r'<data name="[^"<>]*"(?: format="json")?>\n.*?\n</data>', re.DOTALL)


@dataclass
class Recorder:
    """The chat-completion bodies an httpx2 client sends."""

    bodies: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, request: httpx2.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            self.bodies.append(json.loads(await request.aread()))

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(event_hooks={"request": [self]})


def llm_settings(mock: MockLlm, tmp_path: Path) -> dict[str, Any]:
    return {
        "llm_provider": "openai",
        "llm_base_url": mock.base_url,
        "llm_model": "mock-llm",
        "llm_retries": 0,
        "llm_cache_enabled": False,
        "llm_cache_dir": tmp_path / "llm-cache",
    }


def records_that_reach_prompts() -> list[Injection]:
    return [r for r in corpus() if NUL not in r.text]


def assert_user_text_stays_in_data(bodies: list[dict[str, Any]], records: list[Injection]) -> set[str]:
    """The probes found inside data blocks, after checking no probe is anywhere else."""
    assert bodies, "no request reached the model"
    inside: set[str] = set()
    for body in bodies:
        messages = body["messages"]
        system = [m["content"] for m in messages if m["role"] == "system"]
        assert len(system) == 1
        assert DATA_RULES in system[0]
        for message in messages:
            # the rules name the delimiters they explain
            content = message["content"].replace(DATA_RULES, "")
            outside = DATA_BLOCK.sub("", content)
            assert outside.count("<data") == outside.count("</data>") == 0, "a data block was broken open"
            for record in records:
                assert record.probe not in outside, (message["role"], record.id, outside[:500])
                if record.probe in content:
                    inside.add(record.id)
            for raw in ("<|im_start|>", "<script>", "<<SYS>>", "</data><"):
                assert raw not in content, (message["role"], raw)
    return inside


def test_agent_prompts_keep_the_inputs_free_text_in_data_blocks(
    mock_llm: MockLlm, knowledge: Knowledge, healthtech: dict[str, Any], tmp_path: Path
) -> None:
    records = records_that_reach_prompts()
    slots = concrete_paths(free_text_templates() - set(SEEDED_LISTS), healthtech)
    placed = placement(slots, records)
    attack = parse_input(injected(healthtech, slots, records))
    untrusted = {r.id for slot, texts in placed.items() if dotted(slot) in free_text(attack) for r in texts}
    recorder = Recorder()

    async def run() -> None:
        settings = load_settings(**llm_settings(mock_llm, tmp_path))
        llm = build_llm(settings, http_client=recorder.client())
        pipeline = build_pipeline(settings, knowledge, InMemoryEventBus(), llm=llm)
        try:
            await pipeline.run(attack, run_id="injected")
        finally:
            await pipeline.aclose()

    asyncio.run(run())
    inside = assert_user_text_stays_in_data(recorder.bodies, records)
    assert untrusted <= inside, f"the model never saw: {sorted(untrusted - inside)}"


async def test_chat_prompts_keep_the_question_in_a_data_block(
    mock_llm: MockLlm,
    db: Database,
    knowledge: Knowledge,
    cheap_passwords: PasswordHasher,
    healthtech: dict[str, Any],
    tmp_path: Path,
) -> None:
    records = records_that_reach_prompts()
    recorder = Recorder()
    settings = Settings(
        database_url=db.url,
        jwt_secret=JWT_SECRET,
        data_dir=tmp_path,
        report_formats=["json"],
        embedded_runner="thread",
    )
    model_settings = load_settings(**llm_settings(mock_llm, tmp_path))
    app = create_app(
        settings,
        database=db,
        metrics=Metrics(),
        passwords=cheap_passwords,
        knowledge=knowledge,
        llm=build_llm(model_settings, http_client=recorder.client()),
        migrate=False,
    )
    async with running(app), client_for(app) as api:
        auth = bearer((await signed_in(api, "ada@example.com"))["access_token"])
        assessment = (await api.post("/api/v1/assessments", json=healthtech, headers=auth)).json()
        run = (await api.post(f"/api/v1/assessments/{assessment['id']}/analyze", headers=auth)).json()
        (await api.get(run["links"]["events"], headers=auth)).raise_for_status()
        top = (await api.get(run["links"]["recommendations"], headers=auth)).json()["items"][0]
        grounded = f"{top['title']}: {top['detail']['rationale']}"
        answers = [
            await api.post(
                f"/api/v1/assessments/{assessment['id']}/chat",
                json={"question": f"{grounded}\n{r.text}"},
                headers=auth,
            )
            for r in records
        ]

    assert [a.status_code for a in answers] == [200] * len(records)
    # the model is asked only when the run's passages ground the question: a recommendation's own words do
    assert len(recorder.bodies) == len(records)
    assert assert_user_text_stays_in_data(recorder.bodies, records) == {r.id for r in records}
