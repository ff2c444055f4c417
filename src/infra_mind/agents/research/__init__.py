"""research: the company against dated industry norms for spend, team ratios and architecture."""

from infra_mind.agents.research.agent import ResearchAgent

__all__ = ["ResearchAgent"]
