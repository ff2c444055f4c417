"""Scriptable agents for orchestrator tests: they wait, fail, hang or flake on command."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from infra_mind.agents.base import Agent, AgentReport, Progress, RetryPolicy, TransientAgentError
from infra_mind.domain.context import AssessmentContext


@dataclass
class Script:
    delay_s: float = 0.0
    fail_with: Exception | None = None
    transient_failures: int = 0
    hang: bool = False
    block_s: float = 0.0


class ScriptedAgent(Agent):
    def __init__(
        self,
        name: str,
        script: Script | None = None,
        *,
        timeout_s: float = 5.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.name = name
        self.script = script or Script()
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy(max_attempts=3, backoff_s=0.001)
        self.calls = 0

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        self.calls += 1
        await progress(10, "started")
        if self.script.hang:
            await asyncio.Event().wait()
        _burn_cpu(self.script.block_s)
        await asyncio.sleep(self.script.delay_s)
        if self.calls <= self.script.transient_failures:
            raise TransientAgentError(f"flaky dependency (call {self.calls})")
        if self.script.fail_with is not None:
            raise self.script.fail_with
        await progress(100, "done")
        return AgentReport(summary=f"{self.name} finished")


def _burn_cpu(seconds: float) -> None:
    """A CPU-bound step that never yields to the event loop."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
