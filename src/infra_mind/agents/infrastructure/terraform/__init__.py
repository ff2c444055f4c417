"""A Terraform skeleton of the recommended design, generated for the chosen provider."""

from __future__ import annotations

from collections.abc import Callable

from infra_mind.agents.infrastructure.terraform.aws import render_aws
from infra_mind.agents.infrastructure.terraform.azure import render_azure
from infra_mind.agents.infrastructure.terraform.design import ComputeGroup, DatabaseSpec, TerraformDesign
from infra_mind.agents.infrastructure.terraform.gcp import render_gcp
from infra_mind.knowledge.models import Provider

_RENDERERS: dict[Provider, Callable[[TerraformDesign], str]] = {
    Provider.AWS: render_aws,
    Provider.AZURE: render_azure,
    Provider.GCP: render_gcp,
}


def render_terraform(design: TerraformDesign) -> str:
    return _RENDERERS[design.provider](design)


__all__ = ["ComputeGroup", "DatabaseSpec", "TerraformDesign", "render_terraform"]
