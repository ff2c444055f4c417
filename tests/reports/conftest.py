from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from infra_mind.config import Settings
from infra_mind.domain.input_rules import load_input_file
from infra_mind.engine.events import InMemoryEventBus
from infra_mind.engine.factory import build_pipeline
from infra_mind.engine.pipeline import RunOutcome
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.reports.render import FORMATS

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.fixture(scope="session")
def every_format() -> dict[str, RunOutcome]:
    """Each example run through the whole pipeline with every report format, PDF included."""
    pipeline = build_pipeline(Settings(), Knowledge.load(), InMemoryEventBus(), report_formats=FORMATS)
    return {
        example.stem: asyncio.run(pipeline.run(load_input_file(example), run_id=example.stem))
        for example in EXAMPLES
    }
