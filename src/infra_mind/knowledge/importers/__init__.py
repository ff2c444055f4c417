"""Parsers for the providers' public price formats: each reads one file and returns typed catalog records.

Pure: no network, no writing. Merging the records into a catalog snapshot is the caller's job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import BinaryIO

from infra_mind.errors import FieldError, InputUnreadable, InvalidInput
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.importers.aws_offer import parse_aws_offer
from infra_mind.knowledge.importers.azure_retail import parse_azure_retail
from infra_mind.knowledge.importers.ec2instances import parse_ec2instances
from infra_mind.knowledge.importers.gcp_billing import parse_gcp_billing
from infra_mind.knowledge.importers.result import ImportResult, Skipped
from infra_mind.knowledge.models import InstanceType, Provider

Parser = Callable[[BinaryIO, date], ImportResult]

__all__ = ["SOURCES", "ImportResult", "Parser", "Skipped", "build_sources", "import_file", "known_instances"]


def build_sources(known: Mapping[str, InstanceType] | None = None) -> dict[str, Parser]:
    """The importers by source name. Azure and GCP price files carry no machine specs: `known` (SKU →
    instance, e.g. from `known_instances`) supplies them; SKUs it lacks are skipped."""
    return {
        "ec2instances": parse_ec2instances,
        "azure-retail": partial(parse_azure_retail, known=known),
        "gcp-billing": partial(parse_gcp_billing, known=known),
        "aws-offer": parse_aws_offer,
    }


SOURCES: dict[str, Parser] = build_sources()


def import_file(
    source: str, path: Path, as_of: date, *, known: Mapping[str, InstanceType] | None = None
) -> ImportResult:
    parsers = build_sources(known) if known is not None else SOURCES
    parser = parsers.get(source)
    if parser is None:
        choices = ", ".join(sorted(parsers))
        raise InvalidInput(
            [FieldError("source", f"unknown price source {source!r}; choose one of: {choices}")]
        )
    try:
        with path.open("rb") as stream:
            return parser(stream, as_of)
    except OSError as exc:
        raise InputUnreadable(f"cannot read {path}: {exc.strerror or exc}") from exc


def known_instances(knowledge: Knowledge, provider: Provider) -> dict[str, InstanceType]:
    """The catalog's instances of one provider by SKU: the specs Azure and GCP price files lack."""
    return {instance.sku: instance for instance in knowledge.instances(provider)}
