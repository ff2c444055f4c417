"""What agents get: safety, budget, cache, provider and accounting composed around one `complete`."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import structlog

from infra_mind.llm.accounting import Accountant, Budget, CallRecord, LlmRunUsage, Pricer
from infra_mind.llm.cache import CachedReply, LlmCache, cache_key
from infra_mind.llm.errors import InvalidReply, LlmError
from infra_mind.llm.offline_provider import OfflineProvider
from infra_mind.llm.provider import LlmProvider, LlmReply, LlmRequest, TokenUsage
from infra_mind.llm.safety import SafetyPolicy, prepare
from infra_mind.llm.structured import parse_reply

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class LlmOutcome:
    """A reply, and why it is the offline one when the model could not give a usable answer."""

    reply: LlmReply | None
    degraded: LlmError | None = None


class LlmClient:
    """Shares the provider (its concurrency limit and what it learnt about the server) and the cache
    across runs; accounting and the budget belong to one run: call `for_run()` at the start of each."""

    def __init__(
        self,
        provider: LlmProvider,
        *,
        pricer: Pricer | None = None,
        safety: SafetyPolicy | None = None,
        budget: Budget | None = None,
        cache: LlmCache | None = None,
        accountant: Accountant | None = None,
    ) -> None:
        self.provider = provider
        self._pricer = pricer or Pricer()
        self._safety = safety or SafetyPolicy()
        self._budget = budget or Budget()
        self._cache = cache
        self.accountant = accountant or Accountant(self._budget)

    @property
    def offline(self) -> bool:
        return isinstance(self.provider, OfflineProvider)

    def for_run(self) -> LlmClient:
        return LlmClient(
            self.provider, pricer=self._pricer, safety=self._safety, budget=self._budget, cache=self._cache
        )

    async def aclose(self) -> None:
        await self.provider.aclose()

    def usage(self) -> LlmRunUsage:
        return self.accountant.summary()

    async def complete(self, request: LlmRequest) -> LlmReply:
        """The reply, or a typed LlmError (recorded) for the caller to degrade on. A cached answer is
        served even after the budget is reached: it costs nothing."""
        prepared = prepare(request, self._safety)
        key = cache_key(self.provider.cache_scope, prepared) if self._cache is not None else None
        cached = self._from_cache(key, prepared)
        if cached is not None:
            self._record(request, cached)
            return cached
        self.accountant.ensure_budget(request.agent, request.purpose, self.provider.model)
        try:
            reply = await self.provider.complete(prepared)
        except LlmError as exc:
            log.warning("llm.call.failed", agent=request.agent, purpose=request.purpose, error=exc.code)
            self.accountant.record(
                CallRecord(
                    agent=request.agent,
                    purpose=request.purpose,
                    model=self.provider.model,
                    outcome=exc.code,
                    reason=exc.message,
                    attempts=exc.attempts,
                )
            )
            raise
        if not self.offline:
            reply = replace(reply, cost_usd=self._pricer.cost(reply.model, reply.usage))
        if key is not None and self._cache is not None:
            self._cache.put(key, _entry(reply))
        self._record(request, reply)
        return reply

    async def complete_or_offline(self, request: LlmRequest) -> LlmOutcome:
        """For agents: the model's reply, or on any LlmError the offline narrative with the error as the
        recorded reason (reply None only when the offline provider cannot fill the schema either)."""
        try:
            return LlmOutcome(await self.complete(request))
        except LlmError as exc:
            if self.offline:
                return LlmOutcome(None, exc)
            try:
                return LlmOutcome(await OfflineProvider().complete(request), exc)
            except InvalidReply:
                return LlmOutcome(None, exc)

    def _from_cache(self, key: str | None, request: LlmRequest) -> LlmReply | None:
        if key is None or self._cache is None:
            return None
        started = time.perf_counter()
        entry = self._cache.get(key)
        if entry is None:
            return None
        parsed = None
        if request.schema is not None:
            try:
                parsed = parse_reply(entry.text, request.schema)
            except InvalidReply:
                log.warning("llm.cache.stale_entry", agent=request.agent, key=key)
                return None
        return LlmReply(
            text=entry.text,
            model=entry.model,
            usage=TokenUsage(),
            parsed=parsed,
            cost_usd=0.0,
            latency_s=time.perf_counter() - started,
            cached=True,
            attempts=0,
            structured_mode=entry.structured_mode,
        )

    def _record(self, request: LlmRequest, reply: LlmReply) -> None:
        self.accountant.record(
            CallRecord(
                agent=request.agent,
                purpose=request.purpose,
                model=reply.model,
                outcome="ok",
                tokens_in=reply.usage.tokens_in,
                tokens_out=reply.usage.tokens_out,
                cost_usd=reply.cost_usd,
                cached=reply.cached,
                latency_s=reply.latency_s,
                attempts=reply.attempts,
            )
        )


def _entry(reply: LlmReply) -> CachedReply:
    return CachedReply(
        text=reply.text,
        model=reply.model,
        tokens_in=reply.usage.tokens_in,
        tokens_out=reply.usage.tokens_out,
        structured_mode=reply.structured_mode,
    )
