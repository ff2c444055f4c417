"""ai_consultant: AI use cases, readiness, and managed LLM API versus self-hosted GPU cost."""

from infra_mind.agents.ai_consultant.agent import AiConsultantAgent

__all__ = ["AiConsultantAgent"]
