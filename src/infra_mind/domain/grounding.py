"""What the grounding check removed from the agents' output before synthesis, and why."""

from __future__ import annotations

from enum import StrEnum

from infra_mind.domain.findings import Model


class GroundingAction(StrEnum):
    DROPPED_EVIDENCE = "dropped_evidence"
    """The citation named something the catalog does not have; the recommendation stands on the rest."""
    DROPPED_RECOMMENDATION = "dropped_recommendation"
    """Every catalog price the recommendation cited failed the check: nothing real was left behind it."""


class GroundingIssue(Model):
    agent: str
    recommendation: str | None = None
    finding: str | None = None
    ref: str
    problem: str
    action: GroundingAction
