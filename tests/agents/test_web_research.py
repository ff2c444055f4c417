from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from infra_mind.agents.base import AgentReport
from infra_mind.agents.plan import priced_plan
from infra_mind.agents.web_research import (
    AzureRetailPrices,
    CatalogInventory,
    OfflinePrices,
    PriceCheck,
    PriceSourceError,
    WebResearchAgent,
    price_source,
)
from infra_mind.domain.context import AssessmentContext
from infra_mind.domain.enums import Framework
from infra_mind.domain.findings import EvidenceKind, Priority, Recommendation
from infra_mind.domain.outputs.web_research import KindFreshness, LineDrift, WebResearchOutput
from infra_mind.domain.pricing import BomLine
from infra_mind.errors import CatalogInvalid, ConfigurationError
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import Provider, ServiceKind
from infra_mind.knowledge.sla import Component
from tests.agents.helpers import run_agent

MakeContext = Callable[[dict[str, Any]], AssessmentContext]
TODAY = date(2026, 11, 29)
CLAUSE = re.compile(r"^(\w+) eq '(.*)'$")


@pytest.fixture(scope="module")
def inventory() -> CatalogInventory:
    return CatalogInventory.load(packaged_data_dir())


async def _run(agent: WebResearchAgent, ctx: AssessmentContext) -> tuple[AgentReport, WebResearchOutput]:
    return await run_agent(agent, ctx, WebResearchOutput)


def _kind(output: WebResearchOutput, kind: str) -> KindFreshness:
    return next(k for k in output.freshness.kinds if k.kind == kind)


def _recs(report: AgentReport) -> dict[str, Recommendation]:
    return {r.key: r for r in report.recommendations}


def _drift(output: WebResearchOutput, sku: str, region: str) -> LineDrift:
    return next(d for d in output.live_check.drifts if d.sku == sku and d.region == region)


def _item(
    service: str,
    product: str,
    sku_name: str,
    meter: str,
    region: str,
    price: float,
    *,
    unit: str = "1 Hour",
    arm_sku: str = "",
    tier: float = 0.0,
    meter_id: str | None = None,
) -> dict[str, Any]:
    """An item shaped like the Retail Prices API's (fields as its public answers show them)."""
    return {
        "currencyCode": "USD",
        "tierMinimumUnits": tier,
        "retailPrice": price,
        "unitPrice": price,
        "armRegionName": region,
        "effectiveStartDate": "2026-10-01T00:00:00Z",
        "meterId": meter_id or f"{product}/{sku_name}/{meter}",
        "meterName": meter,
        "productName": product,
        "skuName": sku_name,
        "serviceName": service,
        "unitOfMeasure": unit,
        "type": "Consumption",
        "armSkuName": arm_sku,
    }


def _vm(
    sku: str, region: str, price: float, *, variant: str = "", product_suffix: str = ""
) -> dict[str, Any]:
    short = sku.removeprefix("Standard_").replace("_", " ")
    return _item(
        "Virtual Machines",
        f"Virtual Machines Series{product_suffix}",
        f"{short}{variant}",
        f"{short}{variant}",
        region,
        price,
        arm_sku=sku,
    )


