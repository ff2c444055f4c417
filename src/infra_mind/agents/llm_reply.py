"""What an agent asks the LLM for, and how the reply is checked before any of it reaches the result.

The reply schema is deliberately lenient (plain strings where the domain has enums) so one bad item is
dropped with its reason instead of failing the whole reply; every item is then validated, capped and, for
recommendations, grounded in the catalog.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel, Field

from infra_mind.domain.agent_result import DroppedItem
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Level, Pillar
from infra_mind.domain.findings import Evidence, EvidenceKind, Priority, Recommendation
from infra_mind.domain.requirements import CloudProvider
from infra_mind.knowledge.grounding import CatalogReference, Grounding

MAX_NARRATIVE_CHARS = 3000
MAX_INSIGHTS = 5
MAX_INSIGHT_CHARS = 400
MAX_EXTRA_RECOMMENDATIONS = 3
MAX_TITLE_CHARS = 160
MAX_RATIONALE_CHARS = 800
MAX_ACTIONS = 5
MAX_ACTION_CHARS = 300
LLM_CONFIDENCE = 0.35
"""Below every rule-based recommendation's confidence: the model's proposal is grounded, not derived."""
LLM_CATEGORY = "llm_suggestion"

E = TypeVar("E", Pillar, Priority)


class ProposedRecommendation(BaseModel):
    title: str = Field(description=f"what to do, at most {MAX_TITLE_CHARS} characters")
    rationale: str = Field(description="why, using only facts from the findings data")
    actions: list[str] = Field(description=f"1 to {MAX_ACTIONS} concrete steps")
    pillar: str = Field(description=", ".join(p.value for p in Pillar))
    priority: str = Field(description=", ".join(p.value for p in Priority))
    provider: str = Field(description="aws, azure or gcp")
    service: str | None = Field(default=None, description="a service name of that provider, or null")
    sku: str | None = Field(default=None, description="an instance type or service SKU, or null")
    region: str | None = Field(default=None, description="one of the allowed regions in the data, or null")


class AgentInsightReply(BaseModel):
    narrative: str = Field(description="a few paragraphs explaining the findings for a technical reader")
    insights: list[str] = Field(
        default_factory=list, description=f"at most {MAX_INSIGHTS} observations the findings imply"
    )
    extra_recommendations: list[ProposedRecommendation] = Field(
        default_factory=list,
        description=f"at most {MAX_EXTRA_RECOMMENDATIONS}, each naming a real provider service or SKU",
    )


@dataclass
class CheckedReply:
    narrative: str
    insights: list[str]
    recommendations: list[Recommendation]
    dropped: list[DroppedItem] = field(default_factory=list)


def check_reply(
    reply: AgentInsightReply, *, agent: str, model: str, ctx: AssessmentContext, grounding: Grounding
) -> CheckedReply:
    dropped: list[DroppedItem] = []
    narrative = plain(reply.narrative, keep_lines=True)
    if len(narrative) > MAX_NARRATIVE_CHARS:
        dropped.append(
            DroppedItem(
                kind="narrative",
                item=_short(narrative[MAX_NARRATIVE_CHARS:]),
                reason=(f"the narrative was cut at {MAX_NARRATIVE_CHARS} characters"),
            )
        )
        narrative = narrative[:MAX_NARRATIVE_CHARS].rstrip() + " …"
    insights: list[str] = []
    for raw in reply.insights:
        text = plain(raw)
        reason = _insight_problem(text, len(insights))
        if reason:
            dropped.append(DroppedItem(kind="insight", item=_short(text), reason=reason))
        else:
            insights.append(text)
    recommendations: list[Recommendation] = []
    for proposal in reply.extra_recommendations:
        outcome = _recommendation(proposal, agent, model, len(recommendations) + 1, ctx, grounding)
        if isinstance(outcome, Recommendation) and len(recommendations) < MAX_EXTRA_RECOMMENDATIONS:
            recommendations.append(outcome)
            continue
        reason = outcome if isinstance(outcome, str) else f"over the cap of {MAX_EXTRA_RECOMMENDATIONS}"
        dropped.append(DroppedItem(kind="extra_recommendation", item=_describe(proposal), reason=reason))
    return CheckedReply(narrative, insights, recommendations, dropped)


def _insight_problem(text: str, accepted: int) -> str | None:
    if not text:
        return "empty"
    if len(text) > MAX_INSIGHT_CHARS:
        return f"longer than {MAX_INSIGHT_CHARS} characters"
    if accepted >= MAX_INSIGHTS:
        return f"over the cap of {MAX_INSIGHTS}"
    return None


def _recommendation(
    p: ProposedRecommendation, agent: str, model: str, n: int, ctx: AssessmentContext, grounding: Grounding
) -> Recommendation | str:
    """The proposal as a Recommendation, or why it is dropped."""
    ref = CatalogReference(
        provider=plain(p.provider).casefold(),
        service=plain(p.service or "") or None,
        sku=plain(p.sku or "") or None,
        region=plain(p.region or "").casefold() or None,
    )
    problem = _reference_problem(ref, ctx, grounding)
    if problem:
        return problem
    title, rationale = plain(p.title), plain(p.rationale)
    actions = [a for a in (plain(a) for a in p.actions) if a][:MAX_ACTIONS]
    if not title or len(title) > MAX_TITLE_CHARS:
        return f"the title must have 1 to {MAX_TITLE_CHARS} characters"
    if not rationale or not actions:
        return "no rationale or no actions"
    if any(len(a) > MAX_ACTION_CHARS for a in actions) or len(rationale) > MAX_RATIONALE_CHARS:
        return "rationale or an action is too long"
    pillar, priority = _enum(Pillar, p.pillar), _enum(Priority, p.priority)
    if pillar is None or priority is None:
        return f"unknown pillar {p.pillar!r} or priority {p.priority!r}"
    return Recommendation(
        id=f"{agent}-llm-{n}",
        key=f"llm:{ref}".casefold(),
        title=title,
        category=LLM_CATEGORY,
        pillar=pillar,
        priority=priority,
        risk=Level.LOW,
        impact=2,
        effort=3,
        confidence=LLM_CONFIDENCE,
        rationale=rationale,
        actions=actions,
        agents=[agent],
        evidence=[
            Evidence(
                kind=EvidenceKind.DERIVED,
                ref=f"llm:{model}",
                detail=(
                    f"Proposed by the LLM ({model}) from the {agent} agent's findings; {ref} was checked "
                    "against the catalog. No figure of the model is used."
                ),
            )
        ],
        provider=ref.provider,
        services=[s for s in (ref.service, ref.sku) if s],
        regions=[ref.region] if ref.region else [],
    )


def _reference_problem(ref: CatalogReference, ctx: AssessmentContext, grounding: Grounding) -> str | None:
    if ref.service is None and ref.sku is None:
        return "names no service or SKU, so it cannot be checked against the catalog"
    problem = grounding.check(ref)
    if problem:
        return f"not in the catalog: {problem}"
    allowed = ctx.constraints.allowed_regions.get(CloudProvider(ref.provider))
    if allowed is None:
        return f"{ref.provider} is not a provider this assessment allows"
    if ref.region is not None and ref.region not in allowed:
        return f"{ref.region} is not among the regions this assessment allows for {ref.provider}"
    return None


def _enum(kind: type[E], value: str) -> E | None:
    try:
        return kind(plain(value).casefold().replace(" ", "_"))
    except ValueError:
        return None


def plain(text: str, *, keep_lines: bool = False) -> str:
    """Model output as plain text: no control or invisible characters, whitespace collapsed."""
    visible = "".join(
        ch for ch in unicodedata.normalize("NFKC", text) if ch == "\n" or unicodedata.category(ch)[0] != "C"
    )
    if not keep_lines:
        return " ".join(visible.split())
    paragraphs = (" ".join(p.split()) for p in visible.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _describe(p: ProposedRecommendation) -> str:
    named = ":".join(x for x in (p.provider, p.service, p.sku) if x)
    return _short(f"{p.title} ({named}@{p.region})" if p.region else f"{p.title} ({named})")


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
