"""Bodies of the assessment, run, recommendation, report and chat routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from infra_mind.domain.outputs.chatbot import Citation
from infra_mind.domain.run_progress import AgentProgress

T = TypeVar("T")

RunStatusName = Literal["queued", "running", "completed", "partial", "failed", "cancelled"]
ModeName = Literal["parallel", "sequential"]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="items matching the filters, over every page")
    limit: int
    offset: int


class RunBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    status: RunStatusName
    mode: ModeName
    requested_at: datetime
    finished_at: datetime | None


class AssessmentSummary(BaseModel):
    id: str
    name: str
    version: int = Field(description="bumped by every change; send it as If-Match to update safely")
    created_at: datetime
    updated_at: datetime
    latest_run: RunBrief | None


class AssessmentOut(AssessmentSummary):
    input: dict[str, Any] = Field(description="the validated input, as stored")


class RunLinks(BaseModel):
    self: str
    events: str
    cancel: str
    rerun_failed: str
    recommendations: str
    reports: str


class RunAccepted(BaseModel):
    id: str
    assessment_id: str
    status: RunStatusName
    mode: ModeName
    rerun_of: str | None
    links: RunLinks


class RunOut(RunAccepted):
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    phase: str | None = Field(description="the phase running now, or the last one that ran")
    progress_pct: float = Field(ge=0, le=100)
    agents: list[AgentProgress]
    last_event_id: int = Field(description="the newest event's id; resume the stream after it")
    metrics: dict[str, Any] | None = Field(description="execution metrics, once the run has finished")


class CancelOut(BaseModel):
    id: str
    status: RunStatusName = Field(description="`running` while the run winds down; then `cancelled`")


class RecommendationOut(BaseModel):
    rank: int
    id: str
    key: str
    title: str
    category: str
    priority: str
    pillar: str
    agents: list[str]
    detail: dict[str, Any] = Field(description="the whole recommendation: evidence, costs, steps")


class ReportOut(BaseModel):
    kind: str
    format: str
    media_type: str
    size: int = Field(description="bytes")
    url: str


class ChatRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    run_id: str | None = Field(
        default=None, max_length=64, description="default: the assessment's latest finished run"
    )


class ChatMessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: Literal["user", "assistant"]
    text: str
    citations: list[dict[str, Any]]
    run_id: str | None
    created_at: datetime


class ChatReply(BaseModel):
    run_id: str
    question: str
    answer: str
    grounded: bool
    answered_by: Literal["retrieval", "llm"]
    citations: list[Citation]
    fallback_reason: str | None
