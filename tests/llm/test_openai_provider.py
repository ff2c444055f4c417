from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx2
import pytest
from pydantic import BaseModel

from infra_mind.llm.errors import InvalidReply, LlmRateLimited, LlmTimeout, LlmUnavailable
from infra_mind.llm.openai_provider import OpenAiProvider, StructuredMode
from infra_mind.llm.provider import LlmMessage, LlmRequest
from infra_mind.llm.retry import BackoffPolicy

from .conftest import RecordedSleeps
from .mock_openai import ScriptedServer, completion, error, ok

Build = Callable[..., OpenAiProvider]


class Narrative(BaseModel):
    narrative: str
    risks: list[str]


def ask(schema: type[BaseModel] | None = None) -> LlmRequest:
    return LlmRequest(
        agent="cto",
        purpose="narrative",
        system="You write the CTO section.",
        messages=(LlmMessage("user", "Summarise."),),
        schema=schema,
    )


async def test_success_returns_text_usage_and_model(make_provider: Build) -> None:
    server = ScriptedServer(ok("All good."))
    reply = await make_provider(server).complete(ask())

    assert reply.text == "All good."
    assert (reply.usage.tokens_in, reply.usage.tokens_out) == (10, 5)
    assert reply.model == "gpt-4o-mini-2024-07-18"
    assert reply.attempts == 1
    assert not reply.cached
    body = server.bodies[0]
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"][0] == {"role": "system", "content": "You write the CTO section."}
    assert "response_format" not in body
    assert server.requests[0].headers["authorization"] == "Bearer sk-test"


async def test_missing_usage_is_unknown_not_zero(make_provider: Build) -> None:
    reply = await make_provider(ScriptedServer(ok("x", usage=False))).complete(ask())

    assert not reply.usage.reported