HEALTHTECH_AZURE_ITEMS = [
    _vm("Standard_D2s_v5", "eastus", 0.096),
    _vm("Standard_D2s_v5", "eastus", 0.188, product_suffix=" Windows"),
    _vm("Standard_D2s_v5", "eastus", 0.0192, variant=" Spot"),
    _vm("Standard_D2s_v5", "eastus", 0.0192, variant=" Low Priority"),
    _vm("Standard_NC4as_T4_v3", "eastus", 0.6),
    *(
        _item(
            "Azure Database for PostgreSQL",
            "Azure Database for PostgreSQL Flexible Server General Purpose Ddsv4 Series Compute",
            sku_name,
            "vCore",
            "eastus",
            0.089,
            meter_id="pg-ddsv4-vcore",
        )
        for sku_name in ("1 vCore", "vCore")
    ),
    _item(
        "Azure Database for PostgreSQL",
        "Azure Database for PostgreSQL Flex Server Storage",
        "Storage",
        "Storage Data Stored",
        "eastus",
        0.115,
        unit="1 GB/Month",
    ),
    _item(
        "Storage",
        "General Block Blob v2",
        "Hot LRS",
        "Hot LRS Data Stored",
        "eastus",
        0.0208,
        unit="1 GB/Month",
    ),
    _item(
        "Storage",
        "General Block Blob v2",
        "Hot LRS",
        "Hot LRS Data Stored",
        "eastus",
        0.019968,
        unit="1 GB/Month",
        tier=51200,
    ),
    _item(
        "Storage",
        "General Block Blob v2",
        "Hot LRS",
        "Hot LRS Data Stored",
        "westus2",
        0.0184,
        unit="1 GB/Month",
    ),
    _item(
        "Bandwidth",
        "Rtn Preference: MGN",
        "Standard",
        "Standard Data Transfer Out",
        "eastus",
        0.0,
        unit="1 GB",
    ),
    _item(
        "Bandwidth",
        "Rtn Preference: MGN",
        "Standard",
        "Standard Data Transfer Out",
        "eastus",
        0.087,
        unit="1 GB",
        tier=100,
    ),
    _item(
        "Application Gateway",
        "Application Gateway Standard v2",
        "Standard",
        "Standard Fixed Cost",
        "eastus",
        0.246,
    ),
]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) breaks the pipe; nothing to report."""


class RetailPricesServer:
    """A local stand-in for prices.azure.com: evaluates the `eq` clauses of $filter over its items and
    splits every answer of two or more items across two pages joined by NextPageLink."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.requests: list[str] = []
        self.failures: list[int] = []
        self.delay_s = 0.0
        self.next_link_host: str | None = None
        self.raw_body: bytes | None = None
        self.httpd = QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/api/retail/prices"

    def filters(self) -> list[str]:
        return [parse_qs(urlsplit(path).query)["$filter"][0] for path in self.requests]

    def _answer(self, path: str) -> tuple[int, bytes]:
        self.requests.append(path)
        if self.failures:
            return self.failures.pop(0), b'{"error": "failure injected by the test"}'
        if self.raw_body is not None:
            return 200, self.raw_body
        query = parse_qs(urlsplit(path).query)
        clauses = [CLAUSE.match(c) for c in query["$filter"][0].split(" and ")]
        wanted = {("type" if m[1] == "priceType" else m[1]): m[2].replace("''", "'") for m in clauses if m}
        matched = [i for i in self.items if all(i.get(k) == v for k, v in wanted.items())]
        half = (len(matched) + 1) // 2
        page = int(query.get("page", ["1"])[0])
        items = matched[:half] if page == 1 else matched[half:]
        next_link = None
        if page == 1 and len(matched) > 1:
            host = self.next_link_host or f"127.0.0.1:{self.httpd.server_address[1]}"
            params = {key: values[0] for key, values in query.items()} | {"page": "2"}
            next_link = f"http://{host}/api/retail/prices?{urlencode(params)}"
        body = {"BillingCurrency": "USD", "Items": items, "NextPageLink": next_link, "Count": len(items)}
        return 200, json.dumps(body).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if server.delay_s:
                    time.sleep(server.delay_s)
                status, body = server._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler


@pytest.fixture
def retail() -> Iterator[RetailPricesServer]:
    server = RetailPricesServer(list(HEALTHTECH_AZURE_ITEMS))
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _azure(knowledge: Knowledge, server: RetailPricesServer, **kwargs: Any) -> AzureRetailPrices:
    options: dict[str, Any] = {"timeout_s": 2.0, "backoff_s": 0.0} | kwargs
    return AzureRetailPrices(knowledge, base_url=server.url, **options)


def _line(kind: str, sku: str, price: float, *, region: str = "eastus", quantity: float = 100) -> BomLine:
    return BomLine(
        component=f"test {kind}",
        provider="azure",
        service="test",
        kind=kind,
        sku=sku,
        region=region,
        quantity=quantity,
        unit="unit",
        unit_price_usd=price,
        monthly_usd=round(quantity * price, 2),
        source="https://azure.microsoft.com/pricing/",
        as_of=date(2026, 9, 6),
        assumption="test line",
    )


