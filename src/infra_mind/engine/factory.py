"""Builds a pipeline from settings: the one place where the run's collaborators are wired."""

from __future__ import annotations

from datetime import date

from infra_mind.agents.base import RetryPolicy
from infra_mind.agents.registry import AgentOptions, build_agents
from infra_mind.config import Settings
from infra_mind.engine.events import EventSink
from infra_mind.engine.orchestrator import Orchestrator, QuorumPolicy
from infra_mind.engine.pipeline import Pipeline
from infra_mind.errors import ConfigurationError
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.llm import LlmClient, build_llm


def build_pipeline(
    settings: Settings,
    knowledge: Knowledge,
    bus: EventSink,
    report_formats: tuple[str, ...] = ("md",),
    *,
    llm: LlmClient | None = None,
) -> Pipeline:
    """`llm` defaults to the client the settings describe (offline unless INFRA_MIND_LLM_PROVIDER=openai);
    the caller closes it with `Pipeline.aclose()`."""
    options = AgentOptions(
        data_dir=settings.knowledge_dir,
        live_prices=settings.live_prices.value,
        live_prices_timeout_s=settings.live_prices_timeout_s,
        today=date.today(),
    )
    agents = build_agents(knowledge, options)
    unknown = set(settings.required_agents) - {a.name for a in agents}
    if unknown:
        raise ConfigurationError(
            f"INFRA_MIND_REQUIRED_AGENTS names unknown agents: {', '.join(sorted(unknown))}"
        )
    retry = RetryPolicy(max_attempts=settings.agent_retries + 1, backoff_s=settings.retry_backoff_s)
    orchestrator = Orchestrator(agents, timeout_override_s=settings.agent_timeout_s, retry_override=retry)
    quorum = QuorumPolicy(min_ratio=settings.quorum, required=frozenset(settings.required_agents))
    return Pipeline(
        knowledge,
        orchestrator,
        bus,
        quorum=quorum,
        report_formats=report_formats,
        llm=llm or build_llm(settings),
    )
