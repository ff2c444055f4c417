"""The agents of a run, built with their dependencies."""

from __future__ import annotations

from infra_mind.agents.base import Agent
from infra_mind.agents.cloud_engineer import CloudEngineerAgent
from infra_mind.agents.compliance import ComplianceAgent
from infra_mind.agents.cto import CtoAgent
from infra_mind.agents.infrastructure import InfrastructureAgent
from infra_mind.knowledge.catalog import Knowledge

AGENT_NAMES = ("cto", "cloud_engineer", "infrastructure", "compliance")


def build_agents(knowledge: Knowledge) -> list[Agent]:
    return [
        CtoAgent(knowledge),
        CloudEngineerAgent(knowledge),
        InfrastructureAgent(knowledge),
        ComplianceAgent(knowledge),
    ]