# --- offline: the freshness audit ---


async def test_offline_by_default_says_no_live_check_was_made(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), make_context(healthtech))

    live = output.live_check
    assert (live.status, live.source, live.provider, live.drifts) == ("not_configured", "offline", None, [])
    assert "No live check was made" in live.detail
    assert report.summary.startswith("No live check was made")
    finding = next(f for f in report.findings if f.id == "live-check")
    assert finding.title == "No live price check was made: the agent ran offline"


async def test_audit_covers_every_record_knowledge_exposes(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), make_context(healthtech))
    audit = output.freshness

    files = sorted(p.relative_to(packaged_data_dir()).as_posix() for p in packaged_data_dir().rglob("*.json"))
    assert audit.catalogs == files
    counts = {k.kind: k.records for k in audit.kinds}
    providers = list(Provider)
    regions = {r.code for r in knowledge.all_regions()} | {
        price.region for p in providers for i in knowledge.instances(p) for price in i.prices
    }
    assert counts["regions"] == len(knowledge.all_regions())
    assert counts["instance_prices"] == sum(len(i.prices) for p in providers for i in knowledge.instances(p))
    assert counts["service_prices"] == sum(
        len(knowledge.service_prices(p, kind, region))
        for p in providers
        for kind in ServiceKind
        for region in regions
    )
    assert counts["controls"] == sum(len(knowledge.controls(f)) for f in Framework)
    assert counts["eligibility"] == sum(
        knowledge.eligibility(p, kind) is not None for p in providers for kind in ServiceKind
    )
    assert counts["region_authorizations"] == sum(
        knowledge.authorization(p, f) is not None for p in providers for f in Framework
    )
    assert counts["sla"] == sum(
        knowledge.sla.availability(p, c) is not None for p in providers for c in Component
    )
    assert counts["dr_strategies"] == len(knowledge.sla.strategies())
    refs = {(a.kind, a.ref) for a in audit.ages}
    practices = [ref for kind, ref in refs if kind == "best_practices"]
    assert practices
    assert all(knowledge.best_practice(ref) is not None for ref in practices)
    rules = [ref for kind, ref in refs if kind == "sizing"]
    assert all(knowledge.sizing(ref).key == ref for ref in rules)
    assert audit.records == len(audit.ages) == len(inventory.records) - len(audit.undated)
    assert len(refs) == len(audit.ages), "every record has its own ref"
    assert audit.estimates == sum(r.estimate is not None for r in inventory.records if r.as_of)


async def test_ages_and_thresholds_per_kind(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), make_context(healthtech))
    ages = {(a.kind, a.ref): a for a in output.freshness.ages}

    azure_vm = ages["instance_prices", "azure:Standard_D2s_v5@eastus"]
    assert (azure_vm.as_of, azure_vm.age_days, azure_vm.stale) == (date(2023, 12, 18), 1077, True)
    fresh_db = ages["service_prices", "azure:managed_postgresql:Standard_D2ds_v5@westeurope"]
    assert (fresh_db.age_days, fresh_db.stale) == (84, False)
    hipaa = ages["controls", "hipaa:164.308(b)(1)"]
    assert hipaa.stale
    nist = next(a for (kind, ref), a in ages.items() if kind == "controls" and ref.startswith("nist_csf:"))
    assert (nist.age_days, nist.stale) == ((TODAY - date(2024, 2, 26)).days, False)
    assert _kind(output, "instance_prices").threshold_days == 180
    assert _kind(output, "service_prices").threshold_days == 180
    assert _kind(output, "controls").threshold_days == 3 * 365
    for kind in output.freshness.kinds:
        assert kind.stale == sum(a.stale for a in output.freshness.ages if a.kind == kind.kind)
        assert "Infra Mind freshness policy v1" in kind.threshold_basis
    assert [a.as_of for a in output.freshness.ages] == sorted(a.as_of for a in output.freshness.ages)


