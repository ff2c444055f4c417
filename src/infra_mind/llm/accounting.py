"""Tokens and cost per call, aggregated per agent and per run, and the per-run budget checked before each
call. Cost comes from a configured price, else from genai-prices' bundled data, else it is unknown (None):
never a guessed $0."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from pydantic import BaseModel, ConfigDict, Field

from infra_mind.llm.errors import BudgetExhausted
from infra_mind.llm.provider import TokenUsage

if TYPE_CHECKING:
    from collections.abc import Callable

    from genai_prices.data_snapshot import DataSnapshot

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ConfiguredPrice:
    input_usd_per_mtok: float
    output_usd_per_mtok: float


class Pricer:
    """USD for one call of `model` on the server at `base_url`. genai-prices matches the server by its API
    URL, so a self-hosted server (localhost, a private host) has no list price and stays unknown."""

    def __init__(
        self,
        *,
        configured: ConfiguredPrice | None = None,
        snapshot: DataSnapshot | None = None,
        base_url: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._configured = configured
        self._snapshot = snapshot
        self._base_url = base_url
        self._now = now

    @classmethod
    def with_genai_prices(
        cls, *, configured: ConfiguredPrice | None = None, base_url: str | None = None
    ) -> Pricer:
        """Reads the snapshot bundled with the package, never its network updater."""
        from genai_prices.data import providers
        from genai_prices.data_snapshot import DataSnapshot

        snapshot = DataSnapshot(providers=providers, from_auto_update=False)
        return cls(configured=configured, snapshot=snapshot, base_url=base_url)

    def cost(self, model: str, usage: TokenUsage) -> float | None:
        if not usage.reported:
            return None
        if self._configured is not None:
            price = self._configured
            return (
                usage.tokens_in * price.input_usd_per_mtok + usage.tokens_out * price.output_usd_per_mtok
            ) / 1e6
        if self._snapshot is None:
            return None
        from genai_prices.types import Usage

        try:
            calculation = self._snapshot.calc(
                Usage(input_tokens=usage.tokens_in, output_tokens=usage.tokens_out),
                model,
                None,
                self._base_url,
                self._now(),
            )
        except LookupError:
            return None
        return float(calculation.total_price)


@dataclass(frozen=True)
class Budget:
    """Per run; None means no limit of that kind."""

    max_tokens: int | None = None
    max_usd: float | None = None


class _Summary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: int = Field(default=0, description="calls started: answered, from the cache, or failed")
    cached_calls: int = 0
    failed_calls: int = 0
    refused_calls: int = Field(default=0, description="calls not started because the budget was reached")
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = Field(default=0.0, description="sum of the known costs; see unpriced_calls")
    unpriced_calls: int = Field(
        default=0, description="answered calls whose cost is unknown: cost_usd is then a lower bound"
    )


class LlmAgentUsage(_Summary):
    pass


class LlmRunUsage(_Summary):
    agents: dict[str, LlmAgentUsage] = Field(default_factory=dict)
    budget_max_tokens: int | None = None
    budget_max_usd: float | None = None
    budget_exhausted: str | None = Field(default=None, description="why the budget stopped calls, if it did")


class CallRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agent: str
    purpose: str
    model: str
    outcome: str = Field(description="'ok', or the LlmError code")
    reason: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = None
    cached: bool = False
    latency_s: float = 0.0
    attempts: int = 0


class Accountant:
    """The LLM calls of one run."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._records: list[CallRecord] = []
        self._exhausted: str | None = None

    @property
    def records(self) -> tuple[CallRecord, ...]:
        return tuple(self._records)

    def ensure_budget(self, agent: str, purpose: str, model: str) -> None:
        """Raises BudgetExhausted (and records the refused call) when the run's budget is already reached."""
        reason = self._exhausted or self._budget_reached()
        if reason is None:
            return
        if self._exhausted is None:
            self._exhausted = reason
            log.warning("llm.budget.exhausted", agent=agent, reason=reason)
        error = BudgetExhausted(f"LLM budget of this run reached: {reason}")
        self.record(CallRecord(agent=agent, purpose=purpose, model=model, outcome=error.code, reason=reason))
        raise error

    def record(self, call: CallRecord) -> None:
        self._records.append(call)

    def summary(self) -> LlmRunUsage:
        per_agent: dict[str, LlmAgentUsage] = {}
        for call in self._records:
            _add(per_agent.setdefault(call.agent, LlmAgentUsage()), call)
        run = LlmRunUsage(
            agents=dict(sorted(per_agent.items())),
            budget_max_tokens=self.budget.max_tokens,
            budget_max_usd=self.budget.max_usd,
            budget_exhausted=self._exhausted,
        )
        for call in self._records:
            _add(run, call)
        return run

    def _budget_reached(self) -> str | None:
        tokens = sum(r.tokens_in + r.tokens_out for r in self._records)
        cost = sum(r.cost_usd or 0.0 for r in self._records)
        if self.budget.max_tokens is not None and tokens >= self.budget.max_tokens:
            return f"{tokens} tokens used of {self.budget.max_tokens}"
        if self.budget.max_usd is not None and cost >= self.budget.max_usd:
            return f"${cost:.4f} spent of ${self.budget.max_usd:.4f}"
        return None


def _add(summary: _Summary, call: CallRecord) -> None:
    if call.outcome == BudgetExhausted.code:
        summary.refused_calls += 1
        return
    summary.calls += 1
    summary.cached_calls += call.cached
    summary.failed_calls += call.outcome != "ok"
    summary.tokens_in += call.tokens_in
    summary.tokens_out += call.tokens_out
    if call.cost_usd is not None:
        summary.cost_usd += call.cost_usd
    elif call.outcome == "ok" and not call.cached:
        summary.unpriced_calls += 1
