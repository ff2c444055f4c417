"""The shared half of the bill of materials: what the workloads share (cluster, boot volumes, NAT, load
balancing, CDN, egress) and the named parts of the design catalog v1 has no price for."""

from __future__ import annotations

from infra_mind.agents.bom_lines import Job
from infra_mind.agents.products import PRODUCTS
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.pricing import ScalesWith
from infra_mind.domain.requirements import Architecture, AssessmentInput
from infra_mind.domain.workloads import Database, LlmApplication
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import ServiceKind

SERVED = frozenset({"web_app", "api"})
LLM_TOKEN_SKU = "llm_api_tokens"
"""The SKU of the (unpriced) managed LLM token lines: metered by traffic, like egress."""
NAT_PER_VM_VM_LIMIT = 32
"""Cloud NAT bills per VM using the gateway up to this many VMs, then a capped gateway rate (record notes)."""


class SharedLines:
    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge
        self._hours = knowledge.sizing("hours_per_month").value

    def shared(self, job: Job, ctx: AssessmentContext, zones: int, always_on: int) -> None:
        """Cluster, boot volumes, NAT, load balancing, CDN and egress: what the workloads share."""
        spec = ctx.requirements
        profile = ctx.profile
        served = [d for d in profile.demands if d.type in SERVED]
        if always_on and uses_kubernetes(spec):
            job.service_kind_line(
                ServiceKind.KUBERNETES_CONTROL_PLANE,
                "Kubernetes control plane",
                self._hours,
                f"1 managed cluster × {self._hours:g} h",
                ScalesWith.FIXED,
                unit="hour",
            )
        if always_on:
            boot = self._k.sizing("boot_volume_gb").value
            job.service_kind_line(
                ServiceKind.BLOCK_STORAGE,
                "boot volumes",
                always_on * boot,
                f"{always_on} always-on instances × {boot:g} GB",
                ScalesWith.USERS,
                unit="gb_month",
            )
            self._nat_gateway(job, zones, always_on)
        if served:
            job.service_kind_line(
                ServiceKind.LOAD_BALANCER,
                "application load balancer",
                self._hours,
                f"1 load balancer × {self._hours:g} h",
                ScalesWith.FIXED,
                unit="hour",
            )
        cdn_gb = 0.0
        offload = self._k.sizing("cdn_offload").value
        web_egress = sum(d.egress_gb_per_month for d in profile.demands if d.type == "web_app")
        if web_egress:
            cdn_gb = round(web_egress * offload, 1)
            job.service_kind_line(
                ServiceKind.CDN,
                "CDN",
                cdn_gb,
                f"{offload:.0%} of {web_egress:,.0f} GB web egress served from the edge",
                ScalesWith.USERS,
                unit="gb",
            )
        if served:
            served_gb = sum(d.egress_gb_per_month for d in served)
            self._lb_capacity(job, served_gb, cdn_gb)
        origin = profile.egress_gb_per_month - cdn_gb
        if origin > 0:
            job.service_kind_line(
                ServiceKind.EGRESS,
                "internet egress",
                origin,
                f"{origin:,.0f} GB/month leaving the region (after the CDN)",
                ScalesWith.USERS,
                unit="gb",
            )
            if always_on:
                share = self._k.sizing("nat_share_of_egress").value
                nat_gb = round(origin * share, 1)
                job.service_kind_line(
                    ServiceKind.NAT_DATA,
                    "NAT data processing",
                    nat_gb,
                    f"{share:.0%} of egress leaves through NAT",
                    ScalesWith.USERS,
                    unit="gb",
                )

    def _nat_gateway(self, job: Job, zones: int, always_on: int) -> None:
        """Billed the way the record says: per VM using the gateway, per zonal gateway, or per gateway."""
        records = self._k.service_prices(job.provider, ServiceKind.NAT_GATEWAY, job.region)
        per_vm = [r for r in records if "per vm" in r.notes.lower()]
        if per_vm and always_on <= NAT_PER_VM_VM_LIMIT:
            record = min(per_vm, key=lambda r: (r.usd_per_unit, r.sku))
            job.service_line(
                "NAT gateway",
                None,
                record,
                always_on * self._hours,
                f"{always_on} VMs using the regional gateway × {self._hours:g} h (billed per VM up to "
                f"{NAT_PER_VM_VM_LIMIT} VMs)",
                ScalesWith.USERS,
                role=ServiceKind.NAT_GATEWAY.value,
            )
            return
        gateways = [r for r in records if r not in per_vm]
        gateway = min(gateways, key=lambda r: (r.usd_per_unit, r.sku), default=None)
        if gateway is None:
            job.missing_service(ServiceKind.NAT_GATEWAY, None, quantity=self._hours, unit="hour")
            return
        if per_vm:
            count, how = 1, f"one regional gateway: more than {NAT_PER_VM_VM_LIMIT} VMs use it ({always_on})"
        elif "per az" in gateway.notes.lower():
            count, how = zones, f"one NAT gateway per zone ({zones}): a gateway lives in one zone"
        else:
            count, how = 1, "one NAT gateway for the region's private subnets"
        job.service_line(
            "NAT gateway",
            None,
            gateway,
            count * self._hours,
            f"{how} × {self._hours:g} h",
            ScalesWith.FIXED,
            role=ServiceKind.NAT_GATEWAY.value,
        )

    def _lb_capacity(self, job: Job, served_gb: float, cdn_gb: float) -> None:
        """The load balancer processes the origin traffic: what the CDN does not serve from the edge."""
        gb = max(served_gb - cdn_gb, 0.0)
        record = self._k.service_price(job.provider, ServiceKind.LOAD_BALANCER_CAPACITY, job.region)
        if record is None:
            job.missing_service(ServiceKind.LOAD_BALANCER_CAPACITY, None, quantity=gb, unit="gb")
            return
        origin = f"{gb:,.0f} GB processed ({served_gb:,.0f} GB served − {cdn_gb:,.0f} GB from the CDN)"
        per_unit = self._k.sizing("lb_gb_per_capacity_unit_hour").value
        if record.unit.value == "gb":
            quantity, how = gb, origin
        else:
            quantity = max(self._hours, gb / per_unit)
            how = f"{origin} ÷ {per_unit:g} GB per capacity-unit-hour, at least 1 unit × {self._hours:g} h"
        job.service_line(
            "load balancer capacity",
            None,
            record,
            quantity,
            how,
            ScalesWith.USERS,
            role=ServiceKind.LOAD_BALANCER_CAPACITY.value,
        )

    def unpriced_design(self, job: Job, ctx: AssessmentContext, always_on: int) -> None:
        """Parts of the design catalog v1 has no price kind for: listed with their volume, never $0."""
        spec = ctx.requirements
        products = PRODUCTS[job.provider]
        served = [w for w in spec.workloads if w.type in SERVED]
        if served:
            millions = sum(getattr(w, "requests_per_second", 0.0) for w in served) * self._hours * 3600 / 1e6
            job.unpriced(
                "WAF (edge protection)",
                None,
                role="waf",
                sku="waf",
                reason=(
                    f"{products.waf} in front of the public endpoints: ≈{millions:,.0f} million "
                    f"requests/month (average req/s of {', '.join(w.name for w in served)} × "
                    f"{self._hours:g} h); policy, rule "
                    "and per-request prices are not in catalog v1"
                ),
                quantity=millions,
                unit="million requests",
            )
            job.unpriced(
                "DNS",
                None,
                role="dns",
                sku="dns",
                reason=(
                    "one public hosted zone for the service endpoints (plus health checks when a recovery "
                    "region takes traffic); zone, query and health-check prices are not in catalog v1, and "
                    "query volume depends on resolver caching, which the input does not give"
                ),
                quantity=1,
                unit="hosted zone",
            )
        stores = [w.name for w in spec.workloads if isinstance(w, Database) or w.data_size_gb > 0]
        if stores:
            job.unpriced(
                "key management (KMS)",
                None,
                role="kms",
                sku="kms",
                reason=(
                    f"a customer-managed key for the data at rest ({', '.join(stores)}); key-month and "
                    "per-request prices are not in catalog v1, and the request volume follows data-store "
                    "activity the input does not give"
                ),
                quantity=1,
                unit="key",
            )
        job.unpriced(
            "monitoring and logging",
            None,
            role="monitoring",
            sku="monitoring",
            reason=(
                f"{products.observability}: metrics, logs and alerts"
                + (f" for {always_on} always-on instance(s) and the managed services" if always_on else "")
                + "; ingestion and retention prices are not in catalog v1 and the log volume is not in "
                "the input"
            ),
            quantity=always_on or None,
            unit="monitored instances" if always_on else None,
        )

    def llm_tokens(self, job: Job, w: LlmApplication) -> None:
        """Managed LLM tokens have no catalog price: listed with the volume the provider would bill."""
        days = self._hours / 24
        for direction, per_request in (
            ("input", w.input_tokens_per_request),
            ("output", w.output_tokens_per_request),
        ):
            millions = w.requests_per_day * per_request * days / 1e6
            job.unpriced(
                f"LLM API {direction} tokens",
                w.name,
                role=f"llm_{direction}_tokens",
                sku=LLM_TOKEN_SKU,
                reason=(
                    f"≈{millions:,.0f} million {direction} tokens/month = {w.requests_per_day:,} "
                    f"requests/day × {per_request:,} tokens × {days:.1f} days; managed LLM token prices "
                    "are not in catalog v1 "
                    f"({PRODUCTS[job.provider].llm_api}), so the total excludes them"
                ),
                quantity=millions,
                unit="million tokens",
            )


def uses_kubernetes(spec: AssessmentInput) -> bool:
    """Containers on managed Kubernetes when the team can run it or the services are many and small."""
    services = sum(1 for w in spec.workloads if w.type in SERVED)
    microservices = spec.current_infrastructure.architecture is Architecture.MICROSERVICES
    return spec.team.kubernetes_expertise >= 3 or (microservices and services >= 3)
