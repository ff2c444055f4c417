"""The bill of materials: each workload's demand priced from the catalog, line by line, per provider.

Shared by the agents that need a price (a pure function of the context and the catalog), so every
agent stays independent of the others and all of them see the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra_mind.agents.bom_lines import Fleet, Job, OfferCache
from infra_mind.agents.bom_shared import SharedLines, uses_kubernetes
from infra_mind.domain.context import AssessmentContext, WorkloadDemand
from infra_mind.domain.pricing import BomLine, ProviderQuote, ScalesWith, Site
from infra_mind.domain.requirements import CloudProvider
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
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import InstanceCategory, InstanceType, Provider, ServiceKind, ServicePrice

__all__ = [
    "BomBuilder",
    "gpus_per_replica",
    "instances_for_replicas",
    "kubernetes_line",
    "serving_replicas",
    "uses_kubernetes",
]

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
_CRITICAL = frozenset({Criticality.MISSION_CRITICAL, Criticality.BUSINESS_CRITICAL})


@dataclass(frozen=True)
class _Mode:
    zones: int
    """Zones this quote spreads over: the design's, or 1 for a standby."""
    design_zones: int
    standby: bool
    """One zone: no second instance per zone, no database standby."""
    scaled_down: bool
    read_replicas: bool
    """Databases past the largest class get their read replicas (a DR standby serves no reads)."""


