from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
import typer
from typer.testing import CliRunner

from infra_mind.cli.catalog import EXIT_ERROR, EXIT_INVALID, EXIT_NETWORK, catalog_app
from infra_mind.cli.main import app as main_app
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.models import Provider
from infra_mind.knowledge.refresh import EC2INSTANCES_URL

TODAY = date(2026, 11, 29)

Handler = Callable[[httpx2.Request], httpx2.Response]


@pytest.fixture(autouse=True)
def no_knowledge_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INFRA_MIND_KNOWLEDGE_DIR", "INFRA_MIND_GCP_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return Path(shutil.copytree(packaged_data_dir(), tmp_path / "base"))


def cli(handler: Handler | None = None) -> typer.Typer:
    transport = httpx2.MockTransport(handler) if handler else None
    return catalog_app(transport=transport, today=lambda: TODAY)


def aws_records(root: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((root / "instances/aws.json").read_text())["records"]
    return records


def ec2instances_file(path: Path, base: Path) -> tuple[Path, dict[str, Any]]:
    """A file in the ec2instances.info format repricing the catalog's first AWS instance in one region.

    The price is the catalog's own plus 10 %: a price change for the test, not a published figure."""
    record = aws_records(base)[0]
    price = record["prices"][0]
    new_usd = round(price["usd_per_hour"] * 1.1, 6)
    item = {
        "instance_type": record["sku"],
        "generation": "current",
        "vCPU": record["vcpu"],
        "memory": record["memory_gib"],
        "GPU": 0,
        "pricing": {price["region"]: {"linux": {"ondemand": str(new_usd)}}},
    }
    path.write_text(json.dumps([item]))
    return path, {
        "sku": record["sku"],
        "region": price["region"],
        "old": price["usd_per_hour"],
        "new": new_usd,
    }


def files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_catalog_is_registered_on_the_main_cli(runner: CliRunner) -> None:
    result = runner.invoke(main_app, ["catalog", "--help"])

    assert result.exit_code == 0
    for command in ("import", "refresh", "show", "search", "diff"):
        assert command in result.output


def test_import_then_diff_shows_exactly_the_changed_price(
    runner: CliRunner, base: Path, tmp_path: Path
) -> None:
    price_file, expected = ec2instances_file(tmp_path / "instances.json", base)
    target = tmp_path / "snapshot"

    imported = runner.invoke(
        cli(), ["import", "ec2instances", str(price_file), "--from", str(base), "--into", str(target)]
    )

    assert imported.exit_code == 0, imported.output
    assert "instance prices: 1 (0 new, 1 replaced)" in imported.output
    assert f"INFRA_MIND_KNOWLEDGE_DIR={target}" in imported.output
    price = Knowledge.load(target).instance_price(Provider.AWS, expected["sku"], expected["region"])
    assert price is not None
    assert price.as_of == TODAY

    diffed = runner.invoke(cli(), ["diff", str(base), str(target), "--json"])

    assert diffed.exit_code == 0, diffed.output
    diff = json.loads(diffed.stdout)
    assert [
        (c["key"]["sku"], c["key"]["region"], c["old"]["usd"], c["new"]["usd"]) for c in diff["changed"]
    ] == [(expected["sku"], expected["region"], expected["old"], expected["new"])]
    assert diff["changed"][0]["change_pct"] == pytest.approx(10, abs=0.01)
    assert diff["added"] == []
    assert diff["removed"] == []

    table = runner.invoke(cli(), ["diff", str(base), str(target)])
    assert table.exit_code == 0
    assert expected["sku"] in table.output


def test_import_uses_the_knowledge_dir_setting_as_source_and_target(
    runner: CliRunner, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    price_file, expected = ec2instances_file(tmp_path / "instances.json", base)
    monkeypatch.setenv("INFRA_MIND_KNOWLEDGE_DIR", str(base))

    result = runner.invoke(cli(), ["import", "ec2instances", str(price_file), "--as-of", "2026-11-02"])

    assert result.exit_code == 0, result.output
    price = Knowledge.load(base).instance_price(Provider.AWS, expected["sku"], expected["region"])
    assert price is not None
    assert (price.usd_per_hour, price.as_of) == (expected["new"], date(2026, 11, 2))


def test_import_without_a_target_says_one_is_needed(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    price_file, _ = ec2instances_file(tmp_path / "instances.json", base)

    result = runner.invoke(cli(), ["import", "ec2instances", str(price_file)])

    assert result.exit_code == EXIT_INVALID
    assert "--into" in result.output
    assert "INFRA_MIND_KNOWLEDGE_DIR" in result.output


def test_import_never_writes_into_the_packaged_catalog(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    price_file, _ = ec2instances_file(tmp_path / "instances.json", base)
    before = files(packaged_data_dir())

    result = runner.invoke(
        cli(), ["import", "ec2instances", str(price_file), "--into", str(packaged_data_dir())]
    )

    assert result.exit_code == EXIT_INVALID
    assert "packaged catalog" in result.output
    assert files(packaged_data_dir()) == before


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["import", "nosuch", "file.json", "--into", "out"], "SOURCE"),
        (["import", "ec2instances", "file.json", "--into", "out", "--as-of", "29/11/2026"], "--as-of"),
        (["search", "--kind", "spaceship"], "--kind"),
        (["search", "--max-vcpu", "0"], "--max-vcpu"),
        (["show", "oracle", "t3.medium"], "PROVIDER"),
        (["diff", "nowhere-a", "nowhere-b"], "OLD_DIR"),
        (["diff", ".", ".", "--min-change", "-5"], "--min-change"),
        (["import", "ec2instances", "file.json", "--from", ".", "--into", "out"], "--from"),
        (["search", "--catalog", "."], "--catalog"),
    ],
)
def test_bad_arguments_exit_2_naming_the_field(
    runner: CliRunner, tmp_path: Path, arguments: list[str], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(cli(), arguments)

    assert result.exit_code == EXIT_INVALID, result.output
    assert named in result.output


def test_an_unreadable_file_exits_2_naming_the_file_and_reason(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    garbage = tmp_path / "garbage.json"
    garbage.write_text("[{not json")

    for path, reason in ((missing, "No such file"), (garbage, "invalid JSON")):
        result = runner.invoke(cli(), ["import", "ec2instances", str(path), "--into", str(tmp_path / "out")])

        assert result.exit_code == EXIT_INVALID, result.output
        assert path.name in result.output
        assert reason in result.output
        assert not (tmp_path / "out").exists()


def test_a_failed_import_leaves_the_target_untouched(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    target = Path(shutil.copytree(base, tmp_path / "snapshot"))
    before = files(target)
    price_file, _ = ec2instances_file(tmp_path / "instances.json", base)
    (base / "sla.json").write_text('{"description": "broken", "records": [{"unexpected": true}]}')

    result = runner.invoke(
        cli(), ["import", "ec2instances", str(price_file), "--from", str(base), "--into", str(target)]
    )

    assert result.exit_code == EXIT_ERROR, result.output
    assert "sla.json" in result.output
    assert "Traceback" not in result.output
    assert files(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "instances.json", "snapshot"]


def test_refresh_downloads_and_imports(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    price_file, expected = ec2instances_file(tmp_path / "instances.json", base)
    requested: list[str] = []

    def serve(request: httpx2.Request) -> httpx2.Response:
        requested.append(str(request.url))
        return httpx2.Response(200, content=price_file.read_bytes())

    target = tmp_path / "snapshot"
    cache = tmp_path / "cache"
    result = runner.invoke(
        cli(serve),
        ["refresh", "ec2instances", "--from", str(base), "--into", str(target), "--file-cache", str(cache)],
    )

    assert result.exit_code == 0, result.output
    assert requested == [EC2INSTANCES_URL]
    assert [p.name for p in cache.iterdir()] == [f"ec2instances-{TODAY}.json"]
    price = Knowledge.load(target).instance_price(Provider.AWS, expected["sku"], expected["region"])
    assert price is not None
    assert (price.usd_per_hour, price.as_of) == (expected["new"], TODAY)


def test_refresh_offline_fails_clearly_with_exit_4(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    def offline(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    target = tmp_path / "snapshot"
    result = runner.invoke(
        cli(offline), ["refresh", "ec2instances", "--from", str(base), "--into", str(target)]
    )

    assert result.exit_code == EXIT_NETWORK
    assert EC2INSTANCES_URL in result.output
    assert "name resolution" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_refresh_http_error_exits_4_naming_the_status(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    def failing(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(502)

    result = runner.invoke(
        cli(failing), ["refresh", "ec2instances", "--from", str(base), "--into", str(tmp_path / "out")]
    )

    assert result.exit_code == EXIT_NETWORK
    assert "HTTP 502" in result.output


def test_refresh_gcp_without_a_key_names_the_setting(runner: CliRunner, base: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        cli(), ["refresh", "gcp-billing", "--from", str(base), "--into", str(tmp_path / "out")]
    )

    assert result.exit_code == EXIT_INVALID
    assert "INFRA_MIND_GCP_API_KEY" in result.output


def test_show_prints_specs_prices_and_provenance(runner: CliRunner) -> None:
    record = aws_records(packaged_data_dir())[0]
    region = record["prices"][0]["region"]

    table = runner.invoke(cli(), ["show", "aws", record["sku"], "--region", region])
    data = runner.invoke(cli(), ["show", "aws", record["sku"], "--region", region, "--json"])

    assert table.exit_code == 0, table.output
    assert record["family"] in table.output
    assert region in table.output
    assert record["prices"][0]["as_of"] in table.output
    shown = json.loads(data.stdout)["instance"]
    assert [p["region"] for p in shown["prices"]] == [region]
    assert shown["prices"][0]["source"] == record["prices"][0]["source"]


def test_show_a_service_sku(runner: CliRunner) -> None:
    service = json.loads((packaged_data_dir() / "services/gcp.json").read_text())["records"][0]

    result = runner.invoke(cli(), ["show", "gcp", service["sku"], "--json"])

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["instance"] is None
    assert service["region"] in {s["region"] for s in shown["services"]}


def test_show_an_unknown_sku_suggests_close_ones(runner: CliRunner) -> None:
    sku = aws_records(packaged_data_dir())[0]["sku"]

    result = runner.invoke(cli(), ["show", "aws", sku[:-1]])

    assert result.exit_code == EXIT_INVALID
    assert "SKU" in result.output
    assert sku in result.output


def test_search_filters_and_prints_json(runner: CliRunner) -> None:
    result = runner.invoke(cli(), ["search", "--provider", "aws", "--gpu", "--json"])
    regional = runner.invoke(
        cli(), ["search", "--kind", "managed_postgresql", "--region", "eu-west-1", "--json"]
    )

    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits
    assert all(h["provider"] == "aws" and h["kind"] == "instance" and h["gpu"] for h in hits)
    postgres = json.loads(regional.stdout)
    assert postgres
    assert {(h["kind"], h["region"]) for h in postgres} == {("managed_postgresql", "eu-west-1")}


def test_search_prints_a_table(runner: CliRunner) -> None:
    result = runner.invoke(cli(), ["search", "large", "--max-vcpu", "2", "--category", "general"])

    assert result.exit_code == 0, result.output
    assert "match(es)" in result.output


def test_refresh_azure_follows_pages_and_the_diff_shows_the_repriced_vm(
    runner: CliRunner, base: Path, tmp_path: Path
) -> None:
    vm = json.loads((base / "instances/azure.json").read_text())["records"][0]
    region, old_usd = vm["prices"][0]["region"], vm["prices"][0]["usd_per_hour"]
    new_usd = round(old_usd * 1.1, 4)  # a price change for the test, not a published figure
    item = {
        "currencyCode": "USD",
        "retailPrice": new_usd,
        "armRegionName": region,
        "armSkuName": vm["sku"],
        "serviceName": "Virtual Machines",
        "productName": "Virtual Machines Series",
        "skuName": vm["sku"].removeprefix("Standard_").replace("_", " "),
        "meterName": vm["sku"].removeprefix("Standard_").replace("_", " "),
        "unitOfMeasure": "1 Hour",
        "type": "Consumption",
        "isPrimaryMeterRegion": True,
    }
    windows = {**item, "productName": "Virtual Machines Series Windows", "retailPrice": new_usd * 2}
    second_page = "https://prices.azure.com/api/retail/prices?page=2"
    requested: list[str] = []

    def serve(request: httpx2.Request) -> httpx2.Response:
        requested.append(str(request.url))
        if str(request.url) == second_page:
            return httpx2.Response(200, json={"Items": [windows], "NextPageLink": None})
        if f"armRegionName eq '{region}'" in request.url.params.get("$filter", ""):
            return httpx2.Response(200, json={"Items": [item], "NextPageLink": second_page})
        return httpx2.Response(200, json={"Items": [], "NextPageLink": None})

    target = tmp_path / "snapshot"
    refreshed = runner.invoke(
        cli(serve), ["refresh", "azure-retail", "--from", str(base), "--into", str(target)]
    )

    assert refreshed.exit_code == 0, refreshed.output
    assert second_page in requested
    diffed = runner.invoke(cli(), ["diff", str(base), str(target), "--json"])
    changed = json.loads(diffed.stdout)["changed"]
    assert [(c["key"]["sku"], c["key"]["region"], c["new"]["usd"]) for c in changed] == [
        (vm["sku"], region, new_usd)
    ]


def test_refresh_can_be_limited_to_some_catalog_regions(
    runner: CliRunner, base: Path, tmp_path: Path
) -> None:
    region = json.loads((base / "instances/azure.json").read_text())["records"][0]["prices"][0]["region"]
    filters: list[str] = []

    def serve(request: httpx2.Request) -> httpx2.Response:
        filters.append(request.url.params["$filter"])
        return httpx2.Response(200, json={"Items": [], "NextPageLink": None})

    arguments = ["refresh", "azure-retail", "--from", str(base), "--into", str(tmp_path / "out")]
    limited = runner.invoke(cli(serve), [*arguments, "--region", region])
    unknown = runner.invoke(cli(serve), [*arguments, "--region", "atlantis-1"])

    assert limited.exit_code == 0, limited.output
    assert len(filters) == 1
    assert f"armRegionName eq '{region}'" in filters[0]
    assert unknown.exit_code == EXIT_INVALID
    assert "--region" in unknown.output
    assert "atlantis-1" in unknown.output


def test_stats_reports_coverage_per_provider(runner: CliRunner) -> None:
    result = runner.invoke(cli(), ["stats", "--json"])

    assert result.exit_code == 0, result.output
    report = {c["provider"]: c for c in json.loads(result.output)}
    assert set(report) == {"aws", "azure", "gcp"}
    for provider in report.values():
        assert provider["regions_by_geography"]["europe"] > 0
        prices = provider["instance_prices"]
        assert prices["read"] + prices["estimated"] > 0
    table = runner.invoke(cli(), ["stats"])
    assert table.exit_code == 0
    assert "regions with instance prices" in table.output
