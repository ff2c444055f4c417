"""The simulation agent: Monte-Carlo growth and cost per provider and purchase strategy, a queueing model
of latency against capacity, and the sensitivity of cost to each driver."""

from __future__ import annotations

import structlog

from infra_mind.agents.base import Agent, AgentReport, Progress
from infra_mind.agents.simulation.advice import LABELS, findings, recommendations
from infra_mind.agents.simulation.analysis import Analysis, analyse
from infra_mind.domain.context import AssessmentContext
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.commitments import CommitmentCatalog

RUNS = 2000
SEED = 20261129

log = structlog.get_logger()


class SimulationAgent(Agent):
    name = "simulation"
    timeout_s = 20.0

    def __init__(
        self, knowledge: Knowledge, commitments: CommitmentCatalog, *, runs: int = RUNS, seed: int = SEED
    ) -> None:
        self._k = knowledge
        self._commitments = commitments
        self._runs = runs
        self._seed = seed

    async def run(self, ctx: AssessmentContext, progress: Progress) -> AgentReport:
        await progress(10, f"simulating {self._runs:,} runs of 36 months")
        analysis = analyse(ctx, self._k, self._commitments, runs=self._runs, seed=self._seed)
        await progress(90, f"{len(analysis.providers)} providers, {len(analysis.queues)} queueing models")
        log.debug(
            "simulation.analysed",
            providers=len(analysis.providers),
            queues=len(analysis.queues),
            runs=self._runs,
            seed=self._seed,
        )
        return AgentReport(
            summary=_summary(analysis),
            findings=findings(analysis),
            recommendations=recommendations(analysis, self._k),
            output=analysis.output(),
        )


def _summary(a: Analysis) -> str:
    chosen = a.chosen
    if chosen is None:
        return "No provider could be priced: nothing to simulate."
    on_demand = next(s for s in chosen.strategies if s.strategy == "on_demand").total_36m_usd
    best = max(chosen.strategies, key=lambda s: s.saving_36m_usd.p50)
    least = "" if chosen.complete else " (a lower bound)"
    text = (
        f"{chosen.provider.upper()} over 36 months: P50 ${on_demand.p50:,.0f} on demand{least} "
        f"(P10 ${on_demand.p10:,.0f} - P90 ${on_demand.p90:,.0f}) in {a.runs:,} runs"
    )
    if best.strategy != "on_demand":
        text += f"; {LABELS[best.strategy]} save P50 ${best.saving_36m_usd.p50:,.0f}"
    short = [
        q.workload
        for q in a.queues
        if q.recommended_instances and q.planned_instances < q.recommended_instances
    ]
    if short:
        text += f"; {', '.join(short)} need(s) more instances at peak to meet the latency target"
    return text + "."
