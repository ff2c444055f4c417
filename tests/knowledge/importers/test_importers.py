"""The package interface: the source table and import_file."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra_mind.errors import InputUnreadable, InvalidInput
from infra_mind.knowledge.importers import SOURCES, build_sources, import_file
from tests.knowledge.importers.support import AS_OF, FIXTURES


def test_sources_are_the_four_public_formats() -> None:
    assert set(SOURCES) == {"ec2instances", "azure-retail", "gcp-billing", "aws-offer"}
    assert set(build_sources({})) == set(SOURCES)


def test_each_source_reads_its_fixture_through_import_file() -> None:
    files = {
        "ec2instances": "ec2instances.json",
        "azure-retail": "azure-retail-uksouth.json",
        "gcp-billing": "gcp-billing.json",
        "aws-offer": "aws-offer.json",
    }
    for source, name in files.items():
        result = import_file(source, FIXTURES / name, AS_OF)
        assert result.source == f"{source}: {name}"
        assert result.as_of == AS_OF


def test_unknown_source_is_invalid_input_naming_the_choices() -> None:
    with pytest.raises(
        InvalidInput, match="choose one of: aws-offer, azure-retail, ec2instances, gcp-billing"
    ) as info:
        import_file("oracle", FIXTURES / "aws-offer.json", AS_OF)
    assert info.value.errors[0].path == "source"


def test_missing_file_is_unreadable_input(tmp_path: Path) -> None:
    with pytest.raises(InputUnreadable, match=r"cannot read .*absent\.json"):
        import_file("aws-offer", tmp_path / "absent.json", AS_OF)
