"""chatbot: a BM25 index of the phase-1 context and suggested questions answered from it, with citations.

Agents run side by side, so this one cannot see the others' findings: it indexes what phase 1 knows. The
full chat searches the finished assessment (infra_mind.chat.answer, `infra-mind ask RUN_DIR "question"`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.chat.answer import answer_from
from infra_mind.chat.context import RegionsByCode
from infra_mind.chat.index import Bm25Index
from infra_mind.chat.requirements import context_passages
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, EvidenceKind, Finding, Severity
from infra_mind.domain.outputs.chatbot import ChatbotOutput, Citation, IndexStats, SuggestedQuestion
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider

SCOPE = (
    "phase-1 context: requirements, derived workload profile, constraints, applicable frameworks with "
    "their reasons, validation warnings and defaults. The finished assessment (findings, ranked "
    'recommendations, agent summaries) is searched by `infra-mind ask RUN_DIR "question"`.'
)


def _always(ctx: AssessmentContext) -> bool:
    return True


@dataclass(frozen=True)
class Topic:
    """A suggested question, kept only when its answer cites a passage of the kind (and ref) it is about."""

    name: str
    question: str
    kind: str
    ref: str = ""
    applies: Callable[[AssessmentContext], bool] = _always

    def cited_by(self, citation: Citation) -> bool:
        return citation.kind == self.kind and citation.ref.startswith(self.ref)


TOPICS = (
    Topic("frameworks", "Which compliance frameworks apply and why?", "framework"),
    Topic(
        "redundancy",
        "How many regions and availability zones are required and why?",
        "constraint",
        "constraints.zones_required",
    ),
    Topic("regions", "Which regions are allowed?", "constraint", "constraints.allowed_regions"),
    Topic(
        "budget", "What is the monthly budget ceiling?", "constraint", "constraints.budget_ceiling_usd_month"
    ),
    Topic("load", "What is the peak load and capacity?", "profile", "profile"),
    Topic("growth", "How are users projected to grow?", "requirement", "growth"),
    Topic("ai", "What AI or ML workloads are planned?", "requirement", "ai_ml"),
    Topic(
        "security", "Which security controls are required and which are in place?", "requirement", "security"
    ),
    Topic("defaults", "Which inputs were defaulted?", "default", applies=lambda ctx: bool(ctx.defaults)),
    Topic("warnings", "What did validation warn about?", "warning", applies=lambda ctx: bool(ctx.warnings)),
)

_EVIDENCE_KIND = {
    "requirement": EvidenceKind.INPUT,
    "default": EvidenceKind.INPUT,
    "warning": EvidenceKind.INPUT,
}


class ChatbotAgent(Agent):
    name = "chatbot"
    timeout_s = 20.0

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        index = Bm25Index(context_passages(ctx, self._regions(ctx)))
        await progress(50, f"indexed {index.size} passages, {index.vocabulary} terms")
        suggested, unanswered = _suggest(index, ctx)
        await progress(90, f"{len(suggested)} suggested questions answered")
        stats = IndexStats(
            passages=index.size,
            terms=index.vocabulary,
            tokens=index.tokens,
            by_kind=index.by_kind(),
            k1=index.k1,
            b=index.b,
        )
        findings = [_index_finding(index, stats), _suggested_finding(suggested)]
        if unanswered:
            findings.append(_unanswered_finding(unanswered))
        return AgentReport(
            summary=f"Indexed {index.size} passages of the phase-1 context ({index.vocabulary} terms); "
            f"{len(suggested)} suggested questions answered with citations. The full chat "
            '(infra-mind ask RUN_DIR "question") searches the finished assessment.',
            findings=findings,
            output=ChatbotOutput(index=stats, suggested=suggested, scope=SCOPE),
        )

    def _regions(self, ctx: AssessmentContext) -> RegionsByCode:
        return {
            (provider.value, code): region
            for provider, codes in ctx.constraints.allowed_regions.items()
            for code in codes
            if (region := self._k.region(Provider(provider.value), code)) is not None
        }


def _suggest(
    index: Bm25Index, ctx: AssessmentContext
) -> tuple[list[SuggestedQuestion], list[SuggestedQuestion]]:
    """Questions the context answers, and those it does not (kept with the reason)."""
    suggested, unanswered = [], []
    for topic in TOPICS:
        if not topic.applies(ctx):
            continue
        reply = answer_from(index, topic.question)
        question = SuggestedQuestion(topic=topic.name, answer=reply)
        if reply.grounded and any(topic.cited_by(c) for c in reply.citations):
            suggested.append(question)
        else:
            unanswered.append(question)
    return suggested, unanswered


def _index_finding(index: Bm25Index, stats: IndexStats) -> Finding:
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(stats.by_kind.items()))
    return Finding(
        id="chat-index",
        title=f"Phase-1 context indexed: {stats.passages} passages, {stats.terms} distinct terms",
        detail=f"passages by kind: {kinds}",
        evidence=[
            Evidence(
                kind=EvidenceKind.DERIVED,
                ref="index:phase1",
                detail=f"BM25 (k1 {stats.k1:g}, b {stats.b:g}) over {stats.passages} passages, "
                f"{stats.tokens} terms, {index.average_length:.1f} terms per passage on average",
            )
        ],
    )


def _suggested_finding(suggested: list[SuggestedQuestion]) -> Finding:
    citations = {c.ref: c for s in suggested for c in s.answer.citations}
    return Finding(
        id="chat-suggested-questions",
        title=f"{len(suggested)} suggested questions answered from the context",
        detail="; ".join(
            f"{s.answer.question} → {', '.join(c.ref for c in s.answer.citations)}" for s in suggested
        ),
        evidence=[_citation_evidence(c) for c in citations.values()],
    )


def _unanswered_finding(unanswered: list[SuggestedQuestion]) -> Finding:
    return Finding(
        id="chat-unanswered-questions",
        title=f"{len(unanswered)} suggested question(s) not grounded in the context",
        severity=Severity.LOW,
        detail="; ".join(u.answer.question for u in unanswered),
        evidence=[
            Evidence(kind=EvidenceKind.DERIVED, ref=f"question:{u.topic}", detail=u.answer.answer)
            for u in unanswered
        ],
    )


def _citation_evidence(citation: Citation) -> Evidence:
    kind = _EVIDENCE_KIND.get(citation.kind, EvidenceKind.DERIVED)
    if citation.kind == "profile" and citation.source:
        kind = EvidenceKind.ASSUMPTION
    return Evidence(
        kind=kind,
        ref=citation.ref,
        detail=f"{citation.title}: {citation.excerpt}" if citation.excerpt else citation.title,
        source=citation.source,
        as_of=citation.as_of,
    )
