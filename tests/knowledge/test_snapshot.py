from __future__ import annotations

import difflib
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.catalog import Knowledge, packaged_data_dir
from infra_mind.knowledge.importers.result import ImportResult
from infra_mind.knowledge.models import InstanceType, Provider, RegionPrice, ServicePrice
from infra_mind.knowledge.snapshot import write_snapshot

AS_OF = date(2026, 11, 2)
SOURCE = "https://example.org/price-file-under-test.json"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return Path(shutil.copytree(packaged_data_dir(), tmp_path / "base"))


def records(root: Path, relative: str) -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((root / relative).read_text())["records"]
    return loaded


def first_aws_instance(root: Path) -> InstanceType:
    return InstanceType.model_validate(records(root, "instances/aws.json")[0])


def price(region: str, usd: float, **extra: Any) -> RegionPrice:
    return RegionPrice(region=region, usd_per_hour=usd, source=SOURCE, as_of=AS_OF, **extra)


def imported(
    *, instances: tuple[InstanceType, ...] = (), services: tuple[ServicePrice, ...] = ()
) -> ImportResult:
    return ImportResult("test: prices.json", AS_OF, instances, services)


def changed_lines(old: Path, new: Path) -> list[str]:
    diff = difflib.unified_diff(old.read_text().splitlines(), new.read_text().splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_imported_region_price_replaces_the_old_one_and_other_regions_are_kept(
    base: Path, tmp_path: Path
) -> None:
    old = first_aws_instance(base)
    region, *others = [p.region for p in old.prices]
    new_usd = round(old.prices[0].usd_per_hour * 1.1, 6)
    update = InstanceType(
        provider=Provider.AWS,
        sku=old.sku,
        family=old.family,
        category=old.category,
        vcpu=old.vcpu,
        memory_gib=old.memory_gib,
        prices=(price(region, new_usd),),
    )
    target = tmp_path / "snapshot"

    summary = write_snapshot(base, [imported(instances=(update,))], target)

    knowledge = Knowledge.load(target)
    assert knowledge.instance_price(Provider.AWS, old.sku, region).usd_per_hour == new_usd  # type: ignore[union-attr]
    for other in others:
        assert knowledge.instance_price(Provider.AWS, old.sku, other) == next(
            p for p in old.prices if p.region == other
        )
    assert (summary.instances_updated, summary.prices_replaced, summary.prices_added) == (1, 1, 0)


def test_only_the_changed_figures_show_in_a_text_diff(base: Path, tmp_path: Path) -> None:
    old = first_aws_instance(base)
    first = old.prices[0]
    update = old.model_copy(update={"prices": (price(first.region, first.usd_per_hour + 0.01),)})
    target = tmp_path / "snapshot"

    write_snapshot(base, [imported(instances=(update,))], target)

    changed = changed_lines(base / "instances/aws.json", target / "instances/aws.json")
    price_fields = set(RegionPrice.model_fields) - {"region"}
    assert {line.split('"')[1] for line in changed} <= price_fields, changed
    assert sum("usd_per_hour" in line for line in changed) == 2
    for untouched in ("regions.json", "services/aws.json", "instances/gcp.json"):
        assert (target / untouched).read_bytes() == (base / untouched).read_bytes()


def test_new_region_and_new_instance_are_added_in_the_file_layout(base: Path, tmp_path: Path) -> None:
    old = first_aws_instance(base)
    covered = {r["code"] for r in records(base, "regions.json") if r["provider"] == "aws"}
    missing = sorted(covered - {p.region for p in old.prices})
    assert missing, "the test needs an AWS region the first instance is not priced in"
    extra_region = old.model_copy(
        update={"prices": (price(missing[0], 0.05, commitment_1y_usd_per_hour=0.03),)}
    )
    newcomer = InstanceType(
        provider=Provider.AWS,
        sku=f"{old.family}.test-size",
        family=old.family,
        category=old.category,
        vcpu=2,
        memory_gib=8,
        prices=(price(sorted(covered)[0], 0.07),),
    )
    target = tmp_path / "snapshot"

    summary = write_snapshot(base, [imported(instances=(extra_region, newcomer))], target)

    written = records(target, "instances/aws.json")
    updated = next(r for r in written if r["sku"] == old.sku)
    appended = updated["prices"][-1]
    assert appended["region"] == missing[0]
    assert list(appended)[:2] == ["region", "usd_per_hour"]
    assert appended["commitment_1y_usd_per_hour"] == 0.03
    assert "commitment_3y_usd_per_hour" not in appended  # no lines of nulls the file never had
    added = next(r for r in written if r["sku"] == newcomer.sku)
    assert list(added) == list(written[0])
    assert added["memory_gib"] == 8
    assert isinstance(added["memory_gib"], int)
    assert written[written.index(added) - 1]["family"] == old.family
    assert (summary.instances_added, summary.prices_added) == (1, 2)


def test_specs_from_the_import_win_only_when_present(base: Path, tmp_path: Path) -> None:
    gpu = next(InstanceType.model_validate(r) for r in records(base, "instances/aws.json") if r["gpu_count"])
    update = InstanceType(
        provider=Provider.AWS,
        sku=gpu.sku,
        family=gpu.family,
        category=gpu.category,
        vcpu=gpu.vcpu + 1,
        memory_gib=gpu.memory_gib,
        prices=(price(gpu.prices[0].region, gpu.prices[0].usd_per_hour),),
    )
    target = tmp_path / "snapshot"

    write_snapshot(base, [imported(instances=(update,))], target)

    merged = Knowledge.load(target).instance(Provider.AWS, gpu.sku)
    assert merged is not None
    assert merged.vcpu == gpu.vcpu + 1
    assert (merged.gpu_model, merged.gpu_count, merged.gpu_memory_gib) == (
        gpu.gpu_model,
        gpu.gpu_count,
        gpu.gpu_memory_gib,
    )


def test_services_upsert_by_kind_sku_and_region(base: Path, tmp_path: Path) -> None:
    old = ServicePrice.model_validate(records(base, "services/aws.json")[0])
    replaced = old.model_copy(update={"usd_per_unit": old.usd_per_unit * 2, "source": SOURCE, "as_of": AS_OF})
    added = old.model_copy(update={"sku": f"{old.sku}-test-variant", "source": SOURCE, "as_of": AS_OF})
    target = tmp_path / "snapshot"

    summary = write_snapshot(base, [imported(services=(replaced, added))], target)

    prices = Knowledge.load(target).service_prices(old.provider, old.kind, old.region)
    by_sku = {p.sku: p for p in prices}
    assert by_sku[old.sku].usd_per_unit == old.usd_per_unit * 2
    assert by_sku[added.sku].as_of == AS_OF
    assert len(records(target, "services/aws.json")) == len(records(base, "services/aws.json")) + 1
    assert (summary.services_replaced, summary.services_added) == (1, 1)


def test_prices_in_regions_the_catalog_does_not_cover_are_left_out(base: Path, tmp_path: Path) -> None:
    old = first_aws_instance(base)
    update = old.model_copy(update={"prices": (price("xx-nowhere-1", 1.0),)})
    target = tmp_path / "snapshot"

    summary = write_snapshot(base, [imported(instances=(update,))], target)

    assert summary.outside_regions == {"aws:xx-nowhere-1"}
    assert summary.prices_written == 0
    assert (target / "instances/aws.json").read_bytes() == (base / "instances/aws.json").read_bytes()


def test_base_and_target_may_be_the_same_directory(base: Path) -> None:
    old = first_aws_instance(base)
    first = old.prices[0]
    update = old.model_copy(update={"prices": (price(first.region, first.usd_per_hour + 0.5),)})

    write_snapshot(base, [imported(instances=(update,))], base)

    got = Knowledge.load(base).instance_price(Provider.AWS, old.sku, first.region)
    assert got is not None
    assert got.usd_per_hour == first.usd_per_hour + 0.5
    assert [p.name for p in base.parent.iterdir()] == ["base"]


def test_an_invalid_result_raises_and_leaves_the_target_untouched(base: Path, tmp_path: Path) -> None:
    target = tmp_path / "snapshot"
    shutil.copytree(base, target)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    (base / "regions.json").write_text('{"description": "broken", "records": [{"provider": "aws"}]}')
    old = first_aws_instance(base)

    with pytest.raises(CatalogInvalid):
        write_snapshot(base, [imported(instances=(old,))], target)

    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base", "snapshot"]


def test_a_directory_that_is_not_a_catalog_is_never_replaced(base: Path, tmp_path: Path) -> None:
    target = tmp_path / "my-documents"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")

    with pytest.raises(CatalogInvalid, match="not a catalog directory"):
        write_snapshot(base, [imported()], target)

    assert (target / "notes.txt").read_text() == "keep me"


def test_the_base_must_be_a_catalog(tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid, match=r"no regions\.json"):
        write_snapshot(tmp_path, [imported()], tmp_path / "out")


def test_known_only_updates_what_the_catalog_has_and_adds_nothing(base: Path, tmp_path: Path) -> None:
    old = first_aws_instance(base)
    first = old.prices[0]
    repriced = old.model_copy(update={"prices": (price(first.region, first.usd_per_hour + 0.01),)})
    newcomer = old.model_copy(update={"sku": f"{old.family}.test-size"})
    service = ServicePrice.model_validate(records(base, "services/aws.json")[0])
    new_service = service.model_copy(update={"sku": f"{service.sku}-test-variant"})
    target = tmp_path / "snapshot"

    summary = write_snapshot(
        base, [imported(instances=(repriced, newcomer), services=(new_service,))], target, known_only=True
    )

    knowledge = Knowledge.load(target)
    assert knowledge.instance(Provider.AWS, newcomer.sku) is None
    assert knowledge.instance_price(Provider.AWS, old.sku, first.region) == repriced.prices[0]
    assert (summary.not_in_catalog, summary.prices_replaced, summary.services_added) == (2, 1, 0)


def test_any_loader_failure_is_reported_as_an_invalid_catalog(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_loader(data_dir: Path | None = None) -> Knowledge:
        raise KeyError("records")

    monkeypatch.setattr(Knowledge, "load", broken_loader)

    with pytest.raises(CatalogInvalid, match="does not load"):
        write_snapshot(base, [imported()], tmp_path / "snapshot")

    assert not (tmp_path / "snapshot").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]
