"""Execution metrics of one run: measured, never assumed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LlmUsage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0


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
