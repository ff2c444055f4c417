"""The Agent interface: a name, a timeout, a retry policy and `run(ctx) -> AgentReport`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Finding, Recommendation
from infra_mind.domain.outputs import AgentOutput

Progress = Callable[[float, str], Awaitable[None]]


class TransientAgentError(Exception):
    """A failure worth retrying: rate limits, dropped connections, 5xx from a dependency."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_s: float = 0.05
    multiplier: float = 2.0
    retry_on_timeout: bool = False

    def delay(self, attempt: int) -> float:
        return self.backoff_s * self.multiplier ** (attempt - 1)


@dataclass
class AgentReport:
    """What an agent's analysis produced; the orchestrator wraps it with status and timings."""

    summary: str
    findings: list[Finding] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    output: AgentOutput | None = None


class Agent(ABC):
    name: str
    timeout_s: float = 30.0
    retry: RetryPolicy = RetryPolicy()

    @abstractmethod
    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport: ...
