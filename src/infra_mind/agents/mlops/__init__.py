"""The mlops agent: ML platform choice, training and serving sizing, registry, feature store, monitoring."""

from infra_mind.agents.mlops.agent import MlopsAgent

__all__ = ["MlopsAgent"]
