"""Typed records of the knowledge base. Every record carries its source and as-of date."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, model_validator


class Provider(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


class Geography(StrEnum):
    NORTH_AMERICA = "north_america"
    SOUTH_AMERICA = "south_america"
    EUROPE = "europe"
    APAC = "apac"
    MIDDLE_EAST = "middle_east"
    AFRICA = "africa"


class InstanceCategory(StrEnum):
    GENERAL = "general"
    COMPUTE = "compute"
    MEMORY = "memory"
    BURSTABLE = "burstable"
    STORAGE = "storage"
    """Storage-optimised: local NVMe or dense HDD for databases, search and streaming."""
    GPU = "gpu"


class ServiceKind(StrEnum):
    KUBERNETES_CONTROL_PLANE = "kubernetes_control_plane"
    MANAGED_POSTGRESQL = "managed_postgresql"
    MANAGED_MYSQL = "managed_mysql"
    DATABASE_STORAGE = "database_storage"
    OBJECT_STORAGE = "object_storage"
    BLOCK_STORAGE = "block_storage"
    LOAD_BALANCER = "load_balancer"
    LOAD_BALANCER_CAPACITY = "load_balancer_capacity"
    NAT_GATEWAY = "nat_gateway"
    NAT_DATA = "nat_data"
    CDN = "cdn"
    EGRESS = "egress"
    SERVERLESS_REQUESTS = "serverless_requests"
    SERVERLESS_COMPUTE = "serverless_compute"
    SERVERLESS_CONTAINERS = "serverless_containers"
    """Per vCPU-hour and per GiB-hour of a container run without nodes: Fargate, Container Apps, Cloud Run."""
    DOCUMENT_DATABASE = "document_database"
    """Per million reads or writes of a serverless document store: DynamoDB, Cosmos DB, Firestore. Its
    storage is priced under DATABASE_STORAGE with the same service name."""
    IN_MEMORY_CACHE = "in_memory_cache"
    """Per hour of a managed Redis-compatible cache: a node of `memory_gib` (ElastiCache, Azure Cache for
    Redis) or one GiB of provisioned capacity (Memorystore)."""
    FILE_STORAGE = "file_storage"
    """Per GB-month of a managed NFS/SMB file share: EFS, Azure Files, Filestore."""


class StorageTier(StrEnum):
    """The storage class a price is for, from the most to the least often read (object and file) or from
    the default disk to the special-purpose ones (block)."""

    STANDARD = "standard"
    INFREQUENT = "infrequent"
    COLD = "cold"
    ARCHIVE = "archive"
    GENERAL_SSD = "general_ssd"
    PROVISIONED_IOPS = "provisioned_iops"
    HDD = "hdd"


BASE_TIERS = frozenset({StorageTier.STANDARD, StorageTier.GENERAL_SSD})


class PriceUnit(StrEnum):
    HOUR = "hour"
    GB_MONTH = "gb_month"
    GB = "gb"
    MILLION_REQUESTS = "million_requests"
    GB_SECOND = "gb_second"
    CAPACITY_UNIT_HOUR = "capacity_unit_hour"


class Sourced(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str = Field(min_length=8, description="URL or document the figure was read from")
    as_of: date
    estimate: str | None = Field(
        default=None, description="When not a list price read from provider data: the method used"
    )


class Region(Sourced):
    provider: Provider
    code: str
    name: str
    geography: Geography
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    jurisdiction: str = Field(description="EU, US, UK, SG, JP, …")
    eu_member: bool
    sovereignty_notes: str = ""


class RegionPrice(Sourced):
    region: str
    usd_per_hour: PositiveFloat
    commitment_1y_usd_per_hour: PositiveFloat | None = Field(
        default=None, description="effective hourly rate of a 1-year commitment, no upfront where sold so"
    )
    commitment_3y_usd_per_hour: PositiveFloat | None = Field(
        default=None, description="effective hourly rate of a 3-year commitment, no upfront where sold so"
    )


class InstanceType(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    sku: str
    family: str
    category: InstanceCategory
    vcpu: int = Field(gt=0)
    memory_gib: PositiveFloat
    gpu_model: str | None = None
    gpu_count: int = Field(default=0, ge=0)
    gpu_memory_gib: float = Field(default=0, ge=0, description="per GPU")
    prices: tuple[RegionPrice, ...]


class Availability(Sourced):
    """Where an instance family or a managed service is sold, whether or not the catalog prices it there.

    A SKU is offered in a region when the catalog prices it there or an availability record of its family
    (or service kind) lists the region; anything else is treated as not offered.
    """

    provider: Provider
    family: str | None = Field(default=None, description="instance family, e.g. 'm7i'")
    kind: ServiceKind | None = None
    regions: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_subject(self) -> Availability:
        if (self.family is None) == (self.kind is None):
            raise ValueError("an availability record names either an instance family or a service kind")
        return self


class ServicePrice(Sourced):
    provider: Provider
    service: str = Field(description="provider's product name, e.g. 'Amazon RDS for PostgreSQL'")
    kind: ServiceKind
    sku: str
    region: str
    unit: PriceUnit
    usd_per_unit: PositiveFloat
    free_units_per_month: float = Field(default=0, ge=0)
    vcpu: int | None = None
    memory_gib: float | None = None
    tier: StorageTier | None = Field(default=None, description="storage class; None when the kind has none")
    tier_start_units: float = Field(
        default=0, ge=0, description="usage band: the price applies from this many units a month on"
    )
    notes: str = ""

    @property
    def is_base_offer(self) -> bool:
        """Whether a plan is costed at this price by default: the first usage band of the standard class."""
        return self.tier_start_units == 0 and (self.tier is None or self.tier in BASE_TIERS)
