"""The compliance agent: frameworks, control gaps, residency, service eligibility and audit evidence."""

from infra_mind.agents.compliance.agent import ComplianceAgent

__all__ = ["ComplianceAgent"]
