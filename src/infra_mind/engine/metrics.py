"""Execution metrics computed from one run's measured timings."""

from __future__ import annotations

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.metrics import ExecutionMetrics, LlmCallCounts, LlmUsage
from infra_mind.llm import LlmAgentUsage, LlmClient, LlmRunUsage


def execution_metrics(
    mode: str,
    results: dict[str, AgentResult],
    phase_times: dict[str, float],
    total_time: float,
    llm: LlmUsage | None = None,
) -> ExecutionMetrics:
    agent_times = {name: round(r.duration_s, 6) for name, r in results.items()}
    total = len(results)
    completed = sum(r.ok for r in results.values())
    agents_wall = phase_times.get("agents", 0.0)
    sum_agent_time = sum(agent_times.values())
    started = {name: t for name, t in agent_times.items() if results[name].started_at is not None}
    return ExecutionMetrics(
        mode=mode,
        total_agents=total,
        completed_agents=completed,
        failed_agents=total - completed,
        success_rate=round(completed / total, 4) if total else 0.0,
        phase_times={name: round(t, 6) for name, t in phase_times.items()},
        agent_times=agent_times,
        sum_agent_time=round(sum_agent_time, 6),
        speedup_factor=round(sum_agent_time / agents_wall, 3) if agents_wall > 0 else None,
        critical_path_agent=max(started, key=lambda n: started[n]) if started else None,
        total_time=round(total_time, 6),
        llm=llm or LlmUsage(),
    )


def llm_usage(client: LlmClient) -> LlmUsage:
    """The run's LLM usage as the metrics report it: a total cost only when every call's price is known."""
    usage = client.usage()
    return LlmUsage(
        **_counts(usage).model_dump(),
        provider=client.provider.name,
        model=None if client.offline else client.provider.model,
        agents={name: _counts(agent) for name, agent in usage.agents.items()},
        budget_max_tokens=usage.budget_max_tokens,
        budget_max_usd=usage.budget_max_usd,
        budget_exhausted=usage.budget_exhausted,
    )


def _counts(usage: LlmRunUsage | LlmAgentUsage) -> LlmCallCounts:
    known = round(usage.cost_usd, 6)
    return LlmCallCounts(
        calls=usage.calls,
        cached_calls=usage.cached_calls,
        failed_calls=usage.failed_calls,
        refused_calls=usage.refused_calls,
        tokens_in=usage.tokens_in,
        tokens_out=usage.tokens_out,
        cost_usd=None if usage.unpriced_calls else known,
        known_cost_usd=known,
        unpriced_calls=usage.unpriced_calls,
    )
