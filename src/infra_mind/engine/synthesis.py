"""Phase 3: one ranked list from every agent's recommendations.

Duplicates merge by what they recommend (the key), keeping every proposing agent; agreement raises
confidence; mutually exclusive choices (same topic, different option) keep the best-scored one and carry
the others as alternatives with the reason; ranking is impact × confidence ÷ effort × budget fit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from infra_mind.domain.agent_result import AgentResult
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Level
from infra_mind.domain.findings import Alternative, Evidence, Priority, Recommendation
from infra_mind.domain.outputs import CloudEngineerOutput

EXCLUSIVE_TOPICS = frozenset({"provider", "platform", "dr"})
MAX_CONFIDENCE = 0.99
OVER_BUDGET_FIT = 0.5
_PRIORITY_ORDER = [Priority.CRITICAL, Priority.HIGH, Priority.MEDIUM, Priority.LOW]
_LEVEL_ORDER = [Level.HIGH, Level.MEDIUM, Level.LOW]


def synthesize(results: dict[str, AgentResult], ctx: AssessmentContext) -> list[Recommendation]:
    proposals = [rec for result in results.values() if result.ok for rec in result.recommendations]
    by_key: dict[str, list[Recommendation]] = defaultdict(list)
    for rec in proposals:
        by_key[rec.key].append(rec)
    merged = [merge(group) for group in by_key.values()]
    headroom = _budget_headroom(results, ctx)
    scored = [rec.model_copy(update={"score": score(rec, headroom)}) for rec in merged]
    kept = resolve_conflicts(scored)
    ranked = sorted(kept, key=lambda r: (-r.score, _PRIORITY_ORDER.index(r.priority), r.key))
    return [r.model_copy(update={"rank": i, "id": f"REC-{i:03d}"}) for i, r in enumerate(ranked, start=1)]


def merge(group: list[Recommendation]) -> Recommendation:
    """Merge recommendations of the same key; the first proposal supplies the wording."""
    if len(group) == 1:
        return group[0]
    base = max(group, key=lambda r: (r.confidence, -len(r.agents)))
    doubt = 1.0
    for rec in group:
        doubt *= 1 - rec.confidence
    costs = [r.monthly_cost_delta for r in group if r.monthly_cost_delta is not None]
    in_plan = [r.monthly_cost_in_plan for r in group if r.monthly_cost_in_plan is not None]
    return base.model_copy(
        update={
            "agents": _unique(a for r in group for a in r.agents),
            "confidence": round(min(MAX_CONFIDENCE, 1 - doubt), 3),
            "priority": min((r.priority for r in group), key=_PRIORITY_ORDER.index),
            "risk": min((r.risk for r in group), key=_LEVEL_ORDER.index),
            "impact": max(r.impact for r in group),
            "effort": round(sum(r.effort for r in group) / len(group)),
            "rationale": " | ".join(_unique(r.rationale for r in group)),
            "actions": _unique(a for r in group for a in r.actions),
            "evidence": _unique_evidence(e for r in group for e in r.evidence),
            "best_practices": _unique(bp for r in group for bp in r.best_practices),
            "services": _unique(s for r in group for s in r.services),
            "regions": _unique(s for r in group for s in r.regions),
            "conflicts_with": _unique(c for r in group for c in r.conflicts_with),
            "monthly_cost_delta": max(costs) if costs else None,
            "monthly_cost_in_plan": max(in_plan) if in_plan else None,
        }
    )


def score(rec: Recommendation, headroom: float | None) -> float:
    fit = 1.0
    if headroom is not None and rec.monthly_cost_delta and rec.monthly_cost_delta > max(headroom, 0):
        fit = OVER_BUDGET_FIT
    return round(rec.impact * rec.confidence / rec.effort * fit, 4)


def resolve_conflicts(recs: list[Recommendation]) -> list[Recommendation]:
    """Keep the best of each exclusive topic and of each explicit conflict; the rest become alternatives."""
    by_key = {r.key: r for r in recs}
    losers: dict[str, tuple[str, str]] = {}
    topics: dict[str, list[Recommendation]] = defaultdict(list)
    for rec in recs:
        topic = rec.key.split(":", 1)[0]
        if topic in EXCLUSIVE_TOPICS:
            topics[topic].append(rec)
    for group in topics.values():
        _pick_winner(group, losers, "another option of the same choice scored higher")
    for rec in recs:
        for other_key in rec.conflicts_with:
            other = by_key.get(other_key)
            if other is not None and rec.key not in losers and other.key not in losers:
                _pick_winner([rec, other], losers, f"conflicts with {rec.key}, which scored higher")
    alternatives: dict[str, list[Alternative]] = defaultdict(list)
    for loser_key, (winner_key, reason) in losers.items():
        loser = by_key[loser_key]
        alternatives[winner_key].append(
            Alternative(title=loser.title, agents=loser.agents, reason_not_chosen=reason)
        )
    return [
        r.model_copy(update={"alternatives": [*r.alternatives, *alternatives.get(r.key, [])]})
        for r in recs
        if r.key not in losers
    ]


def _pick_winner(group: list[Recommendation], losers: dict[str, tuple[str, str]], reason: str) -> None:
    if len(group) < 2:
        return
    winner = max(group, key=lambda r: (len(r.agents), r.score, r.key))
    for rec in group:
        if rec is not winner:
            detail = (
                f"{reason} (score {rec.score:g} vs {winner.score:g}, {len(rec.agents)} vs "
                f"{len(winner.agents)} agent(s) in favour)"
            )
            losers[rec.key] = (winner.key, detail)


def _budget_headroom(results: dict[str, AgentResult], ctx: AssessmentContext) -> float | None:
    cloud = results.get("cloud_engineer")
    if cloud is None or not isinstance(cloud.output, CloudEngineerOutput):
        return None
    chosen = next((q for q in cloud.output.quotes if q.provider == cloud.output.recommended_provider), None)
    return None if chosen is None else ctx.constraints.budget_ceiling_usd_month - chosen.monthly_usd


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _unique_evidence(items: Iterable[Evidence]) -> list[Evidence]:
    seen: dict[tuple[str, str], Evidence] = {}
    for e in items:
        seen.setdefault((e.kind, e.ref), e)
    return list(seen.values())
