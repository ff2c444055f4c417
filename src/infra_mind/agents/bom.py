"""The bill of materials: each workload's demand priced from the catalog, line by line, per provider.

Shared by the agents that need a price (a pure function of the context and the catalog), so every
agent stays independent of the others and all of them see the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.products import PRODUCTS
from infra_mind.domain.context import AssessmentContext, WorkloadDemand
from infra_mind.domain.pricing import BomLine, MissingPrice, ProviderQuote, ScalesWith
from infra_mind.domain.requirements import Architecture, AssessmentInput
from infra_mind.domain.workloads import (
    Batch,
    Criticality,
    Database,
    DatabaseEngine,
    DataProcessing,
    LlmApplication,
    LlmHosting,
    MlInference,
    MlTraining,
    Workload,
)
from infra_mind.knowledge.catalog import InstanceOffer, Knowledge
from infra_mind.knowledge.models import InstanceCategory, Provider, ServiceKind, ServicePrice

_ALWAYS_ON_CATEGORY = {
    "web_app": InstanceCategory.GENERAL,
    "api": InstanceCategory.GENERAL,
    "iot": InstanceCategory.GENERAL,
    "analytics": InstanceCategory.MEMORY,
    "data_processing": InstanceCategory.COMPUTE,
    "batch": InstanceCategory.COMPUTE,
}
_DB_KIND = {
    DatabaseEngine.POSTGRESQL: ServiceKind.MANAGED_POSTGRESQL,
    DatabaseEngine.MYSQL: ServiceKind.MANAGED_MYSQL,
}


@dataclass(frozen=True)
class Fleet:
    offer: InstanceOffer
    count: int


class BomBuilder:
    """Prices one provider's bill of materials in one region."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge
        self._hours = knowledge.sizing("hours_per_month").value

    def quote(
        self, ctx: AssessmentContext, provider: Provider, region: str, *, standby: bool = False
    ) -> ProviderQuote:
        """The monthly bill for today's load. `standby` prices the smallest footprint (one per zone → one)."""
        spec = ctx.requirements
        job = _Job(self._k, provider, region, self._hours)
        zones = 1 if standby else ctx.constraints.zones_required
        by_name = {d.name: d for d in ctx.profile.demands}
        always_on = 0
        for workload in spec.workloads:
            always_on += self._workload(job, workload, by_name[workload.name], zones, standby)
        self._shared(job, ctx, zones, always_on)
        total = round(sum(line.monthly_usd for line in job.lines), 2)
        return ProviderQuote(
            provider=provider.value, region=region, lines=job.lines, missing=job.missing, monthly_usd=total
        )

    def _workload(self, job: _Job, w: Workload, d: WorkloadDemand, zones: int, standby: bool) -> int:
        """Adds the workload's lines; returns how many always-on instances it runs."""
        match w:
            case Database():
                self._database(job, w, d, standby)
                return 0
            case MlInference() if w.gpu_required:
                return self._gpu_serving(
                    job, w.name, d, min_count=1 if standby or w.criticality not in _CRITICAL else 2
                )
            case MlTraining():
                if not standby:
                    self._gpu_training(job, w, d)
                self._object_data(job, w)
                return 0
            case LlmApplication():
                if w.hosting is LlmHosting.SELF_HOSTED:
                    return self._gpu_serving(job, w.name, d, min_count=1)
                job.missing.append(
                    MissingPrice(
                        component="LLM API tokens",
                        workload=w.name,
                        provider=job.provider.value,
                        sku="llm-api",
                        region=job.region,
                        reason="managed LLM token prices are not in catalog v1 (they arrive "
                        "with the token price source); the monthly total excludes them",
                    )
                )
                return 0
        category = _ALWAYS_ON_CATEGORY.get(w.type, InstanceCategory.GENERAL)
        if isinstance(w, Batch) or (isinstance(w, DataProcessing) and not w.streaming):
            self._scheduled(job, w, d, category)
        else:
            min_count = 1 if standby else zones
            fleet = job.fleet(
                category, d.vcpu, d.memory_gib, min_count, allow_burstable=w.criticality not in _CRITICAL
            )
            if fleet is None:
                job.no_instance(w.name, category)
                self._object_data(job, w)
                return 0
            job.instance_line(
                f"{w.type.replace('_', ' ')} compute",
                w.name,
                fleet,
                self._hours,
                f"{fleet.count} × {fleet.offer.instance.sku} for {d.vcpu:g} vCPU / "
                f"{d.memory_gib:g} GiB at peak, at least {min_count} across zones; "
                + "; ".join(d.assumptions),
            )
            self._object_data(job, w)
            return fleet.count
        self._object_data(job, w)
        return 0

    def _scheduled(
        self, job: _Job, w: Batch | DataProcessing, d: WorkloadDemand, category: InstanceCategory
    ) -> None:
        if isinstance(w, Batch):
            vcpu_hours = w.jobs_per_day * (self._hours / 24) * w.avg_job_minutes / 60 * w.vcpu_per_job
            how = (
                f"{w.jobs_per_day:g} jobs/day × {w.avg_job_minutes:g} min × {w.vcpu_per_job:g} vCPU "
                f"= {vcpu_hours:,.0f} vCPU-hours/month"
            )
        else:
            hours = self._k.sizing("processing_hours_per_day").value * self._hours / 24
            vcpu_hours = d.vcpu * hours
            how = f"{d.vcpu:g} vCPU for {hours:,.0f} h/month; " + "; ".join(d.assumptions)
        offer = job.cheapest(category, min_vcpu=min(d.vcpu, 4) or 1)
        if offer is None:
            job.no_instance(w.name, category)
            return
        instance_hours = math.ceil(vcpu_hours / offer.instance.vcpu)
        job.instance_line(
            f"{w.type.replace('_', ' ')} compute",
            w.name,
            Fleet(offer, 1),
            instance_hours,
            f"{instance_hours:,} instance-hours of {offer.instance.sku}: {how}",
            per_hour=True,
        )

    def _database(self, job: _Job, w: Database, d: WorkloadDemand, standby: bool) -> None:
        kind = _DB_KIND.get(w.engine)
        if kind is None:
            job.missing.append(
                MissingPrice(
                    component=f"managed {w.engine.value} database",
                    workload=w.name,
                    provider=job.provider.value,
                    sku=w.engine.value,
                    region=job.region,
                    reason=f"catalog v1 has no managed {w.engine.value} service price",
                )
            )
            return
        record = self._k.service_price(job.provider, kind, job.region, min_vcpu=d.vcpu)
        record = record or _largest(self._k.service_prices(job.provider, kind, job.region))
        if record is None:
            job.missing_service(kind, w.name)
            return
        shards = max(1, math.ceil(d.vcpu / (record.vcpu or d.vcpu)))
        copies = 2 if w.high_availability and not standby else 1
        job.service_line(
            f"managed {w.engine.value}",
            w.name,
            record,
            shards * copies * self._hours,
            f"{shards} × {record.sku} ({record.vcpu} vCPU) for {d.vcpu:g} vCPU at peak"
            + (", × 2 for a standby in a second zone" if copies == 2 else "")
            + "; "
            + "; ".join(d.assumptions),
            ScalesWith.USERS,
        )
        storage = _same_service(
            self._k.service_prices(job.provider, ServiceKind.DATABASE_STORAGE, job.region), record
        )
        gb = max(w.data_size_gb, self._k.sizing("db_min_storage_gb").value)
        if storage is None:
            job.missing_service(ServiceKind.DATABASE_STORAGE, w.name)
        else:
            job.service_line(
                "database storage",
                w.name,
                storage,
                gb * copies,
                f"{gb:g} GB" + (" on each of 2 copies" if copies == 2 else ""),
                ScalesWith.DATA,
            )
        self._object_data(job, w, backup=True)

    def _gpu_serving(self, job: _Job, name: str, d: WorkloadDemand, min_count: int) -> int:
        offer = job.cheapest(InstanceCategory.GPU, min_gpu_memory_gib=d.gpu_memory_gib)
        if offer is None:
            job.no_instance(name, InstanceCategory.GPU, f"with {d.gpu_memory_gib:g} GiB of GPU memory")
            return 0
        count = max(min_count, math.ceil(max(d.gpu_count, 1) / offer.instance.gpu_count))
        job.instance_line(
            "GPU inference",
            name,
            Fleet(offer, count),
            self._hours,
            f"{count} × {offer.instance.sku} ({offer.instance.gpu_count} × {offer.instance.gpu_model}) "
            f"for {d.gpu_memory_gib:g} GiB of model memory; " + "; ".join(d.assumptions),
        )
        return count

    def _gpu_training(self, job: _Job, w: MlTraining, d: WorkloadDemand) -> None:
        offer = job.cheapest(InstanceCategory.GPU, min_gpu_memory_gib=d.gpu_memory_gib)
        if offer is None:
            job.no_instance(w.name, InstanceCategory.GPU, f"with {d.gpu_memory_gib:g} GiB of GPU memory")
            return
        per_run = math.ceil(w.gpus_per_run / offer.instance.gpu_count)
        hours = math.ceil(w.runs_per_month * w.hours_per_run * per_run)
        job.instance_line(
            "GPU training",
            w.name,
            Fleet(offer, 1),
            hours,
            f"{hours:,} instance-hours of {offer.instance.sku}: " + "; ".join(d.assumptions),
            per_hour=True,
            scales_with=ScalesWith.FIXED,
        )

    def _object_data(self, job: _Job, w: Workload, *, backup: bool = False) -> None:
        copies = self._k.sizing("backup_copies").value if backup else 1
        gb = w.data_size_gb * copies
        if gb <= 0:
            return
        record = self._k.service_price(job.provider, ServiceKind.OBJECT_STORAGE, job.region)
        if record is None:
            job.missing_service(ServiceKind.OBJECT_STORAGE, w.name)
            return
        what = "backups" if backup else "data"
        job.service_line(
            f"object storage ({what})",
            w.name,
            record,
            gb,
            f"{gb:g} GB of {what}" + (f" ({copies:g} × data size)" if backup else ""),
            ScalesWith.DATA,
        )

    def _shared(self, job: _Job, ctx: AssessmentContext, zones: int, always_on: int) -> None:
        spec = ctx.requirements
        profile = ctx.profile
        served = [d for d in profile.demands if d.type in {"web_app", "api"}]
        if always_on and uses_kubernetes(spec):
            job.service_kind_line(
                ServiceKind.KUBERNETES_CONTROL_PLANE,
                "Kubernetes control plane",
                self._hours,
                "1 managed cluster, 730 h",
                ScalesWith.FIXED,
            )
        if always_on:
            job.service_kind_line(
                ServiceKind.BLOCK_STORAGE,
                "boot volumes",
                always_on * self._k.sizing("boot_volume_gb").value,
                f"{always_on} always-on instances × {self._k.sizing('boot_volume_gb').value:g} GB",
                ScalesWith.USERS,
            )
            job.service_kind_line(
                ServiceKind.NAT_GATEWAY,
                "NAT gateway",
                zones * self._hours,
                f"one NAT gateway per zone ({zones}) × 730 h",
                ScalesWith.FIXED,
            )
        egress = profile.egress_gb_per_month
        if served:
            job.service_kind_line(
                ServiceKind.LOAD_BALANCER,
                "application load balancer",
                self._hours,
                "1 load balancer × 730 h",
                ScalesWith.FIXED,
            )
            lb_gb = sum(d.egress_gb_per_month for d in served)
            self._lb_capacity(job, lb_gb)
        cdn_gb = 0.0
        web_egress = sum(d.egress_gb_per_month for d in profile.demands if d.type == "web_app")
        if web_egress:
            cdn_gb = round(web_egress * self._k.sizing("cdn_offload").value, 1)
            job.service_kind_line(
                ServiceKind.CDN,
                "CDN",
                cdn_gb,
                f"{self._k.sizing('cdn_offload').value:.0%} of {web_egress:,.0f} GB web egress "
                "served from the edge",
                ScalesWith.USERS,
            )
        origin = egress - cdn_gb
        if origin > 0:
            job.service_kind_line(
                ServiceKind.EGRESS,
                "internet egress",
                origin,
                f"{origin:,.0f} GB/month leaving the region (after the CDN)",
                ScalesWith.USERS,
            )
            if always_on:
                nat_gb = round(origin * self._k.sizing("nat_share_of_egress").value, 1)
                job.service_kind_line(
                    ServiceKind.NAT_DATA,
                    "NAT data processing",
                    nat_gb,
                    f"{self._k.sizing('nat_share_of_egress').value:.0%} of egress leaves through NAT",
                    ScalesWith.USERS,
                )

    def _lb_capacity(self, job: _Job, gb: float) -> None:
        record = self._k.service_price(job.provider, ServiceKind.LOAD_BALANCER_CAPACITY, job.region)
        if record is None:
            job.missing_service(ServiceKind.LOAD_BALANCER_CAPACITY, None)
            return
        per_unit = self._k.sizing("lb_gb_per_capacity_unit_hour").value
        if record.unit.value == "gb":
            quantity, how = gb, f"{gb:,.0f} GB processed"
        else:
            quantity = max(self._hours, gb / per_unit)
            how = f"{gb:,.0f} GB processed ÷ {per_unit:g} GB per capacity-unit-hour, at least 1 unit × 730 h"
        job.service_line("load balancer capacity", None, record, quantity, how, ScalesWith.USERS)


