"""What every agent returns. Failures, timeouts and cancellations are data, never exceptions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from infra_mind.domain.findings import Finding, Recommendation
from infra_mind.domain.outputs import AgentOutput


class AgentStatus(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


class AgentError(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str
    message: str
    transient: bool = False


class AgentResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent: str
    status: AgentStatus
    attempts: int = Field(ge=0)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_s: float = Field(default=0, ge=0)
    error: AgentError | None = None
    summary: str = ""
    findings: list[Finding] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    output: AgentOutput | None = None

    @property
    def ok(self) -> bool:
        return self.status is AgentStatus.COMPLETED
