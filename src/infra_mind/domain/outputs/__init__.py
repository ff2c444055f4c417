"""Typed outputs of the agents, one per agent, discriminated by `kind`."""

from typing import Annotated

from pydantic import Field

from infra_mind.domain.outputs.ai_consultant import AiConsultantOutput
from infra_mind.domain.outputs.chatbot import ChatbotOutput
from infra_mind.domain.outputs.cloud import CloudEngineerOutput
from infra_mind.domain.outputs.compliance import ComplianceOutput
from infra_mind.domain.outputs.cto import CtoOutput
from infra_mind.domain.outputs.infrastructure import InfrastructureOutput
from infra_mind.domain.outputs.mlops import MlopsOutput
from infra_mind.domain.outputs.research import ResearchOutput
from infra_mind.domain.outputs.security import SecurityOutput
from infra_mind.domain.outputs.simulation import SimulationOutput
from infra_mind.domain.outputs.web_research import WebResearchOutput

AgentOutput = Annotated[
    AiConsultantOutput
    | ChatbotOutput
    | CloudEngineerOutput
    | ComplianceOutput
    | CtoOutput
    | InfrastructureOutput
    | MlopsOutput
    | ResearchOutput
    | SecurityOutput
    | SimulationOutput
    | WebResearchOutput,
    Field(discriminator="kind"),
]

__all__ = [
    "AgentOutput",
    "AiConsultantOutput",
    "ChatbotOutput",
    "CloudEngineerOutput",
    "ComplianceOutput",
    "CtoOutput",
    "InfrastructureOutput",
    "MlopsOutput",
    "ResearchOutput",
    "SecurityOutput",
    "SimulationOutput",
    "WebResearchOutput",
]
