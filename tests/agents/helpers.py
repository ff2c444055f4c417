"""Helpers the agent tests share: a no-op progress callback and a run-an-agent shortcut."""

from __future__ import annotations

from typing import TypeVar

from infra_mind.agents.base import Agent, AgentReport
from infra_mind.domain.context import AssessmentContext

T = TypeVar("T")


async def quiet(pct: float, message: str) -> None:
    """A progress callback that ignores every update."""
    return None


async def run_agent(agent: Agent, ctx: AssessmentContext, output_type: type[T]) -> tuple[AgentReport, T]:
    """Run `agent` on `ctx` quietly and check its output is an `output_type`."""
    report = await agent.run(ctx, quiet)
    assert isinstance(report.output, output_type)
    return report, report.output
