from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra_mind.errors import CatalogInvalid
from infra_mind.knowledge.catalog import packaged_data_dir
from infra_mind.knowledge.diff import CatalogDiff, diff_catalogs
from infra_mind.knowledge.models import Provider

NEW_SOURCE = "https://example.org/price-file-under-test.json"


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return Path(shutil.copytree(packaged_data_dir(), tmp_path / "old"))


@pytest.fixture
def new(old: Path) -> Path:
    return Path(shutil.copytree(old, old.parent / "new"))


def edit(root: Path, relative: str, change: Any) -> None:
    path = root / relative
    document = json.loads(path.read_text())
    change(document["records"])
    path.write_text(json.dumps(document, indent=2))


def reprice(record: dict[str, Any], factor: float, as_of: str = "2026-11-02") -> None:
    key = "usd_per_hour" if "usd_per_hour" in record else "usd_per_unit"
    record[key] = round(record[key] * factor, 6)
    record.update(source=NEW_SOURCE, as_of=as_of)


def test_identical_catalogs_have_no_differences(old: Path, new: Path) -> None:
    diff = diff_catalogs(old, new)

    assert diff.empty
    assert diff.groups == []


def test_changes_are_sorted_by_size_with_absolute_and_relative_change(old: Path, new: Path) -> None:
    def two_instance_prices(records: list[dict[str, Any]]) -> None:
        reprice(records[0]["prices"][0], 1.05)
        reprice(records[1]["prices"][0], 0.8)

    edit(new, "instances/aws.json", two_instance_prices)
    edit(new, "services/gcp.json", lambda records: reprice(records[0], 1.5))
    before = json.loads((old / "instances/aws.json").read_text())["records"]

    diff = diff_catalogs(old, new)

    assert [c.key.provider for c in diff.changed] == [Provider.GCP, Provider.AWS, Provider.AWS]
    assert [round(c.change_pct or 0) for c in diff.changed] == [50, -20, 5]
    smaller = diff.changed[1]
    assert smaller.key.sku == before[1]["sku"]
    assert smaller.key.region == before[1]["prices"][0]["region"]
    assert smaller.old is not None
    assert smaller.new is not None
    assert smaller.change_usd == pytest.approx(smaller.new.usd - smaller.old.usd)
    assert smaller.new.as_of == date(2026, 11, 2)
    assert smaller.new.source == NEW_SOURCE
    assert not diff.added
    assert not diff.removed


def test_added_removed_and_redated_prices_are_told_apart(old: Path, new: Path) -> None:
    def change(records: list[dict[str, Any]]) -> None:
        removed = records[0]["prices"].pop()
        records[1]["prices"].append({**removed, "region": "test-region-1", "source": NEW_SOURCE})
        records[2]["prices"][0]["as_of"] = "2026-11-02"

    edit(new, "instances/azure.json", change)
    before = json.loads((old / "instances/azure.json").read_text())["records"]

    diff = diff_catalogs(old, new)

    assert [(c.key.sku, c.key.region) for c in diff.removed if c.key.term == "on_demand"] == [
        (before[0]["sku"], before[0]["prices"][-1]["region"])
    ]
    assert [(c.key.sku, c.key.region) for c in diff.added if c.key.term == "on_demand"] == [
        (before[1]["sku"], "test-region-1")
    ]
    assert [c.key.sku for c in diff.redated if c.key.term == "on_demand"] == [before[2]["sku"]]
    assert not diff.changed
    (group,) = diff.groups
    assert (group.provider, group.kind, group.redated) == (Provider.AZURE, "instance", len(diff.redated))


def test_commitment_rates_are_compared_as_prices_of_their_own(old: Path, new: Path) -> None:
    def add_commitment(records: list[dict[str, Any]]) -> None:
        records[0]["prices"][0]["commitment_1y_usd_per_hour"] = round(
            records[0]["prices"][0]["usd_per_hour"] / 2, 6
        )

    edit(new, "instances/gcp.json", add_commitment)

    diff = diff_catalogs(old, new)

    assert [c.key.term for c in diff.added] == ["commitment_1y"]
    assert not diff.changed


def test_min_change_hides_small_changes_only(old: Path, new: Path) -> None:
    def two_changes(records: list[dict[str, Any]]) -> None:
        reprice(records[0]["prices"][0], 1.01)
        reprice(records[1]["prices"][0], 1.25)
        records[2]["prices"].pop()

    edit(new, "instances/aws.json", two_changes)

    diff = diff_catalogs(old, new).with_min_change(10)

    assert [round(c.change_pct or 0) for c in diff.changed] == [25]
    assert diff.removed
    (group,) = diff.groups
    assert group.changed == 1


def test_the_result_round_trips_as_json(old: Path, new: Path) -> None:
    edit(new, "services/aws.json", lambda records: reprice(records[0], 2))

    diff = diff_catalogs(old, new)
    data = json.loads(diff.model_dump_json())

    assert data["changed"][0]["change_pct"] == pytest.approx(100)
    assert data["groups"][0]["changed"] == 1
    assert CatalogDiff.model_validate_json(diff.model_dump_json()).changed == diff.changed


def test_a_folder_that_is_not_a_catalog_is_rejected(old: Path, tmp_path: Path) -> None:
    with pytest.raises(CatalogInvalid, match="not a catalog directory"):
        diff_catalogs(old, tmp_path / "missing")


def test_an_unreadable_price_file_is_named(old: Path, new: Path) -> None:
    (new / "services" / "aws.json").write_text("{not json")

    with pytest.raises(CatalogInvalid, match=r"services/aws\.json"):
        diff_catalogs(old, new)