class BomBuilder:
    """Prices one provider's bill of materials in one region."""

    def __init__(self, knowledge: Knowledge) -> None:
        self._k = knowledge
        self._hours = knowledge.sizing("hours_per_month").value
        self._shared = SharedLines(knowledge)
        self._offers: OfferCache = {}

    def quote(
        self,
        ctx: AssessmentContext,
        provider: Provider,
        region: str,
        *,
        standby: bool = False,
        scaled_down: bool = False,
        single_zone: bool = False,
        site: Site = Site.PRIMARY,
    ) -> ProviderQuote:
        """The monthly bill for the context's load.

        `standby` prices the design in one zone: no second instance per zone, no database standby or
        read replicas. `scaled_down` (implies `standby`) prices a warm standby: one instance per always-on
        group and one model replica, scaled out at failover. `site` marks the lines as the primary
        region's or the DR footprint's; the DR footprint runs no scheduled or training jobs (they run once,
        in the primary region). `single_zone` prices the same load in one zone: like `standby`, but the
        read replicas stay (what zone redundancy costs is the difference to the design). Parts of the
        design the catalog has no price for are listed as missing.
        """
        spec = ctx.requirements
        alternatives = ctx.constraints.allowed_regions.get(CloudProvider(provider.value), ())
        job = Job(self._k, provider, region, self._hours, site, self._offers, alternatives)
        design = ctx.constraints.zones_required
        one_zone = standby or scaled_down or single_zone
        mode = _Mode(
            1 if one_zone else design,
            design,
            one_zone,
            scaled_down,
            read_replicas=not (standby or scaled_down),
        )
        by_name = {d.name: d for d in ctx.profile.demands}
        always_on = 0
        for workload in spec.workloads:
            always_on += self._workload(job, workload, by_name[workload.name], mode)
        self._shared.shared(job, ctx, mode.zones, always_on)
        if site is Site.PRIMARY:
            self._shared.unpriced_design(job, ctx, always_on)
        total = round(sum(line.monthly_usd for line in job.lines), 2)
        return ProviderQuote(
            provider=provider.value, region=region, lines=job.lines, missing=job.missing, monthly_usd=total
        )

    def _workload(self, job: Job, w: Workload, d: WorkloadDemand, mode: _Mode) -> int:
        """Adds the workload's lines; returns how many always-on instances it runs."""
        jobs_here = job.site is Site.PRIMARY
        match w:
            case Database():
                self._database(job, w, d, mode)
                return 0
            case MlInference() if w.gpu_required:
                critical = w.criticality in _CRITICAL and not mode.standby
                count = self._gpu_serving(
                    job, w.name, d, min_count=2 if critical else 1, one=mode.scaled_down
                )
                self._object_data(job, w)
                return count
            case MlTraining():
                if jobs_here:
                    self._gpu_training(job, w, d)
                self._object_data(job, w)
                return 0
            case LlmApplication():
                count = 0
                if w.hosting is LlmHosting.SELF_HOSTED:
                    count = self._gpu_serving(job, w.name, d, min_count=1, one=mode.scaled_down)
                else:
                    self._shared.llm_tokens(job, w)
                self._object_data(job, w)
                return count
        category = _ALWAYS_ON_CATEGORY.get(w.type, InstanceCategory.GENERAL)
        if isinstance(w, Batch) or (isinstance(w, DataProcessing) and not w.streaming):
            if jobs_here:
                self._scheduled(job, w, d, category)
            self._object_data(job, w)
            return 0
        # a scaled-down copy runs one instance of the type the full design would use
        min_count = mode.design_zones if mode.scaled_down else mode.zones
        fleet = job.fleet(
            category, d.vcpu, d.memory_gib, min_count, allow_burstable=w.criticality not in _CRITICAL
        )
        if fleet is None:
            job.no_instance(w.name, category, quantity=d.vcpu, unit="vCPU at peak, always on")
            self._object_data(job, w)
            return 0
        instance = fleet.offer.instance
        if mode.scaled_down:
            how = (
                f"1 × {instance.sku}: the scaled-down copy, scaled out at failover to the full fleet "
                f"({fleet.count} × {instance.sku} for {d.vcpu:g} vCPU / {d.memory_gib:g} GiB at peak)"
            )
            fleet = Fleet(fleet.offer, 1)
        else:
            how = (
                f"{fleet.count} × {instance.sku} ({instance.vcpu} vCPU, {instance.memory_gib:g} GiB) for "
                f"{d.vcpu:g} vCPU / {d.memory_gib:g} GiB at peak, at least {min_count} across zones; "
                + "; ".join(d.assumptions)
            )
        job.instance_line(f"{w.type.replace('_', ' ')} compute", w.name, fleet, self._hours, how)
        self._object_data(job, w)
        return fleet.count

    def _scheduled(
        self, job: Job, w: Batch | DataProcessing, d: WorkloadDemand, category: InstanceCategory
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
            job.no_instance(w.name, category, quantity=vcpu_hours, unit="vCPU-hours/month")
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

    def _database(self, job: Job, w: Database, d: WorkloadDemand, mode: _Mode) -> None:
        """The smallest class that carries the peak; past the largest class, read replicas take the reads.

        Read replicas add no write capacity: a write load beyond the largest class is listed as missing.
        """
        kind = _DB_KIND.get(w.engine)
        if kind is None:
            job.unpriced(
                f"managed {w.engine.value} database",
                w.name,
                role="database",
                sku=w.engine.value,
                reason=f"catalog v1 has no managed {w.engine.value} service price",
            )
            self._object_data(job, w, backup=True)
            return
        records = self._k.service_prices(job.provider, kind, job.region)
        largest = max(records, key=lambda r: (r.vcpu or 0, r.usd_per_unit), default=None)
        if largest is None:
            job.missing_service(kind, w.name, role="database", quantity=self._hours, unit="hour")
            return
        record = self._k.service_price(job.provider, kind, job.region, min_vcpu=d.vcpu) or largest
        capacity = float(record.vcpu or d.vcpu)
        copies = 2 if w.high_availability and not mode.standby else 1
        replicas = self._read_replicas(job, w, d, record, capacity) if mode.read_replicas else 0
        sizing = "; ".join(d.assumptions)
        replica = "a cross-region replica of the primary: " if job.site is Site.DR else ""
        job.service_line(
            f"managed {w.engine.value}",
            w.name,
            record,
            copies * self._hours,
            f"{replica}{record.sku} ({record.vcpu} vCPU) for {d.vcpu:g} vCPU at peak"
            + (
                f" (the largest catalogued class: {replicas} read replica(s) take the rest)"
                if replicas
                else ""
            )
            + (", × 2 for a standby in a second zone" if copies == 2 else "")
            + (f"; {sizing}" if sizing else ""),
            ScalesWith.USERS,
            role="database",
        )
        if replicas:
            job.service_line(
                "read replicas",
                w.name,
                record,
                replicas * self._hours,
                f"{replicas} × {record.sku}: the reads beyond what the primary carries "
                f"({d.vcpu - capacity:.1f} vCPU at peak ÷ {capacity:g} vCPU per replica, rounded up)",
                ScalesWith.USERS,
                role="read_replicas",
            )
        storage = _same_service(
            self._k.service_prices(job.provider, ServiceKind.DATABASE_STORAGE, job.region), record
        )
        gb = max(w.data_size_gb, self._k.sizing("db_min_storage_gb").value)
        volumes = copies + replicas
        if storage is None:
            job.missing_service(
                ServiceKind.DATABASE_STORAGE,
                w.name,
                role="database_storage",
                quantity=gb * volumes,
                unit="gb_month",
            )
        else:
            job.service_line(
                "database storage",
                w.name,
                storage,
                gb * volumes,
                f"{gb:g} GB" + (f" on each of {volumes} copies" if volumes > 1 else ""),
                ScalesWith.DATA,
                role="database_storage",
            )
        self._object_data(job, w, backup=True)

    def _read_replicas(
        self, job: Job, w: Database, d: WorkloadDemand, record: ServicePrice, capacity: float
    ) -> int:
        """How many replicas of `record` carry the reads the primary cannot; flags an unmet write load."""
        if d.vcpu <= capacity:
            return 0
        queries = w.read_qps + w.write_qps
        write_vcpu = d.vcpu * (w.write_qps / queries if queries else 1.0)
        read_vcpu = d.vcpu - write_vcpu
        if write_vcpu > capacity:
            job.unpriced(
                "database write capacity",
                w.name,
                role="database_write_capacity",
                sku=record.sku,
                reason=(
                    f"the write load needs {write_vcpu:.1f} vCPU at peak, more than the largest catalogued "
                    f"class ({record.sku}, {capacity:g} vCPU); read replicas add no write capacity, so the "
                    "data must be sharded or moved to a larger class that catalog v1 does not price"
                ),
                quantity=write_vcpu - capacity,
                unit="vCPU beyond the largest class",
            )
            return math.ceil(read_vcpu / capacity)
        return math.ceil((d.vcpu - capacity) / capacity)

    def _gpu_serving(
        self, job: Job, name: str, d: WorkloadDemand, min_count: int, *, one: bool = False
    ) -> int:
        """The cheapest instances that hold every replica (one replica when `one`): a replica spans as many
        GPUs as its memory needs."""
        replicas = 1 if one else serving_replicas(d)
        options = []
        for offer in job.gpu_offers():
            instance = offer.instance
            if instance.gpu_count * instance.gpu_memory_gib < d.gpu_memory_gib or not instance.gpu_count:
                continue
            per_replica = gpus_per_replica(d, instance)
            count = max(min_count, instances_for_replicas(d, instance, replicas))
            options.append((count * offer.price.usd_per_hour, instance.sku, offer, count, per_replica))
        if not options:
            job.no_instance(
                name,
                InstanceCategory.GPU,
                f"with {d.gpu_memory_gib:g} GiB of GPU memory",
                quantity=replicas,
                unit=f"replicas of {d.gpu_memory_gib:g} GiB, always on",
            )
            return 0
        _, _, offer, count, per_replica = min(options, key=lambda o: o[:2])
        instance = offer.instance
        shard = (
            f"; each replica's {d.gpu_memory_gib:g} GiB is sharded across {per_replica} GPUs "
            "(tensor parallel)"
            if per_replica > 1
            else ""
        )
        how = job.moved_note(offer) + (
            f"{count} × {instance.sku} ({instance.gpu_count} × {instance.gpu_model}, "
            f"{instance.gpu_memory_gib:g} GiB each) for {replicas} replica(s) of {d.gpu_memory_gib:g} GiB"
            f"{shard}; "
        )
        if one and (d.gpu_replicas or d.gpu_count) > 1:
            how += f"the scaled-down copy: one replica, scaled out at failover to {d.gpu_count} GPU(s)"
        else:
            how += "; ".join(d.assumptions)
        job.instance_line("GPU inference", name, Fleet(offer, count), self._hours, how)
        return count

    def _gpu_training(self, job: Job, w: MlTraining, d: WorkloadDemand) -> None:
        """The cheapest GPU instances for one run's GPUs, holding the run's training state between them."""
        need = d.gpu_memory_gib
        options = []
        for offer in job.gpu_offers():
            instance = offer.instance
            if not instance.gpu_count or not instance.gpu_memory_gib:
                continue
            gpus = max(w.gpus_per_run, math.ceil(need / instance.gpu_memory_gib))
            per_run = math.ceil(gpus / instance.gpu_count)
            options.append((per_run * offer.price.usd_per_hour, instance.sku, offer, per_run, gpus))
        if not options:
            job.no_instance(
                w.name, InstanceCategory.GPU, quantity=d.gpu_hours_per_month, unit="GPU-hours/month"
            )
            return
        _, _, offer, per_run, gpus = min(options, key=lambda o: o[:2])
        instance = offer.instance
        hours = math.ceil(w.runs_per_month * w.hours_per_run * per_run)
        if need > instance.gpu_memory_gib:
            memory = (
                f"the {need:g} GiB of training state is sharded across {gpus} GPUs "
                f"({need / gpus:.1f} GiB each, e.g. FSDP / ZeRO)"
            )
        else:
            memory = f"each GPU holds the whole {need:g} GiB of training state (data parallel)"
        if per_run > 1 and need > instance.gpu_memory_gib:
            memory += f"; sharding across {per_run} instances needs a fast interconnect between them"
        more = (
            f" (memory needs {gpus}, more than the {w.gpus_per_run} asked for)"
            if gpus > w.gpus_per_run
            else ""
        )
        job.instance_line(
            "GPU training",
            w.name,
            Fleet(offer, per_run),
            hours,
            job.moved_note(offer)
            + f"{hours:,} instance-hours = {w.runs_per_month:g} runs × {w.hours_per_run:g} h × {per_run} × "
            f"{instance.sku} ({instance.gpu_count} × {instance.gpu_model}, {instance.gpu_memory_gib:g} GiB "
            f"each){more}; {memory}; " + "; ".join(d.assumptions),
            per_hour=True,
            scales_with=ScalesWith.FIXED,
        )

    def _object_data(self, job: Job, w: Workload, *, backup: bool = False) -> None:
        copies = self._k.sizing("backup_copies").value if backup else 1
        gb = w.data_size_gb * copies
        if gb <= 0:
            return
        role = "object_backups" if backup else "object_data"
        record = self._k.service_price(job.provider, ServiceKind.OBJECT_STORAGE, job.region)
        if record is None:
            job.missing_service(ServiceKind.OBJECT_STORAGE, w.name, role=role, quantity=gb, unit="gb_month")
            return
        what = "backups" if backup else "data"
        job.service_line(
            f"object storage ({what})",
            w.name,
            record,
            gb,
            f"{gb:g} GB of {what}" + (f" ({copies:g} × data size)" if backup else ""),
            ScalesWith.DATA,
            role=role,
        )


def serving_replicas(d: WorkloadDemand) -> int:
    """The model replicas the profile sized for today's peak (at least one)."""
    return d.gpu_replicas or max(d.gpu_count, 1)


def gpus_per_replica(d: WorkloadDemand, instance: InstanceType) -> int:
    """The GPUs of `instance` one replica spans: as many as the replica's memory needs."""
    return max(1, math.ceil(d.gpu_memory_gib / instance.gpu_memory_gib)) if d.gpu_memory_gib else 1


def instances_for_replicas(d: WorkloadDemand, instance: InstanceType, replicas: int) -> int:
    """The instances of `instance` that hold `replicas` whole replicas (a replica never spans instances)."""
    return math.ceil(replicas / (instance.gpu_count // gpus_per_replica(d, instance)))


def kubernetes_line(quote: ProviderQuote | None) -> BomLine | None:
    """The quote's managed control plane: there only when always-on compute runs on a cluster."""
    if quote is None:
        return None
    return next((line for line in quote.lines if line.kind == ServiceKind.KUBERNETES_CONTROL_PLANE), None)


def _same_service(records: list[ServicePrice], product: ServicePrice) -> ServicePrice | None:
    """The record of the same product (storage of the same database engine), else the cheapest."""
    same = [r for r in records if r.service == product.service]
    return min(same or records, key=lambda r: (r.usd_per_unit, r.sku), default=None)
