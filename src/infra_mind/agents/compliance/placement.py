"""Residency enforcement: every region the plan proposes, checked against residency and framework rules."""

from __future__ import annotations

from dataclasses import dataclass

from infra_mind.agents.plan import PricedPlan
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework
from infra_mind.domain.outputs.compliance import PlacementFlag
from infra_mind.domain.pricing import ProviderQuote
from infra_mind.domain.requirements import CloudProvider
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider, Region

DATA_KINDS = frozenset(
    {"managed_postgresql", "managed_mysql", "database_storage", "object_storage", "block_storage"}
)
GDPR_ADEQUATE = {"UK": "Commission Implementing Decision (EU) 2021/1772 (adequacy of the United Kingdom)"}


@dataclass(frozen=True)
class ProposedRegion:
    provider: str
    code: str
    role: str
    data_services: tuple[str, ...]


def proposed_regions(ctx: AssessmentContext, plan: PricedPlan) -> list[ProposedRegion]:
    """Each quote's region and, when the design needs more regions, the next allowed ones (DR)."""
    proposed = []
    extra = ctx.constraints.regions_required - 1
    for quote in plan.quotes:
        services = tuple(sorted({line.service for line in quote.lines if line.kind in DATA_KINDS}))
        proposed.append(ProposedRegion(quote.provider, quote.region, "primary region", services))
        allowed = ctx.constraints.allowed_regions.get(CloudProvider(quote.provider), ())
        secondary = [code for code in allowed if code != quote.region][: max(extra, 0)]
        proposed += [
            ProposedRegion(quote.provider, code, "secondary (DR) region", services) for code in secondary
        ]
    return proposed


@dataclass(frozen=True)
class _Site:
    """A proposed region and what it holds, ready to be flagged."""

    proposed: ProposedRegion
    subject: str

    def flag(
        self, rule: str, severity: str, problem: str, *, allowed: bool, framework: Framework | None = None
    ) -> PlacementFlag:
        return PlacementFlag(
            provider=self.proposed.provider,
            region=self.proposed.code,
            subject=self.subject,
            framework=framework.value if framework else None,
            problem=problem,
            allowed=allowed,
            severity=severity,
            rule=rule,
        )


class PlacementChecker:
    def __init__(self, ctx: AssessmentContext, knowledge: Knowledge) -> None:
        self._ctx = ctx
        self._k = knowledge
        self._residency = set(ctx.constraints.residency)
        self._frameworks = set(ctx.framework_ids)

    def check(self, plan: PricedPlan) -> list[PlacementFlag]:
        flags = [flag for proposed in proposed_regions(self._ctx, plan) for flag in self._region(proposed)]
        flags += [flag for quote in plan.quotes if (flag := self._edge_cache(quote)) is not None]
        return flags + self._preferred_regions()

    def _region(self, proposed: ProposedRegion) -> list[PlacementFlag]:
        services = f" ({', '.join(proposed.data_services)})" if proposed.data_services else ""
        site = _Site(proposed, proposed.role + services)
        region = self._k.region(Provider(proposed.provider), proposed.code)
        if region is None:
            problem = "not in the region catalog: its jurisdiction cannot be checked"
            return [site.flag("region_catalog", "medium", problem, allowed=False)]
        flags = []
        if self._residency and region.jurisdiction not in self._residency:
            problem = f"{_where(region)} lies outside the required jurisdictions ({self._jurisdictions})"
            flags.append(site.flag("residency", "critical", problem, allowed=False))
        if Framework.GDPR in self._frameworks:
            flags += self._gdpr(site, region)
        if Framework.FEDRAMP in self._frameworks:
            flags += self._fedramp(site)
        return flags

    @property
    def _jurisdictions(self) -> str:
        return ", ".join(sorted(self._residency))

    @staticmethod
    def _gdpr(site: _Site, region: Region) -> list[PlacementFlag]:
        if region.eu_member or region.jurisdiction == "EU":
            return []
        if region.jurisdiction in GDPR_ADEQUATE:
            problem = (
                f"{_where(region)} is outside the EU/EEA but covered by an adequacy decision "
                f"(art. 45; {GDPR_ADEQUATE[region.jurisdiction]})"
            )
            return [site.flag("gdpr_transfer", "info", problem, allowed=True, framework=Framework.GDPR)]
        problem = (
            f"{_where(region)} is outside the EU/EEA without an adequacy decision in the catalog: storing "
            "personal data there is a transfer under GDPR chapter V that needs art. 46 safeguards (standard "
            "contractual clauses and a transfer impact assessment)"
        )
        return [site.flag("gdpr_transfer", "high", problem, allowed=True, framework=Framework.GDPR)]

    def _fedramp(self, site: _Site) -> list[PlacementFlag]:
        provider = site.proposed.provider
        authorization = self._k.authorization(Provider(provider), Framework.FEDRAMP)
        rule = "fedramp_boundary"
        if authorization is None:
            problem = f"no FedRAMP authorization record for {provider} in the catalog"
            return [site.flag(rule, "high", problem, allowed=False, framework=Framework.FEDRAMP)]
        if site.proposed.code not in authorization.regions:
            problem = (
                f"outside {provider}'s FedRAMP authorization boundary (authorized: "
                f"{', '.join(authorization.regions)}; source {authorization.source})"
            )
            return [site.flag(rule, "critical", problem, allowed=False, framework=Framework.FEDRAMP)]
        if authorization.estimate:
            problem = f"inside the FedRAMP boundary according to an estimate: {authorization.estimate}"
            return [site.flag(rule, "low", problem, allowed=True, framework=Framework.FEDRAMP)]
        return []

    def _edge_cache(self, quote: ProviderQuote) -> PlacementFlag | None:
        cdn = next((line for line in quote.lines if line.kind == "cdn"), None)
        if cdn is None or not self._residency:
            return None
        problem = (
            f"the CDN caches responses at edge locations outside {self._jurisdictions}: serve only content "
            "that is not subject to the residency rule through it"
        )
        site = _Site(ProposedRegion(quote.provider, quote.region, "edge", ()), cdn.service)
        return site.flag("edge_cache", "low", problem, allowed=True)

    def _preferred_regions(self) -> list[PlacementFlag]:
        """Preferred regions the residency rule excluded: they are not proposed, and the user should know."""
        if not self._residency:
            return []
        allowed = self._ctx.constraints.allowed_regions
        preferred = set(self._ctx.requirements.providers.preferred_regions)
        flags = []
        for region in self._k.all_regions():
            excluded = region.code not in allowed.get(CloudProvider(region.provider.value), ())
            if region.code in preferred and region.jurisdiction not in self._residency and excluded:
                problem = (
                    f"{_where(region)} lies outside the required jurisdictions ({self._jurisdictions}), "
                    "so the plan does not use it"
                )
                site = _Site(
                    ProposedRegion(region.provider.value, region.code, "preferred", ()),
                    "preferred region (not proposed)",
                )
                flags.append(site.flag("preferred_region", "medium", problem, allowed=False))
        return flags


def _where(region: Region) -> str:
    return f"{region.code} ({region.name}, jurisdiction {region.jurisdiction})"
