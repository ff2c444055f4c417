from __future__ import annotations

import pytest

from infra_mind.knowledge.importers.aws_families import category_of, family_of
from infra_mind.knowledge.models import InstanceCategory


@pytest.mark.parametrize(
    ("family", "category"),
    [
        ("t3", InstanceCategory.BURSTABLE),
        ("t4g", InstanceCategory.BURSTABLE),
        ("c7gn", InstanceCategory.COMPUTE),
        ("hpc7g", InstanceCategory.COMPUTE),
        ("r7iz", InstanceCategory.MEMORY),
        ("x2idn", InstanceCategory.MEMORY),
        ("z1d", InstanceCategory.MEMORY),
        ("u-6tb1", InstanceCategory.MEMORY),
        ("u7i-12tb", InstanceCategory.MEMORY),
        ("i4i", InstanceCategory.STORAGE),
        ("im4gn", InstanceCategory.STORAGE),
        ("is4gen", InstanceCategory.STORAGE),
        ("d3en", InstanceCategory.STORAGE),
        ("h1", InstanceCategory.STORAGE),
        ("p5", InstanceCategory.GPU),
        ("g6e", InstanceCategory.GPU),
        ("inf2", InstanceCategory.GPU),
        ("trn1", InstanceCategory.GPU),
        ("dl1", InstanceCategory.GPU),
        ("m7i", InstanceCategory.GENERAL),
        ("a1", InstanceCategory.GENERAL),
    ],
)
def test_family_prefix_gives_the_category(family: str, category: InstanceCategory) -> None:
    assert category_of(family) == category


@pytest.mark.parametrize("family", ["mac2", "f1", "vt1", "x", "cc2x"])
def test_families_outside_the_catalog_categories_are_unknown(family: str) -> None:
    assert category_of(family) is None


def test_family_is_the_instance_type_prefix() -> None:
    assert family_of("m7i-flex.large") == "m7i-flex"
    assert family_of("u-6tb1.metal") == "u-6tb1"