async def test_429_waits_for_retry_after_seconds(make_provider: Build, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer(error(429, "slow down", {"retry-after": "2"}), ok("done"))
    reply = await make_provider(server).complete(ask())

    assert reply.text == "done"
    assert reply.attempts == 2
    assert sleeps.waits == [2.0]


async def test_429_retry_after_as_http_date(make_provider: Build, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer(
        error(429, "slow down", {"retry-after": "Sun, 29 Nov 2026 12:00:03 GMT"}), ok("x")
    )
    await make_provider(server).complete(ask())

    assert sleeps.waits == [3.0]


async def test_retry_after_longer_than_allowed_gives_up(make_provider: Build, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer(error(429, "quota", {"retry-after": "600"}))
    with pytest.raises(LlmRateLimited) as caught:
        await make_provider(server).complete(ask())

    assert caught.value.retry_after_s == 600
    assert caught.value.attempts == 1
    assert sleeps.waits == []


async def test_429_until_attempts_run_out(make_provider: Build) -> None:
    server = ScriptedServer(error(429, "slow down"))
    with pytest.raises(LlmRateLimited) as caught:
        await make_provider(server).complete(ask())

    assert caught.value.attempts == 3
    assert len(server.requests) == 3


async def test_500_then_success_backs_off_with_jitter(make_provider: Build, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer(error(500, "boom"), error(503, "busy"), ok("recovered"))
    reply = await make_provider(server).complete(ask())

    assert reply.text == "recovered"
    assert reply.attempts == 3
    first, second = sleeps.waits
    assert 0.25 <= first <= 0.5
    assert 0.5 <= second <= 1.0


async def test_server_errors_exhaust_attempts(make_provider: Build) -> None:
    server = ScriptedServer(error(502, "bad gateway"))
    with pytest.raises(LlmUnavailable, match="HTTP 502"):
        await make_provider(server).complete(ask())

    assert len(server.requests) == 3


async def test_timeout_is_retried_then_typed(make_provider: Build) -> None:
    server = ScriptedServer(httpx2.ReadTimeout("read timed out"))
    with pytest.raises(LlmTimeout) as caught:
        await make_provider(server).complete(ask())

    assert caught.value.attempts == 3
    assert caught.value.code == "llm_timeout"


async def test_timeout_then_success(make_provider: Build) -> None:
    server = ScriptedServer(httpx2.ReadTimeout("read timed out"), ok("late but fine"))
    reply = await make_provider(server).complete(ask())

    assert reply.attempts == 2


async def test_connection_error_is_unavailable(make_provider: Build) -> None:
    server = ScriptedServer(httpx2.ConnectError("connection refused"))
    with pytest.raises(LlmUnavailable, match="cannot reach the server") as caught:
        await make_provider(server).complete(ask())

    assert not isinstance(caught.value, LlmTimeout)
    assert len(server.requests) == 3


async def test_auth_error_is_not_retried(make_provider: Build) -> None:
    server = ScriptedServer(error(401, "invalid api key"))
    with pytest.raises(LlmUnavailable, match="HTTP 401"):
        await make_provider(server).complete(ask())

    assert len(server.requests) == 1


async def test_no_retries_when_policy_allows_one_attempt(make_provider: Build) -> None:
    server = ScriptedServer(error(500, "boom"))
    with pytest.raises(LlmUnavailable):
        await make_provider(server, backoff=BackoffPolicy(max_attempts=1)).complete(ask())

    assert len(server.requests) == 1


async def test_unreadable_body_is_invalid_reply(make_provider: Build) -> None:
    server = ScriptedServer(
        httpx2.Response(200, content=b'{"id": "x", "choi', headers={"content-type": "application/json"})
    )
    with pytest.raises(InvalidReply, match="not valid JSON"):
        await make_provider(server).complete(ask())


async def test_json_schema_is_sent_strict_and_reply_validated(make_provider: Build) -> None:
    server = ScriptedServer(ok('{"narrative": "Fine.", "risks": ["vendor lock-in"]}'))
    reply = await make_provider(server).complete(ask(Narrative))

    assert reply.parsed == Narrative(narrative="Fine.", risks=["vendor lock-in"])
    assert reply.structured_mode == "json_schema"
    response_format = server.bodies[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["schema"]["additionalProperties"] is False


async def test_json_schema_rejected_falls_back_to_json_object_and_remembers(make_provider: Build) -> None:
    rejected = error(400, "Unsupported parameter: 'response_format.type' json_schema is not supported")
    answer = ok('{"narrative": "Fine.", "risks": []}')
    server = ScriptedServer(rejected, answer, answer)
    provider = make_provider(server)

    first = await provider.complete(ask(Narrative))
    second = await provider.complete(ask(Narrative))

    assert first.parsed == second.parsed == Narrative(narrative="Fine.", risks=[])
    assert first.structured_mode == second.structured_mode == "json_object"
    assert provider.structured_mode is StructuredMode.JSON_OBJECT
    formats = [body.get("response_format", {}).get("type") for body in server.bodies]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert "JSON schema" in server.bodies[1]["messages"][0]["content"]


async def test_non_json_reply_under_json_schema_falls_back(make_provider: Build) -> None:
    server = ScriptedServer(
        ok("Sure! Here is the narrative."), ok('```json\n{"narrative": "N", "risks": []}\n```')
    )
    provider = make_provider(server)
    reply = await provider.complete(ask(Narrative))

    assert reply.parsed == Narrative(narrative="N", risks=[])
    assert provider.structured_mode is StructuredMode.JSON_OBJECT


async def test_json_object_rejected_falls_back_to_prompt_only(make_provider: Build) -> None:
    server = ScriptedServer(
        error(400, "response_format json_schema unsupported"),
        error(400, "response_format of type json_object is not supported by this model"),
        ok('Answer: {"narrative": "N", "risks": ["a"]} hope this helps'),
    )
    provider = make_provider(server)
    reply = await provider.complete(ask(Narrative))

    assert reply.parsed == Narrative(narrative="N", risks=["a"])
    assert provider.structured_mode is StructuredMode.PROMPT
    assert "response_format" not in server.bodies[2]


async def test_malformed_json_is_invalid_reply(make_provider: Build) -> None:
    provider = make_provider(ScriptedServer(ok('{"narrative": "N", "risks": [')))
    provider.structured_mode = StructuredMode.JSON_OBJECT
    with pytest.raises(InvalidReply, match="no JSON object"):
        await provider.complete(ask(Narrative))


async def test_an_invalid_reply_is_asked_again_once(make_provider: Build) -> None:
    server = ScriptedServer(ok('{"narrative": "N", "risks": ['), ok('{"narrative": "N", "risks": ["a"]}'))
    reply = await make_provider(server).complete(ask(Narrative))

    assert reply.parsed == Narrative(narrative="N", risks=["a"])
    assert reply.attempts == 2
    assert len(server.bodies) == 2


async def test_a_second_invalid_reply_is_final(make_provider: Build) -> None:
    server = ScriptedServer(
        ok('{"narrative": 42}'), ok('{"narrative": 43}'), ok('{"narrative": "N", "risks": []}')
    )
    with pytest.raises(InvalidReply) as caught:
        await make_provider(server).complete(ask(Narrative))

    assert caught.value.attempts == 2
    assert len(server.bodies) == 2


async def test_schema_mismatch_is_invalid_reply_with_reason(make_provider: Build) -> None:
    provider = make_provider(ScriptedServer(ok('{"narrative": 42}')))
    with pytest.raises(InvalidReply) as caught:
        await provider.complete(ask(Narrative))

    assert "narrative" in caught.value.message
    assert "risks" in caught.value.message
    assert provider.structured_mode is StructuredMode.JSON_SCHEMA


async def test_empty_reply_is_invalid(make_provider: Build) -> None:
    with pytest.raises(InvalidReply, match="empty reply"):
        await make_provider(ScriptedServer(ok(None))).complete(ask())


async def test_concurrency_limit_is_honoured(make_provider: Build) -> None:
    server = ScriptedServer(ok("x"), delay_s=0.02)
    provider = make_provider(server, max_concurrency=2)
    replies = await asyncio.gather(*(provider.complete(ask()) for _ in range(7)))

    assert len(replies) == 7
    assert server.peak_in_flight == 2


async def test_retry_wait_does_not_hold_a_concurrency_slot(make_provider: Build) -> None:
    gate = asyncio.Event()

    class GatedSleeps:
        async def __call__(self, seconds: float) -> None:
            await gate.wait()

    server = ScriptedServer(error(503, "busy"), ok("second"), ok("first retried"))
    provider = make_provider(server, max_concurrency=1)
    provider._sleep = GatedSleeps()
    waiting = asyncio.create_task(provider.complete(ask()))
    await asyncio.sleep(0.01)
    other = await provider.complete(ask())
    gate.set()
    retried = await waiting

    assert (other.text, retried.text) == ("second", "first retried")


async def test_retry_after_ms_is_honoured(make_provider: Build, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer(error(429, "slow down", {"retry-after-ms": "250", "retry-after": "1"}), ok("x"))
    await make_provider(server).complete(ask())

    assert sleeps.waits == [0.25]


async def test_503_with_retry_after_is_honoured(make_provider: Build, sleeps: RecordedSleeps) -> None:
    server = ScriptedServer(error(503, "warming up", {"retry-after": "4"}), ok("x"))
    await make_provider(server).complete(ask())

    assert sleeps.waits == [4.0]


async def test_slow_attempt_hits_the_hard_timeout(make_provider: Build) -> None:
    server = ScriptedServer(ok("too late"), delay_s=0.5)
    provider = make_provider(server, attempt_timeout_s=0.02, backoff=BackoffPolicy(max_attempts=2))

    with pytest.raises(LlmTimeout) as caught:
        await provider.complete(ask())

    assert caught.value.attempts == 2


async def test_waiting_for_a_slot_does_not_count_against_the_timeout(make_provider: Build) -> None:
    server = ScriptedServer(ok("x"), delay_s=0.03)
    provider = make_provider(server, max_concurrency=1, attempt_timeout_s=0.2)

    replies = await asyncio.gather(*(provider.complete(ask()) for _ in range(10)))

    assert all(reply.attempts == 1 for reply in replies)


async def test_cut_off_json_is_invalid_and_keeps_json_schema(make_provider: Build) -> None:
    body = completion('{"narrative": "The plan', tokens_out=64)
    body["choices"][0]["finish_reason"] = "length"
    provider = make_provider(ScriptedServer(httpx2.Response(200, json=body)))

    with pytest.raises(InvalidReply, match="cut off at the token limit"):
        await provider.complete(ask(Narrative))

    assert provider.structured_mode is StructuredMode.JSON_SCHEMA


async def test_aclose_closes_the_http_client(make_provider: Build) -> None:
    server = ScriptedServer(ok("x"))
    provider = make_provider(server)
    await provider.complete(ask())
    await provider.aclose()

    assert provider._client.is_closed()
