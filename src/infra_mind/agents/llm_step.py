"""The one LLM step every agent gets: after its deterministic analysis, the run's LlmClient is asked for a
narrative, insights and extra recommendations from the agent's structured findings. The reply is checked
(llm_reply.py); any LLM failure, or the agent's timeout running out, degrades to the offline narrative,
never the analysis. Offline (the default) the narrative is written from templates, without the client."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import structlog

from infra_mind.agents.base import AgentReport, Progress
from infra_mind.agents.llm_reply import (
    MAX_EXTRA_RECOMMENDATIONS,
    MAX_INSIGHTS,
    AgentInsightReply,
    CheckedReply,
    check_reply,
)
from infra_mind.domain.agent_result import AgentNarrative, NarrativeSource
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Recommendation
from infra_mind.domain.requirements import AssessmentInput
from infra_mind.knowledge.grounding import Grounding
from infra_mind.llm import CallRecord, LlmClient, LlmError, LlmMessage, LlmRequest
from infra_mind.llm.offline_provider import render_narrative

log = structlog.get_logger()

PURPOSE = "agent_narrative"
MAX_SENT_ITEMS = 25
"""Findings and recommendations sent per agent: enough to explain, bounded so the prompt stays small."""
OFFLINE_DETAIL_CHARS = 160
"""The offline narrative is an overview: the full detail of each finding is in its report section."""
TITLES = {"cto": "CTO", "mlops": "MLOps", "ai_consultant": "AI consultant"}

SYSTEM_PROMPT = (
    "You are the {agent} specialist of Infra Mind, a cloud infrastructure assessment. The deterministic "
    "analysis is done; its findings are in the data. Explain them for a technical reader in a few short "
    "paragraphs, add at most {insights} insights the findings imply, and at most {extra} extra "
    "recommendations the rules missed. Each extra recommendation names a real provider (aws, azure or "
    "gcp) and a service name or SKU of it, and a region only from allowed_regions in the data; it is "
    "checked against the catalog and dropped when anything it names does not exist. Use only figures "
    "present in the data: never invent prices, SKUs or regions. Reply in the JSON schema given."
)
TASK = "Write the narrative, insights and extra recommendations for the findings in the data blocks."


@dataclass(frozen=True)
class Enrichment:
    narrative: AgentNarrative
    recommendations: list[Recommendation] = field(default_factory=list)


class LlmStep:
    """One run's LLM step: the run's client, its context and the input's free text."""

    def __init__(self, llm: LlmClient, grounding: Grounding, ctx: AssessmentContext) -> None:
        self._llm = llm
        self._grounding = grounding
        self._ctx = ctx
        self._untrusted = free_text(ctx.requirements)

    async def enrich(
        self, agent: str, report: AgentReport, time_left_s: float, progress: Progress | None = None
    ) -> Enrichment:
        data = findings_data(agent, report, self._ctx)
        offline = offline_narrative(agent, data)
        if self._llm.offline:
            return Enrichment(AgentNarrative(text=offline, source=NarrativeSource.OFFLINE))
        if progress is not None:
            await progress(95, "asking the LLM for the narrative")
        started = time.perf_counter()
        try:
            async with asyncio.timeout(max(time_left_s, 0.0)):
                outcome = await self._llm.complete_or_offline(self._request(agent, data))
        except TimeoutError:
            spent = time.perf_counter() - started
            reason = f"the agent's timeout ran out during the LLM step (after {spent:.3f} s)"
            self._record_timeout(agent, reason)
            return self._degraded(agent, offline, f"agent_timeout: {reason}")
        except Exception as exc:  # a bug in the step must not sink an analysis that already completed
            log.exception("agent.llm_step.crashed", agent=agent)
            return self._degraded(agent, offline, f"internal_error: {exc!r}")
        if outcome.degraded is not None:
            return self._degraded(agent, offline, _reason(outcome.degraded))
        reply = outcome.reply
        if reply is None or not isinstance(reply.parsed, AgentInsightReply):
            return self._degraded(agent, offline, "llm_invalid_reply: no structured reply")
        checked = check_reply(
            reply.parsed, agent=agent, model=reply.model, ctx=self._ctx, grounding=self._grounding
        )
        if not checked.narrative:
            return self._degraded(agent, offline, "llm_invalid_reply: the narrative was empty", checked)
        for item in checked.dropped:
            log.info("agent.llm_step.dropped", agent=agent, kind=item.kind, reason=item.reason)
        narrative = AgentNarrative(
            text=checked.narrative,
            source=NarrativeSource.LLM,
            model=reply.model,
            insights=checked.insights,
            accepted_recommendations=[r.id for r in checked.recommendations],
            dropped=checked.dropped,
        )
        return Enrichment(narrative, checked.recommendations)

    def _request(self, agent: str, data: dict[str, Any]) -> LlmRequest:
        return LlmRequest(
            agent=agent,
            purpose=PURPOSE,
            system=SYSTEM_PROMPT.format(
                agent=agent.replace("_", " "), insights=MAX_INSIGHTS, extra=MAX_EXTRA_RECOMMENDATIONS
            ),
            messages=(LlmMessage("user", TASK),),
            schema=AgentInsightReply,
            data=data,
            untrusted=self._untrusted,
        )

    def _degraded(
        self, agent: str, offline: str, reason: str, checked: CheckedReply | None = None
    ) -> Enrichment:
        log.warning("agent.llm_step.degraded", agent=agent, reason=reason)
        narrative = AgentNarrative(
            text=offline,
            source=NarrativeSource.OFFLINE,
            degraded=reason,
            dropped=checked.dropped if checked else [],
        )
        return Enrichment(narrative)

    def _record_timeout(self, agent: str, reason: str) -> None:
        """A call cut off by the agent's timeout never reaches the client's own accounting."""
        self._llm.accountant.record(
            CallRecord(
                agent=agent,
                purpose=PURPOSE,
                model=self._llm.provider.model,
                outcome="agent_timeout",
                reason=reason,
            )
        )


