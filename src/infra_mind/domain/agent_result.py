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


class NarrativeSource(StrEnum):
    LLM = "llm"
    OFFLINE = "offline"


class DroppedItem(BaseModel):
    """Part of an LLM reply that did not reach the result, and why."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="extra_recommendation, insight or narrative")
    item: str = Field(description="what the model proposed, shortened")
    reason: str


class AgentNarrative(BaseModel):
    """The agent's prose: written by the LLM from the structured findings, or by the offline templates."""

    model_config = ConfigDict(extra="forbid")

    text: str
    source: NarrativeSource
    model: str | None = Field(default=None, description="the model that wrote it; None when offline")
    insights: list[str] = Field(default_factory=list)
    accepted_recommendations: list[str] = Field(
        default_factory=list, description="ids of the LLM's extra recommendations that passed validation"
    )
    degraded: str | None = Field(
        default=None, description="why the LLM's narrative was replaced by the offline one, if it was"
    )
    dropped: list[DroppedItem] = Field(default_factory=list)


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
    narrative: AgentNarrative | None = None

    @property
    def ok(self) -> bool:
        return self.status is AgentStatus.COMPLETED
