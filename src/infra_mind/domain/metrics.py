"""Execution metrics of one run: measured, never assumed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LlmCallCounts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: int = Field(default=0, description="calls started: answered, from the cache, or failed")
    cached_calls: int = 0
    failed_calls: int = 0
    refused_calls: int = Field(default=0, description="calls not started because the budget was reached")
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float | None = Field(
        default=0, description="USD; None when a call's price is unknown (then see known_cost_usd)"
    )
    known_cost_usd: float = Field(default=0, description="sum of the costs that are known: a lower bound")
    unpriced_calls: int = 0


class LlmUsage(LlmCallCounts):
    """The run's LLM calls (one client per run); all zero offline, where no model is called."""

    provider: str = "offline"
    model: str | None = None
    agents: dict[str, LlmCallCounts] = Field(default_factory=dict)
    budget_max_tokens: int | None = None
    budget_max_usd: float | None = None
    budget_exhausted: str | None = Field(default=None, description="why the budget stopped calls, if it did")


class ExecutionMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: str
    total_agents: int
    completed_agents: int
    failed_agents: int
    success_rate: float = Field(ge=0, le=1)
    phase_times: dict[str, float]
    agent_times: dict[str, float]
    sum_agent_time: float = Field(description="what a sequential run of the same agents would cost")
    speedup_factor: float | None = Field(description="sum_agent_time ÷ agent phase wall time")
    critical_path_agent: str | None
    total_time: float
    llm: LlmUsage = Field(default_factory=LlmUsage)
