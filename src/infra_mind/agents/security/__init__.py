"""The security agent: required controls, a threat model of the design, gaps and provider services."""

from infra_mind.agents.security.agent import SecurityAgent

__all__ = ["SecurityAgent"]
