"""The agents of a run, built with their dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from infra_mind.agents.ai_consultant import AiConsultantAgent
from infra_mind.agents.base import Agent
from infra_mind.agents.chatbot import ChatbotAgent
from infra_mind.agents.cloud_engineer import CloudEngineerAgent
from infra_mind.agents.compliance import ComplianceAgent
from infra_mind.agents.cto import CtoAgent
from infra_mind.agents.infrastructure import InfrastructureAgent
from infra_mind.agents.mlops import MlopsAgent
from infra_mind.agents.research import ResearchAgent
from infra_mind.agents.security import SecurityAgent
from infra_mind.agents.simulation import SimulationAgent
from infra_mind.agents.web_research import CatalogInventory, WebResearchAgent, price_source
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir


@dataclass(frozen=True)
class AgentOptions:
    """What the agents need beyond the knowledge base; the CLI and the app build it from settings."""

    data_dir: Path | None = None
    live_prices: str = "off"
    live_prices_timeout_s: float = 5.0
    today: date | None = None


def build_agents(knowledge: Knowledge, options: AgentOptions | None = None) -> list[Agent]:
    options = options or AgentOptions()
    return [
        CtoAgent(knowledge),
        CloudEngineerAgent(knowledge),
        InfrastructureAgent(knowledge),
        SecurityAgent(knowledge, knowledge.threats),
        ComplianceAgent(knowledge),
        MlopsAgent(knowledge, knowledge.ml_platforms),
        AiConsultantAgent(knowledge, knowledge.ai),
        ResearchAgent(knowledge, knowledge.benchmarks),
        SimulationAgent(knowledge, knowledge.commitments),
        WebResearchAgent(
            knowledge,
            CatalogInventory.load(options.data_dir or packaged_data_dir()),
            price_source(options.live_prices, knowledge, timeout_s=options.live_prices_timeout_s),
            today=options.today,
        ),
        ChatbotAgent(knowledge),
    ]
