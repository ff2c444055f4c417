"""Execution metrics computed from one run's measured timings."""

from __future__ import annotations

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.metrics import ExecutionMetrics


def execution_metrics(
    mode: str, results: dict[str, AgentResult], phase_times: dict[str, float], total_time: float
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
    )
