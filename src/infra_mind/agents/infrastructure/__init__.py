"""The infrastructure agent."""

from infra_mind.agents.infrastructure.agent import InfrastructureAgent

__all__ = ["InfrastructureAgent"]