def uses_kubernetes(spec: AssessmentInput) -> bool:
    """Containers on managed Kubernetes when the team can run it or the services are many and small."""
    services = sum(1 for w in spec.workloads if w.type in {"web_app", "api"})
    microservices = spec.current_infrastructure.architecture is Architecture.MICROSERVICES
    return spec.team.kubernetes_expertise >= 3 or (microservices and services >= 3)


def kubernetes_line(quote: ProviderQuote | None) -> BomLine | None:
    """The quote's managed control plane: there only when always-on compute runs on a cluster."""
    if quote is None:
        return None
    return next((line for line in quote.lines if line.kind == ServiceKind.KUBERNETES_CONTROL_PLANE), None)


class _Job:
    """Accumulates lines and missing prices for one quote."""

    def __init__(self, knowledge: Knowledge, provider: Provider, region: str, hours: float) -> None:
        self._k = knowledge
        self.provider = provider
        self.region = region
        self.hours = hours
        self.lines: list[BomLine] = []
        self.missing: list[MissingPrice] = []

    def cheapest(self, category: InstanceCategory, **minimums: float) -> InstanceOffer | None:
        return self._k.cheapest_instance(self.provider, self.region, category, **minimums)

    def fleet(
        self, category: InstanceCategory, vcpu: float, memory: float, min_count: int, *, allow_burstable: bool
    ) -> Fleet | None:
        categories = [category, InstanceCategory.BURSTABLE] if allow_burstable else [category]
        fleets = []
        for cat in categories:
            for instance in self._k.instances(self.provider, cat):
                price = self._k.instance_price(self.provider, instance.sku, self.region)
                if price is None:
                    continue
                if cat is InstanceCategory.BURSTABLE and vcpu > instance.vcpu * min_count * 0.5:
                    continue
                count = max(
                    min_count, math.ceil(vcpu / instance.vcpu), math.ceil(memory / instance.memory_gib)
                )
                fleets.append(
                    (
                        count * price.usd_per_hour,
                        -count,
                        instance.sku,
                        Fleet(InstanceOffer(instance, price), count),
                    )
                )
        return min(fleets, key=lambda f: f[:3])[3] if fleets else None

    def instance_line(
        self,
        component: str,
        workload: str | None,
        fleet: Fleet,
        hours: float,
        assumption: str,
        *,
        per_hour: bool = False,
        scales_with: ScalesWith = ScalesWith.USERS,
    ) -> None:
        price = fleet.offer.price
        quantity = hours if per_hour else fleet.count * hours
        self.lines.append(
            BomLine(
                component=component,
                workload=workload,
                provider=self.provider.value,
                service=PRODUCTS[self.provider].compute,
                kind="compute",
                sku=fleet.offer.instance.sku,
                region=self.region,
                quantity=round(quantity, 2),
                unit="instance-hour",
                unit_price_usd=price.usd_per_hour,
                monthly_usd=round(quantity * price.usd_per_hour, 2),
                source=price.source,
                as_of=price.as_of,
                estimate=price.estimate,
                assumption=assumption,
                scales_with=scales_with,
            )
        )

    def service_line(
        self,
        component: str,
        workload: str | None,
        record: ServicePrice,
        quantity: float,
        assumption: str,
        scales_with: ScalesWith,
    ) -> None:
        billable = max(0.0, quantity - record.free_units_per_month)
        if record.free_units_per_month:
            assumption += f"; first {record.free_units_per_month:g} {record.unit.value} free each month"
        self.lines.append(
            BomLine(
                component=component,
                workload=workload,
                provider=self.provider.value,
                service=record.service,
                kind=record.kind.value,
                sku=record.sku,
                region=self.region,
                quantity=round(quantity, 2),
                unit=record.unit.value,
                unit_price_usd=record.usd_per_unit,
                monthly_usd=round(billable * record.usd_per_unit, 2),
                source=record.source,
                as_of=record.as_of,
                estimate=record.estimate,
                assumption=assumption,
                scales_with=scales_with,
            )
        )

    def service_kind_line(
        self, kind: ServiceKind, component: str, quantity: float, assumption: str, scales_with: ScalesWith
    ) -> None:
        record = self._k.service_price(self.provider, kind, self.region)
        if record is None:
            self.missing_service(kind, None)
            return
        self.service_line(component, None, record, quantity, assumption, scales_with)

    def missing_service(self, kind: ServiceKind, workload: str | None) -> None:
        self.missing.append(
            MissingPrice(
                component=kind.value.replace("_", " "),
                workload=workload,
                provider=self.provider.value,
                sku=kind.value,
                region=self.region,
                reason=f"no {kind.value} price for {self.provider.value} in {self.region}",
            )
        )

    def no_instance(self, workload: str, category: InstanceCategory, detail: str = "") -> None:
        self.missing.append(
            MissingPrice(
                component=f"{category.value} instances",
                workload=workload,
                provider=self.provider.value,
                sku=category.value,
                region=self.region,
                reason=f"no priced {category.value} instance {detail} in {self.region}".replace("  ", " "),
            )
        )


def _same_service(records: list[ServicePrice], product: ServicePrice) -> ServicePrice | None:
    """The record of the same product (storage of the same database engine), else the cheapest."""
    same = [r for r in records if r.service == product.service]
    return min(same or records, key=lambda r: (r.usd_per_unit, r.sku), default=None)


def _largest(records: list[ServicePrice]) -> ServicePrice | None:
    return max(records, key=lambda r: (r.vcpu or 0, r.usd_per_unit), default=None)


_CRITICAL = {Criticality.MISSION_CRITICAL, Criticality.BUSINESS_CRITICAL}
