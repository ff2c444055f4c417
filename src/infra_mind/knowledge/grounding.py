"""The grounding check: does what a recommendation names exist — provider, service, SKU, region — and is
the SKU sold in that region? Rules and (later) an LLM both go through it, so nothing invented reaches a
report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider, ServiceKind

_PROVIDERS = frozenset(p.value for p in Provider)
_SKU_REF = re.compile(r"^(?P<owner>[\w.-]+):(?P<sku>[^@\s]+)@(?P<region>[\w-]+)$")


@dataclass(frozen=True)
class CatalogReference:
    """What a recommendation names. Any part may be absent; what is given must exist and fit together."""

    provider: str
    service: str | None = None
    sku: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        parts = [self.provider, self.service, self.sku]
        text = ":".join(p for p in parts if p)
        return f"{text}@{self.region}" if self.region else text


class Grounding:
    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge
        platforms = knowledge.ml_platforms.platforms()
        self._service_names = {
            p: {s.service.casefold() for s in knowledge.services(p)}
            | {k.value for k in ServiceKind}
            | {m.name.casefold() for m in platforms if m.provider in (p, None)}
            for p in Provider
        }
        self._service_skus = {p: {s.sku for s in knowledge.services(p)} for p in Provider}

    def check(self, ref: CatalogReference) -> str | None:
        """The first problem with the reference, or None when everything it names exists."""
        try:
            provider = Provider(ref.provider)
        except ValueError:
            return f"unknown provider {ref.provider!r} (the catalog covers aws, azure and gcp)"
        if ref.region is not None and self._k.region(provider, ref.region) is None:
            return f"{provider.value} has no region {ref.region!r}"
        if ref.service is not None and not self._service_exists(provider, ref.service):
            return f"{provider.value} has no service {ref.service!r} in the catalog"
        if ref.sku is not None:
            return self._sku_problem(provider, ref.sku, ref.region)
        return None

    def check_evidence(self, evidence: Evidence) -> str | None:
        """Checks a catalog price cited as `provider:SKU@region` (or `platform:SKU@region` for an ML
        platform's own rate). Other evidence (inputs, assumptions, derived figures, the freshness audit's
        catalog inventory) names no product to confirm, and passes."""
        if evidence.kind is not EvidenceKind.CATALOG_PRICE:
            return None
        match = _SKU_REF.match(evidence.ref)
        if match is None:
            return None
        owner, sku, region = match.group("owner", "sku", "region")
        platform = self._k.ml_platforms.platform(owner)
        if platform is not None:
            if self._k.ml_platforms.sells(owner, sku, region):
                return None
            return f"{platform.name} has no catalogued rate for {sku} in {region}"
        if owner not in _PROVIDERS:
            return None
        return self.check(CatalogReference(provider=owner, sku=sku, region=region))

    def _service_exists(self, provider: Provider, service: str) -> bool:
        return service.casefold() in self._service_names[provider]

    def _sku_problem(self, provider: Provider, sku: str, region: str | None) -> str | None:
        feasibility = self._k.feasibility
        if self._k.instance(provider, sku) is not None:
            if region is None or feasibility.instance_offered(provider, sku, region):
                return None
            return f"{provider.value} {sku} is not sold in {region}"
        if sku in self._service_skus[provider]:
            if region is None or region in feasibility.service_sku_regions(provider, sku):
                return None
            return f"{provider.value} {sku} has no catalog record in {region}"
        return f"{provider.value} has no SKU {sku!r} in the catalog"
