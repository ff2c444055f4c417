"""ML platform choice: the provider's managed platform against open source on Kubernetes, scored on the
team, its skills, AI maturity, cost and the budget.

Managed cost is the platform's documented rate over the instance price of each ML line of the plan (a
sourced surcharge, or the platform's own rate for the same instance); open-source cost is the platform's
documented cluster footprint priced from the catalog. A rate the catalog does not hold is listed as
unpriced, never counted as $0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from infra_mind.agents.bom import kubernetes_line
from infra_mind.agents.budget import monthly_check
from infra_mind.agents.evidence import line_evidence, record_evidence
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.findings import Evidence, EvidenceKind
from infra_mind.domain.outputs.mlops import PlatformChoice, PlatformCriterion, PlatformFee, PlatformOption
from infra_mind.domain.pricing import BomLine, ProviderQuote
from infra_mind.domain.requirements import AiMaturity
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.ml_platforms import MlPlatform, MlPlatformCatalog, Usage
from infra_mind.knowledge.models import InstanceCategory, Provider, ServiceKind

EARLY_MATURITY = frozenset({AiMaturity.NONE, AiMaturity.EXPLORING, AiMaturity.PILOTING})


@dataclass(frozen=True)
class PricedOption:
    option: PlatformOption
    evidence: list[Evidence]


@dataclass(frozen=True)
class Decision:
    choice: PlatformChoice
    evidence: list[Evidence]


class PlatformAdvisor:
    def __init__(self, ctx: AssessmentContext, knowledge: Knowledge, catalog: MlPlatformCatalog) -> None:
        self._ctx = ctx
        self._k = knowledge
        self._catalog = catalog
        self._hours = knowledge.sizing("hours_per_month").value

    def decide(self, quote: ProviderQuote, ml_lines: list[BomLine]) -> Decision | None:
        provider = Provider(quote.provider)
        managed = self._catalog.managed(provider)
        open_source = self._catalog.open_source()
        if managed is None or open_source is None:
            return None
        feasible, skills = self._skills()
        options = [self._managed(managed, ml_lines), self._open_source(open_source, quote, feasible)]
        criteria = [
            *skills,
            self._maturity(feasible),
            *self._cost(quote, options[0].option, options[1].option),
        ]
        chosen = self._pick(feasible, criteria)
        winner = options[0] if chosen == "managed" else options[1]
        reasons = [c.detail for c in criteria if c.favours == chosen]
        if not reasons:
            reasons = ["no criterion separates the two: the managed platform leaves less to operate"]
        choice = PlatformChoice(
            chosen=chosen,
            platform=winner.option.platform,
            name=winner.option.name,
            options=[o.option for o in options],
            criteria=criteria,
            reasons=reasons,
        )
        return Decision(choice, winner.evidence)

    def _managed(self, platform: MlPlatform, ml_lines: list[BomLine]) -> PricedOption:
        fees: list[PlatformFee] = []
        unpriced: list[str] = []
        evidence = [
            record_evidence(
                platform, EvidenceKind.CATALOG_RECORD, f"ml_platform:{platform.id}", platform.fee_model
            )
        ]
        surcharge = self._catalog.surcharge(platform.id)
        for line in ml_lines:
            usage: Usage = "training" if "training" in line.component.lower() else "real_time_inference"
            if surcharge is not None:
                rate = line.unit_price_usd * (1 + surcharge.surcharge_pct / 100)
                fees.append(self._fee(line, line.sku, rate, surcharge.source, surcharge.as_of))
                continue
            record = self._catalog.instance_price(platform.id, line.sku, line.region, usage)
            if record is None:
                unpriced.append(
                    f"{platform.name} rate for {line.sku} in {line.region} ({usage.replace('_', ' ')}, "
                    f"{line.workload}): not in the catalog, so its surcharge over "
                    f"${line.unit_price_usd:g}/h is unpriced"
                )
                continue
            fees.append(self._fee(line, record.sku, record.usd_per_hour, record.source, record.as_of))
            evidence.append(
                record_evidence(
                    record,
                    EvidenceKind.CATALOG_PRICE,
                    f"{platform.id}:{record.sku}@{record.region}",
                    f"{record.sku} ${record.usd_per_hour:g}/h against {line.sku} ${line.unit_price_usd:g}/h",
                )
            )
        if surcharge is not None:
            evidence.append(
                record_evidence(
                    surcharge,
                    EvidenceKind.CATALOG_PRICE,
                    f"{platform.id}:surcharge",
                    f"{surcharge.surcharge_pct:g} % over the instance price: {surcharge.condition}",
                )
            )
        total = round(sum(f.monthly_usd for f in fees), 2)
        if not ml_lines:
            basis = "no ML instance lines in the plan, so no platform rate applies"
        elif not fees:
            basis = f"not priced: {platform.fee_model}; the catalog has no such rate for the plan's instances"
        elif unpriced:
            basis = (
                f"${total:,.2f}/month over the instance price on {len(fees)} priced line(s), a lower bound"
            )
        else:
            basis = f"${total:,.2f}/month over the instance price of the plan's {len(fees)} ML line(s)"
        option = PlatformOption(
            option="managed",
            platform=platform.id,
            name=platform.name,
            provider=platform.provider.value if platform.provider else None,
            feasible=True,
            monthly_usd=None if unpriced and not fees else total,
            cost_basis=basis,
            fees=fees,
            unpriced=unpriced,
        )
        return PricedOption(option, evidence)

    def _fee(self, line: BomLine, platform_sku: str, rate: float, source: str, as_of: date) -> PlatformFee:
        return PlatformFee(
            workload=line.workload,
            instance_sku=line.sku,
            platform_sku=platform_sku,
            region=line.region,
            instance_hours=line.quantity,
            instance_usd_per_hour=line.unit_price_usd,
            platform_usd_per_hour=round(rate, 6),
            monthly_usd=round(line.quantity * (rate - line.unit_price_usd), 2),
            source=source,
            as_of=as_of,
        )

    def _open_source(self, platform: MlPlatform, quote: ProviderQuote, feasible: bool) -> PricedOption:
        provider, region = Provider(quote.provider), quote.region
        footprint = self._catalog.footprint(platform.id)
        evidence = [
            record_evidence(
                platform, EvidenceKind.CATALOG_RECORD, f"ml_platform:{platform.id}", platform.fee_model
            )
        ]
        unpriced: list[str] = []
        parts: list[str] = []
        total = 0.0
        if footprint is None:
            unpriced.append(f"{platform.name}: no cluster footprint in the catalog")
        else:
            evidence.append(
                record_evidence(
                    footprint,
                    EvidenceKind.CATALOG_RECORD,
                    f"footprint:{platform.id}",
                    f"{footprint.vcpu:g} vCPU, {footprint.memory_gib:g} GiB, {footprint.storage_gb:g} GB: "
                    + footprint.basis,
                )
            )
            utilisation = self._k.sizing("target_utilisation").value
            node = self._k.cheapest_instance(
                provider,
                region,
                InstanceCategory.GENERAL,
                min_vcpu=footprint.vcpu / utilisation,
                min_memory_gib=footprint.memory_gib / utilisation,
            )
            if node is None:
                unpriced.append(f"no general-purpose instance in {region} holds the platform's footprint")
            else:
                cost = node.price.usd_per_hour * self._hours
                total += cost
                parts.append(
                    f"1 × {node.instance.sku} (${cost:,.2f}) for {footprint.vcpu:g} vCPU / "
                    f"{footprint.memory_gib:g} GiB at {utilisation:.0%} target utilisation"
                )
                evidence.append(
                    record_evidence(
                        node.price,
                        EvidenceKind.CATALOG_PRICE,
                        f"{provider.value}:{node.instance.sku}@{region}",
                        f"{node.instance.sku} ${node.price.usd_per_hour:g}/h × {self._hours:g} h",
                    )
                )
            total += self._service(
                provider,
                region,
                ServiceKind.BLOCK_STORAGE,
                footprint.storage_gb,
                "GB of volumes",
                parts,
                unpriced,
                evidence,
            )
        cluster = kubernetes_line(quote)
        if cluster is None:
            total += self._service(
                provider,
                region,
                ServiceKind.KUBERNETES_CONTROL_PLANE,
                self._hours,
                "h of a managed control plane (the plan runs no cluster)",
                parts,
                unpriced,
                evidence,
            )
        else:
            parts.append(f"shares the plan's {cluster.service} cluster")
            evidence.append(line_evidence(cluster))
        basis = "; ".join(parts) + "; model servers run on the plan's own instances"
        option = PlatformOption(
            option="open_source",
            platform=platform.id,
            name=platform.name,
            provider=None,
            feasible=feasible,
            monthly_usd=None if footprint is None else round(total, 2),
            cost_basis=basis,
            unpriced=unpriced,
        )
        return PricedOption(option, evidence)

    def _service(
        self,
        provider: Provider,
        region: str,
        kind: ServiceKind,
        quantity: float,
        what: str,
        parts: list[str],
        unpriced: list[str],
        evidence: list[Evidence],
    ) -> float:
        record = self._k.service_price(provider, kind, region)
        if record is None:
            unpriced.append(f"{quantity:g} {what}: no {kind.value} price in {region}")
            return 0.0
        cost = quantity * record.usd_per_unit
        parts.append(f"{quantity:g} {what} (${cost:,.2f})")
        evidence.append(
            record_evidence(
                record,
                EvidenceKind.CATALOG_PRICE,
                f"{provider.value}:{record.sku}@{region}",
                f"{record.service}: ${record.usd_per_unit:g} per {record.unit.value}",
            )
        )
        return cost

    def _skills(self) -> tuple[bool, list[PlatformCriterion]]:
        team = self._ctx.requirements.team
        rule = self._catalog.rule
        ml = rule("open_source_min_ml_engineers").value
        k8s = rule("open_source_min_kubernetes_expertise").value
        devops = rule("open_source_min_devops_engineers").value
        team_ok = team.ml_engineers >= ml
        skills_ok = team.kubernetes_expertise >= k8s and team.devops_engineers >= devops
        return team_ok and skills_ok, [
            PlatformCriterion(
                criterion="team",
                favours="open_source" if team_ok else "managed",
                detail=f"{team.ml_engineers} ML engineer(s) against the {ml:g} needed to run an ML platform "
                "alongside the models",
            ),
            PlatformCriterion(
                criterion="skills",
                favours="open_source" if skills_ok else "managed",
                detail=f"Kubernetes expertise {team.kubernetes_expertise}/5 (at least {k8s:g} needed) and "
                f"{team.devops_engineers} DevOps engineer(s) (at least {devops:g}) to run the cluster "
                "services",
            ),
        ]

    def _maturity(self, feasible: bool) -> PlatformCriterion:
        maturity = self._ctx.requirements.ai_ml.maturity
        if maturity in EARLY_MATURITY:
            return PlatformCriterion(
                criterion="maturity",
                favours="managed",
                detail=f"AI maturity '{maturity.value}': registry, pipelines and monitoring come ready to "
                "use, so the first models ship sooner",
            )
        return PlatformCriterion(
            criterion="maturity",
            favours="open_source" if feasible else "neutral",
            detail=f"AI maturity '{maturity.value}': models in production"
            + (", and a team able to own a portable platform with no per-hour surcharge" if feasible else ""),
        )

    def _cost(
        self, quote: ProviderQuote, managed: PlatformOption, open_source: PlatformOption
    ) -> list[PlatformCriterion]:
        m, o = managed.monthly_usd, open_source.monthly_usd
        if m is None or o is None:
            cheaper = None
            unknown = managed.name if m is None else open_source.name
            detail = f"the cost of {unknown} is not priced, so cost does not decide"
        elif managed.unpriced and m <= o:
            cheaper = None
            detail = (
                f"{managed.name} adds at least ${m:,.2f}/month against ${o:,.2f}/month for "
                f"{open_source.name}; its unpriced rates could change the order"
            )
        else:
            cheaper = "managed" if m <= o else "open_source"
            detail = (
                f"{managed.name} adds {'at least ' if managed.unpriced else ''}${m:,.2f}/month over the "
                f"instance prices; {open_source.name} adds ${o:,.2f}/month for its cluster footprint"
            )
        criteria = [PlatformCriterion(criterion="cost", favours=cheaper or "neutral", detail=detail)]
        check = monthly_check(self._ctx, quote)
        if check.status in {"over_limit", "over_ceiling"}:
            criteria.append(
                PlatformCriterion(
                    criterion="budget",
                    favours=cheaper or "neutral",
                    detail=f"the plan is over the monthly budget ({check.note}): every dollar the platform "
                    "adds widens the gap",
                )
            )
        return criteria

    def _pick(self, feasible: bool, criteria: list[PlatformCriterion]) -> str:
        if not feasible:
            return "managed"
        votes = {"managed": 0, "open_source": 0}
        for c in criteria:
            if c.favours in votes:
                votes[c.favours] += 1
        return "open_source" if votes["open_source"] > votes["managed"] else "managed"
