from __future__ import annotations

from infra_mind.agents.bom_lines import Fleet, Job
from infra_mind.knowledge.models import InstanceCategory, Provider

from ..knowledge.small_catalog import small_catalog


def test_gpus_come_from_the_nearest_allowed_region_that_sells_them() -> None:
    job = Job(small_catalog(), Provider.AWS, "eu-central-1", 730, alternatives=("eu-central-1", "us-east-1"))
    offers = job.gpu_offers()
    assert [(o.instance.sku, o.price.region) for o in offers] == [("p5.48xlarge", "us-east-1")]
    note = job.moved_note(offers[0])
    assert "no GPU instance is priced in eu-central-1" in note
    assert "runs in us-east-1" in note
    job.instance_line("GPU inference", "model", Fleet(offers[0], 1), 730, note + "one replica")
    assert (job.lines[0].region, job.lines[0].monthly_usd) == ("us-east-1", 40179.2)


def test_no_gpu_anywhere_allowed_leaves_nothing_to_price() -> None:
    job = Job(small_catalog(), Provider.AWS, "eu-central-1", 730)
    assert job.gpu_offers() == []
    assert job.offers(InstanceCategory.GPU) == []


def test_a_line_priced_in_the_quote_region_carries_no_note() -> None:
    job = Job(small_catalog(), Provider.AWS, "us-east-1", 730, alternatives=("eu-central-1",))
    offer = job.gpu_offers()[0]
    assert job.moved_note(offer) == ""
