"""The threat catalog: threats per design component (STRIDE, OWASP LLM Top 10, MITRE ATT&CK and ATLAS),
the provider services that implement each control, and the controls each data class or data type calls for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from infra_mind.domain.enums import DataType, Level, SecurityControl
from infra_mind.domain.requirements import DataClassification
from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.models import Provider, Sourced

CATALOG_FILE = "threats.json"


class Stride(StrEnum):
    SPOOFING = "spoofing"
    TAMPERING = "tampering"
    REPUDIATION = "repudiation"
    INFORMATION_DISCLOSURE = "information_disclosure"
    DENIAL_OF_SERVICE = "denial_of_service"
    ELEVATION_OF_PRIVILEGE = "elevation_of_privilege"


class ComponentKind(StrEnum):
    """The parts of a proposed design that a threat model looks at."""

    EDGE = "edge"
    KUBERNETES = "kubernetes"
    VMS = "vms"
    DATABASE = "database"
    OBJECT_STORAGE = "object_storage"
    BACKUPS = "backups"
    ML_SERVING = "ml_serving"
    ML_TRAINING = "ml_training"
    LLM_API = "llm_api"
    LLM_SELF_HOSTED = "llm_self_hosted"
    CICD_IDENTITY = "cicd_identity"
    DR_REGION = "dr_region"


class Safeguard(StrEnum):
    """Measures beyond the input's control vocabulary: the input cannot say whether they are in place."""

    CUSTOMER_MANAGED_KEYS = "customer_managed_keys"
    SECRETS_MANAGEMENT = "secrets_management"
    WORKLOAD_IDENTITY = "workload_identity"
    IMMUTABLE_BACKUPS = "immutable_backups"
    LLM_GUARDRAILS = "llm_guardrails"


Capability = SecurityControl | Safeguard


class ImpactBasis(StrEnum):
    FIXED = "fixed"
    DATA = "data"
    """Raised to the sensitivity of the data (classification and data types)."""
    CRITICALITY = "criticality"
    """Raised to high when a workload on the component is mission critical."""


class Billing(StrEnum):
    INCLUDED = "included"
    """No charge beyond the resources it protects (at least in its basic tier)."""
    PAID = "paid"


class Threat(Sourced):
    record: Literal["threat"]
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    components: tuple[ComponentKind, ...] = Field(min_length=1)
    title: str
    stride: tuple[Stride, ...] = Field(min_length=1)
    owasp_llm: str | None = Field(default=None, pattern=r"^LLM\d{2}:2025$")
    techniques: tuple[Annotated[str, Field(pattern=r"^(T\d{4}(\.\d{3})?|AML\.T\d{4}(\.\d{3})?)$")], ...] = ()
    controls: tuple[SecurityControl, ...] = ()
    safeguards: tuple[Safeguard, ...] = ()
    remedy: str = Field(description="what closes the threat, as a recommendation title")
    mitigations: tuple[str, ...] = Field(min_length=1)
    likelihood: Level
    impact: Level
    impact_basis: ImpactBasis = ImpactBasis.FIXED
    effort: int = Field(ge=1, le=5)
    best_practices: tuple[str, ...] = Field(min_length=1)

    @cached_property
    def mitigated_by(self) -> tuple[Capability, ...]:
        return (*self.controls, *self.safeguards)


class ControlService(Sourced):
    """A provider service that implements a control or safeguard."""

    record: Literal["service"]
    provider: Provider
    capability: Capability
    service: str
    role: str = Field(description="what the service does for the control")
    billing: Billing | None = None


class DataRule(Sourced):
    """The controls one data classification or one data type calls for."""

    record: Literal["data_rule"]
    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    classification: DataClassification | None = None
    data_type: DataType | None = None
    capabilities: tuple[Capability, ...] = Field(min_length=1)
    rationale: str
    cites: tuple[str, ...] = Field(
        default=(), description="'framework:control_id' of the compliance catalog the rule rests on"
    )

    @model_validator(mode="after")
    def _one_trigger(self) -> DataRule:
        if (self.classification is None) == (self.data_type is None):
            raise ValueError("a data rule applies to exactly one classification or one data type")
        return self

    @property
    def trigger(self) -> str:
        if self.classification is not None:
            return f"data classified {self.classification.value}"
        return f"{self.data_type} data"


class Reference(Sourced):
    """A framework or method the catalog draws on."""

    record: Literal["reference"]
    id: str
    title: str


CatalogRecord = Annotated[Threat | ControlService | DataRule | Reference, Field(discriminator="record")]
_RECORDS = TypeAdapter(list[CatalogRecord])


class ThreatCatalog:
    """Immutable after construction; look-ups by component, by provider and capability, by data."""

    def __init__(self, records: Iterable[Threat | ControlService | DataRule | Reference] = ()) -> None:
        records = list(records)
        self._threats = [r for r in records if isinstance(r, Threat)]
        self._services: dict[tuple[Provider, Capability], list[ControlService]] = {}
        for s in (r for r in records if isinstance(r, ControlService)):
            self._services.setdefault((s.provider, s.capability), []).append(s)
        self._rules = [r for r in records if isinstance(r, DataRule)]
        self._references = {r.id: r for r in records if isinstance(r, Reference)}

    @classmethod
    def load(cls, data_dir: Path) -> ThreatCatalog:
        path = data_dir / CATALOG_FILE
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CatalogInvalid(f"cannot load catalog {path}: {exc}") from exc
        try:
            return cls(_RECORDS.validate_python(raw["records"]))
        except (KeyError, TypeError, ValidationError) as exc:
            raise CatalogInvalid(f"catalog {path} does not match the threat catalog: {exc}") from exc

    def threats(self, component: ComponentKind | None = None) -> list[Threat]:
        return [t for t in self._threats if component is None or component in t.components]

    def services(self, provider: Provider, capability: Capability) -> list[ControlService]:
        return list(self._services.get((provider, capability), ()))

    def rules(self, classification: DataClassification, data_types: Iterable[DataType]) -> list[DataRule]:
        """The rules of the classification, then of each data type in the order given."""
        by_class = [r for r in self._rules if r.classification is classification]
        return by_class + [r for t in data_types for r in self._rules if r.data_type is t]

    def all_rules(self) -> list[DataRule]:
        return list(self._rules)

    def reference(self, reference_id: str) -> Reference | None:
        return self._references.get(reference_id)
