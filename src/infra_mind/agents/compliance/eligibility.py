"""Service eligibility: is each product the plan proposes in the provider's scope for each framework?"""

from __future__ import annotations

from infra_mind.agents.plan import PricedPlan
from infra_mind.domain.enums import Framework
from infra_mind.domain.outputs.compliance import EligibilityCheck
from infra_mind.domain.pricing import BomLine, ProviderQuote
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.compliance_models import ServiceEligibility
from infra_mind.knowledge.models import Provider, ServiceKind

NO_SCOPE_PROGRAMME = frozenset({Framework.NIST_CSF})
NOT_IN_CATALOG = "not in the eligibility catalog"

_KINDS = {kind.value: kind for kind in ServiceKind}
_PRICE_DIMENSION_OF = {
    ServiceKind.LOAD_BALANCER_CAPACITY: ServiceKind.LOAD_BALANCER,
    ServiceKind.NAT_DATA: ServiceKind.NAT_GATEWAY,
    ServiceKind.SERVERLESS_REQUESTS: ServiceKind.SERVERLESS_COMPUTE,
}
_DATABASES = (ServiceKind.MANAGED_POSTGRESQL, ServiceKind.MANAGED_MYSQL)
_UNCATALOGUED_WHY = {
    "compute": "virtual machine instances have no eligibility record; check the provider's in-scope list",
    "egress": "data transfer is billed by the service that sends it and has no eligibility record of its own",
}


def checked_frameworks(frameworks: tuple[Framework, ...]) -> list[Framework]:
    """Frameworks with a provider scope programme (nist_csf has none)."""
    return [f for f in frameworks if f not in NO_SCOPE_PROGRAMME]


def eligibility_checks(
    plan: PricedPlan, frameworks: list[Framework], knowledge: Knowledge
) -> list[EligibilityCheck]:
    if not frameworks:
        return []
    return [
        check for quote in plan.quotes for check in _quote_checks(quote, plan.provider, frameworks, knowledge)
    ]


def _quote_checks(
    quote: ProviderQuote, chosen: str | None, frameworks: list[Framework], knowledge: Knowledge
) -> list[EligibilityCheck]:
    by_kind: dict[str, list[BomLine]] = {}
    for line in quote.lines:
        by_kind.setdefault(line.kind, []).append(line)
    checks = []
    for kind, lines in by_kind.items():
        record, note = _record(Provider(quote.provider), kind, lines, quote, knowledge)
        in_scope = set(record.frameworks) if record else set()
        checks.append(
            EligibilityCheck(
                provider=quote.provider,
                chosen=quote.provider == chosen,
                kind=kind,
                services=sorted({line.service for line in lines}),
                catalog_kind=record.kind.value if record else None,
                eligible=[f.value for f in frameworks if f in in_scope] if record else [],
                not_eligible=[f.value for f in frameworks if f not in in_scope] if record else [],
                note=note,
                estimate=record.estimate if record else None,
                source=record.source if record else None,
                as_of=record.as_of if record else None,
            )
        )
    return checks


def _record(
    provider: Provider, kind: str, lines: list[BomLine], quote: ProviderQuote, knowledge: Knowledge
) -> tuple[ServiceEligibility | None, str]:
    service_kind = _KINDS.get(kind)
    own = knowledge.eligibility(provider, service_kind) if service_kind else None
    if own is not None:
        return own, ""
    parent = _parent(service_kind, lines, quote)
    if parent is not None and (record := knowledge.eligibility(provider, parent)) is not None:
        return (
            record,
            f"a price dimension of the {parent.value.replace('_', ' ')} product, checked as that product",
        )
    why = _UNCATALOGUED_WHY.get(kind)
    return None, NOT_IN_CATALOG + (f": {why}" if why else "")


def _parent(kind: ServiceKind | None, lines: list[BomLine], quote: ProviderQuote) -> ServiceKind | None:
    if kind is ServiceKind.DATABASE_STORAGE:
        workloads = {line.workload for line in lines}
        databases = (_KINDS[line.kind] for line in quote.lines if line.workload in workloads)
        return next((kind for kind in databases if kind in _DATABASES), None)
    return _PRICE_DIMENSION_OF.get(kind) if kind else None