async def test_reference_date_defaults_to_the_newest_record(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    _, output = await _run(WebResearchAgent(knowledge, inventory), make_context(healthtech))

    assert output.freshness.reference_date == inventory.newest_as_of()
    assert "newest as_of" in output.freshness.reference_basis
    assert output.freshness.future_dated == []


async def test_records_dated_after_the_reference_are_reported(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(
        WebResearchAgent(knowledge, inventory, today=date(2026, 1, 1)), make_context(healthtech)
    )

    future = [a for a in output.freshness.ages if a.as_of > date(2026, 1, 1)]
    assert future
    assert len(output.freshness.future_dated) == len(future)
    assert all(a.age_days < 0 and not a.stale for a in future)
    dates = next(f for f in report.findings if f.id == "catalog-dates")
    assert dates.severity == "high"


def test_inventory_reads_any_catalog_shape(tmp_path: Path) -> None:
    (tmp_path / "regions.json").write_text(
        json.dumps(
            {
                "records": [
                    {
                        "provider": "aws",
                        "code": "us-east-1",
                        "source": "https://x.test/regions",
                        "as_of": "2026-01-01",
                    }
                ]
            }
        )
    )
    (tmp_path / "gpu").mkdir()
    (tmp_path / "gpu" / "offers.json").write_text(
        json.dumps(
            {
                "description": "nested prices and an undated note",
                "offers": [
                    {
                        "provider": "aws",
                        "sku": "p5",
                        "prices": [
                            {
                                "region": "us-east-1",
                                "usd_per_hour": 98.3,
                                "source": "https://x.test/p5",
                                "as_of": "2026-05-01",
                                "estimate": "scaled from p4d",
                            }
                        ],
                    }
                ],
                "notes": [{"name": "undated note"}],
            }
        )
    )
    inventory = CatalogInventory.load(tmp_path)
    by_kind = {r.kind: r for r in inventory.records}

    assert inventory.catalogs == ("gpu/offers.json", "regions.json")
    offer = by_kind["gpu.offers"]
    assert (offer.ref, offer.priced, offer.estimate) == ("aws:p5@us-east-1", True, "scaled from p4d")
    assert by_kind["gpu.offers.notes"].as_of is None
    assert by_kind["regions"].ref == "aws:us-east-1"

    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CatalogInvalid, match=re.escape("broken.json")):
        CatalogInventory.load(tmp_path)


async def test_unknown_catalog_kinds_get_the_default_rules(
    knowledge: Knowledge, tmp_path: Path, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    (tmp_path / "token_prices.json").write_text(
        json.dumps(
            {
                "records": [
                    {
                        "model": "m",
                        "usd_per_million_tokens": 2.5,
                        "source": "https://x.test/t",
                        "as_of": "2026-01-01",
                    },
                    {"model": "n", "note": "undated"},
                ]
            }
        )
    )
    (tmp_path / "playbooks.json").write_text(
        json.dumps({"records": [{"id": "p", "source": "https://x.test/p", "as_of": "2025-10-01"}]})
    )
    report, output = await _run(
        WebResearchAgent(knowledge, CatalogInventory.load(tmp_path), today=TODAY), make_context(healthtech)
    )

    tokens = _kind(output, "token_prices")
    assert (tokens.threshold_days, tokens.stale, tokens.undated) == (180, 1, 1)
    assert (_kind(output, "playbooks").threshold_days, _kind(output, "playbooks").stale) == (365, 1)
    assert output.freshness.undated == ["token_prices.json: n"]
    assert "catalog:refresh:token_prices" not in _recs(report), (
        "a stale catalog no plan uses is a finding only"
    )
    assert "catalog:refresh:playbooks" not in _recs(report)


# --- recommendations and the plan ---


async def test_stale_kinds_become_refresh_recommendations(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    report, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), make_context(healthtech))
    recs = _recs(report)

    stale_kinds = {k.kind for k in output.freshness.kinds if k.stale}
    assert set(recs) <= {f"catalog:refresh:{kind}" for kind in stale_kinds}
    assert all(rec.priority is not Priority.LOW for rec in recs.values())
    prices = recs["catalog:refresh:instance_prices"]
    assert prices.priority is Priority.HIGH, "the recommended plan prices its instances from stale records"
    assert any(a.startswith("Set INFRA_MIND_LIVE_PRICES=azure") for a in prices.actions)
    assert any(e.kind is EvidenceKind.CATALOG_PRICE and e.ref.startswith("aws:") for e in prices.evidence)
    controls = recs["catalog:refresh:controls"]
    assert controls.priority is Priority.HIGH
    assert "hipaa" in controls.rationale
    for rec in report.recommendations:
        assert rec.agents == ["web_research"]
        assert 1 <= rec.impact <= 5
        assert 1 <= rec.effort <= 5
        assert rec.actions
        assert rec.rationale
        assert all(knowledge.best_practice(bp) is not None for bp in rec.best_practices)
        assert any(e.kind is EvidenceKind.ASSUMPTION for e in rec.evidence), rec.key
        assert any(e.source and e.as_of for e in rec.evidence), rec.key


async def test_plan_price_age_counts_stale_lines_of_the_chosen_quote(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    ctx = make_context(healthtech)
    report, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), ctx)

    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    assert output.plan_prices is not None
    stale = [line for line in chosen.lines if (TODAY - line.as_of).days > 180]
    assert output.plan_prices.provider == chosen.provider
    assert (output.plan_prices.lines, output.plan_prices.stale_lines) == (len(chosen.lines), len(stale))
    assert output.plan_prices.stale_monthly_usd == pytest.approx(
        sum(line.monthly_usd for line in stale), abs=0.01
    )
    finding = next(f for f in report.findings if f.id == "plan-price-age")
    assert f"{len(stale)} of {len(chosen.lines)}" in finding.title


