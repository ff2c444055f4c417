"""simulation: Monte-Carlo growth and cost, purchase strategies, an M/M/c queueing model and sensitivity."""

from infra_mind.agents.simulation.agent import SimulationAgent

__all__ = ["SimulationAgent"]
