"""Progress events of one run, ordered by a per-run sequence number."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EventType(StrEnum):
    RUN_QUEUED = "run.queued"
    RUN_STARTED = "run.started"
    PHASE_STARTED = "phase.started"
    PHASE_COMPLETED = "phase.completed"
    AGENT_STARTED = "agent.started"
    AGENT_PROGRESS = "agent.progress"
    AGENT_RETRYING = "agent.retrying"
    AGENT_COMPLETED = "agent.completed"
    AGENT_FAILED = "agent.failed"
    AGENT_TIMED_OUT = "agent.timed_out"
    RUN_COMPLETED = "run.completed"
    RUN_FAILED = "run.failed"
    RUN_CANCELLED = "run.cancelled"


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    seq: int = Field(ge=1)
    type: EventType
    at: datetime
    agent: str | None = None
    phase: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