async def test_no_compliance_duties_leave_stale_controls_to_the_audit(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["company"]["industry"] = "technology"
    healthtech["security"]["data_types"] = []
    healthtech["compliance"] = {"frameworks": [], "data_residency": []}
    ctx = make_context(healthtech)
    assert ctx.framework_ids == ()

    report, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), ctx)
    recs = _recs(report)

    assert "catalog:refresh:controls" not in recs
    assert "catalog:refresh:region_authorizations" not in recs
    assert _kind(output, "controls").stale > 0, "the audit still reports them"


async def test_no_ai_workloads(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["workloads"] = [
        w for w in healthtech["workloads"] if w["type"] not in {"ml_inference", "ml_training"}
    ]
    healthtech["ai_ml"] = {}
    ctx = make_context(healthtech)

    report, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), ctx)

    chosen = priced_plan(ctx, knowledge).chosen
    assert chosen is not None
    assert not any("gpu" in line.component.lower() for line in chosen.lines)
    assert output.plan_prices is not None
    assert output.plan_prices.lines == len(chosen.lines)
    assert all(r.key.startswith("catalog:refresh:") for r in report.recommendations)


async def test_tiny_budget(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["budget"] = {"monthly_limit_usd": 500, "flexibility": "strict"}

    report, output = await _run(WebResearchAgent(knowledge, inventory, today=TODAY), make_context(healthtech))

    assert output.plan_prices is not None
    assert output.plan_prices.monthly_usd > 500
    assert _recs(report)["catalog:refresh:service_prices"].priority is Priority.HIGH


async def test_huge_scale_stays_fast(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["growth"] = {
        "current_users": 40_000_000,
        "users_6m": 45_000_000,
        "users_12m": 50_000_000,
        "users_24m": 60_000_000,
    }
    for workload in healthtech["workloads"]:
        if "requests_per_second" in workload:
            workload["requests_per_second"] *= 1000
    ctx = make_context(healthtech)
    agent = WebResearchAgent(knowledge, inventory, today=TODAY)
    await _run(agent, ctx)

    started = time.perf_counter()
    _, output = await _run(agent, ctx)
    assert time.perf_counter() - started < 0.1
    assert output.plan_prices is not None
    assert output.plan_prices.monthly_usd > 0


# --- live: the Azure Retail Prices API against a local server ---


async def test_live_azure_check_reports_drift_per_line(
    knowledge: Knowledge,
    inventory: CatalogInventory,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    retail: RetailPricesServer,
) -> None:
    agent = WebResearchAgent(knowledge, inventory, _azure(knowledge, retail), today=TODAY)
    report, output = await _run(agent, make_context(healthtech))
    live = output.live_check

    assert (live.status, live.source, live.provider) == ("completed", "azure_retail_prices", "azure")
    vm = _drift(output, "Standard_D2s_v5", "eastus")
    assert (vm.status, vm.live_usd, vm.drift_pct, vm.flagged) == ("matched", 0.096, 0.0, False)
    gpu = _drift(output, "Standard_NC4as_T4_v3", "eastus")
    assert gpu.live_usd == 0.6
    assert gpu.flagged
    assert gpu.drift_pct == pytest.approx((0.6 - 0.526) / 0.526 * 100, abs=0.01)
    assert gpu.monthly_live_usd == pytest.approx(gpu.monthly_catalog_usd * 0.6 / 0.526, abs=0.01)
    database = _drift(output, "Standard_D8ds_v5", "eastus")
    assert database.live_usd == pytest.approx(8 * 0.089), "per-vCore meter × the class's 8 vCores"
    assert _drift(output, "blob-hot-lrs-first-50tb", "eastus").live_usd == 0.0208, "the first tier"
    assert _drift(output, "internet-egress-first-10tb", "eastus").live_usd == 0.087, "the first paid tier"
    assert _drift(output, "Standard_D8ds_v5", "westus2").status == "not_found"
    assert _drift(output, "appgw-standard-v2-capacity-unit", "eastus").status == "not_found"
    nat = _drift(output, "nat-gateway-standard-hour", "eastus")
    assert (nat.status, nat.live_usd) == ("not_covered", None)
    assert live.flagged == 1
    assert live.matched == sum(d.status == "matched" for d in live.drifts)
    azure_quote = priced_plan(make_context(healthtech), knowledge).quote("azure")
    assert azure_quote is not None
    assert live.lines_checked == len(azure_quote.lines)

    assert any("page=2" in path for path in retail.requests), "NextPageLink is followed"
    assert any(
        "armSkuName eq 'Standard_D2s_v5'" in f and "priceType eq 'Consumption'" in f for f in retail.filters()
    )
    assert len(retail.filters()) == len(set(retail.filters())) + sum("page=2" in p for p in retail.requests)

    drift = next(f for f in report.findings if f.id == "price-drift")
    assert "Standard_NC4as_T4_v3@eastus" in drift.detail
    assert drift.evidence[0].ref == "live:azure:Standard_NC4as_T4_v3@eastus"
    assert drift.evidence[0].source
    assert drift.evidence[0].source.startswith(retail.url)
    assert drift.evidence[0].as_of == TODAY
    rec = _recs(report)["catalog:refresh:instance_prices"]
    assert "1 live list price(s) differ" in rec.title
    assert rec.confidence == 0.9
    assert rec.actions[0].startswith(
        "Start with the lines whose live price differs: Standard_NC4as_T4_v3@eastus"
    )
    assert not any(a.startswith("Set INFRA_MIND_LIVE_PRICES") for a in rec.actions)


async def test_azure_client_converts_units_and_skips_free_tiers(
    knowledge: Knowledge, retail: RetailPricesServer
) -> None:
    retail.items += [
        _item("Functions", "Functions", "Standard", "Standard Total Executions", "eastus", 0.0, unit="10"),
        _item(
            "Functions",
            "Functions",
            "Standard",
            "Standard Total Executions",
            "eastus",
            2e-6,
            unit="10",
            tier=1e5,
        ),
        _item(
            "Azure Kubernetes Service",
            "Azure Kubernetes Service",
            "Standard",
            "Standard Uptime SLA",
            "eastus",
            0.1,
        ),
        _item(
            "Azure Kubernetes Service",
            "Azure Kubernetes Service",
            "Standard",
            "Standard Uptime SLA",
            "eastus",
            0.12,
            meter_id="second-meter",
        ),
    ]
    retail.items.append(_vm("Standard_E2s_v5", "eastus", 0.126) | {"retailPrice": "n/a"})
    lines = [
        _line("serverless_requests", "functions-consumption-executions", 0.2),
        _line("kubernetes_control_plane", "aks-standard-tier", 0.1),
        _line("nat_gateway", "nat-gateway-standard-hour", 0.045),
        _line("compute", "Standard_D2s_v5", 0.096).model_copy(update={"provider": "aws"}),
        _line("compute", "Standard_E2s_v5", 0.126),
    ]

    checks = await _azure(knowledge, retail).current_prices(lines)

    assert [c.line for c in checks] == lines
    functions, aks, nat, aws, unreadable = checks
    assert functions.status == "matched"
    assert functions.live_usd == pytest.approx(0.2)
    assert "Standard Total Executions (10)" in functions.meter
    assert functions.effective_from == date(2026, 10, 1)
    assert aks.status == "ambiguous"
    assert "$0.1, $0.12" in aks.note
    assert (nat.status, aws.status) == ("not_covered", "not_covered")
    assert aws.note == "not an azure line"
    assert unreadable.status == "not_found", "an item without a numeric price is skipped"


async def test_transient_errors_are_retried(knowledge: Knowledge, retail: RetailPricesServer) -> None:
    retail.failures = [503, 429]

    checks = await _azure(knowledge, retail).current_prices([_line("compute", "Standard_D2s_v5", 0.096)])

    assert checks[0].status == "matched"
    assert len(retail.requests) == 4, "two failures, then both pages"


async def test_server_errors_fail_the_check_but_the_agent_completes(
    knowledge: Knowledge,
    inventory: CatalogInventory,
    healthtech: dict[str, Any],
    make_context: MakeContext,
    retail: RetailPricesServer,
) -> None:
    retail.failures = [500] * 100
    agent = WebResearchAgent(knowledge, inventory, _azure(knowledge, retail, attempts=2), today=TODAY)

    report, output = await _run(agent, make_context(healthtech))

    live = output.live_check
    assert (live.status, live.transient, live.drifts) == ("failed", True, [])
    assert "HTTP 500" in live.detail
    assert "after 2 attempts" in live.detail
    assert "A later run may succeed" in live.detail
    finding = next(f for f in report.findings if f.id == "live-check")
    assert finding.title == "The live azure price check failed"
    assert finding.severity == "medium"
    assert output.freshness.records > 0, "the audit is still delivered"
    assert "catalog:refresh:instance_prices" in _recs(report)


@pytest.mark.parametrize(
    ("setup", "reason", "transient"),
    [
        (lambda s: s.failures.append(400), "HTTP 400", False),
        (lambda s: setattr(s, "raw_body", b"<html>maintenance</html>"), "not JSON", False),
        (lambda s: setattr(s, "raw_body", b'{"Message": "no items"}'), "without an Items list", False),
        (lambda s: setattr(s, "next_link_host", "prices.example.test"), "refused a NextPageLink", False),
        (lambda s: setattr(s, "delay_s", 0.5), "did not answer within 0.1 s", True),
    ],
)
async def test_unusable_answers_fail_with_the_reason(
    knowledge: Knowledge,
    retail: RetailPricesServer,
    setup: Callable[[RetailPricesServer], None],
    reason: str,
    transient: bool,
) -> None:
    setup(retail)
    source = _azure(knowledge, retail, timeout_s=0.1, attempts=1)

    with pytest.raises(PriceSourceError, match=re.escape(reason)) as raised:
        await source.current_prices([_line("compute", "Standard_D2s_v5", 0.096)])

    assert raised.value.transient is transient


async def test_unreachable_source_is_transient(knowledge: Knowledge) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = AzureRetailPrices(
        knowledge, base_url=f"http://127.0.0.1:{port}/api/retail/prices", attempts=1, timeout_s=1.0
    )

    with pytest.raises(PriceSourceError, match="unreachable") as raised:
        await source.current_prices([_line("compute", "Standard_D2s_v5", 0.096)])

    assert raised.value.transient


class SlowSource:
    @property
    def name(self) -> str:
        return "slow"

    @property
    def provider(self) -> str | None:
        return "azure"

    async def current_prices(self, lines: list[BomLine]) -> list[PriceCheck]:
        await asyncio.sleep(5)
        return []


async def test_live_budget_bounds_the_check(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    agent = WebResearchAgent(knowledge, inventory, SlowSource(), today=TODAY, live_budget_s=0.05)

    _, output = await _run(agent, make_context(healthtech))

    assert (output.live_check.status, output.live_check.transient) == ("failed", True)
    assert "no answer within 0.05 s" in output.live_check.detail


async def test_live_source_for_an_excluded_provider_is_not_applicable(
    knowledge: Knowledge, inventory: CatalogInventory, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    healthtech["providers"]["excluded"] = ["azure"]
    agent = WebResearchAgent(knowledge, inventory, SlowSource(), today=TODAY)

    report, output = await _run(agent, make_context(healthtech))

    assert output.live_check.status == "not_applicable"
    assert "exclude azure" in output.live_check.detail
    assert next(f for f in report.findings if f.id == "live-check").title.endswith("not an allowed provider")


async def test_price_source_from_settings(knowledge: Knowledge) -> None:
    assert isinstance(price_source("off", knowledge), OfflinePrices)
    azure = price_source("azure", knowledge, timeout_s=3)
    assert isinstance(azure, AzureRetailPrices)
    assert azure.provider == "azure"
    with pytest.raises(ConfigurationError, match="INFRA_MIND_LIVE_PRICES"):
        price_source("gcp", knowledge)
    checks = await OfflinePrices().current_prices([_line("compute", "Standard_D2s_v5", 0.096)])
    assert [c.status for c in checks] == ["not_covered"]


class MarkupSource:
    """Answers every instance line with its catalog price plus 20 %, every other line not covered."""

    @property
    def name(self) -> str:
        return "markup"

    @property
    def provider(self) -> str | None:
        return "azure"

    async def current_prices(self, lines: list[BomLine]) -> list[PriceCheck]:
        return [
            PriceCheck(line, "matched", live_usd=round(line.unit_price_usd * 1.2, 6), meter="test meter")
            if line.kind == "compute"
            else PriceCheck(line, "not_covered")
            for line in lines
        ]


async def test_drift_alone_asks_for_a_refresh_of_a_fresh_kind(
    knowledge: Knowledge, tmp_path: Path, healthtech: dict[str, Any], make_context: MakeContext
) -> None:
    (tmp_path / "instances").mkdir()
    (tmp_path / "instances" / "azure.json").write_text(
        json.dumps(
            {
                "records": [
                    {
                        "provider": "azure",
                        "sku": "Standard_D2s_v5",
                        "prices": [
                            {
                                "region": "eastus",
                                "usd_per_hour": 0.096,
                                "source": "https://x.test/vm",
                                "as_of": "2026-11-01",
                            }
                        ],
                    }
                ]
            }
        )
    )
    agent = WebResearchAgent(knowledge, CatalogInventory.load(tmp_path), MarkupSource(), today=TODAY)

    report, output = await _run(agent, make_context(healthtech))

    assert _kind(output, "instance_prices").stale == 0
    flagged = [d for d in output.live_check.drifts if d.flagged]
    assert flagged
    assert all(d.kind == "compute" and d.drift_pct == pytest.approx(20, abs=0.01) for d in flagged)
    rec = _recs(report)["catalog:refresh:instance_prices"]
    assert (
        rec.title
        == f"Refresh the instance list prices: {len(flagged)} live list price(s) differ by more than 5 %"
    )
    assert rec.priority is Priority.HIGH
    assert rec.rationale.startswith(f"The live check found {len(flagged)} line(s) whose list price moved")
    assert output.live_check.monthly_live_usd == pytest.approx(
        output.live_check.monthly_catalog_usd * 1.2, rel=1e-3
    )
