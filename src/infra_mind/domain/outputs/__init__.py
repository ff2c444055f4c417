"""Typed outputs of the agents, one per agent, discriminated by `kind`."""

from typing import Annotated

from pydantic import Field

from infra_mind.domain.outputs.cloud import CloudEngineerOutput
from infra_mind.domain.outputs.compliance import ComplianceOutput
from infra_mind.domain.outputs.cto import CtoOutput
from infra_mind.domain.outputs.infrastructure import InfrastructureOutput

AgentOutput = Annotated[
    CloudEngineerOutput | ComplianceOutput | CtoOutput | InfrastructureOutput,
    Field(discriminator="kind"),
]

__all__ = ["AgentOutput", "CloudEngineerOutput", "ComplianceOutput", "CtoOutput", "InfrastructureOutput"]