def findings_data(agent: str, report: AgentReport, ctx: AssessmentContext) -> dict[str, Any]:
    """The agent's structured results as the model sees them (and as the offline narrative reads them)."""
    return {
        "title": TITLES.get(agent, agent.replace("_", " ").capitalize()),
        "summary": report.summary,
        "findings": [
            {"title": f.title, "detail": f.detail, "severity": f.severity.value}
            for f in report.findings[:MAX_SENT_ITEMS]
        ],
        "recommendations": [
            {
                "title": r.title,
                "rationale": r.rationale,
                "priority": r.priority.value,
                "provider": r.provider,
                "services": r.services,
                "regions": r.regions,
            }
            for r in report.recommendations[:MAX_SENT_ITEMS]
        ],
        "allowed_regions": {p.value: list(regions) for p, regions in ctx.constraints.allowed_regions.items()},
    }


def offline_narrative(agent: str, data: dict[str, Any]) -> str:
    brief = {
        **data,
        "findings": [{**f, "detail": _shortened(f["detail"])} for f in data["findings"]],
        "recommendations": [{**r, "rationale": _shortened(r["rationale"])} for r in data["recommendations"]],
    }
    return render_narrative(agent, brief)


def _shortened(text: str) -> str:
    if len(text) <= OFFLINE_DETAIL_CHARS:
        return text
    return text[:OFFLINE_DETAIL_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def free_text(spec: AssessmentInput) -> dict[str, str]:
    """The input's free text by field path: it reaches a prompt only as untrusted data."""
    fields = {"company.description": spec.company.description, "notes": spec.notes}
    fields |= {f"goals[{i}].description": g.description for i, g in enumerate(spec.goals)}
    fields |= {f"ai_ml.use_cases[{i}]": u for i, u in enumerate(spec.ai_ml.use_cases)}
    fields |= {
        f"current_infrastructure.services[{i}]": s for i, s in enumerate(spec.current_infrastructure.services)
    }
    return {name: text for name, text in fields.items() if text.strip()}


def _reason(error: LlmError) -> str:
    return f"{error.code}: {error.message}"
