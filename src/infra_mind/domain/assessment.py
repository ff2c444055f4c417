"""The whole result of one run: the contract of assessment.json."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.context import Constraints, DefaultedField, InputWarning
from infra_mind.domain.findings import Recommendation
from infra_mind.domain.grounding import GroundingIssue
from infra_mind.domain.metrics import ExecutionMetrics
from infra_mind.domain.services import ComplianceScores, CostModel


class RunStatus(StrEnum):
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ValidationSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    warnings: list[InputWarning]
    defaults: list[DefaultedField] = Field(
        default_factory=list, description="fields the input did not give whose defaults feed the plan"
    )
    constraints: Constraints
    grounding: list[GroundingIssue] = Field(
        default_factory=list, description="citations of the agents that the catalog could not confirm"
    )


class ReportRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    format: str
    path: str


class AssessmentResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assessment_id: str
    status: RunStatus
    quorum: dict[str, Any]
    validation: ValidationSummary
    agents: dict[str, AgentResult]
    recommendations: list[Recommendation]
    cost_model: CostModel | None
    compliance: ComplianceScores | None
    reports: list[ReportRef] = Field(default_factory=list)
    execution_metrics: ExecutionMetrics
