"""Phase 4: compliance scoring per applicable framework, control by control.

Each control of the catalog is met now (its security controls are in place today), met by the design
(the compliance agent found the recommended design closes it) or a gap; every control not met today
names the ranked recommendations that close it.
"""

from __future__ import annotations

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework
from infra_mind.domain.findings import Recommendation
from infra_mind.domain.outputs import ComplianceOutput
from infra_mind.domain.outputs.compliance import FrameworkStatus
from infra_mind.domain.services import ComplianceScores, ControlScore, ControlStatus, FrameworkScore
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.compliance_models import ComplianceControl


def compliance_scores(
    results: dict[str, AgentResult],
    ctx: AssessmentContext,
    knowledge: Knowledge,
    recommendations: list[Recommendation],
) -> ComplianceScores | None:
    compliance = results.get("compliance")
    if compliance is None or not compliance.ok or not isinstance(compliance.output, ComplianceOutput):
        return None
    in_place = {c.value for c in ctx.requirements.security.existing_controls}
    rec_ids = {r.key: r.id for r in recommendations}
    frameworks = []
    for status in compliance.output.frameworks:
        controls = knowledge.controls(Framework(status.framework))
        detail = [_score(c, status, in_place, rec_ids) for c in controls]
        frameworks.append(_framework_score(status, detail))
    return ComplianceScores(frameworks=frameworks)


def _score(
    control: ComplianceControl, status: FrameworkStatus, in_place: set[str], rec_ids: dict[str, str]
) -> ControlScore:
    missing = [c.value for c in control.requires if c.value not in in_place]
    if control.requires and not missing:
        state = ControlStatus.MET_NOW
    elif control.control_id in status.closed_by_design:
        state = ControlStatus.MET_BY_DESIGN
    else:
        state = ControlStatus.GAP
    keys = [f"control:{c}" for c in missing] if missing else [f"compliance:{control.framework.value}"]
    closers = [] if state is ControlStatus.MET_NOW else [rec_ids[k] for k in keys if k in rec_ids]
    return ControlScore(
        control_id=control.control_id,
        title=control.title,
        severity=control.severity.value,
        status=state,
        missing_controls=missing,
        closed_by=closers,
    )


def _framework_score(status: FrameworkStatus, detail: list[ControlScore]) -> FrameworkScore:
    total = len(detail)
    met_now = sum(d.status is ControlStatus.MET_NOW for d in detail)
    by_design = met_now + sum(d.status is ControlStatus.MET_BY_DESIGN for d in detail)
    return FrameworkScore(
        framework=status.framework,
        controls=total,
        met_now=met_now,
        met_by_design=by_design,
        coverage_now_pct=round(100 * met_now / total, 1) if total else 100.0,
        coverage_by_design_pct=round(100 * by_design / total, 1) if total else 100.0,
        open_gaps=[d.control_id for d in detail if d.status is ControlStatus.GAP],
        detail=detail,
    )
