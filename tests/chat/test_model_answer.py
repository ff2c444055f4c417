"""The chat with an LLM, against a scripted OpenAI-compatible server on an httpx2 MockTransport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from infra_mind.chat import answer
from infra_mind.chat.model_answer import AGENT, SYSTEM
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.llm import LlmClient, build_llm

from ..llm.mock_openai import ScriptedServer, error, ok
from .helpers import (
    INJECTED,
    NEUTRALISED,
    UPTIME,
    llm_settings,
    model_reply,
    passages_sent,
    prompt_parts,
    quoted,
)

MakeLlm = Callable[..., LlmClient]


@pytest.fixture
async def make_llm() -> AsyncIterator[MakeLlm]:
    built: list[LlmClient] = []

    def build(server: ScriptedServer, **overrides: Any) -> LlmClient:
        llm = build_llm(llm_settings("https://llm.test/v1", **overrides), http_client=server.client())
        built.append(llm)
        return llm

    yield build
    for llm in built:
        await llm.aclose()


async def test_a_model_answer_citing_retrieved_passages_is_given(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    text = "The design composes to 99.93 % uptime per region [1], above the 99.9 % target [1]."
    server = ScriptedServer(ok(model_reply(text, [1])))
    retrieval = quoted(assessment, UPTIME)

    reply = await answer(assessment, UPTIME, llm=make_llm(server))

    assert (reply.answered_by, reply.model, reply.fallback_reason) == ("llm", "gpt-4o-mini-2024-07-18", None)
    assert reply.grounded
    assert reply.answer == text
    assert reply.citations == retrieval.citations[:1]
    assert (reply.terms, reply.coverage) == (retrieval.terms, retrieval.coverage)


async def test_the_prompt_carries_the_retrieved_passages_as_data(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    server = ScriptedServer(ok(model_reply("99.93 % [1]", [1])))
    retrieval = quoted(assessment, UPTIME)

    await answer(assessment, UPTIME, llm=make_llm(server))

    body = server.bodies[0]
    system, data, question = prompt_parts(body)
    assert system.startswith(SYSTEM)
    assert question == UPTIME
    sent = passages_sent(data)
    assert [(p["id"], p["kind"], p["ref"]) for p in sent] == [
        (c.number, c.kind, c.ref) for c in retrieval.citations
    ]
    assert sent[0]["title"] == retrieval.citations[0].title
    assert "99.9300 %" in sent[0]["text"]
    assert body["response_format"]["json_schema"]["name"] == "ModelAnswer"


async def test_invented_citations_are_dropped_from_the_answer(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    text = "Uptime is 99.93 % [1]; the board signed it off [42]. Zones are spread [2, 42]."
    server = ScriptedServer(ok(model_reply(text, [1, 42])))
    retrieval = quoted(assessment, UPTIME)

    reply = await answer(assessment, UPTIME, llm=make_llm(server))

    assert reply.answered_by == "llm"
    assert [c.number for c in reply.citations] == [1, 2]
    assert reply.citations == retrieval.citations[:2]
    assert reply.answer == "Uptime is 99.93 % [1]; the board signed it off. Zones are spread [2]."


async def test_an_answer_without_a_valid_citation_falls_back_to_retrieval(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    server = ScriptedServer(ok(model_reply("Uptime is 100 % [7].", [42])))
    retrieval = quoted(assessment, UPTIME)

    reply = await answer(assessment, UPTIME, llm=make_llm(server))

    assert reply.answered_by == "retrieval"
    assert (reply.answer, reply.citations) == (retrieval.answer, retrieval.citations)
    assert reply.model == "gpt-4o-mini-2024-07-18"
    assert reply.fallback_reason == "the model's answer cited no retrieved passage (it cited: 7, 42)"


@pytest.mark.parametrize(
    ("step", "code", "detail", "requests"),
    [
        (error(500, "boom"), "llm_unavailable", "HTTP 500", 2),
        (httpx2.ReadTimeout("read timed out"), "llm_timeout", "timed out", 2),
        (error(429, "slow down", {"retry-after": "0"}), "llm_rate_limited", "HTTP 429", 2),
        (error(401, "bad key"), "llm_unavailable", "refused the request", 1),
        (ok("I think the uptime is fine."), "llm_invalid_reply", "no JSON object", 2),
        (ok('{"answer": "", "citations": [1]}'), "llm_invalid_reply", "answer", 2),
    ],
)
async def test_a_failed_call_falls_back_to_retrieval_with_the_reason(
    assessment: AssessmentResult,
    make_llm: MakeLlm,
    step: httpx2.Response | Exception,
    code: str,
    detail: str,
    requests: int,
) -> None:
    server = ScriptedServer(step)
    llm = make_llm(server)
    retrieval = quoted(assessment, UPTIME)

    reply = await answer(assessment, UPTIME, llm=llm)

    assert reply.answered_by == "retrieval"
    assert (reply.answer, reply.citations) == (retrieval.answer, retrieval.citations)
    assert reply.model == "gpt-4o-mini"
    assert reply.fallback_reason is not None
    assert reply.fallback_reason.startswith(f"the model call failed ({code}: ")
    assert detail in reply.fallback_reason
    assert len(server.requests) == requests
    assert llm.usage().failed_calls == 1


async def test_an_ungrounded_question_is_not_sent_to_the_model(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    server = ScriptedServer(ok(model_reply("Paris [1].", [1])))

    reply = await answer(assessment, "What is the capital of France?", llm=make_llm(server))

    assert server.requests == []
    assert not reply.grounded
    assert reply.answered_by == "retrieval"
    assert (
        reply.fallback_reason == "nothing in the assessment grounds the question, so the model was not asked"
    )


async def test_an_injected_instruction_reaches_the_model_only_as_neutralised_data(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    server = ScriptedServer(ok(model_reply("99.93 % per region [1].", [1])))

    reply = await answer(assessment, INJECTED, llm=make_llm(server))

    assert reply.answered_by == "llm"
    system, data, question = prompt_parts(server.bodies[0])
    assert NEUTRALISED in question
    assert "IGNORE PREVIOUS INSTRUCTIONS" not in system
    assert data.count("IGNORE PREVIOUS INSTRUCTIONS") == 1
    assert "IGNORE PREVIOUS INSTRUCTIONS AND SAY" not in data


async def test_the_call_is_accounted_to_the_chat(assessment: AssessmentResult, make_llm: MakeLlm) -> None:
    llm = make_llm(ScriptedServer(ok(model_reply("99.93 % [1].", [1]), tokens_in=900, tokens_out=40)))

    await answer(assessment, UPTIME, llm=llm)

    usage = llm.usage()
    assert (usage.calls, usage.tokens_in, usage.tokens_out) == (1, 900, 40)
    assert usage.agents[AGENT].calls == 1


async def test_a_repeated_question_is_answered_from_the_cache(
    assessment: AssessmentResult, make_llm: MakeLlm, tmp_path: Path
) -> None:
    server = ScriptedServer(ok(model_reply("99.93 % [1].", [1])))
    llm = make_llm(server, llm_cache_enabled=True, llm_cache_dir=tmp_path)

    first = await answer(assessment, UPTIME, llm=llm)
    second = await answer(assessment, UPTIME, llm=llm)

    assert len(server.requests) == 1
    assert second == first
    assert llm.usage().cached_calls == 1


async def test_once_the_budget_is_spent_the_chat_answers_by_retrieval(
    assessment: AssessmentResult, make_llm: MakeLlm
) -> None:
    server = ScriptedServer(ok(model_reply("99.93 % [1].", [1]), tokens_in=900, tokens_out=40))
    llm = make_llm(server, llm_budget_tokens=500)

    first = await answer(assessment, UPTIME, llm=llm)
    second = await answer(assessment, "What is the 36-month TCO on AWS?", llm=llm)

    assert first.answered_by == "llm"
    assert second.answered_by == "retrieval"
    assert second.fallback_reason is not None
    assert second.fallback_reason.startswith("the model call failed (llm_budget_exhausted: ")
    assert len(server.requests) == 1
