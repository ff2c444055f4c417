"""Any OpenAI-compatible chat-completions server through the `openai` SDK, with our own retry loop, a
concurrency limit per provider instance and structured output that degrades to what the server supports."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import structlog
from openai import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncOpenAI,
    Omit,
)
from openai.types.chat import ChatCompletion

from infra_mind.llm.errors import InvalidReply, LlmError, LlmRateLimited, LlmTimeout, LlmUnavailable
from infra_mind.llm.provider import LlmReply, LlmRequest, TokenUsage
from infra_mind.llm.retry import BackoffPolicy, parse_retry_after
from infra_mind.llm.structured import parse_reply, schema_instruction, strict_schema

log = structlog.get_logger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429})
_MODE_WORDS = ("response_format", "json_schema", "json_object", "structured output")


class StructuredMode(StrEnum):
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    PROMPT = "prompt"
    """No response_format at all: the schema is only in the prompt, the reply is read tolerantly."""


_DOWNGRADE = {
    StructuredMode.JSON_SCHEMA: StructuredMode.JSON_OBJECT,
    StructuredMode.JSON_OBJECT: StructuredMode.PROMPT,
}


class OpenAiProvider:
    """One instance per configured server; it remembers which structured-output mode the server takes."""

    name = "openai"

    def __init__(
        self,
        client: AsyncOpenAI,
        *,
        model: str,
        max_concurrency: int,
        backoff: BackoffPolicy,
        attempt_timeout_s: float | None = None,
        send_api_key: bool = True,
        agent_header: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.model = model
        self._client = client
        self._backoff = backoff
        self._attempt_timeout_s = attempt_timeout_s
        """A hard bound on one attempt (the SDK's timeout bounds each network phase, not the whole call);
        waiting for a concurrency slot does not count."""
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._auth_headers: dict[str, Any] = {} if send_api_key else {"Authorization": Omit()}
        self._agent_header = agent_header
        """Names the calling agent per request, for a gateway's per-agent accounting or a mock server's
        per-agent latency profile."""
        self._sleep = sleep
        self._now = now
        self._rng = rng or random.Random()
        self._monotonic = monotonic
        self.structured_mode = StructuredMode.JSON_SCHEMA

    @property
    def cache_scope(self) -> str:
        return f"{self.model}@{urlsplit(str(self._client.base_url)).netloc}"

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, request: LlmRequest) -> LlmReply:
        started = self._monotonic()
        mode = self.structured_mode if request.schema is not None else None
        attempts = retries = 0
        reasked = False
        while True:
            attempts += 1
            try:
                completion = await self._send(request, mode)
            except APIStatusError as exc:
                if mode is not None and _rejects_structured_output(exc):
                    mode = self._downgrade(mode, f"HTTP {exc.status_code}: {_message(exc)}", attempts)
                    continue
                wait = self._status_wait(exc, retries, attempts)
            except (APITimeoutError, TimeoutError) as exc:
                wait = self._transient_wait(retries, attempts, LlmTimeout, "the call timed out", exc)
            except APIConnectionError as exc:
                reason = f"cannot reach the server: {_message(exc)}"
                wait = self._transient_wait(retries, attempts, LlmUnavailable, reason, exc)
            except APIError as exc:
                raise LlmUnavailable(
                    f"unreadable answer from the server: {_message(exc)}", attempts=attempts
                ) from exc
            except ValueError as exc:
                reason = f"the response body is not valid JSON ({exc})"
                raise InvalidReply(reason, attempts=attempts) from exc
            else:
                try:
                    reply = self._reply(completion, request, mode, attempts, started)
                except InvalidReply as exc:
                    if reasked or attempts >= self._backoff.max_attempts:
                        raise
                    # A reply that fails its schema is often a one-off (a cut stream, a stray token):
                    # asking once more costs one call and saves the model's narrative.
                    reasked = True
                    log.warning(
                        "llm.call.reasking", agent=request.agent, attempt=attempts, reason=exc.message
                    )
                    continue
                if reply is not None:
                    return reply
                mode = self._downgrade(mode, "the reply was not JSON", attempts)
                continue
            retries += 1
            log.warning("llm.call.retrying", agent=request.agent, attempt=attempts, wait_s=round(wait, 3))
            await self._sleep(wait)

    async def _send(self, request: LlmRequest, mode: StructuredMode | None) -> ChatCompletion:
        system = request.system
        if request.schema is not None and mode in (StructuredMode.JSON_OBJECT, StructuredMode.PROMPT):
            system = f"{system}\n\n{schema_instruction(request.schema)}"
        messages: list[Any] = [{"role": "system", "content": system}]
        messages += [{"role": m.role, "content": m.content} for m in request.messages]
        options: dict[str, Any] = {}
        if request.max_tokens is not None:
            options["max_tokens"] = request.max_tokens
        if request.schema is not None and mode is StructuredMode.JSON_SCHEMA:
            options["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema.__name__,
                    "schema": strict_schema(request.schema),
                    "strict": True,
                },
            }
        elif mode is StructuredMode.JSON_OBJECT:
            options["response_format"] = {"type": "json_object"}
        async with self._semaphore, asyncio.timeout(self._attempt_timeout_s):
            completion: ChatCompletion = await self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=request.temperature,
                extra_headers=self._headers(request),
                **options,
            )
        return completion

    def _headers(self, request: LlmRequest) -> dict[str, Any] | None:
        headers = dict(self._auth_headers)
        if self._agent_header:
            headers[self._agent_header] = request.agent
        return headers or None

    def _reply(
        self,
        completion: ChatCompletion,
        request: LlmRequest,
        mode: StructuredMode | None,
        attempts: int,
        started: float,
    ) -> LlmReply | None:
        """The reply, or None when a json_schema answer is not JSON at all (the server ignored the format)."""
        if not completion.choices:
            raise InvalidReply("the server returned no choices", attempts=attempts)
        message = completion.choices[0].message
        text = message.content or ""
        if not text.strip():
            refusal = f": refused ({message.refusal})" if message.refusal else ""
            raise InvalidReply(f"empty reply{refusal}", attempts=attempts)
        parsed = None
        if request.schema is not None:
            try:
                parsed = parse_reply(text, request.schema)
            except InvalidReply as exc:
                if mode is StructuredMode.JSON_SCHEMA and "{" not in text:
                    return None
                cut = (
                    " (cut off at the token limit)" if completion.choices[0].finish_reason == "length" else ""
                )
                raise InvalidReply(exc.message + cut, attempts=attempts) from exc
        usage = completion.usage
        tokens = (
            TokenUsage(usage.prompt_tokens, usage.completion_tokens)
            if usage is not None
            else TokenUsage(reported=False)
        )
        latency = self._monotonic() - started
        log.info(
            "llm.call.completed",
            agent=request.agent,
            purpose=request.purpose,
            model=completion.model or self.model,
            attempts=attempts,
            tokens_in=tokens.tokens_in,
            tokens_out=tokens.tokens_out,
            latency_s=round(latency, 4),
        )
        return LlmReply(
            text=text,
            model=completion.model or self.model,
            usage=tokens,
            parsed=parsed,
            latency_s=latency,
            attempts=attempts,
            structured_mode=mode.value if mode is not None else None,
        )

    def _downgrade(self, mode: StructuredMode | None, reason: str, attempts: int) -> StructuredMode:
        lower = _DOWNGRADE.get(mode) if mode is not None else None
        if lower is None:
            raise InvalidReply(f"the server supports no structured output ({reason})", attempts=attempts)
        if self.structured_mode == mode:
            self.structured_mode = lower
            log.warning("llm.structured_output.downgraded", model=self.model, to=lower.value, reason=reason)
        return lower

    def _status_wait(self, exc: APIStatusError, retries: int, attempts: int) -> float:
        """Seconds to wait before retrying, or raises the typed error when the status is final, the
        attempts are spent, or the server asks for a longer wait than the policy allows."""
        status = exc.status_code
        detail = f"HTTP {status}: {_message(exc)}"
        retry_after = _retry_after(exc, self._now())
        if status == 429:
            error: LlmError = LlmRateLimited(
                f"rate limited ({detail})", attempts=attempts, retry_after_s=retry_after
            )
        elif status >= 500 or status in RETRYABLE_STATUS:
            error = LlmUnavailable(f"server error ({detail})", attempts=attempts)
        else:
            raise LlmUnavailable(f"the server refused the request ({detail})", attempts=attempts) from exc
        if attempts >= self._backoff.max_attempts or (
            retry_after is not None and retry_after > self._backoff.max_wait_s
        ):
            raise error from exc
        return retry_after if retry_after is not None else self._backoff.delay(retries + 1, self._rng)

    def _transient_wait(
        self, retries: int, attempts: int, kind: type[LlmUnavailable], reason: str, cause: Exception
    ) -> float:
        if attempts >= self._backoff.max_attempts:
            raise kind(f"{reason} (after {attempts} attempts)", attempts=attempts) from cause
        return self._backoff.delay(retries + 1, self._rng)


def _retry_after(exc: APIStatusError, now: datetime) -> float | None:
    headers = exc.response.headers
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"), now)


def _rejects_structured_output(exc: APIStatusError) -> bool:
    if exc.status_code not in (400, 422):
        return False
    text = f"{exc.message} {exc.body}".lower()
    return any(word in text for word in _MODE_WORDS)


def _message(exc: APIError) -> str:
    return exc.message[:300]
